"""Broadcasts' settings, from the environment, read where the capability is built:
QA_BROADCAST_CHASER_DAYS (working days before the one chaser, default 3) and
QA_PRACTICE_WEEK_NOTICE_DAYS (working days before a practice week that its notice goes, default 5).
A wrong value is one line naming the variable (ConfigurationError)."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from capabilities.registry import ConfigurationError
from qa.broadcasts import CHASER_WORKING_DAYS
from qa.qa_calendar import NOTICE_DAYS_BEFORE

CHASER_ENV = "QA_BROADCAST_CHASER_DAYS"
NOTICE_ENV = "QA_PRACTICE_WEEK_NOTICE_DAYS"


@dataclass(frozen=True)
class BroadcastSettings:
    chaser_days: int = CHASER_WORKING_DAYS
    notice_days: int = NOTICE_DAYS_BEFORE


def _days(env: Mapping[str, str], name: str, default: int) -> int:
    text = (env.get(name) or "").strip()
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 60:
        raise ConfigurationError(f"{name} must be a whole number of working days from 1 to 60, not {text!r}")
    return int(text)


def from_env(env: Mapping[str, str] | None = None) -> BroadcastSettings:
    env = os.environ if env is None else env
    return BroadcastSettings(_days(env, CHASER_ENV, CHASER_WORKING_DAYS), _days(env, NOTICE_ENV, NOTICE_DAYS_BEFORE))
