"""Safeguarding concerns found while auditing (framework 9.3): who owns each and what was done."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class SafeguardingConcern(Base):
    """An immediate safeguarding concern an auditor flagged on an allocation (case by reference
    only): sent at once to the team's practice manager and the area's service lead, head of service
    and deputy director (and, out of hours, to the out-of-hours channel). The first recipient to press
    "I'm taking this" becomes its owner and owes an action note (what was done; checked for
    identifiers before it is stored). `unclaimed_sends` counts the re-sends marked unclaimed."""

    __tablename__ = "safeguarding_concerns"
    __table_args__ = (Index("ix_safeguarding_concerns_raised_at", "raised_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocations.id"), unique=True)
    case_ref: Mapped[str] = mapped_column(String(50))
    raised_at: Mapped[datetime]
    out_of_hours: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    owned_at: Mapped[datetime | None] = mapped_column(nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    noted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    unclaimed_sends: Mapped[int] = mapped_column(Integer, default=0)
