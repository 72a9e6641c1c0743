"""Supervision's buttons. "Record supervision" opens the small form in place of the line pressed (the
digest is rebuilt with only that line changed); "Record" records it and the line then says "Recorded
..., next due ..."; a refusal shows the form again with the reason. Pressed on a card the bot cannot
rebuild (a command's answer), the form comes as a card of its own.

The only place supervision reads a Press: each handler reads the card's ids and inputs into plain
values, calls a use case in flow.py and turns its Outcome into a Reply."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from typing import Any

from capabilities.kit import Status
from capabilities.press import UNREADABLE, Press, Reply, positive_id
from capabilities.supervision import config, exemptions, flow
from dialogs import supervision_cards as sc
from dialogs.card_kit import format_day
from dialogs.card_update import Acted, keep_none, mentions, polite_card, rebuild
from dialogs.supervision_cards import LineKey
from qa.supervision import CASE

log = logging.getLogger(__name__)
TITLE = "Supervision"


def _via(p: Press) -> str:
    kinds = sorted({row.kind for row in p.rows})
    return f"card:{kinds[0]}" if kinds else "card:supervision"


def _key(p: Press) -> LineKey | None:
    """The recordable line the card names, or None."""
    key = LineKey.parse(p.data.get("line"))
    return key if key is not None and key.recordable else None


def _actor(p: Press) -> int | None:
    return p.actor.id if p.actor else None


def _refused(p: Press, key: LineKey, message: str) -> Reply:
    return Reply(card=polite_card(p.rows, {"line": str(key)}, message, TITLE))


def _with_form(p: Press, form: sc.RecordForm, note: str | None = None) -> Reply:
    shown: dict[int, dict] = {}
    new = rebuild(p.rows, {"line": str(form.line)}, sc.open_form(form), shown)
    if new is not None:
        return Reply(card=new, update=True, shown=shown)
    return Reply(card=sc.supervision_record_card(form), text=note)


def _text(data: Mapping[str, Any], name: str, key: LineKey) -> str:
    value = data.get(sc.input_id(name, key))
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


def _minutes(text: str) -> int | None:
    try:
        return int(float(text))
    except (ValueError, OverflowError):  # "ninety", "nan", "inf"
        return None


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _ticked(data: Mapping[str, Any], key: LineKey) -> tuple[date, ...]:
    """The observation days whose "action plan reviewed" toggle (sc.plan_input) is on."""
    out = []
    prefix, suffix = "plan", f"-{key}"
    for name, value in data.items():
        name = str(name)
        if name.startswith(prefix) and name.endswith(suffix) and str(value).strip().lower() == "true":
            day = _day(name[len(prefix):-len(suffix)])
            if day is not None and sc.plan_input(day, key) == name:
                out.append(day)
    return tuple(out)


def entry(key: LineKey, data: Mapping[str, Any]) -> flow.Entry:
    """What the line's recording form says (flow.record checks it against the record)."""
    refs = tuple(dict.fromkeys(r.strip() for r in _text(data, "cases", key).split(",") if r.strip()))
    minutes_text = _text(data, "minutes", key)
    minutes = _minutes(minutes_text) if minutes_text else None
    return flow.Entry(_day(_text(data, "held", key)), _text(data, "kind", key), minutes, refs, _ticked(data, key),
                      minutes_unreadable=bool(minutes_text) and minutes is None)


async def record_open(p: Press) -> Reply:
    key = _key(p)
    if key is None:
        return Reply(text=UNREADABLE)
    outcome = await flow.open_form(p.ctx, _actor(p), key, now=p.now, via=_via(p), cadences=config.cadences())
    if outcome.status != Status.DONE:
        return _refused(p, key, outcome.message)
    return _with_form(p, outcome.form)


async def record(p: Press) -> Reply:
    key = _key(p)
    if key is None:
        return Reply(text=UNREADABLE)
    outcome = await flow.record(p.ctx, _actor(p), key, entry(key, p.data), now=p.now, via=_via(p),
                                cadences=config.cadences())
    log.info("supervision record %s: %s", key, outcome.status)
    if outcome.status == Status.INVALID:
        return _with_form(p, outcome.form)
    if outcome.status != Status.DONE:
        return _refused(p, key, outcome.message)
    words = sc.recorded_words(outcome.recorded)
    changes = [sc.close_line(key, words)] + [
        sc.close_note(LineKey.plan(outcome.supervisee_id, d), sc.plan_reviewed_words(d))
        for d in outcome.plans_reviewed if outcome.supervisee_id is not None]

    def change(content: dict, found: dict) -> dict:
        for one in changes:
            content = one(content, found)
        return content

    shown: dict[int, dict] = {}
    new = rebuild(p.rows, {"line": str(key)}, change, shown)
    if new is not None:
        return Reply(card=new, update=True, shown=shown)
    return Reply(card=sc.supervision_notice_card(f"Supervision: {outcome.recorded.supervisee}", words, good=True),
                 update=True)


