"""The workforce duties' buttons. "Held today" on an ASYE review point's digest line records it; the line then
says "held on <day>: recorded" (the digest is rebuilt with only that line changed); a refusal says why in
place. Induction's Done (the starter's sign-off) and Confirm / Confirm all signed off (their manager) change the
card in place. After an appraisal's Held today, the personal development plan's form follows; **Save the plan**
on that form and **Send me the workbook** on the training needs card. The only place this capability reads a Press."""
from __future__ import annotations

import logging
from collections.abc import Mapping

from capabilities.kit import Status
from capabilities.press import UNREADABLE, Press, Reply, positive_id
from capabilities.workforce import config, flow, induction, pdp, training_needs
from dialogs import induction_cards as ic
from dialogs import pdp_cards as pc
from dialogs import supervision_cards as sc
from dialogs import workforce_cards as wc
from dialogs.card_update import Acted, card_title, keep_none, polite_card, rebuild

log = logging.getLogger(__name__)
TITLE = "ASYE review"


def _via(p: Press) -> str:
    kinds = sorted({row.kind for row in p.rows})
    return f"card:{kinds[0]}" if kinds else "card:workforce"


async def asye_held(p: Press) -> Reply:
    key = wc.AsyeLineKey.read(p.data.get("line"))
    if key is None or key.point == "appraisal":
        return Reply(text=UNREADABLE)
    outcome = await flow.asye_held(p.ctx, p.actor.id if p.actor else None, key.person_id, key.point, now=p.now,
                                   via=_via(p))
    log.info("asye held %s: %s", key, outcome.status)
    return _answer(p, key, outcome)


async def appraisal_held(p: Press) -> Reply:
    key = wc.AsyeLineKey.read(p.data.get("line"))
    if key is None or key.point != "appraisal":
        return Reply(text=UNREADABLE)
    outcome = await flow.appraisal_held(p.ctx, p.actor.id if p.actor else None, key.person_id, now=p.now,
                                        via=_via(p), window=config.appraisal_window_end())
    log.info("appraisal held %s: %s", key, outcome.status)
    reply = _answer(p, key, outcome)
    if outcome.status == Status.DONE:  # the personal development plan's topics follow (pdp.py)
        reply.send += await pdp.after_appraisal(p.ctx, p.actor.id if p.actor else None, key.person_id, p.now)
    return reply


def _answer(p: Press, key: wc.AsyeLineKey, outcome: flow.WorkforceOutcome) -> Reply:
    ids = {"line": str(key)}
    if outcome.status != Status.DONE or outcome.held_on is None:
        return Reply(card=polite_card(p.rows, ids, outcome.message, TITLE))
    shown: dict[int, dict] = {}
    new = rebuild(p.rows, ids, sc.close_line(key, wc.asye_held_words(key.point, outcome.held_on)), shown)
    if new is not None:
        return Reply(card=new, update=True, shown=shown)
    return Reply(card=sc.supervision_notice_card(TITLE, outcome.message, good=True), update=True)


async def swe_confirmed(p: Press) -> Reply:
    year = wc.read_renewal_key(p.data.get("line"))
    if year is None:
        return Reply(text=UNREADABLE)
    outcome = await flow.swe_confirmed(p.ctx, p.actor.id if p.actor else None, year, now=p.now, via=_via(p),
                                       window=config.swe_renewal())
    log.info("swe renewal confirmed %s: %s", year, outcome.status)
    ids = {"line": wc.renewal_key(year)}
    if outcome.status != Status.DONE or outcome.held_on is None:
        return Reply(card=polite_card(p.rows, ids, outcome.message, "Social Work England renewal"))
    acted = Acted("Confirmed", p.actor.display_name if p.actor else "", p.now, p.ctx.calendar.tz,
                  [("Renewal", wc.swe_confirmed_words(year, outcome.held_on))], keep_none)
    shown: dict[int, dict] = {}
    new = rebuild(p.rows, ids, acted.apply, shown)
    if new is None:
        new = acted.whole(f"Social Work England renewal {year}", [])
    return Reply(card=new, update=True, shown=shown)


