"""Reports (framework 9.3), registered: the monthly analysis duty (with the quarterly and annual
reports in their months), its outbox kind, the `report` chat command (not in the menu) and its
button, the workbook offered through Teams' file consent card, and the `report` CLI. When they
go is read from the environment where the duties are built (capabilities/reports/config.py)."""
from __future__ import annotations

from capabilities import files
from capabilities.registry import Capability, CardVerb, ChatCommand, FileOffer
from capabilities.reports import access, actions, cli, commands, config, delivery
from capabilities.reports.duties import AuditReportDuty
from dialogs import report_cards
from qa.calendar import WorkingCalendar
from qa.framework import Role


def duties(cal: WorkingCalendar):
    return [AuditReportDuty(cal, config.from_env())]


ANALYSIS = ("Send you the monthly audit analysis on the 7th (the next working day when the 7th is not one), and "
            "the quarterly and annual reports with it in their months.")
ON_DEMAND = "Send you the audit register or any audit report as an Excel workbook (type \"report\")."

CAPABILITY = Capability(
    name="reports",
    verbs=(CardVerb(report_cards.SEND_VERB, actions.send_report),),
    commands=(ChatCommand("report", "the audit register or an audit analysis, as an Excel workbook", ("reports",),
                          commands.report_menu, access.ROLES, in_menu=False),),
    duties=duties,
    # The messages around a file consent card (capabilities/files.py): reports offer the files.
    outbox_kinds=(delivery.REPORT, *files.KINDS),
    cli=cli.COMMANDS,
    help={
        Role.QA_UNIT: (ANALYSIS, ON_DEMAND),
        Role.DEPUTY_DIRECTOR: (ANALYSIS, ON_DEMAND),
        Role.SERVICE_LEAD: (ANALYSIS.replace("analysis", "analysis for your service areas", 1), ON_DEMAND),
        Role.HEAD_OF_SERVICE: (ON_DEMAND.replace("workbook", "workbook for your service areas", 1),),
        Role.PRACTICE_MANAGER: (ON_DEMAND.replace("workbook", "workbook for your team: grades, key areas, on time",
                                                  1),),
        Role.PRINCIPAL_SOCIAL_WORKER: (ON_DEMAND.replace("workbook", "workbook for the whole service", 1),),
    },
    files=(FileOffer(delivery.OFFER, actions.report_file),),
)
