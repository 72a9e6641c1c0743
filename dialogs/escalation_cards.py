"""Cards of the escalations capability (framework 9.3: moderation of Inadequate grades and the
urgent review after one is agreed). Pure: views in, Adaptive Card 1.5 JSON out.

Cards several people receive about one decision (the QA unit's moderation request, the service
lead's and head of service's escalation card, the QA unit's copy of each update) are updated in
place when one recipient decides (capabilities/copies.py, through the outbox), and also carry a
Universal Actions `refresh`: when a recipient next looks at a copy the update did not reach (one in
flight at the decision), Teams asks the bot for the card as it stands now (automatically in a chat
with fewer than 60 people; a personal chat has two). Such cards always go as their own message
(dialogs/digest.py never folds a card with a refresh into a digest).

Button data carries ids only (moderation_id, escalation_id); the server looks everything up.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Literal

from dialogs.card_kit import (
    Element,
    action_set,
    attention,
    card,
    choice_set,
    container,
    excerpt,
    execute,
    facts,
    format_day,
    format_moment,
    format_month,
    heading,
    quote,
    show_card,
    subheading,
    text,
    text_input,
)
from qa.escalations import FIRST_UPDATE_WORKING_DAYS, REASON_MAX, REGRADES, UPDATE_MAX
from qa.framework import GRADES, KEY_AREAS


class Verb:
    """Action.Execute verbs these cards send, and the data each carries."""

    MODERATION_AGREE = "esc.moderation.agree"      # moderation_id: agree the Inadequate grade
    MODERATION_REGRADE = "esc.moderation.regrade"  # moderation_id + inputs esc_grade, esc_reason
    MODERATION_VIEW = "esc.moderation.view"        # moderation_id: the card as it stands (refresh)
    UPDATE_SEND = "esc.update.send"                # escalation_id + input esc_update
    ESCALATION_VIEW = "esc.escalation.view"        # escalation_id: the service lead's card now (refresh)
    CLOSE = "esc.close"                            # escalation_id: the QA unit closes it
    MORE = "esc.more"                              # escalation_id + input esc_more_due (a date)
    QA_VIEW = "esc.qa.view"                        # escalation_id: the QA unit's card now (refresh)
    DIP_AGREE = "dip.agree"                        # item_id: the panel agrees the sampled audit's grade
    DIP_DIFFER = "dip.differ"                      # item_id + inputs dip_grade, dip_comment
    DIP_VIEW = "dip.view"                          # item_id: the card as it stands (refresh)

    ALL = frozenset({MODERATION_AGREE, MODERATION_REGRADE, MODERATION_VIEW, UPDATE_SEND, ESCALATION_VIEW,
                     CLOSE, MORE, QA_VIEW, DIP_AGREE, DIP_DIFFER, DIP_VIEW})


# Input ids.
GRADE = "esc_grade"
REASON = "esc_reason"
UPDATE = "esc_update"
MORE_DUE = "esc_more_due"
DIP_GRADE = "dip_grade"
DIP_COMMENT = "dip_comment"

EXCERPT_MAX = 600
_PRIVACY = "About practice only: no names, dates of birth or addresses."



def _refreshing(content: Element, verb: str, data: Mapping[str, int]) -> Element:
    content["refresh"] = {"action": execute("Refresh", verb, data)}
    return content


@dataclass(frozen=True)
class CaseFacts:
    """The audited case as the escalation cards show it (case reference only)."""

    case_ref: str
    month: str  # "2026-12", the month it was audited
    service_area: str
    team: str
    auditor_name: str
    grade: str
    key_areas: Mapping[str, str] = field(default_factory=dict)
    strengths: str = ""
    improvements: str = ""

    def rows(self) -> list[tuple[str, str]]:
        return [("Case", self.case_ref), ("Audited", format_month(self.month)), ("Service area", self.service_area),
                ("Team", self.team), ("Auditor", self.auditor_name)]


@dataclass(frozen=True)
class Decided:
    """Who decided a moderation, and what."""

    by: str
    at: datetime
    agreed: bool
    grade: str  # the grade it now has
    reason: str = ""  # a regrade's reason


@dataclass(frozen=True)
class ModerationView:
    moderation_id: int
    case: CaseFacts
    decided: Decided | None = None


@dataclass(frozen=True)
class UpdateLine:
    number: int
    due_on: date
    state: str  # owed | sent | withdrawn
    sent_by: str | None = None
    sent_at: datetime | None = None
    text: str = ""


@dataclass(frozen=True)
class EscalationView:
    escalation_id: int
    case: CaseFacts
    opened_at: datetime
    updates: tuple[UpdateLine, ...] = ()
    closed_by: str | None = None
    closed_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.closed_at is None

    @property
    def next_owed(self) -> UpdateLine | None:
        owed = [u for u in self.updates if u.state == "owed"]
        return min(owed, key=lambda u: u.number) if owed else None


def _judgements(case: CaseFacts) -> list[Element]:
    return [
        subheading("Key areas"),
        facts([(area, case.key_areas.get(area, "Not graded")) for area in KEY_AREAS]),
        subheading("Strengths"),
        quote(excerpt(case.strengths, EXCERPT_MAX) or "None recorded.", italic=not case.strengths),
        subheading("Areas for improvement"),
        quote(excerpt(case.improvements, EXCERPT_MAX) or "None recorded.", italic=not case.improvements),
    ]


# -- moderation (the QA unit) ---------------------------------------------------------------------

def moderation_request_card(view: ModerationView, tz: tzinfo, error: str | None = None) -> Element:
    """For each QA-unit member: an audit graded Inadequate, to agree or regrade. Once one member
    decided, every copy shows who decided (the refresh, and `moderation_decided_card`)."""
    if view.decided is not None:
        return moderation_decided_card(view, tz)
    ids = {"moderation_id": view.moderation_id}
    body: list[Element] = [
        heading(f"Moderation needed: case {view.case.case_ref}"),
        text("This audit was submitted graded Inadequate. Agree the grade to start the urgent review by the "
             "head of service and service lead, or regrade it with your reason."),
        facts(view.case.rows() + [("Overall grade", view.case.grade)]),
        *_judgements(view.case),
    ]
    if error:
        body.append(container([attention(error)], style="attention"))
    regrade = show_card("Regrade", [
        choice_set(GRADE, "The grade it should have", REGRADES, placeholder="Choose a grade"),
        text_input(REASON, "Why?", max_length=REASON_MAX, multiline=True, required=True, placeholder=_PRIVACY,
                   error_message="Please give the reason for the regrade."),
    ], [execute("Send regrade", Verb.MODERATION_REGRADE, ids, inputs="auto")])
    content = card(body, [execute("Agree: Inadequate", Verb.MODERATION_AGREE, ids, style="positive"), regrade])
    return _refreshing(content, Verb.MODERATION_VIEW, ids)


def _decision_line(decided: Decided, tz: tzinfo) -> str:
    what = "Agreed: Inadequate" if decided.agreed else f"Regraded to {decided.grade}"
    return f"{what} by {decided.by}, {format_moment(decided.at, tz)}"


def moderation_decided_card(view: ModerationView, tz: tzinfo) -> Element:
    """A moderation request once decided: who decided, what, and what follows. No buttons."""
    decided = view.decided
    assert decided is not None
    body: list[Element] = [heading(f"Moderation: case {view.case.case_ref}"),
                           text(_decision_line(decided, tz), color="Good", weight="Bolder"),
                           facts(view.case.rows())]
    if decided.agreed:
        body.append(text("The head of service and the service lead have been asked for an urgent review, with "
                         "updates to the QA unit in 3 working days and in one week.", subtle=True))
    else:
        body += [subheading("Reason"), quote(excerpt(decided.reason, REASON_MAX)),
                 text("The auditor has been told.", subtle=True)]
    return card(body)


def regrade_notice_card(view: ModerationView, tz: tzinfo) -> Element:
    """For the auditor: the QA unit regraded their Inadequate audit, and why."""
    decided = view.decided
    assert decided is not None and not decided.agreed
    return card([
        heading(f"Your audit was regraded: case {view.case.case_ref}"),
        text(f"The QA unit moderated your audit of case {view.case.case_ref} and regraded it from Inadequate "
             f"to {decided.grade}. This is for learning, not blame: the record keeps both grades."),
        facts(view.case.rows() + [("Moderated by", decided.by), ("When", format_moment(decided.at, tz))]),
        subheading("Reason"),
        quote(excerpt(decided.reason, REASON_MAX)),
    ])


# -- the urgent review (service lead and head of service) -------------------------------------------

Note = Literal["new", "reminder", "overdue", "more", "current"]
_NOTES = {
    "new": "The QA unit agreed this audit's Inadequate grade. Please review the case urgently and send the QA "
           "unit your updates from this card.",
    "reminder": "An update on this escalation is due today.",
    "overdue": "An update on this escalation is overdue. Please send it today; the QA unit has been told.",
    "more": "The QA unit has asked for a further update on this escalation.",
    "current": "",
}
_UPDATE_LABELS = {
    1: "Update 1: what actions have been taken to address the concerns?",
    2: "Update 2: have all actions been addressed? If not, what is the plan for what is outstanding?",
}


# When each update falls due, as the card says it: the framework's "within 3 days" is counted in
# working days (qa/escalations.py), so the card says working days.
_UPDATE_WHEN = {
    1: f"within {FIRST_UPDATE_WORKING_DAYS} working days of the escalation (weekends and bank holidays not counted)",
    2: "one week after the escalation (the next working day if that is not one)",
}


def update_when(number: int) -> str:
    """When update `number` is due, in words: "within 3 working days of the escalation ..."."""
    return _UPDATE_WHEN.get(number, "by the date the QA unit asked for")


def update_label(number: int) -> str:
    return _UPDATE_LABELS.get(number, f"Update {number}: the further update the QA unit asked for")


def _update_lines(view: EscalationView, tz: tzinfo, *, texts: bool) -> list[Element]:
    items: list[Element] = []
    for line in sorted(view.updates, key=lambda u: u.number):
        if line.state == "sent" and line.sent_at is not None:
            items.append(text(f"Update {line.number} (due {format_day(line.due_on)}): sent by {line.sent_by}, "
                              f"{format_moment(line.sent_at, tz)}", spacing="Small"))
            if texts and line.text:
                items.append(quote(excerpt(line.text, UPDATE_MAX)))
        elif line.state == "owed":
            items.append(text(f"Update {line.number}: due by the end of {format_day(line.due_on)}, "
                              f"{update_when(line.number)}", weight="Bolder", spacing="Small"))
        else:
            items.append(text(f"Update {line.number} (due {format_day(line.due_on)}): no longer needed",
                              subtle=True, spacing="Small"))
    return items


def escalation_card(view: EscalationView, tz: tzinfo, note: Note = "current", error: str | None = None,
                    asked_by: str | None = None) -> Element:
    """For the head of service and the area's service lead(s): the urgent review, the updates owed,
    and the form to send the next one. Every copy shows what was sent, and by whom. `asked_by`: the
    QA-unit member who asked (the notice and a further update's request name them: the reviewers are
    told what, by when and who asked the moment the updates are owed, not first at the chase)."""
    ids = {"escalation_id": view.escalation_id}
    body: list[Element] = [heading(f"Urgent review: case {view.case.case_ref}")]
    if _NOTES[note]:
        body.append(text(_NOTES[note], color="Attention" if note == "overdue" else None))
    if asked_by:
        body.append(text(f"Asked by {asked_by}, QA unit.", subtle=True, spacing="Small"))
    body += [facts(view.case.rows() + [("Grade", view.case.grade),
                                       ("Escalated", format_moment(view.opened_at, tz))]),
             *_judgements(view.case), subheading("Updates to the QA unit"), *_update_lines(view, tz, texts=True)]
    actions: list[Element] = []
    if not view.open:
        body.append(text(f"Closed by {view.closed_by}, {format_moment(view.closed_at, tz)}" if view.closed_at
                         else "Closed", color="Good", weight="Bolder"))
    elif (owed := view.next_owed) is not None:
        body.append(text_input(UPDATE, update_label(owed.number), max_length=UPDATE_MAX, multiline=True,
                               required=True, placeholder=_PRIVACY, error_message="Please write the update."))
        if error:
            body.append(attention(error))
        actions.append(execute(f"Send update {owed.number}", Verb.UPDATE_SEND, ids, inputs="auto",
                               style="positive"))
    else:
        body.append(text("Every update asked for has been sent; the QA unit will close the escalation or ask "
                         "for more.", subtle=True))
    if actions:
        body.append(action_set(actions))
    return _refreshing(card(body), Verb.ESCALATION_VIEW, ids)


# -- the QA unit's view of an escalation ---------------------------------------------------------------

QaNote = Literal["update", "overdue", "current"]


def escalation_qa_card(view: EscalationView, tz: tzinfo, note: QaNote = "current", number: int | None = None,
                       error: str | None = None) -> Element:
    """For the QA unit: an update as it arrives ("update", with its number), an overdue update
    ("overdue"), or the escalation as it stands; Close, or Ask for more by a date."""
    ids = {"escalation_id": view.escalation_id}
    if note == "update":
        title = f"Update {number} received: case {view.case.case_ref}"
    elif note == "overdue":
        title = f"Update {number} overdue: case {view.case.case_ref}"
    else:
        title = f"Escalation: case {view.case.case_ref}"
    body: list[Element] = [heading(title)]
    if note == "overdue":
        owed = next((u for u in view.updates if u.number == number), None)
        due = f" (due by the end of {format_day(owed.due_on)})" if owed else ""
        body.append(text(f"Update {number}{due} has not been sent. The service lead and head of service have been "
                         "chased.", color="Attention"))
    body += [facts(view.case.rows() + [("Escalated", format_moment(view.opened_at, tz))]),
             subheading("Updates"), *_update_lines(view, tz, texts=True)]
    if not view.open:
        body.append(text(f"Closed by {view.closed_by}, {format_moment(view.closed_at, tz)}" if view.closed_at
                         else "Closed", color="Good", weight="Bolder"))
        return _refreshing(card(body), Verb.QA_VIEW, ids)
    if error:
        body.append(container([attention(error)], style="attention"))
    more = show_card("Ask for more", [
        {"type": "Input.Date", "id": MORE_DUE, "label": "The further update is due by", "isRequired": True,
         "errorMessage": "Please pick the date the further update is due."},
    ], [execute("Ask for a further update", Verb.MORE, ids, inputs="auto")])
    content = card(body, [execute("Close escalation", Verb.CLOSE, ids, style="positive"), more])
    return _refreshing(content, Verb.QA_VIEW, ids)


# -- the monthly dip sample (the moderation panel) -------------------------------------------------------

@dataclass(frozen=True)
class DipItemView:
    item_id: int
    case: CaseFacts
    sample_month: str  # the month the audits were done ("2026-11")
    position: int  # this audit's number in the sample, and of how many
    of: int
    decided_by: str | None = None
    decided_at: datetime | None = None
    agreed: bool = True
    grade_given: str = ""
    comment: str = ""


def dip_sample_card(view: DipItemView, tz: tzinfo, error: str | None = None) -> Element:
    """For the moderation panel (heads of service and the QA unit): one audit of the month's dip
    sample, to agree with its grade or give another with a comment. Once one member recorded it,
    every copy shows who and what."""
    ids = {"item_id": view.item_id}
    body: list[Element] = [
        heading(f"Dip sample: case {view.case.case_ref}"),
        text(f"Audit {view.position} of {view.of} drawn at random from {format_month(view.sample_month)}'s "
             "submitted audits for moderation.", subtle=True),
        facts(view.case.rows() + [("Auditor's grade", view.case.grade)]),
        *_judgements(view.case),
    ]
    if view.decided_at is not None:
        what = "Agreed with the grade" if view.agreed else f"Would grade {view.grade_given}"
        body.append(text(f"{what}: {view.decided_by}, {format_moment(view.decided_at, tz)}", color="Good",
                         weight="Bolder"))
        if view.comment:
            body.append(quote(excerpt(view.comment, REASON_MAX)))
        return card(body)
    if error:
        body.append(container([attention(error)], style="attention"))
    other = [g for g in GRADES if g != view.case.grade]
    differ = show_card("Different grade", [
        choice_set(DIP_GRADE, "The grade you would give", other, placeholder="Choose a grade"),
        text_input(DIP_COMMENT, "Comment, for the auditor's learning", max_length=REASON_MAX, multiline=True,
                   required=True, placeholder=_PRIVACY, error_message="Please add a comment."),
    ], [execute("Send moderation", Verb.DIP_DIFFER, ids, inputs="auto")])
    content = card(body, [execute("Agree with the grade", Verb.DIP_AGREE, ids, style="positive"), differ])
    return _refreshing(content, Verb.DIP_VIEW, ids)


def dip_learning_card(view: DipItemView, tz: tzinfo) -> Element:
    """For the auditor and their service lead: the panel would grade a sampled audit differently.
    Learning, not blame (framework 9.3)."""
    return card([
        heading(f"Moderation learning: case {view.case.case_ref}"),
        text(f"In {format_month(view.sample_month)}'s dip sample the moderation panel would grade this audit "
             f"{view.grade_given}, not {view.case.grade}. This is shared for learning, not blame."),
        facts(view.case.rows() + [("Moderated by", view.decided_by or "the panel"),
                                  ("When", format_moment(view.decided_at, tz) if view.decided_at else "")]),
        subheading("The panel's comment"),
        quote(excerpt(view.comment, REASON_MAX) or "None."),
    ])


def plain_card(title: str, message: str) -> Element:
    """A short answer (why nothing changed) headed `title`."""
    return card([heading(title), text(message)])


__all__ = ["CaseFacts", "Decided", "DipItemView", "EscalationView", "ModerationView", "UpdateLine", "Verb",
           "dip_learning_card", "dip_sample_card",
           "escalation_card", "escalation_qa_card", "moderation_decided_card", "moderation_request_card",
           "plain_card", "regrade_notice_card", "update_label"]

