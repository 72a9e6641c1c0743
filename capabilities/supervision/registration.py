"""Supervision (framework 9.1), registered: its buttons, commands, duties, outbox kinds, extra cards,
CLI and what the help card says it does for each role. The cadences come from QA_SUPERVISION_*
(capabilities/supervision/config.py), read when the duties are built."""
from __future__ import annotations

from capabilities.registry import Capability, CardVerb, ChatCommand, Kept, RetentionRule
from capabilities.supervision import actions, cli, commands, config, file_kinds, kinds
from capabilities.supervision.access import MARKS_AWAY, SUPERVISED
from capabilities.supervision.access import SUPERVISOR as SUPERVISES
from capabilities.supervision.audit_discussions import discussion_lines
from capabilities.supervision.duties import SupervisionComplianceDuty, SupervisionMorningDuty
from capabilities.supervision.observation_plans import plan_lines
from capabilities.workforce import appraisal
from capabilities.workforce.asye import digest_lines as asye_lines
from dialogs.supervision_cards import Verb
from qa.calendar import WorkingCalendar
from qa.framework import ROLES, Role
from qa.retention import SUPERVISION, SUPERVISION_AWAY
from storage import retention as past

ON_ROSTER = frozenset(ROLES)
SUPERVISOR = (
    "Send you each working morning at 09:00 what is due in supervision for your supervisees (1:1s, ASYE, "
    "case supervision, agreement reviews) and for your team's group supervision, with a button to record each "
    "one in one press; an observation's action plan to review goes with the supervisee's 1:1.",
    "Tell you when a supervisee of someone you supervise is five working days overdue for a 1:1 or case "
    "supervision.",
)
SUPERVISEE = "Remind you the working day before your 1:1 supervision is due, and let you record that it took place."
EXEMPTIONS = ("Record your agreement that a case in your service areas need not have case supervision every eight "
              "weeks (exempt, with the reason; lift exemption undoes it), or press Exempt a case and Lift an exemption "
              "on a case supervision line of a digest sent to you: the supervisor's digest follows at once.")
COMPLIANCE = "Send you supervision compliance per team on the first working day of each month."
WHOLE_SERVICE_COMPLIANCE = ("Send you supervision compliance per team, for the whole service, on the first working "
                            "day of each month.")


def duties(cal: WorkingCalendar):
    cadences = config.cadences()
    return [SupervisionMorningDuty(cal, cadences, extra=[plan_lines(cal, cadences),
                                                            discussion_lines(cal, cadences),
                                                            asye_lines(cal),
                                                            appraisal.digest_lines(cal, appraisal.window())]),
            SupervisionComplianceDuty(cal, cadences, config.practice_development_team())]


CAPABILITY = Capability(
    file_kinds=file_kinds.KINDS,
    name="supervision",
    # `former`: the spellings digests already sent carry (before verbs were dotted).
    verbs=(CardVerb(Verb.RECORD_OPEN, actions.record_open, former=("supervision_record_open",)),
           CardVerb(Verb.RECORD, actions.record, former=("supervision_record",)),
           CardVerb(Verb.CONFIRM, actions.confirm, former=("supervision_confirm",)),
           CardVerb(Verb.ASYE_FOUR_WEEKLY, actions.asye_four_weekly, former=("supervision_asye_four_weekly",)),
           CardVerb(Verb.AWAY, actions.away, former=("supervision_away",)),
           CardVerb(Verb.BOOK, actions.book),
           CardVerb(Verb.EXEMPT_OPEN, actions.exempt_open),
           CardVerb(Verb.EXEMPT, actions.exempt),
           CardVerb(Verb.EXEMPT_LIFT_OPEN, actions.exempt_lift_open),
           CardVerb(Verb.EXEMPT_LIFT, actions.exempt_lift)),
    commands=(
        ChatCommand("supervision", "your supervisees' supervision: next due dates and what is overdue",
                    ("my supervisees", "supervisees"), commands.supervision, ON_ROSTER,
                    in_menu=False, relation=SUPERVISES),
        ChatCommand("my supervision", "your own supervision: when each kind is next due",
                    ("my supervisions",), commands.my_supervision, ON_ROSTER, in_menu=False, relation=SUPERVISED),
        ChatCommand("away", "mark yourself or a supervisee away: your work goes to your cover, supervision nudges wait",
                    ("i am away", "mark away"), commands.away, ON_ROSTER, in_menu=False,
                    relation=MARKS_AWAY),
        ChatCommand("exempt", "exempt a case from eight-weekly case supervision: type exempt, the case reference and "
                    "the reason", ("exempt case",), commands.exempt, frozenset({Role.SERVICE_LEAD}), in_menu=False,
                    argument="CASE REF REASON"),
        ChatCommand("lift exemption", "case supervision every eight weeks again for a case you exempted: type lift "
                    "exemption and the case reference", ("unexempt",), commands.lift_exemption,
                    frozenset({Role.SERVICE_LEAD}), in_menu=False, argument="CASE REF"),
    ),
    duties=duties,
    outbox_kinds=kinds.ALL,
    samples=lambda: {},
    cli=cli.COMMANDS,
    help={
        Role.PRACTITIONER: (SUPERVISEE,),
        Role.PRACTICE_MANAGER: (*SUPERVISOR, SUPERVISEE),
        Role.SERVICE_LEAD: (*SUPERVISOR, COMPLIANCE, SUPERVISEE, EXEMPTIONS),
        Role.HEAD_OF_SERVICE: (*SUPERVISOR, SUPERVISEE),
        Role.DEPUTY_DIRECTOR: SUPERVISOR,
        Role.QA_UNIT: (WHOLE_SERVICE_COMPLIANCE,),
        Role.PRINCIPAL_SOCIAL_WORKER: (WHOLE_SERVICE_COMPLIANCE,),
    },
    retention=(RetentionRule("supervision_sessions", SUPERVISION, past.supervision_sessions),
               RetentionRule("supervision_asye_switches", SUPERVISION, past.asye_switches),
               RetentionRule("supervision_exemptions", SUPERVISION, past.case_exemptions),
               RetentionRule("supervision_away", SUPERVISION_AWAY, past.away_periods),
               RetentionRule("supervision_bookings", SUPERVISION_AWAY, past.supervision_bookings),
               Kept("supervision_caseload", "each caseload import replaces it whole: a case off the export goes "
                                            "at the next import")),
)
