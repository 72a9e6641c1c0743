"""Cover's button: "Change cover" on the `who covers` card (Press -> use case -> Reply)."""
from __future__ import annotations

from capabilities.cover import flow
from capabilities.press import Press, Reply
from dialogs import cover_cards as cc


async def change(p: Press) -> Reply:
    who_text = p.data.get(cc.COVER_WHO)
    try:
        who = int(who_text) if isinstance(who_text, (str, int)) and not isinstance(who_text, bool) else None
    except ValueError:
        who = None
    email = p.data.get(cc.COVER_EMAIL)
    outcome = await flow.change_cover(p.ctx, p.actor.id if p.actor else None, who,
                                      email if isinstance(email, str) else "", now=p.now, via="card:who_covers")
    if outcome.view is None:
        return Reply(text=outcome.message)
    return Reply(card=cc.who_covers_card(outcome.view), update=True)
