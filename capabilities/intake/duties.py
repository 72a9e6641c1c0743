"""A file sent in chat is not kept past its preview's hour when nobody presses Confirm or Cancel:
each working hour of the send window (qa.cadence SendWindowSlots, hourly), previews still waiting
and older than flow.EXPIRES are marked expired and their upload dropped (storage.previews
expire_waiting), with one trail row for the run (how many; no file names). An upload sent out of
hours is dropped at the next working day's first slot. docs/privacy.md "file_previews".
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.duties import Occurrence
from capabilities.intake.flow import EXPIRES
from qa.cadence import SendWindowSlots
from qa.calendar import WorkingCalendar
from storage import previews
from storage.models import TrailEvent


class ExpiredUploadsDuty:
    """Drops the uploads of previews past EXPIRES at each hourly slot (idempotent: a second run finds none)."""

    name = "file-previews-expired"

    def __init__(self, cal: WorkingCalendar | None = None) -> None:
        self.cadence = SendWindowSlots(cal or WorkingCalendar(), timedelta(hours=1))

    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        yield self.cadence.latest(now)

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        dropped = await previews.expire_waiting(session, now - EXPIRES, now)
        if dropped:
            session.add(TrailEvent(subject_type="file_preview", subject_id=None, actor_id=None,
                                   action="file_previews_expired", via=f"duty:{self.name}",
                                   detail={"previews": dropped}, at=now))
