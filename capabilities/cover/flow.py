"""Cover's use cases on the kit (framework section 21): `who_covers` (everyone away today, their cover and
what went to them) and `change_cover` (the QA unit names another cover for someone away today). Each
re-checks on the server that the asker is the QA unit."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from capabilities.context import Context
from capabilities.cover import access, handover
from capabilities.kit import NOTHING_CHANGED, Outcome, Status, look, refuse, unit, use_case
from dialogs import cover_cards as cc
from qa.cover import receiver
from storage import cover as store
from storage.models import AwayPeriod

ONLY_QA = "Seeing and changing who covers is for the QA unit. " + NOTHING_CHANGED
COVER_CHANGED = "cover_changed"  # trail action


@dataclass
class CoverOutcome(Outcome):
    view: cc.WhoCoversView | None = None


async def _view(act, *, done: str | None = None, problem: str | None = None) -> cc.WhoCoversView:
    day = act.calendar.local_date(act.now)
    periods = await store.away_on(act.session, day)
    people = await store.directory(act.session, day)
    latest: dict[int, AwayPeriod] = {}
    for p in periods:
        latest[p.person_id] = p  # ordered by start: the latest begun wins, as in qa.cover
    names = await store.names(act.session, set(latest) | {receiver(pid, day, people).to for pid in latest})
    lines = []
    for pid, p in sorted(latest.items(), key=lambda kv: names.get(kv[0], "").casefold()):
        route = receiver(pid, day, people)
        since = datetime.combine(p.first_day, time(0), tzinfo=act.calendar.tz)
        routed = cc.kinds_counted([c.kind for c in await store.covered_since(act.session, since, [pid])])
        lines.append(cc.AwayLine(pid, names.get(pid, ""), p.first_day, p.last_day,
                                 names.get(route.to, "") if route.moved else "nobody (it stays with them)",
                                 p.cover_id is not None, routed))
    return cc.WhoCoversView(day, tuple(lines), done, problem)


@use_case(CoverOutcome)
async def who_covers(ctx: Context, actor_id: int | None, *, now: datetime, via: str) -> CoverOutcome:
    """`who covers`: the QA unit's view (nothing is written)."""
    async with look(ctx, actor_id, now=now, via=via) as act:
        if not access.may_manage_cover(act.actor):
            refuse(ONLY_QA)
        return CoverOutcome(Status.UNCHANGED, view=await _view(act))


@use_case(CoverOutcome)
async def change_cover(ctx: Context, actor_id: int | None, person_id: int | None, cover_email: str, *,
                       now: datetime, via: str) -> CoverOutcome:
    """The QA unit names `cover_email` (empty: their manager) as cover for `person_id`, away today; their
    open work is handed to the new cover at once. A problem with the input comes back on the card."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        if not access.may_manage_cover(act.actor):
            refuse(ONLY_QA)
        day = act.calendar.local_date(now)
        periods = [p for p in await store.away_on(act.session, day) if p.person_id == person_id]
        if not periods:
            return CoverOutcome(Status.INVALID, "Choose someone away today.",
                                view=await _view(act, problem="Choose someone away today. " + NOTHING_CHANGED))
        cover, problem = await handover.named_cover(act.session, cover_email, person_id)
        if problem:
            return CoverOutcome(Status.INVALID, problem, view=await _view(act, problem=problem + " " + NOTHING_CHANGED))
        period = await act.lock(AwayPeriod, periods[-1].id, missing="That absence is gone. " + NOTHING_CHANGED)
        period.cover_id = cover.id if cover else None
        await act.session.flush()
        act.trail("person", person_id, COVER_CHANGED, cover=period.cover_id)
        await handover.hand_over(act.session, person_id, now=now, day=day, via=via)
        names = await store.names(act.session, {person_id})
        who = cover.display_name if cover else "their manager"
        return CoverOutcome(Status.DONE, view=await _view(
            act, done=f"Cover changed: {who} covers {names.get(person_id, '')} from now."))
