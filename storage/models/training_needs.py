"""Personal development plans (framework 9.2: "All staff have a Personal Development Plan (PDP) as part of their
annual appraisal"), as the training needs analysis reads them: tags and dates.

One row per person per appraisal: the learning topics their manager picked from the council's list (`topics`,
the topic ids of capabilities/workforce/topics.py's definition) and an optional short note of any other learning
need (screened for identifiers, at most 300 characters). Nothing of what the appraisal said: the appraisal and
the plan themselves stay in the council's records.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class PdpPlan(Base):
    """One person's PDP topics at one appraisal (`appraisal_on`, the day it was held): who recorded it, when."""

    __tablename__ = "pdp_plans"
    __table_args__ = (UniqueConstraint("person_id", "appraisal_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    appraisal_on: Mapped[date] = mapped_column(Date)
    topics: Mapped[list] = mapped_column(JSON)  # topic ids, in the list's order
    note: Mapped[str | None] = mapped_column(String(300), nullable=True)  # another learning need, screened
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    recorded_at: Mapped[datetime]
