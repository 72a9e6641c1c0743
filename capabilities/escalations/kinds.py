"""The escalations' outbox kinds: each kind's one spelling and the card it carries (its sample is
the catalogue's, dialogs/samples.py). The follow-ups an update owes use the reminder and overdue
kinds' spellings as their own kinds."""
from __future__ import annotations

import copy
from functools import cache

from capabilities.registry import OpenWhile, OutboxKind
from dialogs import alert_cards as alc
from dialogs import case_holder_cards as ch
from dialogs import case_holder_samples, samples
from dialogs import escalation_cards as ec
from dialogs import good_practice_cards as gp
from dialogs import remedial_cards as rc
from storage import open_work

_catalogue = cache(samples.escalation_card_samples)

# What each covered notice asks for, by its item's own state (capabilities/cover/open_work.py).
MODERATION_OPEN = (OpenWhile("moderation_id", open_work.moderations_pending),)
UPDATE_OWED = (OpenWhile("escalation_id", open_work.escalations_owing_update),)
REVIEW_OPEN = (OpenWhile("escalation_id", open_work.escalations_open),)
DIP_OPEN = (OpenWhile("item_id", open_work.dip_items_pending),)
ALERT_OPEN = (OpenWhile("alert_id", open_work.alerts_open),)
ACTION_OPEN = (OpenWhile("action_id", open_work.remedial_actions_open),)
PLAN_OPEN = (OpenWhile("plan_id", open_work.remedial_plans_open), *ACTION_OPEN)


def _sample(name: str):
    return lambda: copy.deepcopy(_catalogue()[name])


MODERATION_REQUEST = OutboxKind("moderation-request", ec.moderation_request_card, _sample("moderation_request"),
                                covered=True, open_while=MODERATION_OPEN)
REGRADE_NOTICE = OutboxKind("regrade-notice", ec.regrade_notice_card, _sample("regrade_notice"))
ESCALATION_NOTICE = OutboxKind("escalation-notice", ec.escalation_card, _sample("escalation_new"),
                               covered=True, open_while=UPDATE_OWED)
UPDATE_REMINDER = OutboxKind("escalation-update-reminder", ec.escalation_card, _sample("escalation_new"),
                             covered=True, open_while=UPDATE_OWED)
UPDATE_OVERDUE = OutboxKind("escalation-update-overdue", ec.escalation_card, _sample("escalation_overdue_error"),
                            covered=True, open_while=UPDATE_OWED)
FURTHER_UPDATE = OutboxKind("escalation-further-update", ec.escalation_card, _sample("escalation_new"),
                            covered=True, open_while=UPDATE_OWED)
UPDATE_RECEIVED = OutboxKind("escalation-update-received", ec.escalation_qa_card, _sample("escalation_qa_update"),
                             covered=True, open_while=REVIEW_OPEN)
DIP_SAMPLE = OutboxKind("dip-sample", ec.dip_sample_card, _sample("dip_sample"), covered=True, open_while=DIP_OPEN)
DIP_LEARNING = OutboxKind("dip-sample-learning", ec.dip_learning_card, _sample("dip_learning"))
OVERDUE_REPORT = OutboxKind("escalation-overdue-report", ec.escalation_qa_card, _sample("escalation_qa_overdue"),
                            covered=True, open_while=REVIEW_OPEN)

ALL = (MODERATION_REQUEST, REGRADE_NOTICE, ESCALATION_NOTICE, UPDATE_REMINDER, UPDATE_OVERDUE, FURTHER_UPDATE,
       UPDATE_RECEIVED, OVERDUE_REPORT, DIP_SAMPLE, DIP_LEARNING)

# Follow-ups an owed update writes (subject "escalation_update").
FOLLOW_UP_KINDS = (UPDATE_REMINDER, UPDATE_OVERDUE)

# Practice alerts (section 14).
_alerts = cache(samples.alert_card_samples)


def _alert_sample(name: str):
    return lambda: copy.deepcopy(_alerts()[name])


ALERT_NOTICE = OutboxKind("practice-alert", alc.alert_card, _alert_sample("alert_new"),
                          covered=True, open_while=ALERT_OPEN)
