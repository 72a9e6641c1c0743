"""SQLAlchemy 2 models. Times are stored timezone-aware, in UTC.

Privacy: nothing here holds a child's name, date of birth or address; cases appear by the
case-management system's reference only (`case_ref`).
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from qa.framework import GRADES, KEY_AREAS, ROLES  # noqa: F401 - re-exported: the columns hold these words

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite too (which keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware one")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict: JSON()}




class Person(Base):
    """A member of staff from the roster. Never deleted: people who leave get `left_at`."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-case
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))
    team: Mapped[str] = mapped_column(String(200), default="")
    # One or more service areas joined by ';' (heads of service, deputy directors hold several).
    service_area: Mapped[str] = mapped_column(String(1000), default="")
    supervisor_email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    asye_start_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    registered: Mapped[bool] = mapped_column(Boolean, default=False)
    aad_object_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    left_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    conversations: Mapped[list["Conversation"]] = relationship(back_populates="person")

    @property
    def service_areas(self) -> list[str]:
        return [a for a in (s.strip() for s in self.service_area.split(";")) if a]

    @property
    def active(self) -> bool:
        return self.left_at is None


class Conversation(Base):
    """A personal (1:1) chat between the bot and a Teams user: where proactive messages go."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(500), unique=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    service_url: Mapped[str] = mapped_column(String(500))
    bot_id: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[str] = mapped_column(String(200), index=True)
    aad_object_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    # The UPN/email Teams' member look-up gave, lower-case: links people imported later.
    email: Mapped[str | None] = mapped_column(String(320), nullable=True, index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True, index=True)
    # The botbuilder ConversationReference, serialised, for continue_conversation.
    reference: Mapped[dict]
    installed_at: Mapped[datetime]
    welcomed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Set when Teams says the bot was removed or blocked (403/404 on send).
    unreachable_at: Mapped[datetime | None] = mapped_column(nullable=True)
    unreachable_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)

    person: Mapped[Person | None] = relationship(back_populates="conversations")

    @property
    def reachable(self) -> bool:
        return self.unreachable_at is None


class Team(Base):
    """A Teams team the bot was added to, so later features can post to its channels."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(500), unique=True)
    aad_group_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300), default="")
    service_url: Mapped[str] = mapped_column(String(500))
    bot_id: Mapped[str] = mapped_column(String(200))
    installed_at: Mapped[datetime]
    removed_at: Mapped[datetime | None] = mapped_column(nullable=True)

    channels: Mapped[list["Channel"]] = relationship(back_populates="team", cascade="all, delete-orphan")


class Channel(Base):
    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("team_id", "channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    channel_id: Mapped[str] = mapped_column(String(500))
    name: Mapped[str] = mapped_column(String(300), default="")
    deleted_at: Mapped[datetime | None] = mapped_column(nullable=True)

    team: Mapped[Team] = relationship(back_populates="channels")


OUTBOX_STATES = ("pending", "sending", "retrying", "sent", "undeliverable")


class OutboxMessage(Base):
    """A proactive message, written in the same transaction as the change that causes it.

    `idempotency_key` is unique, so one duty can never produce the same message twice.
    Rows due to one person at one moment are delivered together as one digest.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_next", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(60))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True, index=True)
    # The target chat; resolved from the person at delivery when empty.
    conversation_id: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # {"text": ..., "card": {...Adaptive Card...}} - case references only, never child details.
    payload: Mapped[dict]
    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    undeliverable_reason: Mapped[str | None] = mapped_column(String(100), nullable=True)
    activity_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)


class DutyRun(Base):
    """One occurrence of a duty that has run; the sweep never runs the same one twice."""

    __tablename__ = "duty_runs"
    __table_args__ = (UniqueConstraint("duty", "occurrence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    duty: Mapped[str] = mapped_column(String(100))
    occurrence: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime]
    ran_at: Mapped[datetime]


class FollowUp(Base):
    """Something a record owes by a moment: written in the same transaction as its cause, settled
    once by the duty of its kind (storage/follow_ups.py, capabilities/follow_ups.py).

    state: open (owed), done (what was owed went out), cancelled (no longer owed: the record moved
    on), superseded (replaced by a later follow-up). `key` makes owing twice a no-op.
    """

    __tablename__ = "follow_ups"
    __table_args__ = (Index("ix_follow_ups_open", "kind", "state", "due_at"),
                      Index("ix_follow_ups_subject", "subject_type", "subject_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]
    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime]
    settled_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Lease(Base):
    """A named database lock with an expiry (e.g. 'sweep'): one holder at a time, on any database."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(200), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(nullable=True)


class BotState(Base):
    """botbuilder Storage documents (dialog and conversation state), with an e-tag."""

    __tablename__ = "bot_state"

    key: Mapped[str] = mapped_column(String(500), primary_key=True)
    document: Mapped[str] = mapped_column(Text)
    e_tag: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]


