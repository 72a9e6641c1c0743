"""The workforce duties (framework 9.2; 9.1's ASYE year), registered: the ASYE review point's, appraisal's,
induction's and the personal development plan's buttons, induction's, the PDP's, the training needs analysis's
and registration's commands, the duties, the outbox kinds, the CLI, the help lines and the retention of its
records. The ASYE lines in the supervisor's digest are joined to supervision's morning in
capabilities/supervision/registration.py (`asye.digest_lines`)."""
from __future__ import annotations

from capabilities.registry import Capability, CardVerb, ChatCommand, FileOffer, RetentionRule
from capabilities.workforce import (
    actions,
    cli,
    config,
    induction,
    induction_kinds,
    kinds,
    pdp,
    renewals,
    topics,
    training_needs,
)
from capabilities.workforce.duties import AsyeCohortDuty, RenewalDuty, WorkforceMorningDuty
from capabilities.workforce.induction_duties import InductionFiguresDuty, InductionMorningDuty
from dialogs.induction_cards import Verb as InductionVerb
from dialogs.pdp_cards import Verb as PdpVerb
from dialogs.workforce_cards import Verb
from qa.calendar import WorkingCalendar
from qa.framework import ROLES, Role
from qa.retention import PDP, WORKFORCE
from storage import retention as past

SUPERVISOR = ("Put an ASYE supervisee's three-, six- and twelve-month reviews and final assessment in your "
              "supervision digest from two working days before each is due, with Held today to record it (the "
              "date only); tell you when a review of someone your supervisee supervises is five working days "
              "overdue.")
MANAGER = ("Put a supervisee's annual appraisal in your supervision digest from two working days before it is due "
           "(a year after the last, or by the council's appraisal window), with Held today to record it (the date "
           "only).")
APPRAISAL_FIGURES = "Set each team's appraisals in date beside the monthly supervision compliance."
REGISTERED = ("If you are a registered social worker, in Social Work England's renewal period (1 September to 30 "
              "November unless the council set another), remind you to renew and record "
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
PDP_LINE = ("When you record an appraisal as held, ask for the learning agreed in the personal development plan: "
            "topics from the council's list and a short note (no appraisal content); type pdp and their email to "
            "change it later.")
TNA = ("Send you the training needs analysis each quarter (personal development plans by team, service area and "
       "whole service, beside the audit key areas graded weakest) as an Excel workbook; type \"training needs\" "
       "for it now.")
REGISTRATION = ("Show you Social Work England renewal by team (renewed with CPD recorded, not yet) when you type "
                "\"registration\".")


def duties(cal: WorkingCalendar):
    return [WorkforceMorningDuty(cal), AsyeCohortDuty(cal), RenewalDuty(cal, config.swe_renewal()),
            InductionMorningDuty(cal, config.plan_in_use(), config.new_starter_months(), config.manager_after()),
            InductionFiguresDuty(cal),
            training_needs.TrainingNeedsDuty(cal, training_needs.months_setting(), topics.in_use())]


CAPABILITY = Capability(
    name="workforce",
    verbs=(CardVerb(Verb.ASYE_HELD, actions.asye_held), CardVerb(Verb.APPRAISAL_HELD, actions.appraisal_held),
           CardVerb(Verb.SWE_CONFIRMED, actions.swe_confirmed), CardVerb(InductionVerb.DONE, actions.induction_done),
           CardVerb(InductionVerb.CONFIRM, actions.induction_confirm),
           CardVerb(InductionVerb.CONFIRM_ALL, actions.induction_confirm_all),
           CardVerb(PdpVerb.SAVE, actions.pdp_save), CardVerb(PdpVerb.SEND_TNA, actions.training_needs_send)),
    commands=(
        ChatCommand("induction", "your supervisees' inductions to confirm; type induction and an email address to "
                    "mark a supervisee as a new starter", ("inductions",), induction.induction_command, ON_ROSTER,
                    in_menu=False, relation=induction.SUPERVISOR, argument="EMAIL"),
        ChatCommand("my induction", "your induction plan, with Done to sign off each element", (),
                    induction.my_induction, ON_ROSTER, in_menu=False),
        ChatCommand("pdp", "the personal development plan of someone you manage: type pdp and their email",
                    ("personal development plan",), pdp.command, ON_ROSTER, in_menu=False,
                    relation=pdp.MANAGES, argument="EMAIL"),
        ChatCommand("training needs", "the training needs analysis: learning asked for beside the key areas graded "
                    "weakest, and its workbook", ("training needs analysis", "tna"), training_needs.command,
                    training_needs.READERS, in_menu=False),
        ChatCommand("registration", "Social Work England renewal by team: renewed with CPD recorded, not yet",
                    ("registration status", "swe renewal"), renewals.command, renewals.READERS, in_menu=False),
    ),
    duties=duties,
    outbox_kinds=(*kinds.ALL, *induction_kinds.ALL, training_needs.TRAINING_NEEDS),
    files=(FileOffer(training_needs.OFFER, training_needs.make_file),),
    samples=lambda: {},
    cli=(*cli.COMMANDS, induction.CLI, training_needs.CLI),
    help={
        Role.PRACTITIONER: (REGISTERED, STARTER),
        Role.PRACTICE_MANAGER: (SUPERVISOR, MANAGER, PDP_LINE, INDUCTING, STARTER),
        Role.SERVICE_LEAD: (SUPERVISOR, MANAGER, PDP_LINE, APPRAISAL_FIGURES, INDUCTING, INDUCTION_FIGURES, STARTER),
        Role.HEAD_OF_SERVICE: (SUPERVISOR, MANAGER, PDP_LINE, INDUCTING, STARTER),
        Role.DEPUTY_DIRECTOR: (MANAGER, PDP_LINE, INDUCTING),
        Role.QA_UNIT: (APPRAISAL_FIGURES, INDUCTION_FIGURES, TNA),
        Role.PRINCIPAL_SOCIAL_WORKER: (PSW, APPRAISAL_FIGURES, RENEWAL_FIGURES, TNA, REGISTRATION),
    },
    retention=(RetentionRule("workforce_records", WORKFORCE, past.workforce_records),
               RetentionRule("induction_elements", WORKFORCE, past.induction_elements),
               RetentionRule("pdp_plans", PDP, past.pdp_plans)),
)
