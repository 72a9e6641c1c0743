"""Adaptive Cards of the monthly audit cycle (framework 9.3): pure functions, data in, card out.

Buttons are Action.Execute with a verb from `Verb` and data holding ids only (allocation_id,
audit_id, month); the server looks up the rest and re-checks who may act. Inputs have fixed ids
(below) that the handler reads from the invoke's `action.data`.

The views hold case references and staff names only, never a child's details.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from dialogs.card_kit import (
    Element,
    action_set,
    attention,
    card,
    container,
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
    toggle,
)
from dialogs.card_kit import choice_set as _choice_set
from dialogs.card_update import acted_card  # noqa: F401 - cards acted on are built there, for every capability
from dialogs.case_holder_cards import conversation_buttons
from dialogs.safeguarding_cards import Ownership, ownership_section
from qa.framework import GRADES, KEY_AREAS

PRIVACY_HINT = "Case references only — do not type a child's name, date of birth or address."
_SHORT_PRIVACY = "No names, dates of birth or addresses."


class Verb:
    """Action.Execute verbs these cards send, and the data each carries."""

    AUDIT_START = "audit.start"                # allocation_id: open the audit form (start or continue)
    ALLOCATION_DECLINE = "allocation.decline"  # allocation_id + input decline_reason_<allocation_id>
    AUDIT_SAVE_DRAFT = "audit.save_draft"      # allocation_id + the form's inputs
    AUDIT_SUBMIT = "audit.submit"              # allocation_id + the form's inputs
    OVERSIGHT_OPEN = "oversight.open"          # audit_id: send the oversight request card
    OVERSIGHT_CONFIRM = "oversight.confirm"    # audit_id + input oversight_comment (optional)
    OVERSIGHT_DISPUTE = "oversight.dispute"    # audit_id + input dispute_reason (required)
    DISPUTE_RESOLVE = "dispute.resolve"        # audit_id + input resolution (required)
    AUDIT_UPLOADED = "audit.uploaded"          # audit_id: uploaded to Care Director
    CYCLE_STATUS = "cycle.status"              # month: refresh the cycle status card
    AUDIT_READ = "audit.read"                  # audit_id + page_id (from 1): the whole audit, one page of it
    REALLOCATE = "allocation.reallocate"       # allocation_id + input reallocate_to_<allocation_id> (a person id)

    ALL = frozenset({AUDIT_START, ALLOCATION_DECLINE, AUDIT_SAVE_DRAFT, AUDIT_SUBMIT, OVERSIGHT_OPEN,
                     OVERSIGHT_CONFIRM, OVERSIGHT_DISPUTE, DISPUTE_RESOLVE, AUDIT_UPLOADED, CYCLE_STATUS, AUDIT_READ,
                     REALLOCATE})


# Input ids and lengths (the storage columns' sizes where there is one).
OVERALL_GRADE = "overall_grade"
STRENGTHS = "strengths"
IMPROVEMENTS = "improvements"
DISCUSSION_HELD = "discussion_held"
SEEK_FAMILY_VIEWS = "seek_family_views"
SAFEGUARDING_CONCERN = "safeguarding_concern"
SAFEGUARDING_DESCRIPTION = "safeguarding_description"
OVERSIGHT_COMMENT = "oversight_comment"
DISPUTE_REASON = "dispute_reason"
RESOLUTION = "resolution"

DECLINE_REASON_MAX = 1000
STRENGTHS_MAX = 4000
IMPROVEMENTS_MAX = 4000
SAFEGUARDING_MAX = 2000
OVERSIGHT_COMMENT_MAX = 2000
DISPUTE_REASON_MAX = 2000
RESOLUTION_MAX = 2000
EXCERPT_MAX = 600  # strengths/improvements on the oversight request


def key_area_input_id(area: str) -> str:
    """"Narrative/History" -> "area_narrative_history"."""
    if area not in KEY_AREAS:
        raise ValueError(f"unknown key area {area!r}")
    return "area_" + re.sub(r"[^a-z]+", "_", area.lower()).strip("_")


def reallocate_input_id(allocation_id: int) -> str:
    """The auditor chosen on a Reallocate form (one per case, so a digest of several stays unique)."""
    return f"reallocate_to_{int(allocation_id)}"


def decline_reason_input_id(allocation_id: int) -> str:
    """Each case on the allocation notice has its own reason box (input ids must be unique)."""
    return f"decline_reason_{int(allocation_id)}"


FORM_INPUT_IDS = (OVERALL_GRADE, *(key_area_input_id(a) for a in KEY_AREAS), STRENGTHS, IMPROVEMENTS,
                  DISCUSSION_HELD, SEEK_FAMILY_VIEWS, SAFEGUARDING_CONCERN, SAFEGUARDING_DESCRIPTION)


# --- the data the cards take ---

@dataclass(frozen=True)
class AllocationView:
    """One allocated case, as an auditor sees it."""

    allocation_id: int
    case_ref: str
    annex_a_list: str
    team: str
    theme: str
    case_holder_name: str
    deadline: date
    started: bool = False  # a draft exists: the button says "Continue audit"
    # The kind of audit (qa.forms.KINDS): "supervision" is a supervisee's supervision file (framework 9.1), whose
    # `case_holder_name` is the supervisee, and `facts` the supervision register's facts for them when read.
    kind: str = "case"
    facts: tuple[tuple[str, str], ...] = ()

    @property
    def supervision(self) -> bool:
        return self.kind == "supervision"

    @property
    def subject(self) -> str:
        """What is audited, in words: "case CR-1001", or "supervision file of Sam Lee (SUP-3)"."""
        if self.supervision:
            return f"supervision file of {self.case_holder_name} ({self.case_ref})"
        return f"case {self.case_ref}"


@dataclass(frozen=True)
class AuditSummary:
    """A submitted audit, for the service lead's oversight."""

    audit_id: int
    case_ref: str
    team: str
    service_area: str
    auditor_name: str
    case_holder_name: str
    grade: str
    key_areas: Mapping[str, str]  # key area -> grade
    strengths: str
    improvements: str
    discussion_held: bool
    seek_family_views: bool
    safeguarding_concern: bool
    submitted_on: date
    oversight_due: date
    safeguarding_description: str = ""  # what the auditor said of the concern, in full (the whole audit)
    # An audit on a form other than the default (framework 5, 23): the form's title, its answers as
    # (question, answer) in the form's order, and its recommendations as remedial actions (action, who, by when).
    form_title: str = ""
    answers: tuple[tuple[str, str], ...] = ()
    recommendations: tuple[tuple[str, str, str], ...] = ()
    kind: str = "case"  # the form's kind: "supervision" is a supervisee's supervision file (case_holder_name)


