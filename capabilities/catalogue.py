"""The composition root of the capabilities: every capability the bot has, in one list.

The Teams edge (bot/teams_bot.py, bot/card_actions.py), the CLI (bot/cli.py), the sweep
(bot/app.py, bot/tick.py) and `cards dump` all read `registry()`. Adding a capability is one
line here (see docs/architecture.md, "Adding a capability").
"""
from __future__ import annotations

from functools import cache
from typing import Protocol

from capabilities import basics, bot_feedback, delivery, history, roster
from capabilities.audit_cycle.registration import CAPABILITY as AUDIT_CYCLE
from capabilities.audit_forms.registration import CAPABILITY as AUDIT_FORMS
from capabilities.broadcasts.registration import CAPABILITY as BROADCASTS
from capabilities.cover.registration import CAPABILITY as COVER
from capabilities.duties import Duty
from capabilities.escalations.registration import CAPABILITY as ESCALATIONS
from capabilities.intake import registration as intake
from capabilities.observations.registration import CAPABILITY as OBSERVATIONS
from capabilities.qa_calendar.registration import CAPABILITY as QA_CALENDAR
from capabilities.registry import Registry
from capabilities.reports.registration import CAPABILITY as REPORTS
from capabilities.retention import registration as retention
from capabilities.sampling.registration import CAPABILITY as SAMPLING
from capabilities.status.registration import CAPABILITY as STATUS
from capabilities.supervision.registration import CAPABILITY as SUPERVISION
from capabilities.workforce.registration import CAPABILITY as WORKFORCE
from qa.calendar import WorkingCalendar


@cache
def registry() -> Registry:
    """Every registered capability, in the order help cards list them and duties run."""
    return Registry([
        basics.capability(registry),
        COVER,  # first of the rest: a morning's handovers before that morning's notices
        roster.CAPABILITY,
        intake.capability(registry),
        AUDIT_FORMS,  # before the audit cycle: its forms are read (and checked) first
        AUDIT_CYCLE,
        ESCALATIONS,
        SUPERVISION,
        WORKFORCE,
        OBSERVATIONS,
        REPORTS,
        history.CAPABILITY,
        SAMPLING,
        QA_CALENDAR,
        BROADCASTS,
        bot_feedback.CAPABILITY,
        delivery.CAPABILITY,
        STATUS,
        retention.capability(registry),
    ])


class HasTimeZone(Protocol):
    tz: object


def default_duties(settings: HasTimeZone) -> list[Duty]:
    """Every duty the served bot and `tick` run, for the council's time zone (bot.settings.Settings.tz)."""
    return registry().duties(WorkingCalendar(tz=settings.tz))