async def confirm(p: Press) -> Reply:
    session_id = positive_id(p.data.get("session_id"))
    if session_id is None:
        return Reply(text=UNREADABLE)
    ids = {"session_id": session_id}
    outcome = await flow.confirm(p.ctx, _actor(p), session_id, now=p.now, via=_via(p))
    if outcome.status != Status.DONE:
        return Reply(card=polite_card(p.rows, ids, outcome.message, TITLE))
    acted = Acted("Confirmed", outcome.actor_name, p.now, p.ctx.calendar.tz,
                  [("Recorded", sc.recorded_words(outcome.recorded))], keep_none)
    shown: dict[int, dict] = {}
    new = rebuild(p.rows, ids, acted.apply, shown)
    if new is None:
        new = acted.whole(f"Confirm supervision: {outcome.recorded.supervisee}", [])
    return Reply(card=new, update=True, shown=shown)


async def asye_four_weekly(p: Press) -> Reply:
    key = _key(p)
    if key is None:
        return Reply(text=UNREADABLE)
    outcome = await flow.asye_four_weekly(p.ctx, _actor(p), key, now=p.now, via=_via(p))
    return Reply(text=outcome.message)


async def away(p: Press) -> Reply:
    who_text = p.data.get(sc.AWAY_WHO)
    try:
        who = int(who_text) if isinstance(who_text, (str, int)) and not isinstance(who_text, bool) else None
    except ValueError:
        who = None
        first = last = None
    else:
        first, last = _day(str(p.data.get(sc.AWAY_FROM) or "")), _day(str(p.data.get(sc.AWAY_TO) or ""))
    cover = p.data.get(sc.AWAY_COVER)
    outcome = await flow.mark_away(p.ctx, _actor(p), who, first, last, now=p.now, via="card:supervision_away",
                                   cover_email=cover if isinstance(cover, str) else "")
    if outcome.away is None:
        return Reply(text=outcome.message)
    return Reply(card=sc.supervision_away_card(outcome.away), update=True)


async def book(p: Press) -> Reply:
    """"Booked" on a digest line: the first press asks the day in place of the line's buttons; "Save" books it,
    and the line then says "Booked for <day>"."""
    key = _key(p)
    if key is None:
        return Reply(text=UNREADABLE)
    today = p.ctx.calendar.local_date(p.now)
    text = p.data.get(sc.input_id("booked", key))
    day = _day(text.strip()) if isinstance(text, str) else None
    if isinstance(text, str) and day is None:
        outcome = flow.SupervisionOutcome(Status.INVALID, "Give the day it is booked for.")
    else:
        outcome = await flow.book(p.ctx, _actor(p), key, day, now=p.now, via=_via(p), cadences=config.cadences())
    log.info("supervision booked %s: %s", key, outcome.status)
    if outcome.status == Status.DONE:
        change = sc.close_line(key, outcome.message)
    elif outcome.status in (Status.UNCHANGED, Status.INVALID):
        change = sc.open_book_form(key, today, outcome.message or None)
    else:
        return _refused(p, key, outcome.message)
    shown: dict[int, dict] = {}
    new = rebuild(p.rows, {"line": str(key)}, change, shown)
    if new is not None:
        return Reply(card=new, update=True, shown=shown)
    return Reply(text=outcome.message or "Press Booked on this morning's supervision digest.")


# -- a service lead's case supervision exemptions on a digest's case line (exemptions.py) ---------------

def _case_key(p: Press) -> LineKey | None:
    """The case supervision line the card names, or None."""
    key = LineKey.parse(p.data.get("line"))
    return key if key is not None and key.kind == CASE else None


def _line_via(p: Press, key: LineKey) -> str:
    """For the trail: the kind of the notice holding the line pressed (a message may carry several)."""
    kinds = sorted({r.kind for r in p.rows if mentions((r.payload or {}).get("card"), {"line": str(key)})})
    return f"card:{kinds[0]}" if kinds else _via(p)


