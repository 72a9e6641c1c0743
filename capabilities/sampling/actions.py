"""The audit sample's button: **Use this sample** (data {"month", "proposal_id"}). The only place a Press is read."""
from __future__ import annotations

from capabilities.press import Press, Reply
from capabilities.sampling import flow
from dialogs.sample_cards import USE_VERB


async def use(press: Press) -> Reply:
    """The proposal card changes in place to what became of the sample; a refusal leaves it as it is."""
    outcome = await flow.use_sample(press.ctx, press.actor.id if press.actor else None, press.data.get("month"),
                                    press.data.get("proposal_id"), now=press.now, via=f"card:{USE_VERB}")
    if outcome.card is not None:
        return Reply(card=outcome.card, update=True)
    return Reply(text=outcome.message)
