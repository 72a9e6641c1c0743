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

ALL = (ASYE_OVERDUE, ASYE_COHORT)
