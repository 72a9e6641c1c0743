"""The audit forms' versions (framework 5, 9.3, 23): each definition the bot has used, kept whole, so an
audit started on a version is read and checked against that version after the form is edited."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class AuditFormVersion(Base):
    """One version of one form: the definition's JSON text as it was installed (no case or personal
    data: questions and help text only)."""

    __tablename__ = "audit_form_versions"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    definition: Mapped[str] = mapped_column(Text)
    installed_at: Mapped[datetime]
    installed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
