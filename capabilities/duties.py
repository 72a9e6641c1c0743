"""What a duty is, for the sweep (scheduler/sweep.py): a rule that says which occurrences are due at `now`,
and how to turn one occurrence into outbox rows.

`occurrences` is pure (no I/O, no clock): it names the duty's cadence (qa/cadence.py) and how far back
it looks. `run` writes inside the sweep's transaction, so a duty's rows and the sweep's DutyRun record
commit together, and computes for `occurrence.due_at` (the moment it was due), not for `now`: a duty
run late (the bot was down) does what was due then, its messages going at the next send moment.
Only the sweep records what ran; a duty never writes DutyRun.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from qa.cadence import Occurrence

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["Duty", "Occurrence", "SplitsOccurrences"]


class Duty(Protocol):
    name: str

    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        """Occurrences whose time has come by `now` (the duty chooses how far back to look)."""

    async def run(self, session: "AsyncSession", occurrence: Occurrence, now: datetime) -> None:
        """Write what this occurrence causes (outbox rows, state) in `session`, for `occurrence.due_at`."""


@runtime_checkable
class SplitsOccurrences(Protocol):
    """A duty whose occurrence stands for several found in stored data (the practice weeks of the QA
    calendar seen on a morning): the sweep records each part under its own key and calls `run` with
    each part not yet run, so a part seen by several occurrences runs once."""

    async def parts(self, session: "AsyncSession", occurrence: Occurrence, now: datetime) -> Iterable[Occurrence]:
        """The parts due at `occurrence.due_at` (pure of writes; keys unlike the cadence's own)."""