@dataclass(frozen=True)
class OversightItem:
    """One audit awaiting a service lead, in digests, reminders and escalations."""

    audit_id: int
    case_ref: str
    team: str
    auditor_name: str
    grade: str
    submitted_on: date
    safeguarding_concern: bool = False


@dataclass(frozen=True)
class DisputeView:
    audit_id: int
    case_ref: str
    team: str
    auditor_name: str
    disputed_by_name: str
    reason: str
    disputed_at: datetime


@dataclass(frozen=True)
class SafeguardingAlert:
    case_ref: str
    team: str
    service_area: str
    auditor_name: str
    description: str
    raised_at: datetime
    ownership: Ownership | None = None  # who owns it (dialogs/safeguarding_cards.py); None: no button
    mine: bool = False  # this copy is the owner's: it asks for the action note
    problem: str | None = None  # why the last press changed nothing, shown on the card


@dataclass(frozen=True)
class DeclineView:
    allocation_id: int
    case_ref: str
    team: str
    auditor_name: str
    reason: str
    declined_at: datetime
    # Who may take the case over (person id, "name · n audits this month"), fewest audits first: the
    # card's Reallocate. Empty: no Reallocate (nobody eligible, or a card drawn before it existed).
    choices: tuple[tuple[int, str], ...] = ()
    auditor_id: int | None = None  # who declined: the Reallocate button carries it (declined_by_id)


@dataclass(frozen=True)
class ServiceAreaStatus:
    service_area: str
    allocated: int = 0
    started: int = 0
    submitted: int = 0
    overdue: int = 0
    awaiting_oversight: int = 0
    disputed: int = 0
    complete: int = 0


STATUS_FIGURES = ("allocated", "started", "submitted", "overdue", "awaiting_oversight", "disputed", "complete")


# --- shared pieces ---

def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _case_facts(allocation: AllocationView) -> Element:
    if allocation.supervision:
        return facts([("Supervisee", allocation.case_holder_name), ("Team", allocation.team),
                      ("Deadline", format_day(allocation.deadline)), *allocation.facts])
    pairs = [("Annex A list", allocation.annex_a_list), ("Team", allocation.team)]
    if allocation.theme:
        pairs.append(("Theme", allocation.theme))
    pairs += [("Case holder", allocation.case_holder_name), ("Deadline", format_day(allocation.deadline))]
    return facts(pairs)


def _start_button(allocation: AllocationView) -> Element:
    title = "Continue audit" if allocation.started else "Start audit"
    return execute(title, Verb.AUDIT_START, {"allocation_id": allocation.allocation_id}, style="positive")


def _case_block(allocation: AllocationView, buttons: Sequence[Element], *, first: bool) -> Element:
    title = allocation.subject[0].upper() + allocation.subject[1:]
    items = [subheading(title, separator=not first), _case_facts(allocation)]
    if buttons:
        items.append(action_set(buttons))
    return container(items)


def _decline_button(allocation: AllocationView) -> Element:
    reason = text_input(decline_reason_input_id(allocation.allocation_id), "Why can't you do this audit?",
                        max_length=DECLINE_REASON_MAX, multiline=True, required=True,
                        placeholder=_SHORT_PRIVACY, error_message="Please say why you can't do this audit.")
    send = execute("Send to the QA unit", Verb.ALLOCATION_DECLINE, {"allocation_id": allocation.allocation_id},
                   inputs="auto")
    return show_card("I can't do this audit", [reason], [send])


def _oversight_line(item: OversightItem) -> list[Element]:
    line = (f"**{item.case_ref}** · {item.team} · {item.grade} · by {item.auditor_name}, "
            f"submitted {format_day(item.submitted_on)}")
    blocks = [text(line, spacing="None")]
    if item.safeguarding_concern:
        blocks.append(attention("Immediate safeguarding concern raised"))
    return blocks


