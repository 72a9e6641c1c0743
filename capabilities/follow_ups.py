"""Follow-ups with a due date, the general mechanism: "this record owes something by this moment".

A use case owes a follow-up in the same transaction as its cause (storage.follow_ups.owe); a
`FollowUpDuty` sends what is owed once it is due, inside working hours, and settles each
follow-up once: done, cancelled (the record moved on) or superseded. The audit cycle's late
allocation notice is the first user (capabilities/audit_cycle/duties.py); escalation updates
(3 working days, 1 week), re-audits after a month, supervision due dates and broadcast chasers
are written the same way.

The duty looks once per SLOT of each working day's send window (qa.cadence.SendWindowSlots: a
slot's key is its UTC start), so duty_runs grows by dozens of rows a day, not one a minute; only
the latest slot is offered, and one run takes every follow-up due by the time it runs (a slot
stands for "what is owed now", so a run late in its slot does not leave what fell due meanwhile).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.duties import Occurrence
from qa import cadence
from qa.calendar import WorkingCalendar
from storage import follow_ups
from storage.models import FollowUp

Settled = dict[str, list[int]]  # state (done, cancelled, superseded) -> follow-up ids


class FollowUpDuty:
    """Base for a duty that settles the open follow-ups of `kinds`. Subclasses say what settling a
    batch sends (`settle`) and may narrow the slots they look at (`looks_at`)."""

    name: str = "follow-ups"
    kinds: tuple[str, ...] = ()
    SLOT = cadence.SLOT

    def __init__(self, cal: WorkingCalendar | None = None, slot: timedelta = SLOT) -> None:
        if not isinstance(slot, timedelta) or slot <= timedelta(0):
            raise ValueError(f"slot must be a positive timedelta, got {slot!r}")
        self.cal = cal or WorkingCalendar()
        self.slot = slot
        self.cadence = cadence.SendWindowSlots(self.cal, slot)

    def latest_slot(self, now: datetime) -> datetime:
        """The start of the latest slot at or before `now` (UTC)."""
        return self.cadence.latest(now).due_at

    def looks_at(self, slot: datetime) -> bool:
        """Whether the slot starting at `slot` is worth a run (pure; default: every slot)."""
        return True

    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        slot = self.cadence.latest(now)
        if self.looks_at(slot.due_at):
            yield slot

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        owed = await follow_ups.due(session, self.kinds, now)
        if not owed:
            return
        # Due at the slot when run on its day inside the window, else at the next send moment.
        due_at = self.cal.send_time_for(occurrence.due_at, now)
        settled = await self.settle(session, owed, occurrence.due_at, due_at, now)
        for state, ids in settled.items():
            await follow_ups.settle(session, ids, state, now)

    async def settle(self, session: AsyncSession, owed: Sequence[FollowUp], slot: datetime, due_at: datetime,
                     now: datetime) -> Settled:
        """Write what `owed` (open, due) causes, its outbox rows due at `due_at`; return how each settled.
        Any follow-up left out stays open and is offered again at the next slot."""
        raise NotImplementedError
