"""Broadcasts in chat: `broadcast report` (the QA unit's recent broadcasts), the report card's
buttons (Report, Refresh, Cancel the rest) and "I've read this" on a notice."""
from __future__ import annotations

from capabilities.broadcasts import flow, views
from capabilities.press import UNREADABLE, Press, Reply, positive_id
from capabilities.registry import CommandReply, Said
from dialogs.broadcast_cards import acknowledged_card, broadcast_list_card, broadcast_report_card, qa_unit_only_card
from dialogs.payload import Payload
from qa.broadcasts import BroadcastRefused

QA_ONLY = "Broadcasts are for the QA unit."


async def broadcast_report(said: Said) -> CommandReply:
    if said.person is None or said.person.role != flow.QA_UNIT:
        return CommandReply(qa_unit_only_card(), QA_ONLY)
    lines = await views.recent_lines(said.ctx)
    return CommandReply(broadcast_list_card(lines, said.ctx.calendar.tz),
                        f"{len(lines)} recent broadcast{'s' if len(lines) != 1 else ''}")


async def _report(press: Press, *, update: bool) -> Reply:
    if press.actor is None or press.actor.role != flow.QA_UNIT:
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
    if press.actor is None or press.actor.role != flow.QA_UNIT:
        return Reply(text=QA_ONLY)
    try:
        await flow.cancel(press.ctx, broadcast_id, actor=press.actor, via="card:broadcast_cancel", now=press.now)
    except BroadcastRefused as exc:
        return Reply(text=f"Nothing was changed: {exc}.")
    view = await views.report_view(press.ctx, broadcast_id, press.now)
    assert view is not None
    return Reply(card=broadcast_report_card(view, press.ctx.calendar.tz), update=True, deliver_now=True)


async def acknowledge_press(press: Press) -> Reply:
    broadcast_id = positive_id(press.data.get("broadcast_id"))
    if broadcast_id is None:
        return Reply(text=UNREADABLE)
    acked = await flow.acknowledge(press.ctx, broadcast_id=broadcast_id, actor=press.actor, rows=press.rows,
                                   now=press.now)
    if not acked.ok or acked.broadcast is None or acked.at is None:
        return Reply(text=acked.message)
    new = acknowledged_card(flow.notice_view(acked.broadcast), acked.at, press.ctx.calendar.tz)
    shown = {row.id: Payload.of(new, row.payload.get("summary") or acked.broadcast.title, alone=True).to_json()
             for row in press.rows}
    return Reply(card=new, update=True, shown=shown)
