"""The workforce duties' outbox kinds: each kind's one spelling and the card it carries (samples from
dialogs/workforce_samples.py)."""
from __future__ import annotations

import copy
from functools import cache

from capabilities.registry import OutboxKind
from dialogs import workforce_cards as wc
from dialogs import workforce_samples

_catalogue = cache(workforce_samples.samples)


def _sample(name: str):
    return lambda: copy.deepcopy(_catalogue()[name])


ASYE_OVERDUE = OutboxKind("asye-review-overdue", wc.asye_overdue_card, _sample("asye_overdue"))
ASYE_COHORT = OutboxKind("asye-cohort", wc.asye_cohort_card, _sample("asye_cohort"))

SWE_REMINDER = OutboxKind("swe-renewal-reminder", wc.swe_renewal_reminder_card, _sample("swe_renewal_reminder"))
SWE_MANAGER = OutboxKind("swe-renewal-not-confirmed", wc.swe_manager_card, _sample("swe_manager"))
SWE_COMPLIANCE = OutboxKind("swe-renewal-compliance", wc.swe_compliance_card, _sample("swe_compliance"))

ALL = (ASYE_OVERDUE, ASYE_COHORT, SWE_REMINDER, SWE_MANAGER, SWE_COMPLIANCE)
