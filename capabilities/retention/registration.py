"""Retention (docs/privacy.md), registered: the monthly purge duty and `python -m bot purge`, which
apply the retention every registered capability declares for its tables (rules.py), and the
spine's own declarations (spine.py). The periods come from QA_RETENTION, read when the duties are
built (capabilities/retention/config.py)."""
from __future__ import annotations

from collections.abc import Callable

from capabilities.registry import Capability, Registry
from capabilities.retention import cli, config, spine
from capabilities.retention.duties import RetentionDuty
from capabilities.retention.rules import purge_order
from qa.calendar import WorkingCalendar


def capability(registry_of: Callable[[], Registry]) -> Capability:
    """The retention capability; `registry_of()` gives the whole registry, whose rules it applies."""

    def rules():
        return purge_order(registry_of().capabilities)

    def duties(cal: WorkingCalendar):
        return [RetentionDuty(cal, config.from_env(), rules())]

    return Capability(name="retention", duties=duties, cli=cli.commands(rules), retention=spine.RULES)
