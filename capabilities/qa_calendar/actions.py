"""The QA calendar's buttons: **I'll be there** / **Can't make it** on a reminder (the reminder then says the
answer, and can be changed), and **Save attendance** on the organiser's card. The only place the calendar reads
a Press: each handler reads the card's ids and inputs into plain values, calls a use case in flow.py and turns
its Outcome into a Reply."""
from __future__ import annotations

from capabilities.kit import Status
from capabilities.press import UNREADABLE, Press, Reply, positive_id
from capabilities.qa_calendar import flow
from dialogs import calendar_cards as cc
from dialogs.card_update import polite_card, rebuild
from storage.qa_calendar import COMING, NOT_COMING

TITLE = "QA calendar"


def _actor(p: Press) -> int | None:
    return p.actor.id if p.actor else None


async def _answer(p: Press, value: str) -> Reply:
    event_id = positive_id(p.data.get("event_id"))
    if event_id is None:
        return Reply(text=UNREADABLE)
    outcome = await flow.answer(p.ctx, _actor(p), event_id, value, now=p.now, via=f"card:{p.verb}")
    ids = {"event_id": event_id}
    if outcome.reminder is None:
        return Reply(card=polite_card(p.rows, ids, outcome.message, TITLE))
    new_card = cc.calendar_reminder_card(outcome.reminder)
    shown: dict[int, dict] = {}
    rebuilt = rebuild(p.rows, ids, lambda _content, _ids: new_card, shown)
    if rebuilt is not None:
        return Reply(card=rebuilt, update=True, shown=shown)
    return Reply(card=new_card, update=True)


async def coming(p: Press) -> Reply:
    return await _answer(p, COMING)


async def not_coming(p: Press) -> Reply:
    return await _answer(p, NOT_COMING)


def _chosen(value: object) -> list[int] | None:
    """The person ids of a multi-select ("12,15"), or None when one is not an id."""
    if value is None or value == "":
        return []
    if not isinstance(value, str):
        return None
    ids = [positive_id(part.strip()) for part in value.split(",") if part.strip()]
    return None if any(i is None for i in ids) else [i for i in ids if i is not None]


async def attendance(p: Press) -> Reply:
    event_id = positive_id(p.data.get("event_id"))
    chosen = _chosen(p.data.get(cc.attended_input(event_id))) if event_id is not None else None
    if event_id is None or chosen is None:
        return Reply(text=UNREADABLE)
    outcome = await flow.mark_attendance(p.ctx, _actor(p), event_id, chosen, now=p.now,
                                         via="card:calendar-organiser")
    if outcome.status == Status.DONE and outcome.organiser is not None:
        return Reply(card=cc.organiser_card(outcome.organiser), update=True)
    return Reply(text=outcome.message)
