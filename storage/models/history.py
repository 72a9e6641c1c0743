"""Audits done before the bot: the QA unit's register of past audits, imported (storage/history.py).

Kept apart from allocations so nothing of the live cycle (notices, reminders, moderation, dip
samples, escalations) ever acts on them; the analysis counts them and the register shows them
marked "Imported". Case references only, never a child's details.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class ImportedAudit(Base):
    """One completed audit from the QA unit's past register: its month and case, where it was,
    who audited it (by name as the file gave it; linked to their person when they are on the roster),
    its grade and the key-area judgements the file knew."""

    __tablename__ = "imported_audits"
    __table_args__ = (UniqueConstraint("month", "case_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    case_ref: Mapped[str] = mapped_column(String(50))
    service_area: Mapped[str] = mapped_column(String(200))
    team: Mapped[str] = mapped_column(String(200))
    # Optional in history: auditors may have left. The roster person when their email is on it.
    auditor_email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    auditor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    grade: Mapped[str] = mapped_column(String(30))
    key_areas: Mapped[dict]  # {key area: grade}, only those the file knew
    allocated_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    submitted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    imported_at: Mapped[datetime]
