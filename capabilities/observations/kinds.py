"""Outbox kinds for observations, walks and feedback: each kind's one spelling and its card."""
from __future__ import annotations

import copy
from functools import cache

from capabilities.registry import OutboxKind
from dialogs import observation_cards as oc
from dialogs import observation_samples

_catalogue = cache(observation_samples.observation_card_samples)


def _sample(name: str):
    return lambda: copy.deepcopy(_catalogue()[name])


OBSERVATION_NOTICE = OutboxKind("observation-notice", oc.observation_notice_card, _sample("observation_notice"))
FEEDBACK_ALERT = OutboxKind("feedback-alert", oc.feedback_alert_card, _sample("feedback_alert"))
PRACTICE_WEEK_LIST = OutboxKind("practice-week-list", oc.practice_week_card, _sample("practice_week_list"))
OBSERVATION_COVERAGE = OutboxKind("observation-coverage", oc.coverage_card, _sample("observation_coverage"))
FEEDBACK_DIGEST = OutboxKind("feedback-digest", oc.feedback_digest_card, _sample("feedback_digest"))
WALK_DIGEST = OutboxKind("walk-digest", oc.walk_digest_card, _sample("walk_digest"))
FAMILY_VIEW_REMINDER = OutboxKind("family-view-reminder", oc.family_view_reminder_card,
                                  _sample("family_view_reminder"))

ALL = (OBSERVATION_NOTICE, FEEDBACK_ALERT, PRACTICE_WEEK_LIST, OBSERVATION_COVERAGE, FEEDBACK_DIGEST, WALK_DIGEST,
       FAMILY_VIEW_REMINDER)
