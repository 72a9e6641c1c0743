"""A row's states and the column sizes every part of the outbox shares."""
from __future__ import annotations

from datetime import datetime, timezone

OPEN_STATES = ("pending", "sending", "retrying")
REASON_LENGTH = 100  # outbox.undeliverable_reason


def aware(value: datetime | None) -> datetime | None:
    # Aggregates bypass the column type: SQLite hands back naive UTC (or a string).
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value