def _in_place(p: Press, key: LineKey, change, fallback: str) -> Reply:
    shown: dict[int, dict] = {}
    new = rebuild(p.rows, {"line": str(key)}, change, shown)
    if new is not None:
        return Reply(card=new, update=True, shown=shown)
    return Reply(text=fallback)


async def exempt_open(p: Press) -> Reply:
    """"Exempt a case": the form (which case, why) in place of the line's buttons, for the service lead of
    the case holder's area (checked again by the use case on every press)."""
    key = _case_key(p)
    if key is None:
        return Reply(text=UNREADABLE)
    outcome = await exemptions.exemption_form(p.ctx, _actor(p), key, now=p.now, via=_line_via(p, key),
                                              cadences=config.cadences())
    log.info("supervision exempt_open %s: %s", key, outcome.status)
    if outcome.status != Status.UNCHANGED or outcome.line is None:
        return _refused(p, key, outcome.message)
    return _in_place(p, key, sc.open_exempt_form(key, outcome.line.case_refs),
                     "Press Exempt a case on this morning's supervision digest, or type exempt, the case "
                     "reference and the reason.")


def _status(outcome: exemptions.ExemptionOutcome, p: Press) -> str:
    return f"{outcome.message} ({p.actor.display_name if p.actor else 'you'}, {format_day(p.ctx.calendar.local_date(p.now))})."


async def exempt(p: Press) -> Reply:
    """"Exempt" on the form: the case chosen exempted with the reason typed; the line shows what is due now
    (the heading recounted), with Lift for the case. A reason missing or holding an identifier: the form
    again, saying what is wrong."""
    key = _case_key(p)
    if key is None:
        return Reply(text=UNREADABLE)
    ref, reason = _text(p.data, "exempt_case", key), _text(p.data, "exempt_reason", key)
    outcome = await exemptions.exempt(p.ctx, _actor(p), ref, reason, now=p.now, via=_line_via(p, key),
                                      cadences=config.cadences(), pressed=p.rows, holder_id=key.person_id)
    log.info("supervision exempt %s: %s", key, outcome.status)
    if outcome.status == Status.INVALID:
        form = await exemptions.exemption_form(p.ctx, _actor(p), key, now=p.now, via=_line_via(p, key),
                                               cadences=config.cadences())
        if form.line is not None:
            return _in_place(p, key, sc.open_exempt_form(key, form.line.case_refs, outcome.message), outcome.message)
    if outcome.status != Status.DONE:
        return _refused(p, key, outcome.message)
    return _in_place(p, key, sc.show_case_line(key, outcome.line, outcome.exempted, _status(outcome, p)),
                     outcome.message)


async def exempt_lift_open(p: Press) -> Reply:
    """"Lift an exemption": which of the holder's exempt cases, asked in place (service lead of the area only)."""
    key = _case_key(p)
    if key is None:
        return Reply(text=UNREADABLE)
    outcome = await exemptions.exemption_form(p.ctx, _actor(p), key, now=p.now, via=_line_via(p, key),
                                              cadences=config.cadences(), lifting=True)
    log.info("supervision exempt_lift_open %s: %s", key, outcome.status)
    if outcome.status != Status.UNCHANGED:
        return _refused(p, key, outcome.message)
    return _in_place(p, key, sc.open_lift_form(key, outcome.exempted),
                     "Press Lift an exemption on this morning's supervision digest, or type lift exemption and the "
                     "case reference.")


async def exempt_lift(p: Press) -> Reply:
    """"Lift" on the lift form: case supervision every eight weeks again for the case chosen; the line shows
    what is due now (the heading recounted)."""
    key = _case_key(p)
    if key is None:
        return Reply(text=UNREADABLE)
    ref = _text(p.data, "lift_case", key)
    outcome = await exemptions.exempt(p.ctx, _actor(p), ref, None, lift=True, now=p.now, via=_line_via(p, key),
                                      cadences=config.cadences(), pressed=p.rows, holder_id=key.person_id)
    log.info("supervision exempt_lift %s: %s", key, outcome.status)
    if outcome.status in (Status.INVALID, Status.ALREADY):
        form = await exemptions.exemption_form(p.ctx, _actor(p), key, now=p.now, via=_line_via(p, key),
                                               cadences=config.cadences(), lifting=True)
        if form.status == Status.UNCHANGED:
            return _in_place(p, key, sc.open_lift_form(key, form.exempted, outcome.message), outcome.message)
    if outcome.status != Status.DONE:
        return _refused(p, key, outcome.message)
    return _in_place(p, key, sc.show_case_line(key, outcome.line, outcome.exempted, _status(outcome, p)),
                     outcome.message)
