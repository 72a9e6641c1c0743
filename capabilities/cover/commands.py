"""`who covers` (the QA unit): everyone away today, their cover and what went to them, and the form to
change a cover."""
from __future__ import annotations

from capabilities.cover import flow
from capabilities.registry import CommandReply, Said
from dialogs import cover_cards as cc
from dialogs.supervision_cards import supervision_notice_card


async def who_covers(said: Said) -> CommandReply:
    outcome = await flow.who_covers(said.ctx, said.person.id if said.person else None, now=said.now,
                                    via="command:who covers")
    if outcome.view is None:
        return CommandReply(supervision_notice_card("Who covers", outcome.message), "Who covers")
    return CommandReply(cc.who_covers_card(outcome.view), "Who covers")
