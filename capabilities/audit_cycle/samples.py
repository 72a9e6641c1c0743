"""The audit cycle's cards beyond its outbox kinds, for `cards dump` and the card checks: answers
to presses on sent messages (acted, refused, rebuilt) and the commands' short notices, each made
by the code that makes it in use, from the catalogue's fictional data (dialogs/samples.py)."""
from __future__ import annotations

import asyncio
from typing import Any

from capabilities.audit_cycle import actions as aa
from capabilities.audit_cycle import commands, flow, kinds
from capabilities.kit import Status
from capabilities.registry import Said
from dialogs import samples
from dialogs.audit_cards import Verb
from dialogs.form_cards import Verb as FormVerb
from qa.framework import Role
from storage.models import OutboxMessage, Person

Card = dict[str, Any]


def samples_by_press() -> dict[str, Card]:
    """Answers to button presses on sent messages."""

    def row(kind: str, card: Card, summary: str) -> OutboxMessage:
        return OutboxMessage(kind=kind, payload=samples.payload(card, summary))

    tz, at = samples.LONDON, samples.AT
    first = samples.allocations(6)[0]
    sent = samples.audit_card_samples()
    notice = row(kinds.ALLOCATION_NOTICE, sent["allocation_notice"], "Your audit allocation")
    digest = row(kinds.SERVICE_LEAD_DIGEST, sent["oversight_digest"], "40 audits awaiting oversight")
    upload = row(kinds.UPLOAD_REQUEST, sent["upload_request"], "Upload the audit: case CD-4810037")
    dispute = row(kinds.DISPUTE, sent["dispute"], "Audit disputed: case CD-4810037")
    by_allocation = {"allocation_id": first.allocation_id}
    reviewed = {"audit_id": 200_003}
    auditor = "Oluwaseun Adebayo-Richardson"
    started = f"This audit was started by {auditor} on Thursday 10 December 2026 at 10:00 and has " \
              "not been submitted yet. Nothing was changed."

    def press(verb: str, outcome: flow.AuditOutcome, rows: list[OutboxMessage], ids: dict[str, int]) -> Card:
        reply = aa.reply_for(verb, outcome, rows, ids, tz)
        if reply.card is None:
            raise ValueError(f"{verb}: the press was answered with text, not a card")
        return reply.card

    return {
        "pressed_start_on_notice": press(Verb.AUDIT_START, flow.AuditOutcome(
            Status.DONE, allocation_id=first.allocation_id, case_ref=first.case_ref, actor_name=auditor, at=at,
            view=first, draft={}), [notice], by_allocation),
        "pressed_declined_on_notice": press(Verb.ALLOCATION_DECLINE, flow.AuditOutcome(
            Status.DONE, allocation_id=first.allocation_id, case_ref=first.case_ref, actor_name=auditor, at=at),
            [notice], by_allocation),
        "pressed_uploaded_in_digest": press(Verb.AUDIT_UPLOADED, flow.AuditOutcome(
            Status.DONE, audit_id=200_001, case_ref="CD-4810037", actor_name=auditor, at=at),
            [upload, dispute, notice], {"audit_id": 200_001}),
        "pressed_submit_on_form": press(Verb.AUDIT_SUBMIT, flow.AuditOutcome(
            Status.DONE, allocation_id=first.allocation_id, case_ref=first.case_ref, actor_name=auditor, at=at,
            grade="Requires Improvement", safeguarding=True), [], by_allocation),
        "draft_saved": press(Verb.AUDIT_SAVE_DRAFT, flow.AuditOutcome(
            Status.DONE, allocation_id=first.allocation_id, case_ref=first.case_ref, at=at, view=first,
            draft=samples.full_draft()), [], by_allocation),
        "refused_on_notice": press(Verb.AUDIT_START, flow.AuditOutcome(
            Status.ALREADY, started, allocation_id=first.allocation_id, case_ref=first.case_ref), [notice],
            by_allocation),
        "refused_in_oversight_digest": press(Verb.OVERSIGHT_OPEN, flow.AuditOutcome(
            Status.ALREADY, "Oversight of this audit was already confirmed by Sam Lee on Monday 4 January 2027 at "
            "09:30. Nothing was changed.", audit_id=reviewed["audit_id"], case_ref=samples.case_ref(3)),
            [digest], reviewed),
        "refused_on_its_own": press(Verb.AUDIT_SUBMIT, flow.AuditOutcome(Status.REFUSED, flow.NOT_ON_ROSTER), [],
                                    by_allocation),
    }


def command_notices() -> dict[str, Card]:
    """The chat commands' short answers to someone they are not for (these never read the database)."""
    auditor = Person(display_name="Oluwaseun Adebayo-Richardson", role=Role.PRACTICE_MANAGER)

    def said(person: Person | None) -> Said:
        return Said(ctx=None, person=person, now=samples.AT)  # type: ignore[arg-type] - no database needed

    async def replies() -> dict[str, Card]:
        return {
            "command_my_audits_not_on_roster": (await commands.my_audits(said(None))).card,
            "command_oversight_not_service_lead": (await commands.oversight(said(auditor))).card,
            "command_cycle_not_qa_unit": (await commands.cycle_status(said(auditor))).card,
            "command_concerns_not_qa_unit": (await commands.concerns(said(auditor))).card,
        }

    return asyncio.run(replies())


def own_form_press() -> dict[str, Card]:
    """Submit pressed on a form of the council's own (its pages are dialogs/form_samples.py's)."""
    first = samples.allocations(6)[0]
    return {"pressed_submit_on_own_form": aa.reply_for(FormVerb.FORM_SUBMIT, flow.AuditOutcome(
        Status.DONE, allocation_id=first.allocation_id, case_ref=first.case_ref, actor_name="Ann Example",
        at=samples.AT, grade="Good"), [], {"allocation_id": first.allocation_id}, samples.LONDON).card}


def all_samples() -> dict[str, Card]:
    return {**samples_by_press(), **command_notices(), **own_form_press()}
