"""The escalations' card buttons: each press runs its use case (flow.py) and turns the result into
a Reply. A decision updates the pressed copy in place (the invoke response); the use case updates
every other copy in place through the outbox (capabilities/copies.py); the cards' Universal Actions
refresh (the *.view verbs) stays, for a copy in flight at the decision."""
from __future__ import annotations

import copy
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from capabilities.copies import pressed
from capabilities.escalations import dip_sample, flow
from capabilities.press import UNREADABLE, Press, Reply, positive_id
from dialogs import escalation_cards as ec
from dialogs.card_kit import attention
from dialogs.card_update import mentions, polite_card

log = logging.getLogger(__name__)
Verb = ec.Verb


@dataclass(frozen=True)
class Step:
    subject: str  # the id the button carries
    card: str  # the card's name for the trail, when the pressed message is not one of ours
    run: Callable[[Press, int, str], Awaitable[flow.Result]]


def _text(p: Press, key: str) -> str | None:
    value = p.data.get(key)
    return value if isinstance(value, str) else None


async def _agree(p: Press, ident: int, via: str) -> flow.Result:
    return await flow.decide(p.ctx.db, p.actor.id, ident, agree=True, now=p.now, cal=p.ctx.calendar, via=via,
                             pressed=pressed(p.rows))


async def _regrade(p: Press, ident: int, via: str) -> flow.Result:
    return await flow.decide(p.ctx.db, p.actor.id, ident, agree=False, grade=_text(p, ec.GRADE),
                             reason=_text(p, ec.REASON), now=p.now, cal=p.ctx.calendar, via=via,
                             pressed=pressed(p.rows))


async def _view_moderation(p: Press, ident: int, via: str) -> flow.Result:
    return await flow.view_moderation(p.ctx.db, p.actor.id, ident, p.ctx.calendar)


async def _send_update(p: Press, ident: int, via: str) -> flow.Result:
    return await flow.send_update(p.ctx.db, p.actor.id, ident, _text(p, ec.UPDATE), now=p.now, cal=p.ctx.calendar,
                                  via=via, pressed=pressed(p.rows))


async def _view_escalation(p: Press, ident: int, via: str) -> flow.Result:
    return await flow.view_escalation(p.ctx.db, p.actor.id, ident, p.ctx.calendar, for_qa=False)


async def _view_qa(p: Press, ident: int, via: str) -> flow.Result:
    return await flow.view_escalation(p.ctx.db, p.actor.id, ident, p.ctx.calendar, for_qa=True)


async def _close(p: Press, ident: int, via: str) -> flow.Result:
    return await flow.close(p.ctx.db, p.actor.id, ident, now=p.now, cal=p.ctx.calendar, via=via,
                            pressed=pressed(p.rows))


async def _more(p: Press, ident: int, via: str) -> flow.Result:
    return await flow.ask_more(p.ctx.db, p.actor.id, ident, _text(p, ec.MORE_DUE), now=p.now, cal=p.ctx.calendar,
                               via=via, pressed=pressed(p.rows))


async def _dip_agree(p: Press, ident: int, via: str) -> flow.Result:
    return await dip_sample.decide(p.ctx.db, p.actor.id, ident, agree=True, now=p.now, cal=p.ctx.calendar, via=via,
                                   pressed=pressed(p.rows))


async def _dip_differ(p: Press, ident: int, via: str) -> flow.Result:
    return await dip_sample.decide(p.ctx.db, p.actor.id, ident, agree=False, grade=_text(p, ec.DIP_GRADE),
                                   comment=_text(p, ec.DIP_COMMENT), now=p.now, cal=p.ctx.calendar, via=via,
                                   pressed=pressed(p.rows))


async def _dip_view(p: Press, ident: int, via: str) -> flow.Result:
    return await dip_sample.view(p.ctx.db, p.actor.id, ident, p.ctx.calendar)


STEPS: dict[str, Step] = {
    Verb.MODERATION_AGREE: Step("moderation_id", "moderation_request", _agree),
    Verb.MODERATION_REGRADE: Step("moderation_id", "moderation_request", _regrade),
    Verb.MODERATION_VIEW: Step("moderation_id", "moderation_request", _view_moderation),
    Verb.UPDATE_SEND: Step("escalation_id", "escalation_notice", _send_update),
    Verb.ESCALATION_VIEW: Step("escalation_id", "escalation_notice", _view_escalation),
    Verb.CLOSE: Step("escalation_id", "escalation_update_received", _close),
    Verb.MORE: Step("escalation_id", "escalation_update_received", _more),
    Verb.QA_VIEW: Step("escalation_id", "escalation_update_received", _view_qa),
    Verb.DIP_AGREE: Step("item_id", "dip_sample", _dip_agree),
    Verb.DIP_DIFFER: Step("item_id", "dip_sample", _dip_differ),
    Verb.DIP_VIEW: Step("item_id", "dip_sample", _dip_view),
}


def card_name(p: Press, ids: dict[str, int], default: str) -> str:
    for row in p.rows:
        if mentions((row.payload or {}).get("card"), ids):
            return re.sub(r"[^a-z0-9_]+", "_", row.kind.lower()).strip("_") or default
    return default


def with_message(card: dict, message: str) -> dict:
    """`card` with `message` in attention under its heading."""
    shown = copy.deepcopy(card)
    shown["body"].insert(1, attention(message))
    return shown


async def press(p: Press) -> Reply:
    """Answer one press of an escalation button."""
    step = STEPS.get(p.verb)
    ident = positive_id(p.data.get(step.subject)) if step else None
    if step is None or ident is None:
        return Reply(text=UNREADABLE)
    ids = {step.subject: ident}
    if p.actor is None:
        return Reply(card=polite_card(p.rows, ids, flow.NOT_ON_ROSTER, "Nothing was changed"))
    result = await step.run(p, ident, f"card:{card_name(p, ids, step.card)}")
    log.info("card action %s on %s: %s", p.verb, ids, result.status)
    if result.status == flow.DONE:
        return Reply(card=result.card, update=True)
    if result.status in (flow.UNCHANGED, flow.INVALID) and result.card is not None:
        return Reply(card=result.card)
    if result.status == flow.ALREADY and result.card is not None:
        return Reply(card=with_message(result.card, result.message), update=True)
    return Reply(card=polite_card(p.rows, ids, result.message, result.title or "Nothing was changed"))
