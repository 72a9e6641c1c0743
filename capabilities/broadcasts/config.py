"""Broadcasts' settings, read once where the capability is built (capabilities/settings.py):
QA_BROADCAST_CHASER_DAYS (working days before the one chaser, default 3) and
QA_PRACTICE_WEEK_NOTICE_DAYS (working days before a practice week that its notice goes, default 5).
A wrong value is one line naming the variable (ConfigurationError)."""
from __future__ import annotations

from dataclasses import dataclass

from capabilities.settings import Env, whole
from qa.broadcasts import CHASER_WORKING_DAYS
from qa.qa_calendar import NOTICE_DAYS_BEFORE

CHASER_ENV = "QA_BROADCAST_CHASER_DAYS"
NOTICE_ENV = "QA_PRACTICE_WEEK_NOTICE_DAYS"
DAYS = "a whole number of working days"


@dataclass(frozen=True)
class BroadcastSettings:
    chaser_days: int = CHASER_WORKING_DAYS
    notice_days: int = NOTICE_DAYS_BEFORE


def from_env(env: Env | None = None) -> BroadcastSettings:
    return BroadcastSettings(whole(env, CHASER_ENV, CHASER_WORKING_DAYS, 1, 60, DAYS),
                             whole(env, NOTICE_ENV, NOTICE_DAYS_BEFORE, 1, 60, DAYS))
