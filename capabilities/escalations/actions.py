"""The escalations' card buttons (moderation, urgent review, dip sample, practice alerts, remedial
actions): each press reads the card's data, runs its use case and turns the Outcome into a Reply.
The only place a Press is read. A decision updates the pressed copy in place (the invoke
response); the use case updates every other copy in place through the outbox
(capabilities/copies.py); the cards' Universal Actions refresh (the *.view verbs) stays, for a
copy in flight at the decision."""
from __future__ import annotations

import copy
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from capabilities.copies import pressed
from capabilities.escalations import alerts, config, dip_sample, flow, remedial
from capabilities.kit import NOT_ON_ROSTER, Outcome, Status
from capabilities.press import UNREADABLE, Press, Reply, positive_id
from capabilities.settings import case_refs
from dialogs import alert_cards as alc
from dialogs import escalation_cards as ec
from dialogs import remedial_cards as rc
from dialogs.card_kit import attention
from dialogs.card_update import mentions, polite_card
from dialogs.escalation_cards import plain_card

log = logging.getLogger(__name__)
Verb = ec.Verb
NOTHING_CHANGED_TITLE = "Nothing was changed"


@dataclass(frozen=True)
class Step:
    subject: str  # the id the button carries
    card: str  # the card's name for the trail, when the pressed message is not one of ours
    run: Callable[[Press, int, str], Awaitable[Outcome]]


def _text(p: Press, key: str) -> str | None:
    value = p.data.get(key)
    return value if isinstance(value, str) else None


def _values(p: Press, keys: tuple[str, ...]) -> dict[str, str]:
    return {key: value for key in keys if isinstance(value := p.data.get(key), str)}


