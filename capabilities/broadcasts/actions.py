"""Broadcasts' buttons: the report card's (Report, Refresh, Cancel the rest) and "I've read this" on a
notice. The only place broadcasts read a Press."""
from __future__ import annotations

from capabilities.broadcasts import access, flow, views
from capabilities.broadcasts.access import QA_ONLY
from capabilities.press import UNREADABLE, Press, Reply, positive_id
from dialogs.broadcast_cards import acknowledged_card, broadcast_report_card
from dialogs.payload import Payload


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
