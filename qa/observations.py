"""Observation of practice, walking the floor and feedback: the framework's words and rules.

Sections 11 (observation of front-line practice and supervision), 9.4 (views of children, young
people and families), 14 (complaints and compliments) and 6 (feedback from staff and partners).
Pure: no SQL, no Teams; dates and instants are passed in.

- Each manager observes each supervisee at least once in every twelve months (section 11):
  `observation_due(last, today)` and `not_observed(...)` (most overdue first).
- Quarterly practice weeks are "the ideal time": the weeks are the QA calendar's practice_week
  events (their start and end dates, read by the caller), and `practice_week_moments(...)` /
  `due_practice_week_moments(...)` say when the start-of-week list and the end-of-week coverage go out.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from qa.calendar import WorkingCalendar
from qa.framework import Role

# Who may observe (section 11). The team managers of conference chairs and IROs observe too; the
# roster gains the roles `iro`/`cp_chair` with the supervision issue, and their managers are
# practice managers or service leads on the roster meanwhile.
OBSERVER_ROLES = frozenset({Role.PRACTICE_MANAGER, Role.SERVICE_LEAD, Role.HEAD_OF_SERVICE, Role.DEPUTY_DIRECTOR})
# Senior managers may observe anyone on the roster, and walk the floor.
SENIOR_ROLES = frozenset({Role.SERVICE_LEAD, Role.HEAD_OF_SERVICE, Role.DEPUTY_DIRECTOR})

AREAS = (
    "1:1 work with children",
    "Interview with parents or carers",
    "Core group meeting",
    "Child protection conference",
    "Children looked after (CLA) review",
    "Supervision (a manager observed)",
)

FEEDBACK_SOURCES = ("Child or young person", "Parent or carer", "Professional or partner agency", "Staff member")
# How the feedback reached us (the channel) and what kind it is are asked apart: a complaint can come
# by letter or in conversation. Entries recorded before they were asked apart kept a complaint or a
# compliment as how it was given; migration 0013 moved it to the kind and the channel to "Not recorded".
HOW_GIVEN = ("Conversation", "Phone call", "Letter or email", "Survey", "At a meeting or review")
COMPLAINT, COMPLIMENT, COMMENT = "Complaint", "Compliment", "Comment or suggestion"
FEEDBACK_KINDS = (COMPLAINT, COMPLIMENT, COMMENT)
# How the person felt about the help they got: 1 (very unhappy) to 5 (very happy).
RATINGS = ("1 Very unhappy", "2 Unhappy", "3 Neither", "4 Happy", "5 Very happy")
NO_RATING = "No rating"

WALK_THEMES = ("Relationships", "Workload", "Supervision", "Recording", "Wellbeing", "Practice framework", "Other")

YEAR = timedelta(days=365)
MAX_TEXT = 2000  # characters in one typed answer
MAX_ACTIONS = 10  # actions in one action plan
FAMILY_VIEW_WORKING_DAYS = 10  # an auditor owes the family's view this long after submitting (9.4)
FAMILY_VIEW = "family-view"  # the follow-up an audit that asked for the family's view owes


def observation_due(last: date | None, today: date) -> bool:
    """True when someone last observed on `last` (None: never) is due an observation on `today`
    (local dates): never observed, or not in the twelve months (365 days) up to today."""
    return last is None or last < observed_from(today)


def observed_from(today: date) -> date:
    """The earliest day an observation still counts on `today` (local dates): one on or after it is in the
    twelve months (365 days) up to today, so whoever has one is not due (`observation_due`)."""
    return today - YEAR + timedelta(days=1)


def rating_value(choice: str | None) -> int | None:
    """1..5 for a RATINGS choice, None for NO_RATING or None; ValueError for anything else."""
    if choice is None or choice == NO_RATING:
        return None
    if choice not in RATINGS:
        raise ValueError(f"not a rating: {choice!r}")
    return RATINGS.index(choice) + 1


@dataclass(frozen=True)
class Supervisee:
    id: int
    name: str
    last_observed: date | None


def not_observed(supervisees: Iterable[Supervisee], today: date) -> list[Supervisee]:
    """The supervisees due an observation on `today`, most overdue first (never observed first,
    then the oldest last observation; by name within a tie)."""
    due = [s for s in supervisees if observation_due(s.last_observed, today)]
    return sorted(due, key=lambda s: (s.last_observed or date.min, s.name.casefold(), s.id))


def most_overdue_first(supervisees: Iterable[Supervisee]) -> list[Supervisee]:
    """Everyone, most overdue first: never observed, then the oldest last observation."""
    return sorted(supervisees, key=lambda s: (s.last_observed or date.min, s.name.casefold(), s.id))


@dataclass(frozen=True)
class PracticeWeekMoment:
    week: date  # the practice week's start date (local)
    what: str  # "start" (managers' lists) or "end" (the QA unit's coverage)
    at: datetime  # when it is sent (UTC)

    @property
    def key(self) -> str:
        return f"{self.week.isoformat()}:{self.what}"


def practice_week_moments(weeks: Iterable[tuple[date, date]], cal: WorkingCalendar) -> list[PracticeWeekMoment]:
    """For each practice week (first day, last day; local dates, inclusive, as the QA calendar has
    them): the start list at send time on its first working day (on or after the first day) and the
    coverage at send time on its last working day (on or before the last day; if the week has no
    working day, both on the next working day). Weeks with the same first day are one week (the
    latest last day); earliest first."""
    ends: dict[date, date] = {}
    for first_day, last_day in weeks:
        if last_day < first_day:
            raise ValueError(f"a practice week ends ({last_day}) before it starts ({first_day})")
        ends[first_day] = max(last_day, ends.get(first_day, last_day))
    moments = []
    for week, last_day in sorted(ends.items()):
        first = cal.next_working_day(week, include_self=True)
        last = cal.previous_working_day(last_day, include_self=True)
        if last < first:
            last = first
        moments.append(PracticeWeekMoment(week, "start", cal.at_send_time(first)))
        moments.append(PracticeWeekMoment(week, "end", cal.at_send_time(last)))
    return moments


def due_practice_week_moments(weeks: Iterable[tuple[date, date]], cal: WorkingCalendar, now: datetime,
                              lookback: timedelta = timedelta(days=7)) -> list[PracticeWeekMoment]:
    """The moments come by `now` (aware) and no older than `lookback` (so a bot started late in a
    week still sends the week's list, but not last quarter's)."""
    return [m for m in practice_week_moments(weeks, cal) if m.at <= now < m.at + lookback]


def coverage(observed: Mapping[str, tuple[int, int]]) -> list[tuple[str, int, int, int]]:
    """(team, observed in 12 months, people, percent) per team from team -> (observed, people),
    sorted by team; percent rounds down, 0 for a team of nobody."""
    return [(team, seen, total, (seen * 100 // total) if total else 0)
            for team, (seen, total) in sorted(observed.items())]


def month_bounds(year: int, month: int, tz) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, local midnight in `tz` (aware)."""
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


def digest_moment(year: int, month: int, cal: WorkingCalendar) -> datetime:
    """When the monthly feedback and walk digests for (year, month) go: send time on the first
    working day of the next month (UTC)."""
    first = date(year + (month == 12), month % 12 + 1, 1)
    return cal.at_send_time(cal.next_working_day(first, include_self=True))


def due_digest_month(now: datetime, cal: WorkingCalendar, lookback: timedelta = timedelta(days=7)) -> str | None:
    """The month ("YYYY-MM") whose digests are due at `now`: last month's, from its digest moment
    for `lookback` (a bot started late still sends it); None otherwise."""
    today = cal.local_date(now)
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    at = digest_moment(year, month, cal)
    return f"{year:04d}-{month:02d}" if at <= now < at + lookback else None
