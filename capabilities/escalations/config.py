"""The escalations' settings, from the environment, parsed once by capabilities/settings.py where
the capability is built (registration.py's duties, at start: a wrong value is one line naming the
variable, ConfigurationError, and the bot does not start); the alert form's press and the CLI use
the same values (`settings()`):

- QA_ALERT_CHASE_DAYS: working days a practice alert may stay unresolved before it is chased to the
  practice manager and service lead (default 5, framework section 14); twice as many and it goes to
  the head of service and the QA unit.
- QA_DIP_SAMPLE_DAY, QA_DIP_SAMPLE_PERCENT: the dip sample's day of the month and its share.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from capabilities.settings import environment, whole
from qa.alerts import CHASE_WORKING_DAYS
from qa.escalations import DIP_SAMPLE_DAY, DIP_SAMPLE_PERCENT

ENV = "QA_ALERT_CHASE_DAYS"
DIP_DAY_ENV = "QA_DIP_SAMPLE_DAY"
DIP_PERCENT_ENV = "QA_DIP_SAMPLE_PERCENT"


@dataclass(frozen=True)
class EscalationSettings:
    chase_days: int = CHASE_WORKING_DAYS
    dip_day: int = DIP_SAMPLE_DAY
    dip_percent: int = DIP_SAMPLE_PERCENT


def chase_days(env: Mapping[str, str] | None = None) -> int:
    """QA_ALERT_CHASE_DAYS: working days before an unresolved practice alert is chased (default 5)."""
    return whole(env, ENV, CHASE_WORKING_DAYS, 1, 60, "a whole number of working days")


def dip_sample_day(env: Mapping[str, str] | None = None) -> int:
    """QA_DIP_SAMPLE_DAY: the day of the month the dip sample is drawn (default 10; the next working
    day when it is not one)."""
    return whole(env, DIP_DAY_ENV, DIP_SAMPLE_DAY, 1, 28, "a day of the month")


def dip_sample_percent(env: Mapping[str, str] | None = None) -> int:
    """QA_DIP_SAMPLE_PERCENT: the share of the previous month's submitted audits drawn (default 10)."""
    return whole(env, DIP_PERCENT_ENV, DIP_SAMPLE_PERCENT, 1, 100, "a whole percentage")


def from_env(env: Mapping[str, str] | None = None) -> EscalationSettings:
    env = environment(env)
    return EscalationSettings(chase_days(env), dip_sample_day(env), dip_sample_percent(env))


@cache
def settings() -> EscalationSettings:
    """The process's settings, read from the environment once (the first call, when the duties are built)."""
    return from_env()
