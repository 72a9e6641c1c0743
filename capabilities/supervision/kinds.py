"""Supervision's outbox kinds: each kind's one spelling and the card it carries (samples from
dialogs/supervision_samples.py)."""
from __future__ import annotations

import copy
from functools import cache

from capabilities.registry import OutboxKind
from dialogs import supervision_cards as sc
from dialogs import supervision_samples

_catalogue = cache(supervision_samples.samples)


def _sample(name: str):
    return lambda: copy.deepcopy(_catalogue()[name])


DIGEST = OutboxKind("supervision-digest", sc.supervision_digest_card, _sample("supervision_digest"))
# A digest sent this morning, changed in place once a service lead exempted a case or lifted an exemption.
DIGEST_UPDATE = OutboxKind("supervision-digest-update", sc.supervision_digest_card, _sample("supervision_digest"))
REMINDER = OutboxKind("supervision-reminder", sc.supervision_reminder_card, _sample("supervision_reminder"))
ESCALATION = OutboxKind("supervision-overdue", sc.supervision_escalation_card, _sample("supervision_escalation"))
RECORDED = OutboxKind("supervision-recorded", sc.supervision_recorded_card, _sample("supervision_recorded"))
CONFIRM = OutboxKind("supervision-confirm", sc.supervision_confirm_card, _sample("supervision_confirm"))
COMPLIANCE = OutboxKind("supervision-compliance", sc.supervision_compliance_card,
                        _sample("supervision_compliance_service"))

ALL = (DIGEST, DIGEST_UPDATE, REMINDER, ESCALATION, RECORDED, CONFIRM, COMPLIANCE)
