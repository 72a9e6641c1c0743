"""Induction (framework 9.2): each new starter's plan, one row per element, dates and ticks only.

`started_on` is the start the plan counts from (the roster's start_date, or the day their manager marked them);
`target_on` the element's target date (qa/induction.py); `signed_off_at` when the starter signed it off and
`confirmed_at`/`confirmed_by_id` when and by whom their manager confirmed it. Nothing about how it went: the
element's title comes from the council's plan (the definition file), kept by its id.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class InductionElement(Base):
    """One element of one starter's induction plan."""

    __tablename__ = "induction_elements"
    __table_args__ = (UniqueConstraint("person_id", "started_on", "element_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    started_on: Mapped[date] = mapped_column(Date)
    element_id: Mapped[str] = mapped_column(String(60))
    target_on: Mapped[date] = mapped_column(Date)
    signed_off_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    created_at: Mapped[datetime]
