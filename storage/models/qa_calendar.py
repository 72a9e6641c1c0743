"""The QA calendar: practice weeks, forums, survey windows, and who said they would come and who came."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class CalendarEvent(Base):
    """One row of the QA calendar (framework 9.3's audit schedule table): a practice week, a forum,
    a survey window... `audience` holds qa.audience terms ("" for everyone). `starts_at`/`ends_at` are local
    times of day (QA_TIMEZONE) on the event's days, when the schedule gives them (forums 15:00-17:00);
    `organiser_id` is who sees the answers and marks attendance (none: the QA unit)."""

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
    starts_at: Mapped[time | None] = mapped_column(Time, nullable=True)
    ends_at: Mapped[time | None] = mapped_column(Time, nullable=True)
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)


class CalendarResponse(Base):
    """One person's answer to a reminded event (**I'll be there** / **Can't make it**) and, once the organiser
    marked it, whether they attended: per person, for their learning record. No free text."""

    __tablename__ = "calendar_responses"
    __table_args__ = (UniqueConstraint("event_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("calendar_events.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    answer: Mapped[str | None] = mapped_column(String(20), nullable=True)  # "coming", "not_coming"; None: none
    answered_at: Mapped[datetime | None] = mapped_column(nullable=True)
    attended: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # None: not marked
    attendance_marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    attendance_marked_at: Mapped[datetime | None] = mapped_column(nullable=True)
