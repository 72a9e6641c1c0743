"""The QA calendar's outbox kinds: each kind's one spelling and the card it carries (samples from
dialogs/calendar_samples.py)."""
from __future__ import annotations

import copy
from functools import cache

from capabilities.registry import OutboxKind
from dialogs import calendar_cards as cc
from dialogs import calendar_samples

_catalogue = cache(calendar_samples.samples)


def _sample(name: str):
    return lambda: copy.deepcopy(_catalogue()[name])


REMINDER = OutboxKind("calendar-reminder", cc.calendar_reminder_card, _sample("calendar_reminder"))
SURVEY = OutboxKind("survey-reminder", cc.survey_reminder_card, _sample("survey_reminder"))

ALL = (REMINDER, SURVEY)
