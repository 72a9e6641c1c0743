"""Adaptive Cards for the case holder whose work is audited (framework 9.3: audits are done "working
alongside the case holder", the auditor holds "discussions with the practitioner", and the discussion
"will support the practitioner/manager to reflect and improve"), and for the person named to carry
an action (told when named, not first when chased). Pure: data in, card JSON out.

Buttons are Action.Execute with ids only (allocation_id, audit_id, action_id); the server re-checks
who may act. The views hold case references and staff names only, never a child's details.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from dialogs.card_kit import (
    Element,
    card,
    excerpt,
    execute,
    facts,
    format_day,
    format_moment,
    heading,
    quote,
    show_card,
    subheading,
    text,
    text_input,
)
from qa.framework import KEY_AREAS

REFLECTION = "case_holder_reflection"
COMMENT = "case_holder_comment"
COMMENT_MAX = 2000
REFLECTION_MAX = 2000
THANKS_SHOWN = 240  # characters of the strengths the thank-you names (they follow in full)
ANSWER_SHOWN = 1500  # characters of each form answer the findings show (the card stays within 28 KB)
_SHORT_PRIVACY = "About practice only: no names, dates of birth or addresses."
WHAT_IT_LOOKS_AT = ("The audit looks at the last six months of casework and at the outcomes for the child, across "
                    "the seven key areas: " + ", ".join(KEY_AREAS) + ".")
# On a form of the council's own (framework 23), whose questions are its own: no promise of the seven areas.
WHAT_ITS_FORM_LOOKS_AT = ("The audit looks at the casework and at the outcomes for the child, with the questions of "
                          "the council's audit form for this work.")


class Verb:
    """The verbs these cards send, and the data each carries."""

    CONVERSATION_ARRANGED = "conversation.arranged"  # allocation_id + input conversation_on_<allocation_id>
    CONVERSATION_HELD = "conversation.held"          # allocation_id
    FINDINGS_REFLECT = "findings.reflect"            # audit_id + input case_holder_reflection
    FINDINGS_SUPERVISION = "findings.supervision"    # audit_id
    FINDINGS_FORUM = "findings.forum"                # audit_id: agree to the case's use in a practice forum
    DRAFT_SHARE = "draft.share"                      # allocation_id: the saved draft, for a factual check
    DRAFT_COMMENT = "draft.comment"                  # audit_id + input case_holder_comment

    ALL = frozenset({CONVERSATION_ARRANGED, CONVERSATION_HELD, FINDINGS_REFLECT, FINDINGS_SUPERVISION,
                     FINDINGS_FORUM, DRAFT_SHARE, DRAFT_COMMENT})


GOOD_GRADES = ("Outstanding", "Good")  # framework 9.3, "Good or Outstanding cases": thanked, and for practice forums


def conversation_input_id(allocation_id: int) -> str:
    """Each case on an allocation notice has its own date box (input ids must be unique)."""
    return f"conversation_on_{int(allocation_id)}"


def conversation_buttons(allocation_id: int) -> list[Element]:
    """The auditor's Conversation arranged (with its date) and Conversation held, for one case."""
    ids = {"allocation_id": allocation_id}
    day = {"type": "Input.Date", "id": conversation_input_id(allocation_id), "label": "Day of the conversation",
           "isRequired": True, "errorMessage": "Choose the day you will talk with the case holder."}
    arranged = show_card("Conversation arranged", [day], [
        execute("Save the day", Verb.CONVERSATION_ARRANGED, ids, inputs="auto", style="positive")])
    return [arranged, execute("Conversation held", Verb.CONVERSATION_HELD, ids)]


# --- the case holder's notice (allocation day) ---

@dataclass(frozen=True)
class CaseHolderNotice:
    """One audited case, as its case holder sees it."""

    allocation_id: int
    case_ref: str
    month_label: str
    case_holder_name: str
    auditor_name: str
    deadline: date
    conversation_on: date | None = None
    conversation_held_at: datetime | None = None
    kind: str = "case"  # "supervision": the case holder is the supervisee, the audit is of their supervision file
    on_default_form: bool = True  # False: a form of the council's own, which asks its own questions


