"""Files sent in chat and held for a preview (capabilities/intake): the upload, kept server-side
until the sender presses Confirm or Cancel, and a mark for every import of a kind (from chat or
the command line), so a preview made stale by a later import is refused on Confirm.

What a file holds (a roster's names and emails; case references) is kept only while it waits:
`data` is emptied when the preview is confirmed, cancelled or refused, and the rows themselves go
with conversation state (docs/privacy.md).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base

# waiting: sent, the kind not yet chosen (two kinds fit); previewed: the preview card is out;
# confirmed / cancelled / refused (the import found problems at Confirm); interrupted (a long import
# stopped part-way after Confirm: some batches written; the same file sent again finishes it);
# expired (older than an hour: found so on Confirm, or by the hourly duty; the upload dropped);
# imported: a mark only, for an import from the command line (no upload, no sender).
PREVIEW_STATES = ("waiting", "previewed", "confirmed", "cancelled", "refused", "interrupted", "expired", "imported")


class FilePreview(Base):
    """One file sent in chat for import, or one import from the command line (state imported)."""

    __tablename__ = "file_previews"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)  # a registered FileKind's name
    candidates: Mapped[dict]  # {"kinds": [names]}: the kinds the file's columns fit
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    file_name: Mapped[str] = mapped_column(String(255))
    scope: Mapped[str | None] = mapped_column(String(20), nullable=True)  # e.g. the month, for allocations
    text: Mapped[str | None] = mapped_column(String(500), nullable=True)  # the message's words (the month, say)
    data: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    state: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(index=True)
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
