"""The workforce duties' buttons. "Held today" on an ASYE review point's digest line records it; the line then
says "held on <day>: recorded" (the digest is rebuilt with only that line changed); a refusal says why in
place. The only place this capability reads a Press."""
from __future__ import annotations

import logging

from capabilities.kit import Status
from capabilities.press import UNREADABLE, Press, Reply
from capabilities.workforce import flow
from dialogs import supervision_cards as sc
from dialogs import workforce_cards as wc
from dialogs.card_update import polite_card, rebuild

log = logging.getLogger(__name__)
TITLE = "ASYE review"


def _via(p: Press) -> str:
    kinds = sorted({row.kind for row in p.rows})
    return f"card:{kinds[0]}" if kinds else "card:workforce"


async def asye_held(p: Press) -> Reply:
    key = wc.AsyeLineKey.read(p.data.get("line"))
    if key is None:
        return Reply(text=UNREADABLE)
    outcome = await flow.asye_held(p.ctx, p.actor.id if p.actor else None, key.person_id, key.point, now=p.now,
                                   via=_via(p))
    log.info("asye held %s: %s", key, outcome.status)
    ids = {"line": str(key)}
    if outcome.status != Status.DONE or outcome.held_on is None:
        return Reply(card=polite_card(p.rows, ids, outcome.message, TITLE))
    shown: dict[int, dict] = {}
    new = rebuild(p.rows, ids, sc.close_line(key, wc.asye_held_words(key.point, outcome.held_on)), shown)
    if new is not None:
        return Reply(card=new, update=True, shown=shown)
    return Reply(card=sc.supervision_notice_card(TITLE, outcome.message, good=True), update=True)
