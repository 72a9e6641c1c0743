"""The workforce duties (framework 9.2; 9.1's ASYE year), registered: the ASYE review point's, appraisal's and
induction's buttons, induction's commands, the duties, the outbox kinds, the CLI, the help lines and the retention of its records. The ASYE lines in the
supervisor's digest are joined to supervision's morning in capabilities/supervision/registration.py
(`asye.digest_lines`)."""
from __future__ import annotations

from capabilities.registry import Capability, CardVerb, ChatCommand, RetentionRule
from capabilities.workforce import actions, cli, config, induction, induction_kinds, kinds
from capabilities.workforce.duties import AsyeCohortDuty, RenewalDuty, WorkforceMorningDuty
from capabilities.workforce.induction_duties import InductionFiguresDuty, InductionMorningDuty
from dialogs.induction_cards import Verb as InductionVerb
from dialogs.workforce_cards import Verb
from qa.calendar import WorkingCalendar
from qa.framework import ROLES, Role
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
STARTER = ("When you are new (the roster's start date), send you your induction plan, each element with its target "
           "date, with Done to sign each off as you complete it; remind you the working day after one is due.")
INDUCTING = ("Send you what a new starter you supervise signed off in their induction the working day before, with "
             "Confirm on each (or all at once); tell you when one is still not signed off some working days after "
             "they were reminded (five unless the council set QA_INDUCTION_MANAGER_AFTER).")
INDUCTION_FIGURES = "Send you induction completion per team on the first working day of each month."
ON_ROSTER = frozenset(ROLES)


def duties(cal: WorkingCalendar):
    return [WorkforceMorningDuty(cal), AsyeCohortDuty(cal), RenewalDuty(cal, config.swe_renewal()),
            InductionMorningDuty(cal, config.plan_in_use(), config.new_starter_months(), config.manager_after()),
            InductionFiguresDuty(cal)]


CAPABILITY = Capability(
    name="workforce",
    verbs=(CardVerb(Verb.ASYE_HELD, actions.asye_held), CardVerb(Verb.APPRAISAL_HELD, actions.appraisal_held),
           CardVerb(Verb.SWE_CONFIRMED, actions.swe_confirmed), CardVerb(InductionVerb.DONE, actions.induction_done),
           CardVerb(InductionVerb.CONFIRM, actions.induction_confirm),
           CardVerb(InductionVerb.CONFIRM_ALL, actions.induction_confirm_all)),
    commands=(
        ChatCommand("induction", "your supervisees' inductions to confirm; type induction and an email address to "
                    "mark a supervisee as a new starter", ("inductions",), induction.induction_command, ON_ROSTER,
                    in_menu=False, relation=induction.SUPERVISOR, argument="EMAIL"),
        ChatCommand("my induction", "your induction plan, with Done to sign off each element", (),
                    induction.my_induction, ON_ROSTER, in_menu=False),
    ),
    duties=duties,
    outbox_kinds=kinds.ALL + induction_kinds.ALL,
    samples=lambda: {},
    cli=(*cli.COMMANDS, induction.CLI),
    help={
        Role.PRACTITIONER: (REGISTERED, STARTER),
        Role.PRACTICE_MANAGER: (SUPERVISOR, MANAGER, INDUCTING, STARTER),
        Role.SERVICE_LEAD: (SUPERVISOR, MANAGER, APPRAISAL_FIGURES, INDUCTING, INDUCTION_FIGURES, STARTER),
        Role.HEAD_OF_SERVICE: (SUPERVISOR, MANAGER, INDUCTING, STARTER),
        Role.DEPUTY_DIRECTOR: (MANAGER, INDUCTING),
        Role.QA_UNIT: (APPRAISAL_FIGURES, INDUCTION_FIGURES),
        Role.PRINCIPAL_SOCIAL_WORKER: (PSW, APPRAISAL_FIGURES, RENEWAL_FIGURES),
    },
    retention=(RetentionRule("workforce_records", WORKFORCE, past.workforce_records),
               RetentionRule("induction_elements", WORKFORCE, past.induction_elements)),
)
