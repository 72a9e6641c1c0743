"""Queries for observations of practice, feedback entries and floor walks.

Who supervises whom is the roster's `supervisor_email`; "up the line" follows it upwards.
`open_observation_plans` and `mark_plan_reviewed` are what supervision needs: an observation's
action plan is reviewed in supervision (framework section 11).
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from qa.calendar import WorkingCalendar
from qa.observations import FAMILY_VIEW, FAMILY_VIEW_WORKING_DAYS
from storage import follow_ups
from storage.models import Allocation, FeedbackEntry, FloorWalk, Observation, Person


async def active_people(session: AsyncSession) -> list[Person]:
    return list((await session.scalars(select(Person).where(Person.left_at.is_(None))
                                       .order_by(Person.display_name, Person.id))).all())


async def supervisees_of(session: AsyncSession, manager: Person) -> list[Person]:
    """The active people whose supervisor on the roster is `manager`, by name."""
    return list((await session.scalars(
        select(Person).where(Person.supervisor_email == manager.email, Person.left_at.is_(None), Person.id != manager.id)
        .order_by(Person.display_name, Person.id))).all())


async def last_observed(session: AsyncSession, supervisee_ids: Sequence[int], *,
                        observer_id: int | None = None) -> dict[int, date]:
    """supervisee id -> the date of their latest observation (by `observer_id` if given)."""
    if not supervisee_ids:
        return {}
    query = (select(Observation.supervisee_id, func.max(Observation.observed_on))
             .where(Observation.supervisee_id.in_(list(supervisee_ids))).group_by(Observation.supervisee_id))
    if observer_id is not None:
        query = query.where(Observation.observer_id == observer_id)
    return {sid: on for sid, on in (await session.execute(query)).all()}


async def coverage_groups(session: AsyncSession, observed_from: date, among: Collection[str] | None = None
                          ) -> list[tuple[str, str, int, int]]:
    """The active people with a supervisor on the roster, counted in SQL by service areas (as the roster
    holds them) and team: (service areas, team, people, of them observed by anyone on or after
    `observed_from`: qa.observations.observed_from). `among` (service areas): only the people whose service
    areas' text contains one of them (a superset of those in them: the caller matches areas exactly)."""
    latest = (select(Observation.supervisee_id.label("pid"), func.max(Observation.observed_on).label("on"))
              .group_by(Observation.supervisee_id).subquery())
    observed = func.sum(case((latest.c.on >= observed_from, 1), else_=0))
    query = (select(Person.service_area, Person.team, func.count(), observed)
             .outerjoin(latest, latest.c.pid == Person.id)
             .where(Person.left_at.is_(None), Person.supervisor_email.is_not(None), Person.supervisor_email != "")
             .group_by(Person.service_area, Person.team))
    if among is not None:
        query = query.where(or_(*(Person.service_area.contains(area, autoescape=True) for area in among)))
    conn = await session.connection()  # Core rows: a row per team and areas, thousands for the whole service
    return [(areas, team, people, int(seen or 0)) for areas, team, people, seen in (await conn.execute(query)).all()]


async def supervisors_up_the_line(session: AsyncSession, person: Person) -> list[Person]:
    """`person`'s supervisor, theirs, and so on up the roster (active or not; stops on a loop)."""
    found: list[Person] = []
    seen = {person.id}
    email = person.supervisor_email
    while email:
        above = (await session.scalars(select(Person).where(Person.email == email))).first()
        if above is None or above.id in seen:
            break
        found.append(above)
        seen.add(above.id)
        email = above.supervisor_email
    return found


async def open_observation_plans(session: AsyncSession, supervisee_ids: Iterable[int]) -> dict[int, list[date]]:
    """For supervision's digest: supervisee id -> the dates of their observations whose action plan
    no supervision has recorded as reviewed yet, oldest first. Supervisees with none are absent."""
    ids = list(supervisee_ids)
    if not ids:
        return {}
    rows = (await session.execute(
        select(Observation.supervisee_id, Observation.observed_on)
        .where(Observation.supervisee_id.in_(ids), Observation.plan_reviewed_at.is_(None))
        .order_by(Observation.supervisee_id, Observation.observed_on, Observation.id))).all()
    plans: dict[int, list[date]] = {}
    for sid, on in rows:
        plans.setdefault(sid, []).append(on)
    return plans


async def mark_plan_reviewed(session: AsyncSession, supervisee_id: int, observed_on: date, *, reviewer_id: int | None,
                             now: datetime) -> int:
    """A supervision session reviewed the action plan of `supervisee_id`'s observation of
    `observed_on`: the open plans of that date are marked reviewed. Returns how many (0 when none
    was open: reviewing twice changes nothing). In the caller's transaction."""
    rows = (await session.scalars(select(Observation).where(
        Observation.supervisee_id == supervisee_id, Observation.observed_on == observed_on,
        Observation.plan_reviewed_at.is_(None)))).all()
    for row in rows:
        row.plan_reviewed_at = now
        row.plan_reviewed_by_id = reviewer_id
    return len(rows)


async def service_areas(session: AsyncSession) -> list[str]:
    """Every service area named on the roster (active people), sorted."""
    areas = set()
    for value in (await session.scalars(select(Person.service_area).where(Person.left_at.is_(None)))).all():
        areas.update(a.strip() for a in value.split(";") if a.strip())
    return sorted(areas)


async def teams_in(session: AsyncSession, area: str | None) -> list[str]:
    """The teams of the active people of `area` (every team when None), sorted."""
    teams = set()
    for person in await active_people(session):
        if person.team and (area is None or area in person.service_areas):
            teams.add(person.team)
    return sorted(teams)


async def feedback_between(session: AsyncSession, start: datetime, end: datetime) -> list[FeedbackEntry]:
    """Feedback entries recorded in [start, end), oldest first."""
    return list((await session.scalars(select(FeedbackEntry).where(
        FeedbackEntry.created_at >= start, FeedbackEntry.created_at < end).order_by(
        FeedbackEntry.created_at, FeedbackEntry.id))).all())


async def walks_between(session: AsyncSession, start: datetime, end: datetime) -> list[FloorWalk]:
    return list((await session.scalars(select(FloorWalk).where(
        FloorWalk.created_at >= start, FloorWalk.created_at < end).order_by(FloorWalk.team, FloorWalk.id))).all())


async def owe_family_view(session: AsyncSession, allocation: Allocation, *, now: datetime,
                          calendar: WorkingCalendar) -> bool:
    """An audit submitted at `now` with "ask the child or family for their views" owes a feedback
    entry for its case (framework 9.4): a reminder at send time FAMILY_VIEW_WORKING_DAYS working
    days later unless one is recorded first. Idempotent (a re-submission after a dispute owes nothing
    more). In the caller's transaction."""
    due_day = calendar.add_working_days(calendar.local_date(now), FAMILY_VIEW_WORKING_DAYS)
    return await follow_ups.owe(session, key=f"{FAMILY_VIEW}:{allocation.id}", kind=FAMILY_VIEW,
                                subject_type="allocation", subject_id=allocation.id,
                                due_at=calendar.at_send_time(due_day), now=now)


async def family_view_recorded(session: AsyncSession, allocation_id: int) -> bool:
    """A feedback entry (or "not possible") is recorded for this audit's case."""
    return (await session.scalar(select(FeedbackEntry.id).where(FeedbackEntry.allocation_id == allocation_id)
                                 .limit(1))) is not None
