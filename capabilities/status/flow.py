"""The status capability's use cases, each re-checking who may see what (access.py) on the server:

- `send_workbook`: a status too long for a card, asked for as a workbook: the offer (a card and the
  file consent card) queued to the asker, due now; one trail row (`status_workbook_asked`).
- `make_workbook`: the workbook a consent card offered, made when the person allows it; one trail row
  (`status_exported`: the status, rows, whole service or areas; never figures).
- `close`: `close month` confirmed: the month takes no more allocations (storage.allocations
  `close_month_in`, as `cycle close` does); its one trail row (`month_closed`) names who closed it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from capabilities.context import Context
from capabilities.kit import Outcome, Status, invalid, look, refuse, unit, use_case
from capabilities.registry import FileMade
from capabilities.status import access, kinds
from capabilities.status.figures import figures
from capabilities.status.workbook import file_name, status_workbook
from dialogs import report_cards as rc
from dialogs.card_kit import format_moment, format_month
from dialogs.payload import Payload
from dialogs.status_cards import month_closed_card
from storage.allocations import CycleError, close_month_in

OFFER = "status"
SENDING = "I'm sending the workbook to you here now: press Allow on the file card to save it."


@dataclass
class FileOutcome(Outcome):
    file: FileMade | None = None  # the workbook made, when done


def _scope(actor, name: object) -> access.Scope:
    if not isinstance(name, str) or name not in access.RULES:
        invalid(access.NOT_A_STATUS)
    scope = access.scope_of(actor, name)
    if isinstance(scope, str):
        refuse(scope)
    return scope


@use_case(Outcome)
async def send_workbook(ctx: Context, actor_id: int | None, name: object, *, now: datetime, via: str) -> Outcome:
    """Queue the offer of status `name`'s workbook (for the actor's scope) to the actor, due now."""
    async with look(ctx, actor_id, now=now, via=via) as act:
        scope = _scope(act.actor, name)
    assert isinstance(name, str)
    found = await figures(ctx, name, scope, now)
    data = status_workbook(found.view)
    made = file_name(name, scope.areas, ctx.calendar.local_date(now).isoformat())
    description = f"{found.view.title}, {found.view.scope}, as of {found.view.at}: {len(found.view.rows):,} rows"
    consent = rc.file_consent_attachment(made, description, len(data), {"offer": OFFER, "status": name})
    payload = Payload.of(rc.file_offer_card(found.view.title, description), found.view.title,
                         attachments=(consent,))
    async with unit(ctx, actor_id, now=now, via=via) as act:
        await act.notify(kinds.STATUS_WORKBOOK, [act.actor], payload, due_at=now,
                         key=lambda pid: f"status-workbook:{name}:{pid}:{now.isoformat()}")
        act.trail("status", None, "status_workbook_asked", status=name, rows=len(found.view.rows),
                  areas=None if scope.areas is None else len(scope.areas))
        return Outcome(Status.DONE, SENDING, urgent=True)


@use_case(FileOutcome)
async def make_workbook(ctx: Context, actor_id: int | None, name: object, *, now: datetime,
                        via: str) -> FileOutcome:
    """Status `name`'s workbook, made now for the actor (who may see it is checked again)."""
    async with look(ctx, actor_id, now=now, via=via) as act:
        scope = _scope(act.actor, name)
    assert isinstance(name, str)
    found = await figures(ctx, name, scope, now)
    data = status_workbook(found.view)
    async with unit(ctx, actor_id, now=now, via=via) as act:
        act.trail("status", None, "status_exported", status=name, rows=len(found.view.rows), bytes=len(data),
                  areas=None if scope.areas is None else len(scope.areas))
    made = file_name(name, scope.areas, ctx.calendar.local_date(now).isoformat())
    return FileOutcome(Status.DONE, file=FileMade(made, data, "xlsx"))


@use_case(Outcome)
async def close(ctx: Context, actor_id: int | None, month: object, *, now: datetime, via: str) -> Outcome:
    """Close `month` (YYYY-MM) for the QA unit: it takes no more allocations. Already closed: nothing
    changes and the card says when it was. Refused for anyone not in the QA unit."""
    async with unit(ctx, actor_id, now=now, via=via, not_on_roster=access.NOT_A_CLOSER) as act:
        if not access.may_close(act.actor):
            refuse(access.NOT_A_CLOSER)
        if not isinstance(month, str):
            invalid("I couldn't tell which month this was. Type \"close month\" to choose again.")
        try:
            closure = await close_month_in(act.session, month, now, act.actor.id, via)
        except CycleError as exc:
            invalid(f"{exc}. Nothing was changed.")
        words = format_month(closure.month)
        when = format_moment(closure.closed_at, ctx.calendar.tz)
        if closure.already_closed:
            message = f"{words} was already closed ({when}). Nothing was changed."
            return Outcome(Status.ALREADY, message, card=month_closed_card(closure.month, message))
        message = (f"{words} closed by {act.actor.display_name}, {when}: it takes no more allocations. "
                   f"{closure.allocations:,} allocation{'s' if closure.allocations != 1 else ''}, "
                   f"{closure.not_complete:,} not complete.")
        return Outcome(Status.DONE, message, card=month_closed_card(closure.month, message))
