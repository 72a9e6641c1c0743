"""The monthly audit cycle (framework 9.3), registered: its buttons, commands, duties, outbox
kinds, extra cards, CLI and what the help card says it does for each role."""
from __future__ import annotations

from capabilities.audit_cycle import (
    actions,
    allocation_list,
    cli,
    commands,
    config,
    kinds,
    partnership,
    safeguarding,
    team,
)
from capabilities.audit_cycle.duties import AuditCycleDuty, LateAllocationNoticeDuty, UploadChaseDuty
from capabilities.audit_cycle.reach import TellQaUnitOfUnreached
from capabilities.audit_cycle.samples import all_samples
from capabilities.registry import Capability, CardVerb, ChatCommand, FileOffer, RetentionRule
from capabilities.settings import case_refs
from dialogs.audit_cards import Verb
from dialogs.case_holder_cards import Verb as CaseHolderVerb
from dialogs.safeguarding_cards import Verb as SafeguardingVerb
from qa.allocations import AUDITOR_ROLES
from qa.calendar import WorkingCalendar
from qa.framework import Role
from qa.retention import AUDIT_RECORDS
from storage import retention as past

AUDITOR = (
    "Send you your audit allocation on the 3rd (the next working day when the 3rd is not one) and remind you "
    "before the month's deadline (the notice gives "
    "the date: around the 28th, earlier when holidays fall there).",
    "Help you record the grade and your discussion with the case holder, and keep your draft until you submit.",
    "Ask you to upload each audit to the child's file in Care Director once its oversight is confirmed, by a day "
    "you can still meet, and remind you once if it is not marked uploaded.",
    "Escalate an immediate safeguarding concern found while auditing at once to the practice manager, "
    "service lead, head of service and deputy director.",
)
SAFEGUARDING = ("Alert you at once to an immediate safeguarding concern found during an audit in your service areas: "
                "press I'm taking this to own it (everyone else sees you have it), then record what was done.")


def duties(cal: WorkingCalendar):
    case_refs()  # QA_CASE_REF_PATTERN read once, here: a wrong value stops the start
    config.settings()  # a wrong QA_UPLOAD_WORKING_DAYS or QA_CASE_HOLDER_DRAFT_CHECK stops the bot at start-up
    # In this order: a month's own allocation notice runs before the late-notice check.
    return [AuditCycleDuty(cal), LateAllocationNoticeDuty(cal), UploadChaseDuty(cal),
            safeguarding.SafeguardingFollowUpDuty(cal, safeguarding.settings()),
            safeguarding.OutOfHoursSummaryDuty(cal)]


