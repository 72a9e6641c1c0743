"""Retention (docs/privacy.md), registered: the monthly purge duty and `python -m bot purge`.
The periods come from QA_RETENTION, read when the duties are built (capabilities/retention/config.py)."""
from __future__ import annotations

from capabilities.registry import Capability
from capabilities.retention import cli, config
from capabilities.retention.duties import RetentionDuty
from qa.calendar import WorkingCalendar


def duties(cal: WorkingCalendar):
    return [RetentionDuty(cal, config.from_env())]


CAPABILITY = Capability(name="retention", duties=duties, cli=cli.COMMANDS)