ALERT_CHASE = OutboxKind("practice-alert-chase", alc.alert_card, _alert_sample("alert_chase"),
                         covered=True, open_while=ALERT_OPEN)
ALERT_ESCALATED = OutboxKind("practice-alert-escalated", alc.alert_card, _alert_sample("alert_escalated"),
                             covered=True, open_while=ALERT_OPEN)
ALERT_RESPONSE = OutboxKind("practice-alert-response", alc.alert_news_card, _alert_sample("alert_response"))
ALERT_RESOLVED = OutboxKind("practice-alert-resolved", alc.alert_news_card, _alert_sample("alert_resolved_news"))

ALL = (*ALL, ALERT_NOTICE, ALERT_CHASE, ALERT_ESCALATED, ALERT_RESPONSE, ALERT_RESOLVED)
ALERT_FOLLOW_UP_KINDS = (ALERT_CHASE, ALERT_ESCALATED)  # follow-ups an open alert owes (subject "alert")

# Remedial actions (9.3: Requires Improvement and Inadequate, after oversight).
_remedial = cache(samples.remedial_card_samples)


def _remedial_sample(name: str):
    return lambda: copy.deepcopy(_remedial()[name])


REMEDIAL_REQUEST = OutboxKind("remedial-actions-request", rc.remedial_plan_card, _remedial_sample("remedial_plan_new"),
                              covered=True, open_while=PLAN_OPEN)
REMEDIAL_DUE = OutboxKind("remedial-action-due", rc.remedial_plan_card, _remedial_sample("remedial_plan_overdue"),
                          covered=True, open_while=PLAN_OPEN)
REMEDIAL_OVERDUE = OutboxKind("remedial-action-overdue", rc.remedial_plan_card,
                              _remedial_sample("remedial_plan_overdue"), covered=True, open_while=PLAN_OPEN)

# The person named responsible, told the moment they are named (what, by when, who asked), with Done.
REMEDIAL_NAMED = OutboxKind("remedial-action-named", ch.action_named_card,
                            lambda: copy.deepcopy(case_holder_samples.samples()["action_named"]), covered=True, open_while=ACTION_OPEN)

ALL = (*ALL, REMEDIAL_REQUEST, REMEDIAL_DUE, REMEDIAL_OVERDUE, REMEDIAL_NAMED)
REMEDIAL_FOLLOW_UP_KINDS = (REMEDIAL_DUE, REMEDIAL_OVERDUE)  # follow-ups an action owes (subject "remedial_action")

# The monthly good-practice list (9.3: Good or Outstanding cases).
_good = cache(samples.good_practice_card_samples)
GOOD_PRACTICE_LIST = OutboxKind("good-practice-list", gp.good_practice_card,
                                lambda: copy.deepcopy(_good()["good_practice"]))
ALL = (*ALL, GOOD_PRACTICE_LIST)

# Updates in place of the other copies, once one recipient decided (capabilities/copies.py): each
# replaces a sent card with the card as it now stands (who decided, and when; no buttons left).
MODERATION_DECIDED = OutboxKind("moderation-decided", ec.moderation_decided_card, _sample("moderation_agreed"))
DIP_SAMPLE_DECIDED = OutboxKind("dip-sample-decided", ec.dip_sample_card, _sample("dip_sample_decided"))
ALERT_UPDATE = OutboxKind("practice-alert-update", alc.alert_card, _alert_sample("alert_resolved"))
ESCALATION_UPDATE = OutboxKind("escalation-copy-update", ec.escalation_card, _sample("escalation_closed"))
ESCALATION_QA_UPDATE = OutboxKind("escalation-qa-copy-update", ec.escalation_qa_card, _sample("escalation_qa_closed"))
REMEDIAL_UPDATE = OutboxKind("remedial-plan-update", rc.remedial_plan_card, _remedial_sample("remedial_plan_overdue"))
COPY_UPDATES = (MODERATION_DECIDED, DIP_SAMPLE_DECIDED, ALERT_UPDATE, ESCALATION_UPDATE, ESCALATION_QA_UPDATE,
                REMEDIAL_UPDATE)
ALL = (*ALL, *COPY_UPDATES)
