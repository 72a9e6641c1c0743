"""The audit forms' registration: the `forms` CLI, the folder read at start (a problem in it stops
start-up, as any wrong setting does: ConfigurationError), the duty that keeps every version in use,
and a definition sent in chat as a kind of file (file_kind.py; the QA unit only)."""
from __future__ import annotations

from capabilities.audit_forms import cli, config, file_kind
from capabilities.audit_forms.duties import KeepFormVersionsDuty
from capabilities.duties import Duty
from capabilities.registry import Capability, Kept
from qa.calendar import WorkingCalendar
from qa.framework import Role

HELP = ("Send me an audit form definition (.json): I check it and show the form (its sections and questions, "
        "and whether it is a new form or a new version of one in use), or every problem with its line; "
        "Confirm puts it in use. An edited form needs a new version: audits already started keep theirs.")


def duties(cal: WorkingCalendar) -> tuple[Duty, ...]:
    """Keeping the versions in use; building it reads the forms once, so a bad folder is found at start."""
    config.forms_in_use()
    return (KeepFormVersionsDuty(),)


CAPABILITY = Capability(
    name="audit_forms", cli=(cli.CLI,), duties=duties, file_kinds=(file_kind.KIND,),
    help={Role.QA_UNIT: (HELP,)},
    retention=(Kept("audit_form_versions", "questions and help text, no personal or case data: an audit kept "
                    "under its own retention is read against the version it was started on"),))
