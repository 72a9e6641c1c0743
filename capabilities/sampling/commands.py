"""The audit sample's typed command: `sample` (the QA unit) shows the proposal made last with
**Use this sample**. Said -> use case -> CommandReply."""
from __future__ import annotations

from capabilities.registry import CommandReply, Said
from capabilities.sampling import flow
from dialogs.sample_cards import no_sample_card

VIA = "command:sample"


async def sample(said: Said) -> CommandReply:
    outcome = await flow.show_latest(said.ctx, said.person.id if said.person else None, now=said.now, via=VIA)
    return CommandReply(outcome.card or no_sample_card(outcome.message), outcome.message)
