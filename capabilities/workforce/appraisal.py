"""Annual appraisal (framework 9.2: "Appraisals must be undertaken annually"; rules in qa/workforce.py): each
supervisee's next appraisal due, read in two queries, for their manager's digest and the monthly compliance.

The manager is the supervisor the roster names: a supervisee's appraisal due within two working days, today or
overdue is a line in the supervisor's supervision digest (`digest_lines`, a provider for supervision's morning,
as ASYE review points are), with "Held today" (date only). `team_figures` gives each team's appraisals in date
at a day, set beside supervision compliance (capabilities/supervision/compliance.py)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.workforce import config
from dialogs.supervision_cards import Line
from dialogs.workforce_cards import appraisal_line
from qa.calendar import WorkingCalendar
from qa.supervision import LATER, standing
from qa.workforce import APPRAISAL, appraisal_due, appraisal_in_date
from storage.supervision import Board
from storage.workforce import StaffMember, held, workforce


async def last_appraisals(session: AsyncSession, ids: Iterable[int]) -> dict[int, date]:
    """person id -> the day of their last appraisal recorded (absent: none)."""
    found = await held(session, ids, [APPRAISAL])
    return {pid: max(days.values()) for pid, days in found.items() if days}


def due_for(s: StaffMember, last: Mapping[int, date], cal: WorkingCalendar,
            window: tuple[int, int] | None) -> date:
    return appraisal_due(last.get(s.id), s.start_date, s.on_record_from, cal, window)


def digest_lines(cal: WorkingCalendar, window: tuple[int, int] | None = None):
    """The provider SupervisionMorningDuty(extra=[...]) calls each morning (see the module notes)."""
    async def provider(session: AsyncSession, board: Board, day: date) -> Mapping[int, Sequence[Line]]:
        staff = await workforce(session, cal.tz)
        people = [staff[i] for i in board.facts if i in staff]
        last = await last_appraisals(session, [p.id for p in people])
        out: dict[int, list[Line]] = {}
        for s in people:
            due = due_for(s, last, cal, window)
            where = standing(due, day, cal)
            if where != LATER:
                out[s.id] = [appraisal_line(s.id, due, where)]
        return out
    return provider


async def team_figures(session: AsyncSession, as_of: date, cal: WorkingCalendar,
                       window: tuple[int, int] | None = None) -> dict[str, tuple[int, int]]:
    """team -> (appraisals in date on `as_of`, people with a manager on the roster who had joined by then)."""
    staff = await workforce(session, cal.tz)
    people = [s for s in staff.values() if s.supervisor_id is not None
              and (s.start_date is None or s.start_date <= as_of)]
    last = await last_appraisals(session, [p.id for p in people])
    out: dict[str, list[int]] = {}
    for s in people:
        pair = out.setdefault(s.team, [0, 0])
        pair[0] += appraisal_in_date(due_for(s, last, cal, window), as_of)
        pair[1] += 1
    return {team: (a, b) for team, (a, b) in out.items()}


def window() -> tuple[int, int] | None:
    return config.appraisal_window_end()
