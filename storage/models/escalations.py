"""Escalations (framework 9.3 and section 14): moderation of Inadequate grades, urgent reviews and
their updates, re-audits, practice alerts, remedial plans and the monthly dip sample."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base

MODERATION_STATES = ("pending", "agreed", "regraded")


class Moderation(Base):
    """The QA unit's moderation of an audit submitted graded Inadequate (framework 9.3): pending
    until one QA-unit member agrees or regrades it. `reason` is the regrade's reason (checked for
    identifiers before it is stored); `original_grade` keeps the auditor's grade."""

    __tablename__ = "moderations"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"), unique=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocations.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    original_grade: Mapped[str] = mapped_column(String(30))
    decided_grade: Mapped[str | None] = mapped_column(String(30), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime]


class Escalation(Base):
    """An urgent review after the QA unit agreed an Inadequate grade: open until the QA unit closes
    it; it owes updates (EscalationUpdate) from the area's service lead or head of service."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    moderation_id: Mapped[int] = mapped_column(ForeignKey("moderations.id"), unique=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocations.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default="open")  # open | closed
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)


class EscalationUpdate(Base):
    """One update an escalation owes: number 1 (3 working days), 2 (one week), 3... (asked for by
    the QA unit). state: owed | sent | withdrawn (the escalation closed first). `text` is about
    practice (checked for identifiers before it is stored), never a child's details."""

    __tablename__ = "escalation_updates"
    __table_args__ = (UniqueConstraint("escalation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    number: Mapped[int]
    due_on: Mapped[date] = mapped_column(Date)
    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(20), default="owed")
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime]


class Reaudit(Base):
    """An agreed Inadequate case re-audited the following month (framework 9.3): `allocation_id` is
    that month's allocation (made for it, or the QA unit's own when its list names the case too:
    one allocation, marked re-audit by this row). None when that month was already closed."""

    __tablename__ = "reaudits"

    id: Mapped[int] = mapped_column(primary_key=True)
    moderation_id: Mapped[int] = mapped_column(ForeignKey("moderations.id"), unique=True)
    original_allocation_id: Mapped[int] = mapped_column(ForeignKey("allocations.id"), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # the month of the re-audit
    allocation_id: Mapped[int | None] = mapped_column(ForeignKey("allocations.id"), nullable=True, unique=True)
    created_at: Mapped[datetime]


class Alert(Base):
    """A practice alert (framework section 14) raised by an independent reviewing officer, a child
    protection conference chair or the QA unit about a case (by reference only) with a team: open
    until the team's practice manager or the area's service lead marks it resolved. `description`
    is about practice (checked for identifiers before it is stored)."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_state", "state", "raised_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_ref: Mapped[str] = mapped_column(String(50))
    team: Mapped[str] = mapped_column(String(200))
    service_area: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    raised_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(20), default="open")  # open | resolved
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(nullable=True)


class AlertResponse(Base):
    """A response to a practice alert: the actions agreed (checked for identifiers), who, when."""

    __tablename__ = "alert_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text)


class RemedialPlan(Base):
    """The remedial actions owed after oversight was confirmed on an audit graded Requires
    Improvement or Inadequate, or recommended in an audit form (framework 9.3, section 5): one plan per
    allocation, its actions below. `requested_at`: when the service lead was sent it (None for a plan made
    from recommendations at submission, until oversight is confirmed)."""

    __tablename__ = "remedial_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocations.id"), unique=True)
    grade: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime]
    requested_at: Mapped[datetime | None] = mapped_column(nullable=True)


class RemedialAction(Base):
    """One remedial action: what (checked for identifiers), by when, optionally who (from the roster)."""

    __tablename__ = "remedial_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("remedial_plans.id"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    target_on: Mapped[date] = mapped_column(Date)
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(nullable=True)


class DipSample(Base):
    """The monthly dip-sample moderation (framework 9.3): audits drawn at random from one month's
    submitted audits; `seed` and `population` let anyone redraw the same sample (qa.escalations)."""

    __tablename__ = "dip_samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)  # the audits' month ("2026-11")
    seed: Mapped[int]
    percent: Mapped[int]
    population: Mapped[int]  # submitted audits the sample was drawn from
    drawn_at: Mapped[datetime]


class DipSampleItem(Base):
    """One sampled audit and the panel's moderation of it: pending, agreed, or disagreed (with the
    grade the panel member would give and a comment, checked for identifiers)."""

    __tablename__ = "dip_sample_items"
    __table_args__ = (UniqueConstraint("sample_id", "audit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("dip_samples.id"), index=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"))
    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocations.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    grade_given: Mapped[str | None] = mapped_column(String(30), nullable=True)
    comment: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
