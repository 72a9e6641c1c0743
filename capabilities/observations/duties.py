"""The duties of observations and feedback:

- `FamilyViewReminderDuty`: an audit that asked for the family's view and has none recorded 10
  working days after submission: the auditor is reminded once (`family-view-reminder`), with
  "Record the family's view" and "Not possible" (framework 9.4).
- `PracticeWeekDuty`: at the start of each practice week (the QA calendar's practice_week events,
  read with storage.qa_calendar.practice_weeks), each manager gets one message listing the supervisees they have not observed in the last twelve months, with an
  Observe button each (`practice-week-list`); at its end the QA unit gets coverage by service area
  and team (`observation-coverage`) on the week's last working day (section 11).
- `MonthlyDigestDuty`: on the first working day of a month, last month's feedback digest to the
  principal social worker and the QA unit (`feedback-digest`) and the walk-the-floor themes by
  team to the QA unit (`walk-digest`); a month with none sends none. A bot that was down sends
  it up to DIGEST_LOOKBACK late.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.duties import Occurrence
from capabilities.follow_ups import FollowUpDuty, Settled
from capabilities.observations import kinds
from capabilities.observations.flow import feedback_view
from dialogs import observation_cards as oc
from dialogs.payload import Payload
from qa.cadence import EachWorkingMorning, FirstWorkingDayOfMonth
from qa.calendar import WorkingCalendar
from qa.framework import Role
from qa.observations import (
    FAMILY_VIEW,
    FEEDBACK_SOURCES,
    OBSERVER_ROLES,
    Supervisee,
    due_practice_week_moments,
    month_bounds,
    not_observed,
    observed_from,
)
from storage import follow_ups
from storage import people as roster
from storage.models import Allocation, Audit, FollowUp
from storage.observations import (
    active_people,
    coverage_groups,
    family_view_recorded,
    feedback_between,
    last_observed,
    supervisees_of,
    walks_between,
)
from storage.outbox import Message, enqueue_many
from storage.qa_calendar import practice_weeks

PRACTICE_WEEK_LOOKBACK = timedelta(days=7)  # a bot started late in a week still sends the week's list
DIGEST_LOOKBACK = timedelta(days=7)  # a bot started late in a month still sends last month's digests


def _month_label(month: str) -> str:
    return date.fromisoformat(f"{month}-01").strftime("%B %Y")


class FamilyViewReminderDuty(FollowUpDuty):
    name = "family-view-reminders"
    kinds = (FAMILY_VIEW,)

    async def settle(self, session: AsyncSession, owed: Sequence[FollowUp], slot: datetime, due_at: datetime,
                     now: datetime) -> Settled:
        settled: Settled = {follow_ups.DONE: [], follow_ups.CANCELLED: []}
        messages = []
        for follow_up in owed:
            allocation = await session.get(Allocation, follow_up.subject_id)
            audit = await session.scalar(select(Audit).where(Audit.allocation_id == allocation.id)) \
                if allocation else None
            if allocation is None or audit is None or await family_view_recorded(session, allocation.id):
                settled[follow_ups.CANCELLED].append(follow_up.id)
                continue
            submitted = (audit.submitted_at or follow_up.created_at).astimezone(self.cal.tz).date()
            owed_view = oc.FamilyViewOwed(allocation.id, allocation.case_ref, submitted)
            summary = f"The family's view for case {allocation.case_ref} is still to record"
            messages.append(Message(f"family-view-reminder:{allocation.id}", kinds.FAMILY_VIEW_REMINDER,
                                    allocation.auditor_id, Payload.of(kinds.FAMILY_VIEW_REMINDER.card(owed_view),
                                                                    summary), due_at))
            settled[follow_ups.DONE].append(follow_up.id)
        await enqueue_many(session, messages, now=now)
        return settled


class PracticeWeekDuty:
    """Each working morning, the QA calendar's practice weeks whose start or end moment
    (qa.observations.practice_week_moments, from the events' own first and last days) came in the
    PRACTICE_WEEK_LOOKBACK before that morning get the managers' lists or the QA unit's coverage.
    Each moment is a part of the morning (capabilities.duties.SplitsOccurrences) keyed
    "<first day>:start" / "<first day>:end", which the sweep records, so it runs once however many
    mornings see it; a week imported late still gets its list."""

    name = "practice-weeks"

    def __init__(self, cal: WorkingCalendar | None = None) -> None:
        self.cal = cal or WorkingCalendar()
        self.cadence = EachWorkingMorning(self.cal)

    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        return self.cadence.today(now)

    async def parts(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> list[Occurrence]:
        """The week moments come by the morning `occurrence`, within the look-back."""
        day = self.cal.local_date(occurrence.due_at)
        # A moment is on or after its week's first day and at most a few holidays after its last day.
        weeks = await practice_weeks(session, (day - PRACTICE_WEEK_LOOKBACK * 3, day))
        return [Occurrence(moment.key, moment.at) for moment in
                due_practice_week_moments(weeks, self.cal, occurrence.due_at, PRACTICE_WEEK_LOOKBACK)]

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        """One week moment (a part): the lists or the coverage as they stood on the moment's day."""
        first_day, _, what = occurrence.key.partition(":")
        week = date.fromisoformat(first_day)
        due_at = self.cal.send_time_for(occurrence.due_at, now)
        day = self.cal.local_date(occurrence.due_at)
        if what == "start":
            messages = await self._lists(session, week, day, due_at)
        else:
            messages = await self._coverage(session, week, day, due_at)
        await enqueue_many(session, messages, now=now)

    async def _lists(self, session: AsyncSession, week: date, today: date, due_at: datetime) -> list[Message]:
        messages = []
        for manager in await roster.active_people(session, OBSERVER_ROLES):
            people = await supervisees_of(session, manager)
            last = await last_observed(session, [p.id for p in people], observer_id=manager.id)
            teams = {p.id: p.team for p in people}
            due = not_observed((Supervisee(p.id, p.display_name, last.get(p.id)) for p in people), today)
            if not due:
                continue
            rows = [oc.DueRow(s.name, teams[s.id], s.last_observed) for s in due]
            summary = f"Practice week: {len(rows)} supervisees not observed by you in the last twelve months"
            messages.append(Message(f"practice-week-list:{week.isoformat()}:{manager.id}", kinds.PRACTICE_WEEK_LIST,
                                    manager.id, Payload.of(kinds.PRACTICE_WEEK_LIST.card(manager.display_name, week,
                                                                                        rows), summary), due_at))
        return messages

    async def _coverage(self, session: AsyncSession, week: date, today: date, due_at: datetime) -> list[Message]:
        rows = await coverage_rows(session, today)
        card = kinds.OBSERVATION_COVERAGE.card(week, rows)
        seen = sum(r.observed for r in rows)
        total = sum(r.people for r in rows)
        summary = f"Observation coverage at the end of the practice week: {seen} of {total} observed in 12 months"
        return [Message(f"observation-coverage:{week.isoformat()}:{person.id}", kinds.OBSERVATION_COVERAGE,
                        person.id, Payload.of(card, summary), due_at)
                for person in await roster.active_people(session, (Role.QA_UNIT,))]


async def coverage_rows(session: AsyncSession, today: date, area: str | None = None) -> list[oc.CoverageRow]:
    """Per service area and team: the active people who have a supervisor on the roster, and how many
    of them were observed (by anyone) in the twelve months up to `today`. `area` keeps one area."""
    if area is None:
        return _coverage(await coverage_groups(session, observed_from(today)), None)
    return await coverage_in(session, today, [area])


async def coverage_in(session: AsyncSession, today: date, areas: Sequence[str]) -> list[oc.CoverageRow]:
    """`coverage_rows` of each of `areas` in turn (a person in two of them counted in each), from one query."""
    groups = await coverage_groups(session, observed_from(today), areas)
    return [row for area in areas for row in _coverage(groups, area)]


def _coverage(groups: Iterable[tuple[str, str, int, int]], area: str | None) -> list[oc.CoverageRow]:
    """The rows from storage.observations.coverage_groups' counts: each person under their first service
    area (or `area`, keeping only the people in it)."""
    counts: dict[tuple[str, str], list[int]] = {}
    for service_area, team, people, observed in groups:
        areas = [a for a in (s.strip() for s in service_area.split(";")) if a] or [""]
        if area is not None and area not in areas:
            continue
        key = (area if area is not None else areas[0], team)
        seen, total = counts.setdefault(key, [0, 0])
        counts[key] = [seen + observed, total + people]
    return [oc.CoverageRow(a, t, seen, total) for (a, t), (seen, total) in sorted(counts.items())]


async def feedback_digest(session: AsyncSession, month: str, tz) -> oc.FeedbackDigest:
    year, number = int(month[:4]), int(month[5:])
    start, end = month_bounds(year, number, tz)
    entries = await feedback_between(session, start, end)
    names = {p.id: p.display_name for p in await active_people(session)}
    views = [feedback_view(e, names.get(e.author_id, "someone who has left")) for e in entries]
    return oc.FeedbackDigest.of(_month_label(month), views, FEEDBACK_SOURCES)


async def walk_rows(session: AsyncSession, month: str, tz) -> list[oc.WalkTeamRow]:
    year, number = int(month[:4]), int(month[5:])
    start, end = month_bounds(year, number, tz)
    by_team: dict[str, list] = {}
    for walk in await walks_between(session, start, end):
        by_team.setdefault(walk.team, []).append(walk)
    rows = []
    for team, walks in sorted(by_team.items()):
        themes = Counter(theme for walk in walks for theme in walk.themes)
        rows.append(oc.WalkTeamRow(team, len(walks), dict(themes.most_common()),
                                   [w.note for w in walks if w.note]))
    return rows


class MonthlyDigestDuty:
    name = "observation-digests"

    def __init__(self, cal: WorkingCalendar | None = None) -> None:
        self.cal = cal or WorkingCalendar()
        self.cadence = FirstWorkingDayOfMonth(self.cal, key_month=-1)  # keyed by the month digested

    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        return self.cadence.between(now - DIGEST_LOOKBACK, now)

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        month = occurrence.key
        due_at = self.cal.send_time_for(occurrence.due_at, now)
        messages = []
        digest = await feedback_digest(session, month, self.cal.tz)
        if digest.entries:
            card = kinds.FEEDBACK_DIGEST.card(digest, self.cal.tz)
            summary = f"Feedback in {digest.month}: {len(digest.entries)} entries"
            for person in await roster.active_people(session, (Role.PRINCIPAL_SOCIAL_WORKER, Role.QA_UNIT)):
                messages.append(Message(f"feedback-digest:{month}:{person.id}", kinds.FEEDBACK_DIGEST, person.id,
                                        Payload.of(card, summary), due_at))
        rows = await walk_rows(session, month, self.cal.tz)
        if rows:
            label = _month_label(month)
            card = kinds.WALK_DIGEST.card(label, rows)
            summary = f"Walking the floor in {label}: {sum(r.walks for r in rows)} walks"
            for person in await roster.active_people(session, (Role.QA_UNIT,)):
                messages.append(Message(f"walk-digest:{month}:{person.id}", kinds.WALK_DIGEST, person.id,
                                        Payload.of(card, summary), due_at))
        await enqueue_many(session, messages, now=now)


def duties(cal: WorkingCalendar) -> list:
    return [FamilyViewReminderDuty(cal), PracticeWeekDuty(cal), MonthlyDigestDuty(cal)]