STEPS: dict[str, Step] = {
    Verb.MODERATION_AGREE: Step("moderation_id", "moderation_request", lambda p, ident, via: flow.agree(
        p.ctx, p.actor.id, ident, now=p.now, via=via, pressed=pressed(p.rows))),
    Verb.MODERATION_REGRADE: Step("moderation_id", "moderation_request", lambda p, ident, via: flow.regrade(
        p.ctx, p.actor.id, ident, _text(p, ec.GRADE), _text(p, ec.REASON), now=p.now, via=via,
        pressed=pressed(p.rows))),
    Verb.MODERATION_VIEW: Step("moderation_id", "moderation_request", lambda p, ident, via: flow.view_moderation(
        p.ctx, p.actor.id, ident, now=p.now, via=via)),
    Verb.UPDATE_SEND: Step("escalation_id", "escalation_notice", lambda p, ident, via: flow.send_update(
        p.ctx, p.actor.id, ident, _text(p, ec.UPDATE), now=p.now, via=via, pressed=pressed(p.rows))),
    Verb.ESCALATION_VIEW: Step("escalation_id", "escalation_notice", lambda p, ident, via: flow.view_escalation(
        p.ctx, p.actor.id, ident, False, now=p.now, via=via)),
    Verb.CLOSE: Step("escalation_id", "escalation_update_received", lambda p, ident, via: flow.close(
        p.ctx, p.actor.id, ident, now=p.now, via=via, pressed=pressed(p.rows))),
    Verb.MORE: Step("escalation_id", "escalation_update_received", lambda p, ident, via: flow.ask_more(
        p.ctx, p.actor.id, ident, _text(p, ec.MORE_DUE), now=p.now, via=via, pressed=pressed(p.rows))),
    Verb.QA_VIEW: Step("escalation_id", "escalation_update_received", lambda p, ident, via: flow.view_escalation(
        p.ctx, p.actor.id, ident, True, now=p.now, via=via)),
    Verb.DIP_AGREE: Step("item_id", "dip_sample", lambda p, ident, via: dip_sample.agree(
        p.ctx, p.actor.id, ident, now=p.now, via=via, pressed=pressed(p.rows))),
    Verb.DIP_DIFFER: Step("item_id", "dip_sample", lambda p, ident, via: dip_sample.differ(
        p.ctx, p.actor.id, ident, _text(p, ec.DIP_GRADE), _text(p, ec.DIP_COMMENT), now=p.now, via=via,
        pressed=pressed(p.rows))),
    Verb.DIP_VIEW: Step("item_id", "dip_sample", lambda p, ident, via: dip_sample.view(
        p.ctx, p.actor.id, ident, now=p.now, via=via)),
    alc.Verb.RESPOND: Step("alert_id", "practice_alert", lambda p, ident, via: alerts.respond(
        p.ctx, p.actor.id, ident, _text(p, alc.RESPONSE), now=p.now, via=via, pressed=pressed(p.rows))),
    alc.Verb.RESOLVE: Step("alert_id", "practice_alert", lambda p, ident, via: alerts.resolve(
        p.ctx, p.actor.id, ident, now=p.now, via=via, pressed=pressed(p.rows))),
    alc.Verb.VIEW: Step("alert_id", "practice_alert", lambda p, ident, via: alerts.view_alert(
        p.ctx, p.actor.id, ident, now=p.now, via=via)),
    rc.Verb.ADD: Step("plan_id", "remedial_actions_request", lambda p, ident, via: remedial.add_action(
        p.ctx, p.actor.id, ident, {**{k: _text(p, k) for k in (rc.TEXT, rc.TARGET)},
                                   rc.RESPONSIBLE: p.data.get(rc.RESPONSIBLE)}, now=p.now,
        via=via, pressed=pressed(p.rows))),
    rc.Verb.DONE: Step("action_id", "remedial_actions_request", lambda p, ident, via: remedial.mark_done(
        p.ctx, p.actor.id, ident, now=p.now, via=via, pressed=pressed(p.rows))),
    rc.Verb.VIEW: Step("plan_id", "remedial_actions_request", lambda p, ident, via: remedial.view_plan(
        p.ctx, p.actor.id, ident, now=p.now, via=via)),
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
    """Answer one press of a button on a record's card (every verb in STEPS)."""
    step = STEPS.get(p.verb)
    ident = positive_id(p.data.get(step.subject)) if step else None
    if step is None or ident is None:
        return Reply(text=UNREADABLE)
    ids = {step.subject: ident}
    if p.actor is None:
        return Reply(card=polite_card(p.rows, ids, NOT_ON_ROSTER, NOTHING_CHANGED_TITLE))
    outcome = await step.run(p, ident, f"card:{card_name(p, ids, step.card)}")
    log.info("card action %s on %s: %s", p.verb, ids, outcome.status)
    if outcome.status == Status.DONE:
        return Reply(card=outcome.card, update=True)
    if outcome.status in (Status.UNCHANGED, Status.INVALID) and outcome.card is not None:
        return Reply(card=outcome.card)
    if outcome.status == Status.ALREADY and outcome.card is not None:
        return Reply(card=with_message(outcome.card, outcome.message), update=True)
    return Reply(card=polite_card(p.rows, ids, outcome.message, outcome.title or NOTHING_CHANGED_TITLE))


async def raise_alert(p: Press) -> Reply:
    """The practice alert form's Send."""
    if p.actor is None:
        return Reply(card=polite_card(p.rows, {}, NOT_ON_ROSTER, NOTHING_CHANGED_TITLE))
    outcome = await alerts.raise_alert(p.ctx, p.actor.id, _values(p, (alc.CASE_REF, alc.TEAM, alc.CATEGORY,
                                                                     alc.DESCRIPTION)),
                                       config.settings().chase_days, now=p.now, via="card:alert_form",
                                       case_refs=case_refs())
    if outcome.status == Status.DONE:
        return Reply(card=outcome.card, update=True)
    if outcome.card is not None:
        return Reply(card=outcome.card)
    return Reply(card=plain_card("Practice alert", outcome.message))
