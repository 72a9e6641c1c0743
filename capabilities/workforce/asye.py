"""ASYE review points (framework 9.1's assessed and supported year in employment; rules in qa/workforce.py):
each ASYE's points as of a day, read in two queries, for the supervisor's digest, the overdue notices, the
principal social worker's cohort and `workforce status`.

The digest seam: `digest_lines` is a provider for supervision's morning (SupervisionMorningDuty(extra=...)),
as observation action plans are: an ASYE's open points due within two working days, today or overdue follow
their supervision lines in their supervisor's digest, each with "Held today". It reads only storage, so this
capability never imports supervision's.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.supervision_cards import Line
from dialogs.workforce_cards import asye_line
from qa.calendar import WorkingCalendar
from qa.workforce import ASYE_POINTS, PointStatus, asye_digest_points, asye_points
from storage.supervision import Board
from storage.workforce import StaffMember, held, workforce


def period(start: date) -> str:
    """The period an ASYE's records are kept under: their ASYE start (a new start begins afresh)."""
    return start.isoformat()


@dataclass(frozen=True)
class AsyeStatus:
    person: StaffMember
    points: list[PointStatus]


async def held_points(session: AsyncSession, people: Sequence[StaffMember]) -> dict[int, dict[str, date]]:
    """person id -> {point: day held} for each ASYE's current ASYE start."""
    found = await held(session, [p.id for p in people], ASYE_POINTS)
    return {p.id: {kind: day for (kind, per), day in found.get(p.id, {}).items()
                   if p.asye_start is not None and per == period(p.asye_start)} for p in people}


async def cohort(session: AsyncSession, today: date, cal: WorkingCalendar,
                 staff: Mapping[int, StaffMember] | None = None) -> list[AsyeStatus]:
    """Every active ASYE (the roster's asye_start_date) with their points as of `today`, by team and name."""
    staff = staff if staff is not None else await workforce(session, cal.tz)
    asyes = [s for s in staff.values() if s.asye_start is not None]
    done = await held_points(session, asyes)
    out = [AsyeStatus(s, asye_points(s.asye_start, done[s.id], today, cal, on_record_from=s.on_record_from))
           for s in asyes if s.asye_start is not None]
    return sorted(out, key=lambda a: (a.person.team.casefold(), a.person.name.casefold()))


def digest_lines(cal: WorkingCalendar):
    """The provider SupervisionMorningDuty(extra=[...]) calls each morning (see the module notes)."""
    async def provider(session: AsyncSession, board: Board, day: date) -> Mapping[int, Sequence[Line]]:
        staff = await workforce(session, cal.tz)
        asyes = [staff[i] for i in board.facts if i in staff and staff[i].asye_start is not None]
        done = await held_points(session, asyes)
        out: dict[int, list[Line]] = {}
        for s in asyes:
            assert s.asye_start is not None
            points = asye_digest_points(s.asye_start, done[s.id], day, cal, on_record_from=s.on_record_from)
            if points:
                out[s.id] = [asye_line(s.id, p.point, p.due, p.standing) for p in points]
        return out
    return provider
