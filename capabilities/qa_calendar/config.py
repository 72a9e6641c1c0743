"""The QA calendar's reminder settings, parsed once with capabilities/settings.py where its duties are built:

- QA_CALENDAR_REMINDER_WORKING_DAYS (1, from 1 to 10): working days before a forum, reflective group or
  assurance clinic that its first reminder goes (at the send time, 09:00 local).
- QA_CALENDAR_REMINDER_MINUTES (60, from 5 to 480): minutes before its start time that its second goes (an
  event without a start time has the first only).
- QA_SURVEY_CLOSING_DAYS (7, from 1 to 60): days before a survey window closes that its second reminder goes.

A wrong value is one line naming the variable (ConfigurationError), and the bot does not start.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from capabilities.settings import Env, whole
from qa.qa_calendar import REMINDER_MINUTES_BEFORE, REMINDER_WORKING_DAYS_BEFORE, SURVEY_CLOSING_DAYS


@dataclass(frozen=True)
class Reminders:
    working_days_before: int = REMINDER_WORKING_DAYS_BEFORE
    minutes_before: int = REMINDER_MINUTES_BEFORE
    survey_closing_days: int = SURVEY_CLOSING_DAYS


def from_env(env: Env | None = None) -> Reminders:
    return Reminders(
        whole(env, "QA_CALENDAR_REMINDER_WORKING_DAYS", REMINDER_WORKING_DAYS_BEFORE, 1, 10,
              "a whole number of working days"),
        whole(env, "QA_CALENDAR_REMINDER_MINUTES", REMINDER_MINUTES_BEFORE, 5, 480, "a whole number of minutes"),
        whole(env, "QA_SURVEY_CLOSING_DAYS", SURVEY_CLOSING_DAYS, 1, 60, "a whole number of days"))


@cache
def reminders() -> Reminders:
    """The process's reminder settings, parsed from the environment on first use (when the duties are built)."""
    return from_env()