def _oversight_list(items: Sequence[OversightItem], *, buttons: bool) -> list[Element]:
    body: list[Element] = []
    for i, item in enumerate(items):
        parts: list[Element] = list(_oversight_line(item))
        if buttons:
            parts.append(action_set([execute("Review", Verb.OVERSIGHT_OPEN, {"audit_id": item.audit_id}),
                                     # page 1 when no page_id: a digest of 40 audits stays within 28 KB signed
                                     execute("Read the whole audit", Verb.AUDIT_READ, {"audit_id": item.audit_id})]))
        body.append(container(parts, separator=i > 0, spacing="Small"))
    return body


# --- 1. allocation ---

def complete_by(allocations: Sequence[AllocationView]) -> str:
    """When the audits are due, in words: one day for one case or for all ("Please complete the audits by
    Thursday 24 December 2026."), else each by its own day, the first named."""
    days = sorted({a.deadline for a in allocations})
    if len(days) > 1:
        return f"Please complete each audit by the deadline shown with it (the first is {format_day(days[0])})."
    return f"Please complete the audit{'s' if len(allocations) > 1 else ''} by {format_day(days[0])}."


def allocation_notice_card(auditor_name: str, month_label: str, allocations: Sequence[AllocationView]) -> Element:
    """The 3rd: one card per auditor listing each allocated case."""
    if not allocations:
        raise ValueError("an allocation notice needs at least one allocation")
    files = sum(a.supervision for a in allocations)
    cases = len(allocations) - files
    what = " and ".join(w for w in (_plural(cases, "case") + " to audit alongside the case holder" if cases else "",
                                    _plural(files, "supervision file") + " to audit" if files else "") if w)
    body: list[Element] = [
        heading(f"Your audit allocation for {month_label}"),
        text(f"Hello {auditor_name}. You have been allocated {what}. {complete_by(allocations)}"),
    ]
    if cases:
        body += [
            text("Audits cover the last six months of casework; grade the outcomes for the child, not process.",
                 subtle=True, spacing="Small"),
            text("Each case holder on the roster is told their case is in the audit and that you will talk with them "
                 "before you submit: press Conversation arranged, then Conversation held, and they see it too.",
                 subtle=True, spacing="Small"),
        ]
    if files:  # framework 9.1's Supervision Audit Framework
        body.append(text("A supervision audit looks at one supervisee's supervision file: the agreement, how often "
                         "and how long 1:1s are, reflection, case direction, wellbeing and actions. The register's "
                         "facts are shown with it; the supervisee is told, and they and their supervisor get the "
                         "findings after oversight.", subtle=True, spacing="Small"))
    for i, allocation in enumerate(allocations):
        buttons = [_start_button(allocation), _decline_button(allocation), *conversation_buttons(allocation.allocation_id)]
        body.append(_case_block(allocation, buttons, first=i == 0))
    return card(body)


# --- 2. reminders and overdue (auditor side) ---

_AUDITOR_REMINDERS = {
    "7-days": "in 7 days", "7 days": "in 7 days",
    "2-working-days": "in 2 working days", "2 working days": "in 2 working days",
    "deadline-day": "today", "today": "today",
}


def auditor_reminder_card(label: str, allocations: Sequence[AllocationView]) -> Element:
    """Before the deadline: label is "7 days", "2 working days" or "today" (or the calendar's keys)."""
    when = _AUDITOR_REMINDERS.get(label)
    if when is None:
        raise ValueError(f"unknown reminder label {label!r}")
    if not allocations:
        raise ValueError("a reminder needs at least one allocation")
    noun = "Audit" if len(allocations) == 1 else "Audits"
    body: list[Element] = [
        heading(f"{noun} due {when}"),
        text(f"Reminder: {_plural(len(allocations), 'audit')} still to submit."),
    ]
    for i, allocation in enumerate(allocations):
        body.append(_case_block(allocation, [_start_button(allocation)], first=i == 0))
    return card(body)


def audit_overdue_card(allocations: Sequence[AllocationView]) -> Element:
    """For the auditor, the working day after the deadline."""
    if not allocations:
        raise ValueError("an overdue notice needs at least one allocation")
    body: list[Element] = [
        heading("Audit overdue" if len(allocations) == 1 else "Audits overdue"),
        attention(f"{_plural(len(allocations), 'audit')} passed the deadline without being submitted. "
                  "Your supervisor has been told."),
        text("Please submit as soon as you can, or tell the QA unit if you can't.", spacing="Small"),
    ]
    for i, allocation in enumerate(allocations):
        body.append(_case_block(allocation, [_start_button(allocation)], first=i == 0))
    return card(body)


def supervisor_overdue_card(supervisor_name: str, auditor_name: str,
                            allocations: Sequence[AllocationView]) -> Element:
    """For the auditor's supervisor, naming the overdue cases (no buttons: not theirs to act on)."""
    if not allocations:
        raise ValueError("an overdue notice needs at least one allocation")
    body: list[Element] = [
        heading(f"Overdue audits: {auditor_name}"),
        text(f"Hello {supervisor_name}. {auditor_name} has {_plural(len(allocations), 'audit')} past the "
             "deadline and not yet submitted. Please pick this up in supervision."),
    ]
    for i, allocation in enumerate(allocations):
        body.append(_case_block(allocation, [], first=i == 0))
    return card(body)


