"""Broadcasts' typed command: `broadcast report` (the QA unit's recent broadcasts)."""
from __future__ import annotations

from capabilities.broadcasts import access, views
from capabilities.broadcasts.access import QA_ONLY
from capabilities.registry import CommandReply, Said
from dialogs.broadcast_cards import broadcast_list_card, qa_unit_only_card


async def broadcast_report(said: Said) -> CommandReply:
    if not access.may_broadcast(said.person):
        return CommandReply(qa_unit_only_card(), QA_ONLY)
    lines = await views.recent_lines(said.ctx)
    return CommandReply(broadcast_list_card(lines, said.ctx.calendar.tz),
                        f"{len(lines)} recent broadcast{'s' if len(lines) != 1 else ''}")
