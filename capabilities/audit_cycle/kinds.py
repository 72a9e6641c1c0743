"""The audit cycle's outbox kinds (framework 9.3): each kind's one spelling and the card it carries.

Use cases and duties write rows through these (`OVERSIGHT_REQUEST.card(summary)`), so a row's
kind and its card always agree; each kind's sample is the catalogue's (dialogs/samples.py).
"""
from __future__ import annotations

import copy
from functools import cache

from capabilities.registry import OpenWhile, OutboxKind
from dialogs import audit_cards as ac
from dialogs import card_update as cu
from dialogs import case_holder_cards as ch
from dialogs import case_holder_samples, samples
from storage import open_work

_catalogue = cache(samples.audit_card_samples)  # built once, not once per kind


def _sample(name: str):
    return lambda: copy.deepcopy(_catalogue()[name])  # a copy: a caller may change what it gets


# A covered notice about audits awaiting oversight is open while any of its audits still awaits it.
OVERSIGHT = (OpenWhile("audit_id", open_work.audits_awaiting_oversight),)


ALLOCATION_NOTICE = OutboxKind("allocation-notice", ac.allocation_notice_card, _sample("allocation_notice"))
UNREACHABLE_AUDITORS = OutboxKind("unreachable-auditors", ac.unreachable_auditors_card,
                                  _sample("unreachable_auditors"))
AUDITOR_REMINDER = OutboxKind("auditor-reminder", ac.auditor_reminder_card, _sample("auditor_reminder_7_days"))
AUDIT_OVERDUE = OutboxKind("audit-overdue", ac.audit_overdue_card, _sample("audit_overdue"))
SUPERVISOR_OVERDUE = OutboxKind("supervisor-overdue", ac.supervisor_overdue_card, _sample("supervisor_overdue"))
SERVICE_LEAD_DIGEST = OutboxKind("service-lead-digest", ac.oversight_digest_card, _sample("oversight_digest"),
                                 covered=True, open_while=OVERSIGHT)
OVERSIGHT_REMINDER = OutboxKind("oversight-reminder", ac.oversight_reminder_card, _sample("oversight_reminder"),
                                covered=True, open_while=OVERSIGHT)
OVERSIGHT_OVERDUE = OutboxKind("oversight-overdue", ac.oversight_overdue_card,
                               _sample("oversight_overdue_service_lead"), covered=True, open_while=OVERSIGHT)
# The head of service's copy of an overdue service lead's list: the same card, addressed to them.
HOS_OVERSIGHT_OVERDUE = OutboxKind("hos-oversight-overdue", ac.oversight_overdue_card,
                                   _sample("oversight_overdue_head_of_service"), covered=True)
OVERSIGHT_REQUEST = OutboxKind("oversight-request", ac.oversight_request_card, _sample("oversight_request"),
                               covered=True, open_while=OVERSIGHT)
DISPUTE = OutboxKind("dispute", ac.dispute_card, _sample("dispute"))
UPLOAD_REQUEST = OutboxKind("upload-request", ac.upload_request_card, _sample("upload_request"))
# The one reminder of an upload not marked by its day (the card with chase=True); also the follow-up's kind.
UPLOAD_CHASE = OutboxKind("upload-chase", ac.upload_request_card, _sample("upload_chase"))
DECLINE_NOTICE = OutboxKind("decline-notice", ac.decline_notice_card, _sample("decline_notice"))
# Every other copy of a decline notice once the QA unit reallocated the case (capabilities/copies.py).
DECLINE_UPDATE = OutboxKind("decline-notice-update", cu.acted_card, _sample("decline_notice_reallocated"))
# The old auditor's allocation notice once the QA unit moved one of its cases (the case's section says so).
ALLOCATION_MOVED = OutboxKind("allocation-notice-moved", ac.allocation_notice_card, _sample("allocation_notice_moved"))
SAFEGUARDING_ALERT = OutboxKind("safeguarding-alert", ac.safeguarding_alert_card, _sample("safeguarding_alert"),
                                lane="urgent")

ALL = (ALLOCATION_NOTICE, UNREACHABLE_AUDITORS, AUDITOR_REMINDER, AUDIT_OVERDUE, SUPERVISOR_OVERDUE,
       SERVICE_LEAD_DIGEST, OVERSIGHT_REMINDER, OVERSIGHT_OVERDUE, HOS_OVERSIGHT_OVERDUE, OVERSIGHT_REQUEST,
       DISPUTE, UPLOAD_REQUEST, UPLOAD_CHASE, DECLINE_NOTICE, DECLINE_UPDATE, ALLOCATION_MOVED, SAFEGUARDING_ALERT)

# Kinds written before they had one spelling (migration 0004 renames stored rows).
FORMER_SPELLINGS = {"oversight_request": OVERSIGHT_REQUEST, "upload_request": UPLOAD_REQUEST,
                    "decline_notice": DECLINE_NOTICE, "safeguarding_alert": SAFEGUARDING_ALERT}


# The case holder's side (framework 9.3, "working alongside the case holder"): the allocation-day notice and its
# in-place updates, the findings after oversight, and their reflection to the auditor and their supervisor.
_case_holder = cache(case_holder_samples.samples)


def _ch_sample(name: str):
    return lambda: copy.deepcopy(_case_holder()[name])


CASE_HOLDER_NOTICE = OutboxKind("case-holder-notice", ch.case_holder_notice_card, _ch_sample("case_holder_notice"))
CASE_HOLDER_UPDATE = OutboxKind("case-holder-notice-update", ch.case_holder_notice_card,
                                _ch_sample("case_holder_notice_arranged"))
AUDIT_FINDINGS = OutboxKind("audit-findings", ch.findings_card, _ch_sample("audit_findings"))
CASE_HOLDER_REFLECTION = OutboxKind("case-holder-reflection", ch.reflection_card,
                                    _ch_sample("case_holder_reflection_supervisor"))
# Good or Outstanding: the case holder's manager thanked, naming what was strong.
GOOD_PRACTICE_THANKS = OutboxKind("good-practice-thanks", ch.thanks_card, _ch_sample("good_practice_thanks"))
# Before submitting (QA_CASE_HOLDER_DRAFT_CHECK): the draft to the case holder, their comment to the auditor.
DRAFT_CHECK = OutboxKind("draft-check", ch.draft_check_card, _ch_sample("draft_check"))
DRAFT_COMMENT = OutboxKind("draft-check-comment", ch.draft_comment_card, _ch_sample("draft_comment"))
CASE_HOLDER_KINDS = (CASE_HOLDER_NOTICE, CASE_HOLDER_UPDATE, AUDIT_FINDINGS, CASE_HOLDER_REFLECTION,
                     GOOD_PRACTICE_THANKS, DRAFT_CHECK, DRAFT_COMMENT)