def case_holder_notice_card(notice: CaseHolderNotice, tz: tzinfo) -> Element:
    """To the case holder on allocation day; rebuilt in place when the auditor arranges or holds the conversation."""
    if notice.conversation_held_at is not None:
        talk = f"Held: {notice.auditor_name} recorded the conversation on {format_moment(notice.conversation_held_at, tz)}."
    elif notice.conversation_on is not None:
        talk = f"Arranged for {format_day(notice.conversation_on)}."
    else:
        talk = "Not arranged yet: the auditor will be in touch."
    if notice.kind == "supervision":  # framework 9.1: a supervision file, by person; no case is named
        return card([
            heading(f"Your supervision file is in the {notice.month_label} audit"),
            text(f"Hello {notice.case_holder_name}. {notice.auditor_name} is auditing your supervision file this "
                 "month (framework 9.1's Supervision Audit Framework): the agreement, how often and how long your "
                 "1:1s are, reflection, case direction, your wellbeing and the actions agreed. It looks at the "
                 "supervision you receive, not at you."),
            facts([("Supervision file", notice.case_ref), ("Auditor", notice.auditor_name),
                   ("Audit due", format_day(notice.deadline))]),
            text("You and your supervisor will receive the findings once the service lead has confirmed oversight.",
                 subtle=True),
        ])
    return card([
        heading(f"Your case {notice.case_ref} is in the {notice.month_label} audit"),
        text(f"Hello {notice.case_holder_name}. {notice.auditor_name} is auditing case {notice.case_ref} this month, "
             "working alongside you. They will talk with you about the case before they submit the audit."),
        text(WHAT_IT_LOOKS_AT if notice.on_default_form else WHAT_ITS_FORM_LOOKS_AT, subtle=True, spacing="Small"),
        facts([("Case", notice.case_ref), ("Auditor", notice.auditor_name),
               ("Audit due", format_day(notice.deadline)), ("Your conversation", talk)]),
        text("You will receive the findings once the service lead has confirmed oversight.", subtle=True),
    ])


# --- the findings (after oversight) ---

@dataclass(frozen=True)
class ActionItem:
    """A remedial action, as the audit's plan holds it."""

    text: str
    target_on: date
    responsible: str | None = None


@dataclass(frozen=True)
class Findings:
    """An audit whose oversight is confirmed, for its case holder."""

    audit_id: int
    case_ref: str
    auditor_name: str
    oversight_by: str
    grade: str
    key_areas: Mapping[str, str]
    strengths: str
    improvements: str
    actions: Sequence[ActionItem] = field(default_factory=tuple)
    reflection: str | None = None
    reflected_at: datetime | None = None
    supervision_asked: bool = False
    forum_agreed_at: datetime | None = None
    # A supervision audit (framework 9.1): the file's supervisee by name; and for an audit on a form other than
    # the default, its answers as (question, answer) in the form's order, shown instead of the default's areas.
    kind: str = "case"
    supervisee_name: str = ""
    answers: tuple[tuple[str, str], ...] = ()

    @property
    def supervision(self) -> bool:
        return self.kind == "supervision"

    @property
    def good(self) -> bool:
        """Graded Good or Outstanding: the findings open with a thank-you and ask about a practice forum."""
        return self.grade in GOOD_GRADES


def _thanks(findings: Findings) -> list[Element]:
    """A short thank-you naming what was strong (the audit's strengths, cut short: they follow in full)."""
    what = "your supervision file" if findings.supervision else f"case {findings.case_ref}"
    said = [text(f"Thank you. The audit of {what} was graded {findings.grade}: good practice.",
                 color="Good", weight="Bolder")]
    if findings.strengths.strip():
        said += [text("What was strong:", spacing="Small"), quote(excerpt(findings.strengths, THANKS_SHOWN))]
    return said


def _forum(findings: Findings, tz: tzinfo) -> list[Element]:
    if findings.forum_agreed_at is not None:
        return [text(f"You agreed on {format_moment(findings.forum_agreed_at, tz)} that case {findings.case_ref} "
                     "may be shared in a practice forum, by its case reference only.", subtle=True, spacing="Small")]
    return [text(f"The principal social worker shares good practice in practice forums. If you agree, case "
                 f"{findings.case_ref} may be used there, by its case reference only (no names or details of the "
                 "family).", subtle=True, spacing="Small")]


def _opening(findings: Findings, for_supervisor: bool) -> list[Element]:
    if not findings.supervision:
        return [heading(f"The audit of your case {findings.case_ref}"), *(_thanks(findings) if findings.good else []),
                text(f"{findings.auditor_name} audited case {findings.case_ref} and {findings.oversight_by} confirmed "
                     "oversight. Here is what the audit found, in its own words.")]
    whose = f"{findings.supervisee_name}'s" if for_supervisor else "your"
    said = [heading(f"The audit of {whose} supervision file"),
            *(_thanks(findings) if findings.good and not for_supervisor else []),
            text(f"{findings.auditor_name} audited the supervision file of {findings.supervisee_name} "
                 f"({findings.case_ref}) and {findings.oversight_by} confirmed oversight. Here is what the audit "
                 "found, in its own words.")]
    if for_supervisor:
        said.append(text("You have the findings as their supervisor: talk them through together at your next 1:1, "
                         "and take the actions forward in supervision.", subtle=True, spacing="Small"))
    return said


