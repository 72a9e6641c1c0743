"""Observation action plans carried into supervision (framework section 11).

An observation's action plan is reviewed in the supervisee's next 1:1: while a plan is open (no
supervision has recorded it as reviewed), the supervisor's digest line for that supervisee's 1:1 is
followed by "Review the observation action plan of <day>". The line goes with the 1:1 (due within two
working days, today or overdue), not every morning: a plan recorded a month before the next 1:1 does not
bring the supervisor a digest each day. Recording the 1:1 with "Observation action plan of <day>
reviewed" ticked (flow.record) marks the plan reviewed, and the line is gone from the next digest.

The seam is storage.observations (`open_observation_plans`, `mark_plan_reviewed`): plain queries, so
supervision does not reach into the observations capability.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.supervision.duties import ExtraLines
from capabilities.supervision.plan import supervisee_lines
from dialogs.supervision_cards import Line, LineKey, plan_review_words
from qa.calendar import WorkingCalendar
from qa.supervision import ONE_TO_ONE, Cadences
from storage.observations import open_observation_plans
from storage.supervision import Board

CHUNK = 500  # supervisee ids per query (SQLite's bound-parameter limit)


async def open_plans(session: AsyncSession, supervisee_ids: Iterable[int]) -> dict[int, list[date]]:
    """supervisee id -> open plans' observation days, oldest first (read in chunks)."""
    ids = sorted(set(supervisee_ids))
    plans: dict[int, list[date]] = {}
    for start in range(0, len(ids), CHUNK):
        plans.update(await open_observation_plans(session, ids[start:start + CHUNK]))
    return plans


def plan_lines(cal: WorkingCalendar, cadences: Cadences) -> ExtraLines:
    """The provider SupervisionMorningDuty(extra=[...]) calls each morning (see the module notes)."""
    async def provider(session: AsyncSession, board: Board, day: date) -> Mapping[int, Sequence[Line]]:
        out: dict[int, list[Line]] = {}
        for supervisee_id, days in (await open_plans(session, board.facts)).items():
            staff = board.staff.get(supervisee_id)
            if staff is None:
                continue
            if not any(line.kind == ONE_TO_ONE for line in supervisee_lines(board, staff, day, cal, cadences)):
                continue
            out[supervisee_id] = [Line(LineKey.plan(supervisee_id, d), ONE_TO_ONE, None, "", recordable=False,
                                       words=plan_review_words(d)) for d in days if d <= day]
        return {k: v for k, v in out.items() if v}
    return provider