# ---------------------------------------------------------------- induction (capabilities/workforce/induction.py)


def _induction_polite(p: Press, ids: Mapping[str, object], message: str) -> Reply:
    return Reply(card=polite_card(p.rows, ids, message, induction.TITLE))


async def induction_done(p: Press) -> Reply:
    """Done on the starter's plan card or an overdue nudge: the element signed off; the plan card is rebuilt as it
    now stands, a nudge says who signed it off and when."""
    key = ic.read_element_key(p.data.get("line"))
    if key is None:
        return Reply(text=UNREADABLE)
    person_id, element_id = key
    outcome = await induction.sign_off(p.ctx, p.actor.id if p.actor else None, person_id, element_id, now=p.now,
                             via="card:induction")
    log.info("induction sign-off %s: %s", key, outcome.status)
    ids = {"line": ic.element_key(person_id, element_id)}
    if outcome.status != Status.DONE:
        return _induction_polite(p, ids, outcome.message)
    fresh = await induction.plan_card_for(p.ctx, person_id, p.now)
    acted = Acted("Signed off", p.actor.display_name if p.actor else "", p.now, p.ctx.calendar.tz, [], keep_none)

    def change(content: dict, pressed: Mapping[str, int]) -> dict:
        return fresh if fresh is not None and card_title(content).startswith("Your induction") else \
            acted.apply(content, pressed)

    shown: dict[int, dict] = {}
    new = rebuild(p.rows, ids, change, shown) or fresh or acted.whole(induction.TITLE, [])
    return Reply(card=new, update=True, shown=shown)


async def _confirmed(p: Press, person_id: int, element_id: str | None, ids: Mapping[str, object]) -> Reply:
    outcome = await induction.confirm(p.ctx, p.actor.id if p.actor else None, person_id, element_id, now=p.now,
                            via="card:induction")
    log.info("induction confirm %s %s: %s", person_id, element_id, outcome.status)
    if outcome.status != Status.DONE:
        return _induction_polite(p, ids, outcome.message)
    acted = Acted(f"Confirmed ({outcome.count})" if element_id is None else "Confirmed",
                  p.actor.display_name if p.actor else "", p.now, p.ctx.calendar.tz, [], keep_none)
    shown: dict[int, dict] = {}
    new = rebuild(p.rows, ids, acted.apply, shown) or acted.whole(induction.TITLE, [])
    return Reply(card=new, update=True, shown=shown)


async def induction_confirm(p: Press) -> Reply:
    key = ic.read_element_key(p.data.get("line"))
    if key is None:
        return Reply(text=UNREADABLE)
    return await _confirmed(p, key[0], key[1], {"line": ic.element_key(*key)})


async def induction_confirm_all(p: Press) -> Reply:
    person_id = positive_id(p.data.get("starter_id"))
    if person_id is None:
        return Reply(text=UNREADABLE)
    return await _confirmed(p, person_id, None, {"starter_id": person_id})
async def pdp_save(p: Press) -> Reply:
    """**Save the plan** on the PDP form (data person_id, month; inputs pdpTopics, pdpNote): the form again, saying
    what was saved or why not (capabilities/workforce/pdp.py)."""
    person_id = positive_id(p.data.get("person_id"))
    if person_id is None:
        return Reply(text=UNREADABLE)
    outcome = await pdp.save(p.ctx, p.actor.id if p.actor else None, person_id, p.data.get("month"),
                             p.data.get(pc.TOPICS_INPUT), p.data.get(pc.NOTE_INPUT), now=p.now,
                             via=f"card:{pc.Verb.SAVE}")
    if outcome.view is None:
        return Reply(text=outcome.message)
    return Reply(card=pc.pdp_card(outcome.view), update=True)


async def training_needs_send(p: Press) -> Reply:
    """**Send me the workbook** on the `training needs` card: the offer through the file consent card, now."""
    outcome = await training_needs.send_workbook(p.ctx, p.actor.id if p.actor else None, now=p.now,
                                                 via=f"card:{pc.Verb.SEND_TNA}")
    return Reply(text=outcome.message, deliver_now=outcome.urgent)