def my_audits_card(allocations: Sequence[AllocationView]) -> Element:
    """The auditor's open allocations, on request."""
    if not allocations:
        return card([heading("Your audits"), text("You have no open audits.")])
    body: list[Element] = [heading("Your audits"),
                           text(f"{_plural(len(allocations), 'open audit')}, earliest deadline first.")]
    ordered = sorted(allocations, key=lambda a: (a.deadline, a.case_ref))
    for i, allocation in enumerate(ordered):
        body.append(_case_block(allocation, [_start_button(allocation)], first=i == 0))
    return card(body)


# --- 3. the audit form ---

def _draft_text(draft: Mapping[str, Any], key: str) -> str | None:
    value = draft.get(key)
    return value if isinstance(value, str) and value else None


def audit_form_card(allocation: AllocationView, draft: Mapping[str, Any] | None = None,
                    errors: Mapping[str, str] | None = None) -> Element:
    """The audit entry form, prefilled from `draft` (shaped like `read_audit_form`'s result).

    `errors` maps input ids (FORM_INPUT_IDS) to what is wrong; each shows under its field,
    and anything not tied to a field shows at the top.
    """
    draft = draft or {}
    errors = dict(errors or {})
    key_areas = draft.get("key_areas") if isinstance(draft.get("key_areas"), Mapping) else {}

    shown: list[str] = []

    def field_error(input_id: str) -> list[Element]:
        message = errors.pop(input_id, None)
        if not message:
            return []
        shown.append(input_id)
        return [attention(message)]

    body: list[Element] = [
        heading(f"Audit: case {allocation.case_ref}"),
        _case_facts(allocation),
        text(PRIVACY_HINT, color="Warning", weight="Bolder"),
    ]
    summary_index = len(body)

    body += [subheading("Overall grade"),
             _choice_set(OVERALL_GRADE, "Overall grade", GRADES, value=_draft_text(draft, OVERALL_GRADE),
                         placeholder="Choose a grade"),
             *field_error(OVERALL_GRADE)]

    body.append(subheading("Key areas"))
    body.append(text("Judge each area on what it means for the child.", subtle=True, spacing="None"))
    for area in KEY_AREAS:
        input_id = key_area_input_id(area)
        body.append(_choice_set(input_id, area, GRADES, value=key_areas.get(area), placeholder="Choose a grade"))
        body += field_error(input_id)

    body += [subheading("Strengths and areas for improvement"),
             text_input(STRENGTHS, "Strengths", max_length=STRENGTHS_MAX, multiline=True,
                        value=_draft_text(draft, STRENGTHS), placeholder=_SHORT_PRIVACY),
             *field_error(STRENGTHS),
             text_input(IMPROVEMENTS, "Areas for improvement", max_length=IMPROVEMENTS_MAX, multiline=True,
                        value=_draft_text(draft, IMPROVEMENTS), placeholder=_SHORT_PRIVACY),
             *field_error(IMPROVEMENTS)]

    body += [subheading("Discussion and views"),
             toggle(DISCUSSION_HELD, "Discussion with the case holder", "The discussion with the case holder took place",
                    value=draft.get(DISCUSSION_HELD) is True),
             *field_error(DISCUSSION_HELD),
             toggle(SEEK_FAMILY_VIEWS, "Views of the child or family", "The child or family should be asked for "
                    "their views", value=draft.get(SEEK_FAMILY_VIEWS) is True),
             *field_error(SEEK_FAMILY_VIEWS)]

    body += [subheading("Safeguarding"),
             toggle(SAFEGUARDING_CONCERN, "Immediate safeguarding concern", "I found an immediate safeguarding "
                    "concern", value=draft.get(SAFEGUARDING_CONCERN) is True),
             *field_error(SAFEGUARDING_CONCERN),
             text("An immediate concern is escalated to the practice manager, service lead, head of service "
                  "and deputy director.", subtle=True, spacing="Small"),
             text_input(SAFEGUARDING_DESCRIPTION, "Describe the concern", max_length=SAFEGUARDING_MAX,
                        multiline=True, value=_draft_text(draft, SAFEGUARDING_DESCRIPTION),
                        placeholder=_SHORT_PRIVACY),
             *field_error(SAFEGUARDING_DESCRIPTION)]

    # What is wrong, at the top: a count of the fields marked below, and any error not tied to a field.
    leftovers = [attention(message) for message in errors.values() if message]
    if shown or leftovers:
        summary = (f"Please put right the {_plural(len(shown) + len(leftovers), 'thing')} marked below."
                   if shown else "Please put right:")
        body[summary_index:summary_index] = [attention(summary), *leftovers]

    ids = {"allocation_id": allocation.allocation_id}
    return card(body, [
        execute("Save draft", Verb.AUDIT_SAVE_DRAFT, ids, inputs="auto"),
        execute("Submit audit", Verb.AUDIT_SUBMIT, ids, inputs="auto", style="positive"),
    ])


def _text_value(inputs: Mapping[str, Any], key: str) -> str:
    value = inputs.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{key} must be text")
    return value.strip()


