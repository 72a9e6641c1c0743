"""The sample's outbox kinds: each kind's one spelling and the card it carries."""
from __future__ import annotations

from capabilities.registry import OutboxKind
from dialogs import sample_reminder_cards as rc

EXTRACT_REMINDER = OutboxKind("annex-a-extract-reminder", rc.extract_reminder_card,
                              lambda: rc.extract_reminder_card(rc.SAMPLE))

ALL = (EXTRACT_REMINDER,)