def findings_card(findings: Findings, tz: tzinfo, *, for_supervisor: bool = False) -> Element:
    """The audit's findings in its own words: grade and key areas, strengths first, then improvements and
    any remedial actions; with Add my reflection and Talk about this in supervision (until done). Graded
    Good or Outstanding, it opens with a thank-you and offers Agree to use in a practice forum (until agreed).
    On a form other than the default, the form's answers stand for the key areas, strengths and improvements.
    A supervision audit's findings (framework 9.1) go to the supervisee, and, `for_supervisor`, to their
    supervisor: the same findings without buttons; neither offers a practice forum."""
    body: list[Element] = [*_opening(findings, for_supervisor), facts([("Overall grade", findings.grade)])]
    if findings.answers:
        body += [subheading("What the audit found"),
                 facts([(question, excerpt(answer, ANSWER_SHOWN)) for question, answer in findings.answers])]
    else:
        body += [
            subheading("Key areas"),
            facts([(area, findings.key_areas.get(area, "Not graded")) for area in KEY_AREAS]),
            subheading("Strengths"),
            quote(findings.strengths or "None recorded.", italic=not findings.strengths),
            subheading("Areas for improvement"),
            quote(findings.improvements or "None recorded.", italic=not findings.improvements),
        ]
    if findings.actions:
        body.append(subheading("Remedial actions"))
        for item in findings.actions:
            who = f" · {item.responsible}" if item.responsible else ""
            body.append(text(f"By {format_day(item.target_on)}{who}", subtle=True, spacing="Small"))
            body.append(quote(item.text))
    if for_supervisor:
        return card(body)
    ids = {"audit_id": findings.audit_id}
    actions: list[Element] = []
    if findings.reflection is not None:
        when = format_moment(findings.reflected_at, tz) if findings.reflected_at else ""
        body += [subheading("Your reflection"), quote(findings.reflection),
                 text(f"Sent to the auditor and your supervisor {when}".rstrip(), subtle=True, spacing="Small")]
    else:
        actions.append(show_card("Add my reflection", [
            text_input(REFLECTION, "Your reflection on the findings", max_length=REFLECTION_MAX, multiline=True,
                       required=True, placeholder=_SHORT_PRIVACY, error_message="Please write your reflection."),
        ], [execute("Send my reflection", Verb.FINDINGS_REFLECT, ids, inputs="auto", style="positive")]))
    if findings.supervision_asked:
        body.append(text("Your supervisor will discuss this audit with you in your next 1:1 supervision.",
                         color="Good", spacing="Small"))
    else:
        actions.append(execute("Talk about this in supervision", Verb.FINDINGS_SUPERVISION, ids))
    if findings.good and not findings.supervision:
        body += _forum(findings, tz)
        if findings.forum_agreed_at is None:
            actions.append(execute("Agree to use in a practice forum", Verb.FINDINGS_FORUM, ids))
    return card(body, actions)


# --- Good or Outstanding: the case holder's manager thanked ---

@dataclass(frozen=True)
class Thanks:
    """An audit graded Good or Outstanding, for the case holder's manager (their supervisor)."""

    case_ref: str
    grade: str
    case_holder_name: str
    auditor_name: str
    strengths: str


def thanks_card(thanks: Thanks) -> Element:
    """To the case holder's manager: a short thank-you naming what was strong (the audit's strengths)."""
    return card([
        heading(f"Good practice: case {thanks.case_ref}"),
        text(f"Thank you. {thanks.auditor_name}'s audit of {thanks.case_holder_name}'s case {thanks.case_ref} was "
             f"graded {thanks.grade}, and oversight is confirmed. What was strong, in the audit's words:"),
        quote(thanks.strengths or "No strengths recorded.", italic=not thanks.strengths),
        text(f"{thanks.case_holder_name} has the findings. The case is on the principal social worker's "
             "good-practice list.", subtle=True),
    ])


@dataclass(frozen=True)
class Reflection:
    """A case holder's reflection, for the auditor and the case holder's supervisor."""

    case_ref: str
    case_holder_name: str
    reflection: str
    reflected_at: datetime
    kind: str = "case"  # "supervision": the reflection is on the audit of their supervision file


def reflection_card(reflection: Reflection, tz: tzinfo, *, to_supervisor: bool) -> Element:
    """The case holder's reflection on an audit's findings, to the auditor or to their supervisor."""
    body: list[Element] = [
        heading(f"Reflection on the audit of {reflection.case_holder_name}'s supervision file"
                if reflection.kind == "supervision" else f"Reflection on the audit of case {reflection.case_ref}"),
        text(f"{reflection.case_holder_name} reflected on the audit's findings on "
             f"{format_moment(reflection.reflected_at, tz)}."),
        quote(reflection.reflection),
    ]
    if to_supervisor:
        body.append(text(f"\"Discuss the audit of case {reflection.case_ref}\" is on your supervision digest "
                         f"with {reflection.case_holder_name}'s next 1:1.", subtle=True))
    return card(body)


