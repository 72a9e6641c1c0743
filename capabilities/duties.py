"""What a duty is, for the sweep (scheduler/sweep.py): a rule that says which occurrences are due at `now`,
and how to turn one occurrence into outbox rows.

`occurrences` is pure (no I/O, no clock): the framework's calendar lives there. `run`
writes inside the sweep's transaction, so a duty's rows and its DutyRun record commit together.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class Occurrence:
    key: str  # unique within the duty, e.g. "2026-12" or "2026-12:reminder-7d"
    due_at: datetime


class Duty(Protocol):
    name: str

    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        """Occurrences whose time has come by `now` (the duty chooses how far back to look)."""

    async def run(self, session: "AsyncSession", occurrence: Occurrence, now: datetime) -> None:
        """Write what this occurrence causes (outbox rows, state) in `session`."""
