"""The audit cycle's settings, from the environment, parsed once by capabilities/settings.py where the
capability is built (registration.py's duties, at start: a wrong value is one line naming the variable,
ConfigurationError, and the bot does not start); the Confirm oversight press uses the same values
(`settings()`):

- QA_UPLOAD_WORKING_DAYS: working days an auditor is given to upload an audit to the child's file in
  Care Director once oversight is confirmed, when the month's oversight deadline (the 6th) is sooner
  or already past (default 2; qa/deadlines.py). An upload not marked by then is chased once.
- QA_CASE_HOLDER_DRAFT_CHECK: yes or no (default no): whether the auditor is offered "Share with the case
  holder for a factual check" once a draft is saved (capabilities/audit_cycle/draft_check.py).
- QA_SUPERVISION_AUDIT_MONTHS: the months (numbers 1 to 12, comma separated) framework 9.3's schedule marks
  for supervision audits (default 2,4,6,8,10,12); a supervision audit allocated in another month is allowed
  and the allocation list's summary says so (qa/supervision_audit.py).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from capabilities.registry import ConfigurationError
from capabilities.settings import environment, text, whole, yes_no
from qa.deadlines import UPLOAD_WORKING_DAYS
from qa.supervision_audit import SCHEDULE, parse_months

UPLOAD_ENV = "QA_UPLOAD_WORKING_DAYS"
DRAFT_CHECK_ENV = "QA_CASE_HOLDER_DRAFT_CHECK"
SUPERVISION_MONTHS_ENV = "QA_SUPERVISION_AUDIT_MONTHS"


@dataclass(frozen=True)
class AuditCycleSettings:
    upload_days: int = UPLOAD_WORKING_DAYS
    draft_check: bool = False  # the draft may be shared with the case holder for a factual check
    supervision_months: tuple[int, ...] = SCHEDULE  # the months supervision audits are scheduled


def from_env(env: Mapping[str, str] | None = None) -> AuditCycleSettings:
    """The settings from `env` (default the process environment); ConfigurationError names a bad one."""
    env = environment(env)
    try:
        months = parse_months(text(env, SUPERVISION_MONTHS_ENV))
    except ValueError as exc:
        raise ConfigurationError(f"{SUPERVISION_MONTHS_ENV} must list month numbers (e.g. 2,4,6,8,10,12): {exc}") \
            from None
    return AuditCycleSettings(whole(env, UPLOAD_ENV, UPLOAD_WORKING_DAYS, 1, 20, "a whole number of working days"),
                              yes_no(env, DRAFT_CHECK_ENV, False), months)


@cache
def settings() -> AuditCycleSettings:
    """The process's settings, read from the environment once (the first call, when the duties are built)."""
    return from_env()
