"""The spine every capability writes through: the outbox of proactive messages, the duties that
ran, follow-ups owed by a moment, named leases, and botbuilder's conversation state."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base

OUTBOX_STATES = ("pending", "sending", "retrying", "sent", "undeliverable")


class OutboxMessage(Base):
    """A proactive message, written in the same transaction as the change that causes it.

    `idempotency_key` is unique, so one duty can never produce the same message twice.
    Rows due to one person at one moment are delivered together as one digest.
    """

    __tablename__ = "outbox"
    # ix_outbox_state_reason: `delivery` / `outbox status` count every row by state and reason from it alone.
    __table_args__ = (Index("ix_outbox_state_next", "state", "next_attempt_at"),
                      Index("ix_outbox_state_reason", "state", "undeliverable_reason"))

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
    # When the first failed attempt was made: transient failures are retried for
    # QA_OUTBOX_RETRY_HOURS from then, not from due_at (a row due while its sender was down).
    first_attempt_at: Mapped[datetime | None] = mapped_column(nullable=True)
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
