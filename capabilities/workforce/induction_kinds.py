"""Induction's outbox kinds (framework 9.2): each kind's one spelling and the card it carries (samples from
dialogs/induction_samples.py)."""
from __future__ import annotations

import copy
from functools import cache

from capabilities.registry import OutboxKind
from dialogs import induction_cards as ic
from dialogs import induction_samples

_catalogue = cache(induction_samples.samples)


def _sample(name: str):
    return lambda: copy.deepcopy(_catalogue()[name])


PLAN = OutboxKind("induction-plan", ic.plan_card, _sample("induction_plan"))
CONFIRM = OutboxKind("induction-confirm", ic.confirm_card, _sample("induction_confirm"))
STARTER_OVERDUE = OutboxKind("induction-overdue", ic.starter_overdue_card, _sample("induction_overdue"))
MANAGER_OVERDUE = OutboxKind("induction-overdue-manager", ic.manager_overdue_card, _sample("induction_overdue_manager"))
FIGURES = OutboxKind("induction-figures", ic.figures_card, _sample("induction_figures"))

ALL = (PLAN, CONFIRM, STARTER_OVERDUE, MANAGER_OVERDUE, FIGURES)
