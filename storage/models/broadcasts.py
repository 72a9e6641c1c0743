"""Broadcasts: notices the QA unit sends to many people, and who each went to."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base

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
