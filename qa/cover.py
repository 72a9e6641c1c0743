"""Who receives work addressed to someone who is away or has left (framework section 21,
management and governance: no work waits on someone who is not there).

One rule for every capability: work for person P on day d goes to P, unless P has left (then to
P's manager, the roster's supervisor line) or P is away on d (then to the cover named for that
absence, else P's manager). When that person is away or gone too, the rule goes on to theirs, so
work reaches the first person who is there. With nobody there (no manager on the roster, or a
loop of people covering for each other), it stays with P: it is never dropped.

Pure: people and absences in, a `Route` out. `now` is the caller's (a day in the council's zone).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

AWAY = "away"
LEFT = "left"
MAX_STEPS = 20  # a chain of covers longer than this is a roster mistake; the work stays put


@dataclass(frozen=True)
class Absence:
    """One recorded absence, inclusive of both days; `cover` the person named on the away card (None:
    their manager)."""

    first: date
    last: date
    cover: int | None = None

    def on(self, day: date) -> bool:
        return self.first <= day <= self.last


@dataclass(frozen=True)
class Someone:
    """What the rule needs of one roster person: their manager (supervisor line), whether they have
    left, and their absences."""

    id: int
    manager: int | None = None
    left: bool = False
    absences: tuple[Absence, ...] = ()

    def absence_on(self, day: date) -> Absence | None:
        """The absence covering `day` (the latest begun when several overlap), or None."""
        found = [a for a in self.absences if a.on(day)]
        return max(found, key=lambda a: (a.first, a.last)) if found else None


@dataclass(frozen=True)
class Route:
    """Where work for `person` goes: `to` (== person when they are there) and why (`AWAY`, `LEFT`,
    or "" when it is not moved)."""

    person: int
    to: int
    reason: str = ""

    @property
    def moved(self) -> bool:
        return self.to != self.person


def _next(someone: Someone, day: date) -> tuple[int | None, str] | None:
    """Whom `someone`'s work passes to on `day` and why, or None when they are there."""
    if someone.left:
        return someone.manager, LEFT
    absence = someone.absence_on(day)
    if absence is None:
        return None
    return (absence.cover if absence.cover is not None else someone.manager), AWAY


def receiver(person_id: int, day: date, people: Mapping[int, Someone]) -> Route:
    """Who receives work addressed to `person_id` on `day` (see the module notes). A person not in
    `people` is taken to be there."""
    first = people.get(person_id)
    if first is None:
        return Route(person_id, person_id)
    step = _next(first, day)
    if step is None:
        return Route(person_id, person_id)
    reason = step[1]
    seen = {person_id}
    current: int | None = step[0]
    for _ in range(MAX_STEPS):
        if current is None or current in seen:
            break
        seen.add(current)
        someone = people.get(current)
        further = _next(someone, day) if someone is not None else None
        if further is None:
            return Route(person_id, current, reason)
        current = further[0]
    return Route(person_id, person_id)  # nobody there: the work stays where it was addressed


def covered_by(cover_id: int, day: date, people: Mapping[int, Someone]) -> list[int]:
    """The people whose work goes to `cover_id` on `day` (by id): those the cover may act for."""
    return sorted(pid for pid in people if pid != cover_id and receiver(pid, day, people).to == cover_id)


def returning(absences: Iterable[tuple[int, Absence]], day: date, previous_working_day: date) -> list[tuple[int, Absence]]:
    """The absences that ended since the last working morning: (person, absence) whose last day is in
    [previous_working_day, day) — the person is back on `day` (a working day). One per person: the
    latest ended."""
    ended: dict[int, Absence] = {}
    for pid, a in absences:
        if previous_working_day <= a.last < day and (pid not in ended or a.last > ended[pid].last):
            ended[pid] = a
    return sorted(ended.items())


def starting(absences: Iterable[tuple[int, Absence]], day: date, previous_working_day: date) -> list[tuple[int, Absence]]:
    """The absences begun since the last working morning and still running on `day`: whose first day is in
    (previous_working_day, day]. Their open work is handed to the cover that morning."""
    return sorted({(pid, a) for pid, a in absences if previous_working_day < a.first <= day and a.on(day)},
                  key=lambda x: (x[0], x[1].first))