# --- an action's owner, told when named ---

@dataclass(frozen=True)
class NamedAction:
    """An action someone has just been named to carry (a remedial action)."""

    action_id: int
    case_ref: str
    text: str
    target_on: date
    asked_by: str
    done_verb: str  # the one press that marks it done
    done_by: str | None = None
    done_at: datetime | None = None


def action_named_card(action: NamedAction, tz: tzinfo | None = None) -> Element:
    """To the person named responsible, the moment they are named: what, by when, who asked; with Done, or
    (once done, `tz` given) who marked it done and when."""
    body: list[Element] = [
        heading(f"An action for you: case {action.case_ref}"),
        text(f"{action.asked_by} named you responsible for this action after the audit of case {action.case_ref}."),
        quote(action.text),
        facts([("By", format_day(action.target_on)), ("Asked by", action.asked_by)]),
    ]
    if action.done_at is not None and tz is not None:
        body.append(text(f"Done: {action.done_by or 'someone'}, {format_moment(action.done_at, tz)}", color="Good",
                         weight="Bolder"))
        return card(body)
    body.append(text("Press Done when it is done; you will be reminded on the day if not.", subtle=True))
    return card(body, [execute("Done", action.done_verb, {"action_id": action.action_id}, style="positive")])


# --- before submitting: the draft shared for a factual check (when the council offers it) ---

def share_draft_button(allocation_id: int, case_holder_name: str) -> Element:
    """On the auditor's "Draft saved" form: share the draft as saved with the case holder."""
    return execute(f"Share with {case_holder_name} for a factual check", Verb.DRAFT_SHARE,
                   {"allocation_id": allocation_id})


@dataclass(frozen=True)
class DraftCheck:
    """A saved draft, for its case holder to check the facts (and, once sent, their comment)."""

    audit_id: int
    case_ref: str
    auditor_name: str
    shared_at: datetime
    grade: str
    key_areas: Mapping[str, str]
    strengths: str
    improvements: str
    comment: str | None = None
    commented_at: datetime | None = None


def _draft_body(draft: DraftCheck) -> list[Element]:
    return [
        facts([("Overall grade (draft)", draft.grade)]),
        subheading("Key areas (draft)"),
        facts([(area, draft.key_areas.get(area, "Not graded yet")) for area in KEY_AREAS]),
        subheading("Strengths (draft)"),
        quote(draft.strengths or "None written yet.", italic=not draft.strengths),
        subheading("Areas for improvement (draft)"),
        quote(draft.improvements or "None written yet.", italic=not draft.improvements),
    ]


def draft_check_card(draft: DraftCheck, tz: tzinfo) -> Element:
    """To the case holder: the draft as saved, to check the facts; a comment box until they comment."""
    body: list[Element] = [
        heading(f"Draft audit of your case {draft.case_ref}: a factual check"),
        text(f"{draft.auditor_name} shared the draft on {format_moment(draft.shared_at, tz)}, before submitting, "
             "so you can check the facts. The judgement is the auditor's: your comment does not change it, but "
             "the auditor sees it."),
        *_draft_body(draft),
    ]
    if draft.comment is not None:
        when = f" on {format_moment(draft.commented_at, tz)}" if draft.commented_at else ""
        body += [subheading("Your comment"), quote(draft.comment),
                 text(f"Sent to {draft.auditor_name}{when}.", subtle=True, spacing="Small")]
        return card(body)
    body.append(text_input(COMMENT, "Anything factually wrong or missing?", max_length=COMMENT_MAX, multiline=True,
                           required=True, placeholder=_SHORT_PRIVACY, error_message="Please write your comment."))
    return card(body, [execute("Send my comment", Verb.DRAFT_COMMENT, {"audit_id": draft.audit_id},
                               inputs="auto", style="positive")])


@dataclass(frozen=True)
class DraftComment:
    """The case holder's comment on a shared draft, for the auditor."""

    case_ref: str
    case_holder_name: str
    comment: str
    commented_at: datetime


def draft_comment_card(comment: DraftComment, tz: tzinfo) -> Element:
    """To the auditor: the case holder's factual comment on the draft. The judgement stays the auditor's."""
    return card([
        heading(f"Factual check: case {comment.case_ref}"),
        text(f"{comment.case_holder_name} commented on your draft on {format_moment(comment.commented_at, tz)}."),
        quote(comment.comment),
        text("Your judgement is yours: change the draft only where a fact was wrong, then submit as usual.",
             subtle=True),
    ])
