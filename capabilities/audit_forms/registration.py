"""The audit forms' registration: the `forms` CLI, and the folder read at start (a problem in it stops
start-up, as any wrong setting does: ConfigurationError)."""
from __future__ import annotations

from capabilities.audit_forms import cli, config
from capabilities.duties import Duty
from capabilities.registry import Capability, Kept
from qa.calendar import WorkingCalendar


def duties(cal: WorkingCalendar) -> tuple[Duty, ...]:
    """None: building them reads the forms once, so a bad folder is found at start, not at a press."""
    config.forms_in_use()
    return ()


CAPABILITY = Capability(
    name="audit_forms", cli=(cli.CLI,), duties=duties,
    retention=(Kept("audit_form_versions", "questions and help text, no personal or case data: an audit kept "
                    "under its own retention is read against the version it was started on"),))
