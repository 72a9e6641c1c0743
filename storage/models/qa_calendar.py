"""The QA calendar: practice weeks, forums, survey windows."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class CalendarEvent(Base):
    """One row of the QA calendar (framework 9.3's audit schedule table): a practice week, a forum,
    a survey window... `audience` holds qa.audience terms ("" for everyone)."""

    __tablename__ = "calendar_events"
    __table_args__ = (UniqueConstraint("kind", "starts_on", "title"),
                      Index("ix_calendar_events_dates", "starts_on", "ends_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    audience: Mapped[str] = mapped_column(String(1000), default="")
    details: Mapped[str] = mapped_column(Text, default="")
    imported_at: Mapped[datetime]
    updated_at: Mapped[datetime]
