"""Supervision's buttons. "Record supervision" opens the small form in place of the line pressed (the
digest is rebuilt with only that line changed); "Record" records it and the line then says "Recorded
..., next due ..."; a refusal shows the form again with the reason. Pressed on a card the bot cannot
rebuild (a command's answer), the form comes as a card of its own."""
from __future__ import annotations

import logging

from capabilities.press import UNREADABLE, Press, Reply, positive_id
from capabilities.supervision import config, flow
from capabilities.supervision.observation_plans import plan_line_key
from dialogs import supervision_cards as sc
from dialogs.card_update import Acted, keep_none, polite_card, rebuild

log = logging.getLogger(__name__)
TITLE = "Supervision"


def _via(p: Press) -> str:
    kinds = sorted({row.kind for row in p.rows})
    return f"card:{kinds[0]}" if kinds else "card:supervision"


def _ids(p: Press) -> dict[str, str] | None:
    line = p.data.get("line")
    return {"line": line} if flow.parse_line(line) is not None else None


def _refused(p: Press, ids: dict, message: str) -> Reply:
    return Reply(card=polite_card(p.rows, ids, message, TITLE))


def _with_form(p: Press, ids: dict, form: sc.RecordForm, note: str | None = None) -> Reply:
    shown: dict[int, dict] = {}
    new = rebuild(p.rows, ids, sc.open_form(form), shown)
    if new is not None:
        return Reply(card=new, update=True, shown=shown)
    return Reply(card=sc.supervision_record_card(form), text=note)


async def record_open(p: Press) -> Reply:
    ids = _ids(p)
    if ids is None:
        return Reply(text=UNREADABLE)
    outcome = await flow.open_form(p.ctx, p.actor.id if p.actor else None, ids["line"], p.now, config.from_env())
    if outcome.status != flow.DONE:
        return _refused(p, ids, outcome.message)
    return _with_form(p, ids, outcome.form)


async def record(p: Press) -> Reply:
    ids = _ids(p)
    if ids is None:
        return Reply(text=UNREADABLE)
    outcome = await flow.record(p.ctx, p.actor.id if p.actor else None, ids["line"], p.data, p.now, _via(p),
                                config.from_env())
    log.info("supervision record %s: %s", ids["line"], outcome.status)
    if outcome.status == flow.REFUSED:
        return _refused(p, ids, outcome.message)
    if outcome.status == flow.INVALID:
        return _with_form(p, ids, outcome.form)
    words = sc.recorded_words(outcome.recorded)
    changes = [sc.close_line(ids["line"], words)] + [
        sc.close_note(plan_line_key(outcome.supervisee_id, d), sc.plan_reviewed_words(d))
        for d in outcome.plans_reviewed if outcome.supervisee_id is not None]

    def change(content: dict, found: dict) -> dict:
        for one in changes:
            content = one(content, found)
        return content

    shown: dict[int, dict] = {}
    new = rebuild(p.rows, ids, change, shown)
    if new is not None:
        return Reply(card=new, update=True, shown=shown)
    return Reply(card=sc.supervision_notice_card(f"Supervision: {outcome.recorded.supervisee}", words, good=True),
                 update=True)


async def confirm(p: Press) -> Reply:
    session_id = positive_id(p.data.get("session_id"))
    if session_id is None:
        return Reply(text=UNREADABLE)
    ids = {"session_id": session_id}
    outcome = await flow.confirm(p.ctx, p.actor.id if p.actor else None, session_id, p.now, _via(p))
    if outcome.status != flow.DONE:
        return _refused(p, ids, outcome.message)
    acted = Acted("Confirmed", outcome.actor_name, p.now, p.ctx.calendar.tz,
                  [("Recorded", sc.recorded_words(outcome.recorded))], keep_none)
    shown: dict[int, dict] = {}
    new = rebuild(p.rows, ids, acted.apply, shown)
    if new is None:
        new = acted.whole(f"Confirm supervision: {outcome.recorded.supervisee}", [])
    return Reply(card=new, update=True, shown=shown)


async def asye_four_weekly(p: Press) -> Reply:
    ids = _ids(p)
    if ids is None:
        return Reply(text=UNREADABLE)
    outcome = await flow.asye_four_weekly(p.ctx, p.actor.id if p.actor else None, ids["line"], p.now, _via(p))
    return Reply(text=outcome.message)


async def away(p: Press) -> Reply:
    outcome = await flow.mark_away(p.ctx, p.actor.id if p.actor else None, p.data, p.now, "card:supervision_away")
    if outcome.view is None:
        return Reply(text=outcome.message)
    return Reply(card=sc.supervision_away_card(outcome.view), update=True)
