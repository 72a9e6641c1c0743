"""Staff from the roster and the bot's place in Teams: people, their personal chats with the bot,
and the teams (with their channels) the bot was added to."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base


class Person(Base):
    """A member of staff from the roster. Never deleted: people who leave get `left_at`."""

    __tablename__ = "people"
    # Who is a supervisee, team by team, read from the index alone (supervision compliance: a service lead's
    # teams, and every team's area for the whole service's card).
    __table_args__ = (Index("ix_people_team_supervisor", "team", "left_at", "start_date", "supervisor_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-case
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40), index=True)  # the QA contact is looked up on every help
    team: Mapped[str] = mapped_column(String(200), default="")
    # One or more service areas joined by ';' (heads of service, deputy directors hold several).
    service_area: Mapped[str] = mapped_column(String(1000), default="")
    supervisor_email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    asye_start_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    # The day they joined the service (the roster's optional start_date); None: established, so no
    # new-starter duties. `created_at` is when the bot first held their record, never a start date.
    start_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    registered: Mapped[bool] = mapped_column(Boolean, default=False)
    # Social Work England's registration number ("SW" and digits), from the roster's optional column.
    registration_number: Mapped[str | None] = mapped_column(String(12), nullable=True)
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
    # The userPrincipalName Teams gave beside the email (they differ for renamed people and guests).
    upn: Mapped[str | None] = mapped_column(String(320), nullable=True)
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
