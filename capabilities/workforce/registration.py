"""The workforce duties (framework 9.2; 9.1's ASYE year), registered: the ASYE review point's and appraisal's buttons, the
duties, the outbox kinds, the CLI, the help lines and the retention of its records. The ASYE lines in the
supervisor's digest are joined to supervision's morning in capabilities/supervision/registration.py
(`asye.digest_lines`)."""
from __future__ import annotations

from capabilities.registry import Capability, CardVerb, RetentionRule
from capabilities.workforce import actions, cli, config, kinds
from capabilities.workforce.duties import AsyeCohortDuty, RenewalDuty, WorkforceMorningDuty
from dialogs.workforce_cards import Verb
from qa.calendar import WorkingCalendar
from qa.framework import Role
from qa.retention import WORKFORCE
from storage import retention as past

SUPERVISOR = ("Put an ASYE supervisee's three-, six- and twelve-month reviews and final assessment in your "
              "supervision digest from two working days before each is due, with Held today to record it (the "
              "date only); tell you when a review of someone your supervisee supervises is five working days "
              "overdue.")
MANAGER = ("Put a supervisee's annual appraisal in your supervision digest from two working days before it is due "
           "(a year after the last, or by the council's appraisal window), with Held today to record it (the date "
           "only).")
APPRAISAL_FIGURES = "Set each team's appraisals in date beside the monthly supervision compliance."
REGISTERED = ("In Social Work England's renewal period (1 September to 30 November), remind you to renew and record "
              "your CPD, with Renewed, CPD recorded to confirm both in one press; your manager is told if you have "
              "not confirmed ten working days before it closes.")
RENEWAL_FIGURES = "Send you Social Work England renewal by team (renewed with CPD recorded, not yet) in the renewal period."
PSW = "Send you the ASYE cohort's review points (held, due, overdue) on the first working day of each month."


def duties(cal: WorkingCalendar):
    return [WorkforceMorningDuty(cal), AsyeCohortDuty(cal), RenewalDuty(cal, config.swe_renewal())]


CAPABILITY = Capability(
    name="workforce",
    verbs=(CardVerb(Verb.ASYE_HELD, actions.asye_held), CardVerb(Verb.APPRAISAL_HELD, actions.appraisal_held),
           CardVerb(Verb.SWE_CONFIRMED, actions.swe_confirmed)),
    duties=duties,
    outbox_kinds=kinds.ALL,
    samples=lambda: {},
    cli=cli.COMMANDS,
    help={
        Role.PRACTITIONER: (REGISTERED,),
        Role.PRACTICE_MANAGER: (SUPERVISOR, MANAGER),
        Role.SERVICE_LEAD: (SUPERVISOR, MANAGER, APPRAISAL_FIGURES),
        Role.HEAD_OF_SERVICE: (SUPERVISOR, MANAGER),
        Role.DEPUTY_DIRECTOR: (MANAGER,),
        Role.QA_UNIT: (APPRAISAL_FIGURES,),
        Role.PRINCIPAL_SOCIAL_WORKER: (PSW, APPRAISAL_FIGURES, RENEWAL_FIGURES),
    },
    retention=(RetentionRule("workforce_records", WORKFORCE, past.workforce_records),),
)
