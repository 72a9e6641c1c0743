"""Audits to discuss in supervision (framework 9.3: the audit discussion "will support the
practitioner/manager to reflect and improve"; 8: practice managers give "staff feedback about the
quality of their work").

When a case holder adds their reflection on an audit's findings, or presses "Talk about this in
supervision" (capabilities/audit_cycle/case_holder.py), their supervisor's digest line for that
supervisee's 1:1 is followed by "Discuss the audit of case <ref>", as observation action plans are
(observation_plans.py, the model). The line goes with the 1:1 (due within two working days, today or
overdue), and is gone once a 1:1 held on or after the day the case holder asked is recorded: that
session is the one that discussed it.

The seam is storage.cycle.audits_to_discuss, a plain query: supervision does not reach into the audit cycle.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.supervision.duties import ExtraLines
from capabilities.supervision.plan import supervisee_lines
from dialogs.supervision_cards import Line, LineKey
from qa.calendar import WorkingCalendar
from qa.supervision import ONE_TO_ONE, Cadences
from storage.cycle import audits_to_discuss
from storage.supervision import Board

CHUNK = 500  # case holder ids per query (SQLite's bound-parameter limit)
KIND = "audit_discussion"


@dataclass(frozen=True)
class AuditLineKey(LineKey):
    """The key of an audit-to-discuss line ("a<supervisee id>-<allocation id>"): a line with no button."""

    allocation_id: int = 0

    @property
    def recordable(self) -> bool:
        return False

    def __str__(self) -> str:
        return f"a{self.person_id}-{self.allocation_id}"


def discuss_words(case_ref: str) -> str:
    """The digest line about an audit to discuss."""
    return f"Discuss the audit of case {case_ref}"


def still_to_discuss(asked: datetime, last_one_to_one: date | None, cal: WorkingCalendar) -> bool:
    """Whether an audit asked about at `asked` (UTC) is still to discuss: no 1:1 held on or after that
    (local) day is recorded."""
    return last_one_to_one is None or last_one_to_one < cal.local_date(asked)


async def _asked(session: AsyncSession, supervisee_ids: Iterable[int]) -> dict[int, list[tuple[int, str, datetime]]]:
    ids = sorted(set(supervisee_ids))
    found: dict[int, list[tuple[int, str, datetime]]] = {}
    for start in range(0, len(ids), CHUNK):
        found.update(await audits_to_discuss(session, ids[start:start + CHUNK]))
    return found


def discussion_lines(cal: WorkingCalendar, cadences: Cadences) -> ExtraLines:
    """The provider SupervisionMorningDuty(extra=[...]) calls each morning (see the module notes)."""
    async def provider(session: AsyncSession, board: Board, day: date) -> Mapping[int, Sequence[Line]]:
        out: dict[int, list[Line]] = {}
        for supervisee_id, asked in (await _asked(session, board.facts)).items():
            staff, facts = board.staff.get(supervisee_id), board.facts.get(supervisee_id)
            if staff is None or facts is None:
                continue
            last = facts.last.get(ONE_TO_ONE)
            lines = [Line(AuditLineKey(supervisee_id, KIND, None, allocation_id), ONE_TO_ONE, None, "",
                          recordable=False, words=discuss_words(ref))
                     for allocation_id, ref, at in asked if still_to_discuss(at, last, cal) and cal.local_date(at) <= day]
            if lines and any(line.kind == ONE_TO_ONE for line in supervisee_lines(board, staff, day, cal, cadences)):
                out[supervisee_id] = lines
        return out
    return provider
