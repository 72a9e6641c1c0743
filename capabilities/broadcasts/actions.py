"""Broadcasts' buttons: the report card's (Report, Refresh, Cancel the rest) and "I've read this" on a
notice. The only place broadcasts read a Press."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from capabilities.broadcasts import access, exports, flow, views
from capabilities.broadcasts.access import QA_ONLY
from capabilities.context import Context
from capabilities.press import UNREADABLE, Press, Reply, positive_id
from capabilities.registry import FileMade
from dialogs.broadcast_cards import CORRECT_MESSAGE, CORRECT_TITLE, acknowledged_card, broadcast_report_card
from dialogs.payload import Payload
from storage.models import Person


async def _report(press: Press, *, update: bool) -> Reply:
    if not access.may_broadcast(press.actor):
        return Reply(text=QA_ONLY)
    broadcast_id = positive_id(press.data.get("broadcast_id"))
    if broadcast_id is None:
        return Reply(text=UNREADABLE)
    view = await views.report_view(press.ctx, broadcast_id, press.now)
    if view is None:
        return Reply(text="That broadcast no longer exists.")
    report = broadcast_report_card(view, press.ctx.calendar.tz)
    if update:
        return Reply(card=report, update=True)
    return Reply(text=f"The report on \"{view.title}\" follows.", send=[(report, f"Broadcast report: {view.title}")])


async def show_report(press: Press) -> Reply:
    return await _report(press, update=False)


async def refresh_report(press: Press) -> Reply:
    return await _report(press, update=True)


async def cancel_press(press: Press) -> Reply:
    broadcast_id = positive_id(press.data.get("broadcast_id"))
    if broadcast_id is None:
        return Reply(text=UNREADABLE)
    if not access.may_broadcast(press.actor):
        return Reply(text=QA_ONLY)
    done = await flow.cancel(press.ctx, press.actor.id, broadcast_id, now=press.now, via="card:broadcast_cancel")
    if not done.changed:
        return Reply(text=f"Nothing was changed: {done.message}.")
    view = await views.report_view(press.ctx, broadcast_id, press.now)
    assert view is not None
    return Reply(card=broadcast_report_card(view, press.ctx.calendar.tz), update=True, deliver_now=True)


async def acknowledge_press(press: Press) -> Reply:
    broadcast_id = positive_id(press.data.get("broadcast_id"))
    if broadcast_id is None:
        return Reply(text=UNREADABLE)
    acked = await flow.acknowledge(press.ctx, press.actor.id if press.actor else None, broadcast_id,
                                   [row.id for row in press.rows], now=press.now)
    if acked.notice is None or acked.at is None:
        return Reply(text=acked.message)
    new = acknowledged_card(acked.notice, acked.at, press.ctx.calendar.tz)
    shown = {row.id: Payload.of(new, row.payload.get("summary") or acked.notice.title, alone=True).to_json()
             for row in press.rows}
    return Reply(card=new, update=True, shown=shown)


async def recipients_press(press: Press) -> Reply:
    """**Recipients (Excel)** on a report card: the workbook offered through the file consent card."""
    outcome = await exports.send_recipients(press.ctx, press.actor.id if press.actor else None,
                                            press.data.get("broadcast_id"), now=press.now, via="card:broadcast.recipients")
    return Reply(text=outcome.message, deliver_now=outcome.urgent)


async def recipients_file(ctx: Context, person: Person | None, context: Mapping[str, Any], now: datetime
                          ) -> FileMade | str:
    outcome = await exports.make_recipients(ctx, person.id if person else None, context.get("broadcast_id"),
                                            now=now, via="teams:file consent")
    return outcome.file if outcome.file is not None else outcome.message


async def correct_press(press: Press) -> Reply:
    """**Send the correction** on a report card's Correct form: the message (and title) corrected as the
    command line's `broadcast correct` does; the report card, counted again, in place."""
    broadcast_id = positive_id(press.data.get("broadcast_id"))
    if broadcast_id is None:
        return Reply(text=UNREADABLE)
    if not access.may_broadcast(press.actor):
        return Reply(text=QA_ONLY)
    message, title = press.data.get(CORRECT_MESSAGE), press.data.get(CORRECT_TITLE)
    done = await flow.correct(press.ctx, press.actor.id, broadcast_id, message if isinstance(message, str) else "",
                              title if isinstance(title, str) else None, now=press.now, via="card:broadcast.correct")
    if not done.changed:
        return Reply(text=f"Nothing was changed: {done.message}.")
    view = await views.report_view(press.ctx, broadcast_id, press.now)
    assert view is not None
    return Reply(card=broadcast_report_card(view, press.ctx.calendar.tz), update=True, deliver_now=True)
