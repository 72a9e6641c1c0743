"""The workforce duties (framework 9.2; 9.1's ASYE year), registered: the ASYE review point's button, the
duties, the outbox kinds, the CLI, the help lines and the retention of its records. The ASYE lines in the
supervisor's digest are joined to supervision's morning in capabilities/supervision/registration.py
(`asye.digest_lines`)."""
from __future__ import annotations

from capabilities.registry import Capability, CardVerb, RetentionRule
from capabilities.workforce import actions, cli, kinds
from capabilities.workforce.duties import AsyeCohortDuty, WorkforceMorningDuty
from dialogs.workforce_cards import Verb
from qa.calendar import WorkingCalendar
from qa.framework import Role
from qa.retention import WORKFORCE
from storage import retention as past

SUPERVISOR = ("Put an ASYE supervisee's three-, six- and twelve-month reviews and final assessment in your "
              "supervision digest from two working days before each is due, with Held today to record it (the "
              "date only); tell you when a review of someone your supervisee supervises is five working days "
              "overdue.")
PSW = "Send you the ASYE cohort's review points (held, due, overdue) on the first working day of each month."


def duties(cal: WorkingCalendar):
    return [WorkforceMorningDuty(cal), AsyeCohortDuty(cal)]


CAPABILITY = Capability(
    name="workforce",
    verbs=(CardVerb(Verb.ASYE_HELD, actions.asye_held),),
    duties=duties,
    outbox_kinds=kinds.ALL,
    samples=lambda: {},
    cli=cli.COMMANDS,
    help={
        Role.PRACTICE_MANAGER: (SUPERVISOR,),
        Role.SERVICE_LEAD: (SUPERVISOR,),
        Role.HEAD_OF_SERVICE: (SUPERVISOR,),
        Role.PRINCIPAL_SOCIAL_WORKER: (PSW,),
    },
    retention=(RetentionRule("workforce_records", WORKFORCE, past.workforce_records),),
)