# --- The monthly audit cycle (section 9.3) ------------------------------------------------

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


# --- Observations of practice, walking the floor and feedback ------------------------------------

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
    how_given: Mapped[str] = mapped_column(String(40), default="")
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


# --- escalations ---------------------------------------------------------------------------

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
    Improvement or Inadequate (framework 9.3): one plan per allocation, its actions below."""

    __tablename__ = "remedial_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocations.id"), unique=True)
    grade: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime]


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
# --- QA calendar and broadcasts --------------------------------------------------------------

class CalendarEvent(Base):
    """One row of the QA calendar (framework 9.3's audit schedule table): a practice week, a forum,
    a survey window... `audience` holds qa.audience terms ("" for everyone)."""

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


BROADCAST_STATES = ("scheduled", "sending", "cancelled")


class Broadcast(Base):
    """A notice the QA unit sends to many people (or a practice-week notice from the calendar).
    Message text is the QA unit's own words, checked for identifiers before it is stored."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)  # duties: once each
    title: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    link_url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    link_title: Mapped[str | None] = mapped_column(String(100), nullable=True)
    audience: Mapped[str] = mapped_column(String(2000))  # qa.audience terms, "; "-joined
    ask_ack: Mapped[bool] = mapped_column(Boolean, default=False)
    send_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(20), default="scheduled")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    created_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None] = mapped_column(nullable=True)
    corrected_at: Mapped[datetime | None] = mapped_column(nullable=True)
    chased_at: Mapped[datetime | None] = mapped_column(nullable=True)


class BroadcastRecipient(Base):
    """One person (or channel) a broadcast goes to. Delivery state is its outbox row's (sent with
    the Teams message id, undeliverable with the reason); read and acknowledged are recorded here."""

    __tablename__ = "broadcast_recipients"
    __table_args__ = (UniqueConstraint("broadcast_id", "person_id"),
                      Index("ix_broadcast_recipients_outbox", "outbox_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    channel_id: Mapped[str | None] = mapped_column(String(500), nullable=True)
    service_area: Mapped[str] = mapped_column(String(200), default="")  # the first, for the report
    # Its message; NULL once the outbox row is purged (QA_RETENTION's outbox period): "expired".
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"), nullable=True)
    failure: Mapped[str | None] = mapped_column(String(100), nullable=True)  # set before sending ("not installed")
    read_at: Mapped[datetime | None] = mapped_column(nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(nullable=True)
# --- supervision ----------------------------------------------------------------------------

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
    duration_minutes: Mapped[int]
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


class AsyeSwitch(Base):
    """The day a supervisor moved an ASYE's supervision from fortnightly to four-weekly."""

    __tablename__ = "supervision_asye_switches"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), unique=True)
    four_weekly_from: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    recorded_at: Mapped[datetime]


class AwayPeriod(Base):
    """Someone away from `first_day` to `last_day` inclusive (no reason is stored): supervision nudges
    about them pause."""

    __tablename__ = "supervision_away"
    __table_args__ = (Index("ix_supervision_away_person", "person_id", "last_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    recorded_at: Mapped[datetime]
