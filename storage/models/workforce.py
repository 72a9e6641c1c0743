"""The workforce duties (framework 9.2 and 9.1's ASYE year): what was held, by date only.

One row per thing held for one person in one period: an ASYE review point (`kind` one of
qa.workforce.ASYE_POINTS, `period` the ASYE start as YYYY-MM-DD, so a new ASYE start begins afresh).
No content: the reviews themselves are kept in the council's own records.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class WorkforceRecord(Base):
    """Something held for a person (an ASYE review): the day only, who recorded it and when."""

    __tablename__ = "workforce_records"
    __table_args__ = (UniqueConstraint("person_id", "kind", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    period: Mapped[str] = mapped_column(String(10))  # the ASYE start (YYYY-MM-DD)
    held_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    recorded_at: Mapped[datetime]
