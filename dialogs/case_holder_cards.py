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
REFLECTION_MAX = 2000
THANKS_SHOWN = 240  # characters of the strengths the thank-you names (they follow in full)
_SHORT_PRIVACY = "About practice only: no names, dates of birth or addresses."
WHAT_IT_LOOKS_AT = ("The audit looks at the last six months of casework and at the outcomes for the child, across "
                    "the seven key areas: " + ", ".join(KEY_AREAS) + ".")


class Verb:
    """The verbs these cards send, and the data each carries."""

    CONVERSATION_ARRANGED = "conversation.arranged"  # allocation_id + input conversation_on_<allocation_id>
    CONVERSATION_HELD = "conversation.held"          # allocation_id
    FINDINGS_REFLECT = "findings.reflect"            # audit_id + input case_holder_reflection
    FINDINGS_SUPERVISION = "findings.supervision"    # audit_id
    FINDINGS_FORUM = "findings.forum"                # audit_id: agree to the case's use in a practice forum

    ALL = frozenset({CONVERSATION_ARRANGED, CONVERSATION_HELD, FINDINGS_REFLECT, FINDINGS_SUPERVISION,
                     FINDINGS_FORUM})


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


def case_holder_notice_card(notice: CaseHolderNotice, tz: tzinfo) -> Element:
    """To the case holder on allocation day; rebuilt in place when the auditor arranges or holds the conversation."""
    if notice.conversation_held_at is not None:
        talk = f"Held: {notice.auditor_name} recorded the conversation on {format_moment(notice.conversation_held_at, tz)}."
    elif notice.conversation_on is not None:
        talk = f"Arranged for {format_day(notice.conversation_on)}."
    else:
        talk = "Not arranged yet: the auditor will be in touch."
    return card([
        heading(f"Your case {notice.case_ref} is in the {notice.month_label} audit"),
        text(f"Hello {notice.case_holder_name}. {notice.auditor_name} is auditing case {notice.case_ref} this month, "
             "working alongside you. They will talk with you about the case before they submit the audit."),
        text(WHAT_IT_LOOKS_AT, subtle=True, spacing="Small"),
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

    @property
    def good(self) -> bool:
        """Graded Good or Outstanding: the findings open with a thank-you and ask about a practice forum."""
        return self.grade in GOOD_GRADES


def _thanks(findings: Findings) -> list[Element]:
    """A short thank-you naming what was strong (the audit's strengths, cut short: they follow in full)."""
    said = [text(f"Thank you. The audit of case {findings.case_ref} was graded {findings.grade}: good practice.",
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


def findings_card(findings: Findings, tz: tzinfo) -> Element:
    """The audit's findings in its own words: grade and key areas, strengths first, then improvements and
    any remedial actions; with Add my reflection and Talk about this in supervision (until done). Graded
    Good or Outstanding, it opens with a thank-you and offers Agree to use in a practice forum (until agreed)."""
    body: list[Element] = [
        heading(f"The audit of your case {findings.case_ref}"),
        *(_thanks(findings) if findings.good else []),
        text(f"{findings.auditor_name} audited case {findings.case_ref} and {findings.oversight_by} confirmed "
             "oversight. Here is what the audit found, in its own words."),
        facts([("Overall grade", findings.grade)]),
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
    if findings.good:
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


def reflection_card(reflection: Reflection, tz: tzinfo, *, to_supervisor: bool) -> Element:
    """The case holder's reflection on an audit's findings, to the auditor or to their supervisor."""
    body: list[Element] = [
        heading(f"Reflection on the audit of case {reflection.case_ref}"),
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


def action_named_card(action: NamedAction) -> Element:
    """To the person named responsible, the moment they are named: what, by when, who asked."""
    return card([
        heading(f"An action for you: case {action.case_ref}"),
        text(f"{action.asked_by} named you responsible for this action after the audit of case {action.case_ref}."),
        quote(action.text),
        facts([("By", format_day(action.target_on)), ("Asked by", action.asked_by)]),
        text("Press Done when it is done; you will be reminded on the day if not.", subtle=True),
    ], [execute("Done", action.done_verb, {"action_id": action.action_id}, style="positive")])
