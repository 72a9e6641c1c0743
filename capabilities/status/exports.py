"""The feedback export in chat (framework 9.4: the principal social work team collates the month's
feedback): `feedback export` offers the last three months; the chosen month's workbook, the very one
`python -m bot feedback export` writes (capabilities/observations/export.py), comes through Teams' file
consent card. Who may have it (the principal social worker and the QA unit) is checked on the server
at the press and again when the file is made; each writes one trail row (`feedback_export_asked`,
`feedback_exported`: the month and the entries, never their text)."""
from __future__ import annotations

from datetime import datetime

from capabilities.context import Context
from capabilities.kit import Outcome, Status, invalid, refuse, unit, use_case
from capabilities.observations.export import feedback_workbook
from capabilities.registry import CommandReply, FileMade, Said
from capabilities.status import kinds
from capabilities.status.flow import SENDING, FileOutcome
from dialogs import report_cards as rc
from dialogs import status_cards as sc
from dialogs.card_kit import format_month
from dialogs.payload import Payload
from qa.audit_calendar import month_key, parse_month_key
from qa.framework import Role
from qa.reports import add_months
from storage.models import Person

OFFER = "feedback-export"
READERS = frozenset({Role.QA_UNIT, Role.PRINCIPAL_SOCIAL_WORKER})
NOT_FOR_YOU = "The feedback export is for the principal social worker and the QA unit. Nothing was sent."
WHICH_MONTH = "I couldn't tell which month this was. Type \"feedback export\" to choose again."


def may_export(person: Person | None) -> bool:
    return person is not None and person.active and person.role in READERS


def _month(value: object) -> str:
    if not isinstance(value, str):
        invalid(WHICH_MONTH)
    try:
        parse_month_key(value)
    except ValueError:
        invalid(WHICH_MONTH)
    return value


async def feedback_export(said: Said) -> CommandReply:
    """`feedback export`: this month so far and the two before, newest first."""
    if not may_export(said.person):
        return CommandReply(sc.status_notice_card("Feedback export", NOT_FOR_YOU), NOT_FOR_YOU)
    today = said.ctx.calendar.local_date(said.now)
    this = month_key(today.year, today.month)
    return CommandReply(sc.feedback_export_card([add_months(this, -n) for n in range(3)]),
                        "Which month's feedback would you like?")


@use_case(Outcome)
async def send_feedback_export(ctx: Context, actor_id: int | None, month: object, *, now: datetime,
                               via: str) -> Outcome:
    """Queue the offer of `month`'s feedback workbook to the actor (QA unit or PSW), due now."""
    async with unit(ctx, actor_id, now=now, via=via, not_on_roster=NOT_FOR_YOU) as act:
        if not may_export(act.actor):
            refuse(NOT_FOR_YOU)
        month = _month(month)
        data, entries = await feedback_workbook(act.session, month, ctx.calendar.tz)
        name = f"feedback-{month}.xlsx"
        description = f"Feedback entries, {format_month(month)}: {entries:,}"
        consent = rc.file_consent_attachment(name, description, len(data), {"offer": OFFER, "month": month})
        payload = Payload.of(rc.file_offer_card(f"Feedback export, {format_month(month)}", description),
                             description, attachments=(consent,))
        await act.notify(kinds.STATUS_WORKBOOK, [act.actor], payload, due_at=now,
                         key=lambda pid: f"feedback-export:{month}:{pid}:{now.isoformat()}")
        act.trail("feedback", None, "feedback_export_asked", month=month, entries=entries)
        return Outcome(Status.DONE, SENDING, urgent=True)


@use_case(FileOutcome)
async def make_feedback_export(ctx: Context, actor_id: int | None, month: object, *, now: datetime,
                               via: str) -> FileOutcome:
    """`month`'s feedback workbook, made now for the actor (who may have it is checked again)."""
    async with unit(ctx, actor_id, now=now, via=via, not_on_roster=NOT_FOR_YOU) as act:
        if not may_export(act.actor):
            refuse(NOT_FOR_YOU)
        month = _month(month)
        data, entries = await feedback_workbook(act.session, month, ctx.calendar.tz)
        act.trail("feedback", None, "feedback_exported", month=month, entries=entries, bytes=len(data))
        return FileOutcome(Status.DONE, file=FileMade(f"feedback-{month}.xlsx", data, "xlsx"))