def _toggle_value(inputs: Mapping[str, Any], key: str) -> bool:
    value = inputs.get(key, "false")
    if isinstance(value, bool):
        return value
    if value in ("true", "false", ""):
        return value == "true"
    raise ValueError(f"{key} must be true or false")


def read_audit_form(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The form's submitted inputs as the audit's fields (the shape `audit_form_card` prefills from).

    Reads only; whether the audit is complete and the grades valid is for the server to judge.
    """
    if not isinstance(inputs, Mapping):
        raise ValueError("form inputs must be an object")
    areas = {area: _text_value(inputs, key_area_input_id(area)) for area in KEY_AREAS}
    return {
        OVERALL_GRADE: _text_value(inputs, OVERALL_GRADE) or None,
        "key_areas": {area: grade for area, grade in areas.items() if grade},
        STRENGTHS: _text_value(inputs, STRENGTHS),
        IMPROVEMENTS: _text_value(inputs, IMPROVEMENTS),
        DISCUSSION_HELD: _toggle_value(inputs, DISCUSSION_HELD),
        SEEK_FAMILY_VIEWS: _toggle_value(inputs, SEEK_FAMILY_VIEWS),
        SAFEGUARDING_CONCERN: _toggle_value(inputs, SAFEGUARDING_CONCERN),
        SAFEGUARDING_DESCRIPTION: _text_value(inputs, SAFEGUARDING_DESCRIPTION),
    }


# --- 4. oversight ---

def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def oversight_request_card(audit: AuditSummary) -> Element:
    """For the service lead: the audit at a glance, with Confirm oversight and Dispute."""
    supervision = audit.kind == "supervision"
    subject = f"supervision file of {audit.case_holder_name} ({audit.case_ref})" if supervision \
        else f"case {audit.case_ref}"
    body: list[Element] = [heading(f"Oversight needed: {subject}")]
    if audit.safeguarding_concern:
        body.append(container([attention("The auditor raised an immediate safeguarding concern.")],
                              style="attention"))
    body += [
        facts([("Team", audit.team), ("Service area", audit.service_area), ("Auditor", audit.auditor_name),
               ("Supervisee" if supervision else "Case holder", audit.case_holder_name), ("Overall grade", audit.grade),
               ("Submitted", format_day(audit.submitted_on)), ("Oversight due", format_day(audit.oversight_due))]),
        *(_form_answers(audit) if audit.form_title else _default_answers(audit)),
        text("Confirming oversight says you have reviewed this audit and recorded your oversight on the "
             + ("supervision file." if supervision else "child's file."), subtle=True),
    ]
    ids = {"audit_id": audit.audit_id}
    return card(body, [execute("Read the whole audit", Verb.AUDIT_READ, {**ids, "page_id": 1}),
                       *_oversight_actions(ids)])


def _default_answers(audit: AuditSummary) -> list[Element]:
    return [
        subheading("Key areas"),
        facts([(area, audit.key_areas.get(area, "Not graded")) for area in KEY_AREAS]),
        subheading("Strengths"),
        quote(excerpt(audit.strengths, EXCERPT_MAX) or "None recorded.", italic=not audit.strengths),
        subheading("Areas for improvement"),
        quote(excerpt(audit.improvements, EXCERPT_MAX) or "None recorded.", italic=not audit.improvements),
        facts([("Discussed with case holder", _yes_no(audit.discussion_held)),
               ("Child or family to be asked their views", _yes_no(audit.seek_family_views))]),
    ]


_ANSWER_EXCERPT = 300  # characters of each answer on the request; the whole audit has them in full


def _form_answers(audit: AuditSummary) -> list[Element]:
    """An audit on a form of its own: its answers (each cut short) and its recommendations."""
    return [subheading(f"Answers: {audit.form_title}"),
            facts([(q, excerpt(a, _ANSWER_EXCERPT)) for q, a in audit.answers] or [("Answers", "None recorded.")]),
            *_recommendations(audit)]


def _recommendations(audit: AuditSummary) -> list[Element]:
    if not audit.recommendations:
        return []
    return [subheading("Recommendations, as remedial actions"),
            *[text(f"{n}. {what} — {who}, by {when}", spacing="Small")
              for n, (what, who, when) in enumerate(audit.recommendations, start=1)]]


def _oversight_actions(ids: Mapping[str, Any]) -> list[Element]:
    """Confirm oversight and Dispute, as the oversight request has them (the same verbs, the same use cases)."""
    confirm = show_card("Confirm oversight", [
        text_input(OVERSIGHT_COMMENT, "Comment (optional)", max_length=OVERSIGHT_COMMENT_MAX, multiline=True,
                   placeholder=_SHORT_PRIVACY),
    ], [execute("Confirm oversight", Verb.OVERSIGHT_CONFIRM, ids, inputs="auto", style="positive")])
    dispute = show_card("Dispute", [
        text_input(DISPUTE_REASON, "What do you dispute, and why?", max_length=DISPUTE_REASON_MAX, multiline=True,
                   required=True, placeholder=_SHORT_PRIVACY, error_message="Please give the reason for the dispute."),
    ], [execute("Send dispute", Verb.OVERSIGHT_DISPUTE, ids, inputs="auto", style="destructive")])
    return [confirm, dispute]


WHOLE_AUDIT_PAGE_BYTES = 24_000  # each page's JSON, under Teams' 28 KB with the activity around it
_PIECE = 1_500  # characters of long text per TextBlock, so a page can end inside a long answer


def whole_audit_pages(audit: AuditSummary) -> list[Element]:
    """The complete audit (every field, full text) for whoever may see its oversight request, as
    cards of at most WHOLE_AUDIT_PAGE_BYTES of JSON each (UTF-8), with Back and Next between them
    (verb AUDIT_READ, data audit_id and page_id, from 1) and Confirm oversight and Dispute on the last."""
    blocks: list[Element] = []
    if audit.safeguarding_concern:
        blocks.append(container([attention("The auditor raised an immediate safeguarding concern.")],
                                style="attention"))
    blocks += [
        facts([("Team", audit.team), ("Service area", audit.service_area), ("Auditor", audit.auditor_name),
               ("Case holder", audit.case_holder_name), ("Overall grade", audit.grade),
               ("Submitted", format_day(audit.submitted_on)), ("Oversight due", format_day(audit.oversight_due))]),
    ]
    if audit.form_title:  # a form of its own: every answer in full, then the recommendations
        blocks.append(subheading(f"Answers: {audit.form_title}", separator=False))
        said_all: tuple[tuple[str, str], ...] = audit.answers
    else:
        blocks += [subheading("Key areas"), facts([(area, audit.key_areas.get(area, "Not graded")) for area in KEY_AREAS])]
        said_all = (("Strengths", audit.strengths), ("Areas for improvement", audit.improvements),
                    *((("What the safeguarding concern is", audit.safeguarding_description),)
                      if audit.safeguarding_concern else ()))
    for title, said in said_all:
        blocks.append(subheading(title))
        pieces = [said[i:i + _PIECE] for i in range(0, len(said), _PIECE)] or [""]
        blocks += [quote(piece or "None recorded.", italic=not piece) for piece in pieces]
    if audit.form_title:
        blocks += _recommendations(audit)
    else:
        blocks.append(facts([("Discussed with case holder", _yes_no(audit.discussion_held)),
                             ("Ask child or family for views", _yes_no(audit.seek_family_views))]))
    ids = {"audit_id": audit.audit_id}
    pages: list[list[Element]] = [[]]
    for block in blocks:  # fill each page up to the limit, leaving room for its heading and buttons
        if pages[-1] and _bytes(pages[-1] + [block]) > WHOLE_AUDIT_PAGE_BYTES - 4_000:
            pages.append([])
        pages[-1].append(block)
    cards = []
    for n, body in enumerate(pages):
        title = f"The whole audit: case {audit.case_ref}" + (f" (page {n + 1} of {len(pages)})" if len(pages) > 1 else "")
        actions = ([execute("Back", Verb.AUDIT_READ, {**ids, "page_id": n})] if n else []) + (
            [execute("Next", Verb.AUDIT_READ, {**ids, "page_id": n + 2})] if n + 1 < len(pages)
            else _oversight_actions(ids))
        cards.append(card([heading(title), *body], actions))
    return cards


def _bytes(elements: list[Element]) -> int:
    return len(json.dumps(elements, ensure_ascii=False).encode("utf-8"))


def oversight_digest_card(service_lead_name: str, items: Sequence[OversightItem], oversight_due: date) -> Element:
    """The 28th: everything awaiting this service lead's oversight."""
    body: list[Element] = [heading("Audits awaiting your oversight")]
    if not items:
        body.append(text(f"Hello {service_lead_name}. Nothing is waiting for your oversight."))
        return card(body)
    body.append(text(f"Hello {service_lead_name}. {_plural(len(items), 'audit')} in your service area "
                     f"{'is' if len(items) == 1 else 'are'} ready for oversight by {format_day(oversight_due)}. "
                     "Review each, then confirm oversight or dispute it."))
    body += _oversight_list(items, buttons=True)
    return card(body)


_OVERSIGHT_REMINDERS = {
    "3-working-days": "in 3 working days", "3 working days": "in 3 working days",
    "deadline-day": "today", "today": "today",
}


def oversight_reminder_card(service_lead_name: str, label: str, items: Sequence[OversightItem],
                            oversight_due: date) -> Element:
    """Before the oversight deadline: label is "3 working days" or "today" (or the calendar's keys)."""
    when = _OVERSIGHT_REMINDERS.get(label)
    if when is None:
        raise ValueError(f"unknown reminder label {label!r}")
    if not items:
        raise ValueError("a reminder needs at least one audit")
    body: list[Element] = [
        heading(f"Oversight due {when}"),
        text(f"Hello {service_lead_name}. {_plural(len(items), 'audit')} still "
             f"need{'s' if len(items) == 1 else ''} your oversight by {format_day(oversight_due)}."),
        *_oversight_list(items, buttons=True),
    ]
    return card(body)


def oversight_overdue_card(service_lead_name: str, items: Sequence[OversightItem], oversight_due: date, *,
                           head_of_service_name: str | None = None) -> Element:
    """After the oversight deadline: to the service lead, or (with head_of_service_name) to the head of
    service, naming the service lead and the cases."""
    if not items:
        raise ValueError("an overdue notice needs at least one audit")
    count = _plural(len(items), "audit")
    if head_of_service_name is None:
        body: list[Element] = [
            heading("Oversight overdue"),
            attention(f"{count} passed the oversight deadline of {format_day(oversight_due)}. "
                      "Your head of service has been told."),
            *_oversight_list(items, buttons=True),
        ]
    else:
        body = [
            heading(f"Oversight overdue: {service_lead_name}"),
            text(f"Hello {head_of_service_name}. {service_lead_name} has {count} past the oversight deadline "
                 f"of {format_day(oversight_due)}:"),
            *_oversight_list(items, buttons=False),
        ]
    return card(body)


# --- 5. disputes, upload, safeguarding, QA unit ---

def dispute_card(dispute: DisputeView, tz: tzinfo) -> Element:
    """For the auditor and the QA unit: a service lead disputed an audit."""
    body: list[Element] = [
        heading(f"Audit disputed: case {dispute.case_ref}"),
        facts([("Team", dispute.team), ("Auditor", dispute.auditor_name), ("Disputed by", dispute.disputed_by_name),
               ("When", format_moment(dispute.disputed_at, tz))]),
        subheading("Reason"),
        quote(dispute.reason),
        text("Agree a way forward between the auditor and the service lead (the QA unit can help), "
             "then record the resolution.", subtle=True),
    ]
    resolve = show_card("Record resolution", [
        text_input(RESOLUTION, "How was it resolved?", max_length=RESOLUTION_MAX, multiline=True, required=True,
                   placeholder=_SHORT_PRIVACY, error_message="Please describe the resolution."),
    ], [execute("Save resolution", Verb.DISPUTE_RESOLVE, {"audit_id": dispute.audit_id}, inputs="auto",
                style="positive")])
    return card(body, [resolve])


def upload_request_card(audit_id: int, case_ref: str, service_lead_name: str, confirmed_at: datetime, tz: tzinfo,
                        upload_by: date, comment: str = "", *, chase: bool = False,
                        supervision: bool = False) -> Element:
    """For the auditor, once oversight is confirmed: upload the audit to the child's file by `upload_by`
    (never before the day oversight was confirmed: qa/deadlines.py). With `chase`, the one reminder sent
    when the upload was not marked by then. `supervision`: a supervision file's audit (framework 9.1), added
    to the supervisee's supervision record, not a child's file."""
    if supervision:
        asked = (f"{service_lead_name} confirmed oversight on {format_moment(confirmed_at, tz)}. Please add the audit "
                 f"to the supervisee's supervision record by {format_day(upload_by)}, then press Added to the "
                 "supervision record." + (" This is the only reminder; the QA unit sees those still to do."
                                          if chase else ""))
        body: list[Element] = [heading(f"File the audit: supervision file {case_ref}"), text(asked)]
        if comment:
            body += [subheading("Service lead's comment"), quote(comment)]
        return card(body, [execute("Added to the supervision record", Verb.AUDIT_UPLOADED, {"audit_id": audit_id},
                                   style="positive")])
    asked = (f"{service_lead_name} confirmed oversight on {format_moment(confirmed_at, tz)}. Please upload the "
             f"audit to the child's file in Care Director by {format_day(upload_by)}.")
    if chase:
        asked = (f"{service_lead_name} confirmed oversight on {format_moment(confirmed_at, tz)}, and the audit was "
                 f"due in the child's file in Care Director by {format_day(upload_by)}. It is not marked uploaded "
                 "yet: please upload it, then press Uploaded to Care Director. This is the only reminder; the QA unit "
                 "sees the uploads still to do.")
    body = [heading(f"Upload the audit: case {case_ref}"), text(asked)]
    if comment:
        body += [subheading("Service lead's comment"), quote(comment)]
    return card(body, [execute("Uploaded to Care Director", Verb.AUDIT_UPLOADED, {"audit_id": audit_id},
                               style="positive")])


def safeguarding_alert_card(alert: SafeguardingAlert, tz: tzinfo) -> Element:
    """At once, to practice manager, service lead, head of service and deputy director."""
    body: list[Element] = [
        container([heading("Immediate safeguarding concern"),
                   text(f"Raised by {alert.auditor_name} while auditing case {alert.case_ref}.")],
                  style="attention"),
        facts([("Case", alert.case_ref), ("Team", alert.team), ("Service area", alert.service_area),
               ("Auditor", alert.auditor_name), ("Raised", format_moment(alert.raised_at, tz))]),
        subheading("What the auditor found"),
        quote(alert.description or "No description given."),
        text("Please act on this now through your safeguarding procedures.", weight="Bolder"),
    ]
    if alert.ownership is not None:
        body += ownership_section(alert.ownership, tz, mine=alert.mine, error=alert.problem)
    return card(body)


def unreachable_auditors_card(month_label: str, people: Sequence[tuple[str, str, str]]) -> Element:
    """To the QA unit: auditors the bot could not reach with their allocation, as (name, email, reason)."""
    body: list[Element] = [heading(f"Allocations not delivered: {month_label}")]
    if not people:
        body.append(text("Every auditor was reached."))
        return card(body)
    body.append(text(f"The bot could not reach {_plural(len(people), 'auditor')} in Teams. "
                     "Please send their allocations another way, or type reallocate and the case reference to "
                     "give a case not yet started to another auditor."))
    for name, email, reason in people:
        body.append(container([text(f"**{name}** · {email}", spacing="None"),
                               text(reason, subtle=True, spacing="None")], separator=True, spacing="Small"))
    return card(body)


def decline_notice_card(decline: DeclineView, tz: tzinfo) -> Element:
    """To the QA unit: an auditor can't do an allocated audit; Reallocate offers who may take it over."""
    body: list[Element] = [
        heading(f"Allocation declined: case {decline.case_ref}"),
        facts([("Team", decline.team), ("Auditor", decline.auditor_name),
               ("When", format_moment(decline.declined_at, tz))]),
        subheading("Reason"),
        quote(decline.reason),
    ]
    if not decline.choices:
        body.append(text("Please reallocate this case: nobody on the roster can take it over from here, so give "
                         "it another auditor in the month's allocation file.", weight="Bolder"))
        return card(body)
    body.append(text("Please reallocate this case.", weight="Bolder"))
    body.append(action_set([reallocate_button(decline.allocation_id, decline.choices,
                                                       declined_by=decline.auditor_id)]))
    return card(body)


def reallocate_button(allocation_id: int, choices: Sequence[tuple[int, str]], *,
                      declined_by: int | None = None) -> Element:
    """Reallocate: a searchable list of who may take the case over (Input.ChoiceSet, style "filtered"),
    fewest audits this month first, and its own button (verb REALLOCATE, data allocation_id, and on a
    decline notice declined_by_id, the auditor who declined, so a copy pressed after the case moved
    changes nothing)."""
    pick: Element = {"type": "Input.ChoiceSet", "id": reallocate_input_id(allocation_id), "label": "New auditor",
                     "style": "filtered", "isRequired": True, "errorMessage": "Choose the new auditor.",
                     "placeholder": "Type a name",
                     "choices": [{"title": title, "value": str(pid)} for pid, title in choices]}
    return show_card("Reallocate", [pick, text("Listed fewest audits this month first. They are told at once "
                                                "(in working hours, else the next working morning).",
                                                subtle=True, size="Small")],
                     [execute("Reallocate", Verb.REALLOCATE,
                              {"allocation_id": allocation_id, **({"declined_by_id": declined_by} if declined_by else {})},
                              inputs="auto", style="positive")])


CHASED_UPLOADS_SHOWN = 20  # case references named on the cycle card; the rest are counted

_FIGURE_NAMES = {"allocated": "Allocated", "started": "Started", "submitted": "Submitted", "overdue": "Overdue",
                 "awaiting_oversight": "Awaiting oversight", "disputed": "Disputed", "complete": "Complete"}


def _figures_line(row: ServiceAreaStatus) -> Element:
    runs: list[Element] = []
    for name in STATUS_FIGURES:
        value = getattr(row, name)
        if runs:
            runs.append({"type": "TextRun", "text": " · ", "isSubtle": True})
        run: Element = {"type": "TextRun", "text": f"{_FIGURE_NAMES[name]} {value}"}
        if value and name in ("overdue", "disputed"):
            run.update(color="Attention", weight="Bolder")
        runs.append(run)
    return {"type": "RichTextBlock", "inlines": runs, "spacing": "None"}


def cycle_status_card(month_label: str, rows: Sequence[ServiceAreaStatus], *, month: str | None = None,
                      as_of: datetime | None = None, tz: tzinfo | None = None,
                      escalations: tuple[int, int] | None = None, chased_uploads: Sequence[str] = ()) -> Element:
    """For the QA unit: where the month's audits have got to, per service area. With `month`, a
    Refresh button; with `as_of` and `tz`, the moment the figures were read; with `escalations`
    (open, updates overdue), a line on the urgent reviews after agreed Inadequate grades; with
    `chased_uploads` (case references), the audits whose upload to Care Director was chased and is
    still not marked done."""
    body: list[Element] = [heading(f"Audit cycle: {month_label}")]
    if as_of is not None:
        if tz is None:
            raise ValueError("as_of needs tz")
        body.append(text(f"As of {format_moment(as_of, tz)}", subtle=True, spacing="None"))
    if not rows:
        body.append(text("No allocations yet."))
    else:
        total = ServiceAreaStatus("All service areas", **{
            name: sum(getattr(r, name) for r in rows) for name in STATUS_FIGURES})
        for i, row in enumerate([total, *rows]):
            body.append(container([text(f"**{row.service_area}**", spacing="None"), _figures_line(row)],
                                  separator=i > 0, spacing="Small"))
    if escalations is not None:
        opened, overdue = escalations
        line = f"Escalations (urgent reviews): {opened} open, {_plural(overdue, 'update')} overdue"
        body.append(text(line, color="Attention" if overdue else None, weight="Bolder" if overdue else None,
                         spacing="Medium"))
    if chased_uploads:
        shown = ", ".join(chased_uploads[:CHASED_UPLOADS_SHOWN])
        more = len(chased_uploads) - CHASED_UPLOADS_SHOWN
        body.append(text(f"Not yet uploaded to Care Director after a reminder: {len(chased_uploads)} "
                         f"({shown}{f' and {more} more' if more > 0 else ''})", color="Attention", weight="Bolder",
                         spacing="Medium"))
    actions = [execute("Refresh", Verb.CYCLE_STATUS, {"month": month})] if month else []
    return card(body, actions)

