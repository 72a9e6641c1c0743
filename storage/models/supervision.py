"""Supervision (framework 9.1): sessions held, the caseload, exemptions, ASYE switches, time away."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base

SUPERVISION_KINDS = ("one_to_one", "case", "group", "agreement_review")  # qa.supervision.KINDS
# A session a supervisee recorded waits for the supervisor to confirm it; everything else is recorded.
SUPERVISION_STATES = ("recorded", "awaiting_confirmation")


class SupervisionSession(Base):
    """One supervision session held (framework 9.1). No field for what was discussed: supervision
    records carry no service-user names, so there is no free text at all; case supervision names the
    cases by reference only (`case_refs`).

    `subject` is what it is about: "p<person id>" for a supervisee's 1:1, case supervision and
    agreement review, "t:<team>" for a team's group supervision; one session of a kind per subject
    per day. `reviewed_observation` marks a session that reviewed an observation action plan.
    """

    __tablename__ = "supervision_sessions"
    __table_args__ = (UniqueConstraint("subject", "kind", "held_on"),
                      # The morning's "last of each kind per supervisee" reads this index alone.
                      Index("ix_supervision_sessions_supervisee", "supervisee_id", "kind", "state", "held_on"),
                      Index("ix_supervision_sessions_kind_held", "kind", "held_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(220))
    supervisee_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    team: Mapped[str] = mapped_column(String(200), default="")
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(20))
    held_on: Mapped[date] = mapped_column(Date)
    duration_minutes: Mapped[int | None] = mapped_column(nullable=True)  # None: not recorded
    case_refs: Mapped[list] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(30), default="recorded")
    reviewed_observation: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    via: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class CaseloadCase(Base):
    """A case on a practitioner's caseload, from the case-management system's export (replaced whole
    by each `caseload import`). By reference only."""

    __tablename__ = "supervision_caseload"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_ref: Mapped[str] = mapped_column(String(50), unique=True)
    case_holder_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    last_case_supervision_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    first_seen_on: Mapped[date] = mapped_column(Date)
    imported_at: Mapped[datetime]


class CaseExemption(Base):
    """A service lead's exemption of one case from eight-weekly case supervision."""

    __tablename__ = "supervision_exemptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_ref: Mapped[str] = mapped_column(String(50), unique=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    recorded_at: Mapped[datetime]
    # Why (typed in Teams, screened for identifiers; None from the command line without --reason).
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True)


class AsyeSwitch(Base):
    """The day a supervisor moved an ASYE's supervision from fortnightly to four-weekly."""

    __tablename__ = "supervision_asye_switches"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), unique=True)
    four_weekly_from: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    recorded_at: Mapped[datetime]


class SupervisionBooking(Base):
    """A supervision booked for a day: the line due on `due_on` (a supervisee's `p<id>` or a team's
    `t:<team>` subject, and the kind) is booked for `booked_for`, so the morning nudges about it wait until
    that day has passed. A session recorded moves the due day on, and the booking no longer matches."""

    __tablename__ = "supervision_bookings"
    __table_args__ = (UniqueConstraint("subject", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(220))
    kind: Mapped[str] = mapped_column(String(30))
    due_on: Mapped[date] = mapped_column(Date)
    booked_for: Mapped[date] = mapped_column(Date)
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    booked_at: Mapped[datetime]


class AwayPeriod(Base):
    """Someone away from `first_day` to `last_day` inclusive (no reason is stored): supervision nudges
    about them pause, and work addressed to them goes to `cover_id` (None: their manager; qa/cover.py)."""

    __tablename__ = "supervision_away"
    __table_args__ = (Index("ix_supervision_away_person", "person_id", "last_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    recorded_at: Mapped[datetime]
    cover_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
