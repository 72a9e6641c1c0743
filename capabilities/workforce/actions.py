"""The workforce duties' buttons. "Held today" on an ASYE review point's digest line records it; the line then
says "held on <day>: recorded" (the digest is rebuilt with only that line changed); a refusal says why in
place; after an appraisal's, the personal development plan's form follows. **Save the plan** on that form and
**Send me the workbook** on the training needs card. The only place this capability reads a Press."""
from __future__ import annotations

import logging

from capabilities.kit import Status
from capabilities.press import UNREADABLE, Press, Reply, positive_id
from capabilities.workforce import config, flow, pdp, training_needs
from dialogs import pdp_cards as pc
from dialogs import supervision_cards as sc
from dialogs import workforce_cards as wc
from dialogs.card_update import Acted, keep_none, polite_card, rebuild

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