CAPABILITY = Capability(
    name="audit-cycle",
    reach=TellQaUnitOfUnreached,  # the QA unit hears of an unreached auditor when the notice is sent
    verbs=(*(CardVerb(verb, actions.press) for verb in actions.STEPS),
           CardVerb(Verb.CYCLE_STATUS, actions.refresh_cycle_status),
           CardVerb(Verb.REALLOCATE, actions.reallocate_press),
           CardVerb(CaseHolderVerb.CONVERSATION_ARRANGED, actions.conversation),
           CardVerb(CaseHolderVerb.CONVERSATION_HELD, actions.conversation),
           CardVerb(CaseHolderVerb.FINDINGS_REFLECT, actions.findings),
           CardVerb(CaseHolderVerb.FINDINGS_SUPERVISION, actions.findings),
           CardVerb(CaseHolderVerb.FINDINGS_FORUM, actions.findings),
           CardVerb(CaseHolderVerb.DRAFT_SHARE, actions.draft),
           CardVerb(CaseHolderVerb.DRAFT_COMMENT, actions.draft),
           # Taken in personal chats and in the out-of-hours channel (its answer names only the owner); the
           # action note is recorded in the owner's personal chat.
           CardVerb(SafeguardingVerb.CLAIM, actions.safeguarding_press, channel=True),
           CardVerb(SafeguardingVerb.NOTE, actions.safeguarding_press)),
    commands=(
        ChatCommand("my audits", "the case audits allocated to you that are still to submit, with their deadlines",
                    ("audits", "my audit"), commands.my_audits, AUDITOR_ROLES, in_menu=False),
        ChatCommand("oversight", "the submitted audits in your service areas awaiting your oversight",
                    ("my oversight",), commands.oversight, frozenset({Role.SERVICE_LEAD}), in_menu=False),
        ChatCommand("cycle", "this month's audits per service area: allocated, submitted, overdue, oversight",
                    ("cycle status", "audit cycle"), commands.cycle_status, frozenset({Role.QA_UNIT}), in_menu=False),
        ChatCommand("reallocate", "move an audit not yet started to another auditor: type reallocate and the case "
                    "reference", ("reallocate case",), commands.reallocate, frozenset({Role.QA_UNIT}), in_menu=False,
                    argument="CASE REF"),
        ChatCommand("my team", "your team's audits this quarter after oversight (grades, key areas, strengths, "
                    "improvements) and its open remedial actions", ("team audits",), team.my_team,
                    frozenset({Role.PRACTICE_MANAGER}), in_menu=False),
        ChatCommand("concerns", "safeguarding concerns found while auditing: who took each, and how soon the "
                    "action was recorded", ("safeguarding concerns",), commands.concerns,
                    frozenset({Role.QA_UNIT}), in_menu=False),
        ChatCommand("partner form", "a partnership audit's form as a workbook for a partner not on Teams to fill in: "
                    "type partner form and the case reference", ("partnership form", "partner audit"),
                    partnership.partner_form, frozenset({Role.QA_UNIT}), in_menu=False, argument="CASE REF"),
    ),
    duties=duties,
    outbox_kinds=(*kinds.ALL, *kinds.CASE_HOLDER_KINDS, *safeguarding.KINDS, partnership.PARTNER_FORM),
    samples=all_samples,
    cli=cli.COMMANDS,
    file_kinds=(allocation_list.KIND, partnership.KIND),
    files=(FileOffer(partnership.OFFER, partnership.partner_form_file),),
    help={
        Role.PRACTITIONER: (
            "Tell you when a case you hold is in the month's audit, who audits it and when you will talk; once "
            "oversight is confirmed, send you the findings to reflect on and take to supervision (with thanks for "
            "Good or Outstanding), and any action you are named for, with Done.",
        ),
        Role.PRACTICE_MANAGER: (*AUDITOR, "Show your team's audits this quarter once oversight is confirmed "
                                          "(grades, key areas, strengths, improvements) and its open remedial "
                                          "actions: type my team."),
        Role.SERVICE_LEAD: (
            "Send you the audits completed in your service areas at the month's audit deadline, for your "
            "oversight by the oversight deadline on the card (around the 6th of the next month, earlier when "
            "holidays fall there; later for an audit that reaches you late), and remind you until it is done.",
            "Send a dispute to the auditor and the QA unit when you disagree with an audit.",
            SAFEGUARDING,
            AUDITOR[0],
        ),
        Role.HEAD_OF_SERVICE: (
            "Tell you when service leads' oversight of audits in your service areas is overdue.",
            "Tell you when audits are overdue for managers you supervise.",
            SAFEGUARDING,
        ),
        Role.DEPUTY_DIRECTOR: (SAFEGUARDING, "Tell you when audits are overdue for managers you supervise."),
        Role.QA_UNIT: (
            "Distribute the month's audit allocation list on the 3rd (send me the file here).",
            "Tell you when an auditor can't do an audit (press Reallocate on the notice and choose who takes it "
            "over, fewest audits this month first), or can't be reached in Teams when their allocation is sent "
            "(type reallocate and the case reference to move an audit not yet started, or send it another way).",
            "Bring you disputes between service leads and auditors, and record how they were resolved.",
            "Show where the month's audits and oversight have got to, per service area, and the uploads to Care "
            "Director still not done after a reminder.",
            "Make a partnership audit's form a workbook for a partner not on Teams (type partner form and the case "
            "reference), and record it when you send me the partner's returned workbook.",
            AUDITOR[0],
        ),
        Role.PRINCIPAL_SOCIAL_WORKER: AUDITOR,
    },
    # A month's records go together, counted from the month's end (the trail rows with no month from their own
    # moment); escalations, registered later, purge theirs on the same months first.
    retention=(RetentionRule("safeguarding_concerns", AUDIT_RECORDS, past.safeguarding_concerns),
               RetentionRule("audits", AUDIT_RECORDS, past.audits),
               RetentionRule("allocations", AUDIT_RECORDS, past.allocations),
               RetentionRule("audit_events", AUDIT_RECORDS, past.trail),
               RetentionRule("audit_months", AUDIT_RECORDS, past.audit_months)),
)
