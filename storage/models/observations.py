"""Observations of practice, walking the floor and feedback (framework sections 11, 9.4, 14, 6)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Observation(Base):
    """A manager's direct observation of a supervisee's practice (framework section 11): what went
    well, what to develop and the action plan, then the supervisee's own reflection. The action
    plan is reviewed in supervision (`plan_reviewed_at`). Typed text is about practice: no names."""

    __tablename__ = "observations"

    id: Mapped[int] = mapped_column(primary_key=True)
    observer_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    supervisee_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    observed_on: Mapped[date] = mapped_column(Date)
    area: Mapped[str] = mapped_column(String(100))
    went_well: Mapped[str] = mapped_column(Text)
    to_develop: Mapped[str] = mapped_column(Text)
    actions: Mapped[list] = mapped_column(JSON)  # the action plan: one or more short lines
    reflection: Mapped[str | None] = mapped_column(Text, nullable=True)
    reflected_at: Mapped[datetime | None] = mapped_column(nullable=True)
    plan_reviewed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    plan_reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    created_at: Mapped[datetime]


class FeedbackEntry(Base):
    """Feedback from a child, a family, a professional or staff (sections 9.4, 14, 6), in the
    person's words without names; or, for an audit that asked for the family's view, "not
    possible" with a reason (`allocation_id` set, `not_possible` true)."""

    __tablename__ = "feedback_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    source: Mapped[str] = mapped_column(String(60), default="")
    service_area: Mapped[str] = mapped_column(String(200), default="")
    team: Mapped[str] = mapped_column(String(200), default="")
    case_ref: Mapped[str | None] = mapped_column(String(50), nullable=True)
    how_given: Mapped[str] = mapped_column(String(40), default="")  # the channel: conversation, letter ...
    kind: Mapped[str] = mapped_column(String(40), default="", server_default="")  # complaint, compliment, comment
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 1..5, None where none applies
    said: Mapped[str] = mapped_column(Text, default="")
    # SET NULL: the retention purge of a month's allocations keeps the entry (its case_ref stays).
    allocation_id: Mapped[int | None] = mapped_column(ForeignKey("allocations.id", ondelete="SET NULL"), nullable=True,
                                                      index=True)
    not_possible: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(index=True)


class FloorWalk(Base):
    """A senior manager walked the floor of a team (section 11): themes from a fixed list, a note."""

    __tablename__ = "floor_walks"

    id: Mapped[int] = mapped_column(primary_key=True)
    walker_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    team: Mapped[str] = mapped_column(String(200))
    walked_on: Mapped[date] = mapped_column(Date)
    themes: Mapped[list] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(index=True)
