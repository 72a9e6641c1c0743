"""The monthly audit cycle (framework section 9.3): the month, its allocations, their audits, and
the trail every capability writes to."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa.forms import DEFAULT_FORM_NAME, DEFAULT_FORM_VERSION
from storage.models.base import Base
from storage.models.people import Person

# An allocation moves through these; "declined" waits for the QA unit to reallocate.
ALLOCATION_STATES = (
    "allocated", "declined", "started", "submitted", "disputed", "oversight_confirmed", "complete",
)


class AuditMonth(Base):
    """One month's audit cycle ("2026-12"). A closed month takes no more allocations."""

    __tablename__ = "audit_months"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    imported_at: Mapped[datetime]
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Allocation(Base):
    """A case allocated to an auditor for one month, and where its audit has got to.

    The case appears by the case-management system's reference only.
    """

    __tablename__ = "allocations"
    __table_args__ = (UniqueConstraint("month", "case_ref"), Index("ix_allocations_month_state", "month", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(ForeignKey("audit_months.month"))
    case_ref: Mapped[str] = mapped_column(String(50))
    annex_a_list: Mapped[str] = mapped_column(String(100))
    service_area: Mapped[str] = mapped_column(String(200))
    team: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(String(200), default="")
    # The audit form the allocation is audited on (qa/form_choice.py chooses it at import: named in the
    # file, by theme, by service area, else the default); the audit records the version it starts on.
    form_name: Mapped[str] = mapped_column(String(60), default=DEFAULT_FORM_NAME, server_default=DEFAULT_FORM_NAME)
    auditor_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    case_holder_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    state: Mapped[str] = mapped_column(String(30), default="allocated")
    decline_reason: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    # When the allocation notice for this case was written to the outbox (late imports get one too).
    notified_at: Mapped[datetime | None] = mapped_column(nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    oversight_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    oversight_at: Mapped[datetime | None] = mapped_column(nullable=True)
    oversight_comment: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    dispute_reason: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    disputed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    disputed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    resolution: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(nullable=True)
    uploaded_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # How the case was chosen: "uploaded", "sampled, seed N" or "re-audit" (qa/allocations.py UPLOADED).
    how_chosen: Mapped[str] = mapped_column(String(60), default="uploaded", server_default="uploaded")
    # The auditor's conversation with the case holder (framework 9.3: "hold discussions with the
    # practitioner"): the day arranged for, when it was arranged, and when the auditor said it was held.
    conversation_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    conversation_arranged_at: Mapped[datetime | None] = mapped_column(nullable=True)
    conversation_held_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    auditor: Mapped[Person] = relationship(foreign_keys=[auditor_id])
    case_holder: Mapped[Person | None] = relationship(foreign_keys=[case_holder_id])
    audit: Mapped["Audit | None"] = relationship(back_populates="allocation", uselist=False)


class Audit(Base):
    """The audit entry: a draft until submitted. Holds judgements, never child details."""

    __tablename__ = "audits"

    id: Mapped[int] = mapped_column(primary_key=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocations.id"), unique=True)
    overall_grade: Mapped[str | None] = mapped_column(String(30), nullable=True)
    key_areas: Mapped[dict]  # {key area: grade}
    strengths: Mapped[str] = mapped_column(Text, default="")
    improvements: Mapped[str] = mapped_column(Text, default="")
    discussion_held: Mapped[bool] = mapped_column(Boolean, default=False)
    seek_family_views: Mapped[bool] = mapped_column(Boolean, default=False)
    safeguarding_concern: Mapped[bool] = mapped_column(Boolean, default=False)
    safeguarding_description: Mapped[str] = mapped_column(Text, default="")
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # The case holder's side, after oversight: their reflection on the findings (free text, screened for
    # identifiers) and when they asked to talk about the audit in supervision (their supervisor's digest
    # carries "Discuss the audit of case <ref>" until a 1:1 on or after that day is recorded).
    case_holder_reflection: Mapped[str | None] = mapped_column(Text, nullable=True)
    reflected_at: Mapped[datetime | None] = mapped_column(nullable=True)
    supervision_asked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Before submitting (when the council offers it): the draft shared with the case holder for a factual
    # check, and their comment (free text, screened); the auditor's judgement is never changed by it.
    draft_shared_at: Mapped[datetime | None] = mapped_column(nullable=True)
    case_holder_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    commented_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Graded Good or Outstanding: when the case holder agreed to the case (its reference only) being used
    # in a practice forum; the principal social worker's good-practice list marks it.
    forum_agreed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # The audit form it was started on (capabilities/audit_forms; qa/forms.py): a form edited later (a new
    # version) never changes what this audit asked. Audits from before forms were data: the default, version 1.
    form_name: Mapped[str] = mapped_column(String(60), default=DEFAULT_FORM_NAME, server_default=DEFAULT_FORM_NAME)
    form_version: Mapped[int] = mapped_column(Integer, default=DEFAULT_FORM_VERSION,
                                              server_default=str(DEFAULT_FORM_VERSION))
    # The answers to a form other than the default, by question id (qa/form_answers.py says their shape:
    # text, a list for several-of, a number, an ISO date, or qa.forms.NOT_APPLICABLE). The default form's
    # answers stay in the columns above, so audits from before forms were data read as they did.
    answers: Mapped[dict | None] = mapped_column(nullable=True)
    # A partnership audit's auditor, who is not on the council's Teams: "name (organisation)" as their
    # returned workbook gave it (capabilities/audit_cycle/partnership.py).
    partner_auditor: Mapped[str | None] = mapped_column(String(250), nullable=True)
    updated_at: Mapped[datetime]

    allocation: Mapped[Allocation] = relationship(back_populates="audit")


class TrailEvent(Base):
    """The trail: who did what to which record, when, and through which card, command or duty.

    The subject is any record by type and id ("allocation" 12, "month" with `month` set, and as
    the next capabilities land "escalation", "supervision", "observation", "broadcast"); no
    foreign key, so the trail outlives a withdrawn allocation. `detail` holds lengths, counts and
    flags, never typed text that could describe a child. (The table keeps its first name.)
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(nullable=True)
    month: Mapped[str | None] = mapped_column(String(7), nullable=True, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(60))
    via: Mapped[str] = mapped_column(String(100))  # "card:oversight_request", "command:my audits", "cli:allocations import"
    detail: Mapped[dict]
    at: Mapped[datetime]

    @property
    def allocation_id(self) -> int | None:
        """The allocation this row is about, if its subject is one."""
        return self.subject_id if self.subject_type == "allocation" else None
