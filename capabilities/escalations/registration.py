"""Escalations (framework 9.3), registered: the moderation and urgent-review buttons, the duties
that bring Inadequate audits to the QA unit and chase owed updates, the outbox kinds, the CLI and
what the help card says for each role."""
from __future__ import annotations

from capabilities.escalations import actions, cli, commands, config, kinds
from capabilities.escalations.access import GOOD_PRACTICE_READERS, RAISERS
from capabilities.escalations.dip_sample import DipSampleDuty
from capabilities.escalations.duties import AlertChaseDuty, IntakeDuty, RemedialChaseDuty, UpdateFollowUpDuty
from capabilities.escalations.good_practice import GoodPracticeListDuty
from capabilities.registry import Capability, CardVerb, ChatCommand, RetentionRule
from dialogs import samples as catalogue
from dialogs.alert_cards import Verb as AlertVerb
from qa.calendar import WorkingCalendar
from qa.framework import Role
from qa.retention import AUDIT_RECORDS
from storage import retention as past

REVIEW = ("Send you an urgent review when the QA unit agrees an Inadequate grade in your service areas, and "
          "take your updates to the QA unit (in 3 working days and in one week) from its card, with reminders.")


ALERTED = ("Bring you practice alerts raised on your team's cases by reviewing officers, conference chairs and "
           "the QA unit, to respond with the actions agreed and mark resolved.")
GOOD_PRACTICE = ("Send you each month the audits graded Good or Outstanding, with their strengths, for practice "
                 "forums and learning workshops.")
RAISER = "Raise a practice alert on a case with its team, and tell you of each response."


def samples() -> dict[str, dict]:
    """Answers to presses on an old copy: the card as it stands, with why nothing changed."""
    cards = catalogue.escalation_card_samples()
    return {
        "escalation_pressed_old_moderation": actions.with_message(
            cards["moderation_regraded"], "Małgorzata Kowalczyk-Henderson already regraded this audit to Requires "
            "Improvement on Thursday 7 January 2027 at 10:12. Nothing was changed."),
        "escalation_pressed_closed": actions.with_message(
            cards["escalation_closed"], "This escalation was closed by Małgorzata Kowalczyk-Henderson on Thursday "
            "7 January 2027 at 10:12. Nothing was changed."),
    }


def duties(cal: WorkingCalendar):
    settings = config.settings()  # read once, here: a wrong value stops the start
    return [IntakeDuty(cal), UpdateFollowUpDuty(cal), AlertChaseDuty(cal, settings.chase_days),
            RemedialChaseDuty(cal), DipSampleDuty(cal, settings.dip_day, settings.dip_percent),
            GoodPracticeListDuty(cal)]


CAPABILITY = Capability(
    name="escalations",
    verbs=(*(CardVerb(verb, actions.press) for verb in actions.STEPS),
           CardVerb(AlertVerb.RAISE, actions.raise_alert)),
    commands=(
        ChatCommand("alert", "raise a practice alert on a case with its team (section 14)", ("practice alert",),
                    commands.alert_command, RAISERS, in_menu=False),
        ChatCommand("alerts", "the practice alerts still open, oldest first", ("open alerts",),
                    commands.alerts_command, frozenset({Role.QA_UNIT}), in_menu=False),
        ChatCommand("good practice", "audits graded Good or Outstanding in the last three months, by service area, "
                    "for learning (heads of service, service leads, practice managers: their areas)", ("good practice list", "learning list"), commands.good_practice_command,
                    GOOD_PRACTICE_READERS, in_menu=False),
    ),
    duties=duties,
    outbox_kinds=kinds.ALL,
    samples=samples,
    cli=cli.COMMANDS,
    help={
        Role.QA_UNIT: (
            "Bring you every audit graded Inadequate to moderate: agree the grade or regrade it.",
            "Send the moderation panel a random dip sample of last month's audits each month (the 10th unless "
            "set otherwise), to agree or regrade; disagreements go to the auditor and their service lead as "
            "learning.",
            "Show you each urgent-review update as it arrives, tell you when one is overdue, and let you close "
            "the escalation or ask for more.",
            RAISER,
            GOOD_PRACTICE,
            "List the practice alerts still open, and bring you those left unresolved for two chase periods.",
        ),
        Role.SERVICE_LEAD: (REVIEW, ALERTED, "Ask you for the remedial actions on audits graded Requires "
                                             "Improvement or Inadequate once you confirm oversight, and chase each "
                                             "on its target date until it is marked done."),
        Role.HEAD_OF_SERVICE: (
            REVIEW,
            "Send you, on the moderation panel, the monthly dip sample of audits in your service areas, to agree "
            "or regrade.",
            "Bring you practice alerts in your service areas left unresolved for two chase periods.",
        ),
        Role.PRACTICE_MANAGER: (ALERTED,),
        Role.PRINCIPAL_SOCIAL_WORKER: (GOOD_PRACTICE,),
        Role.IRO: (RAISER,),
        Role.CP_CHAIR: (RAISER,),
    },
    # Kept as long as audit records: with their allocation's month; practice alerts from when raised.
    retention=tuple(RetentionRule(table, AUDIT_RECORDS, where) for table, where in (
        ("alert_responses", past.alert_responses), ("alerts", past.alerts),
        ("dip_sample_items", past.dip_sample_items), ("dip_samples", past.dip_samples),
        ("remedial_actions", past.remedial_actions), ("remedial_plans", past.remedial_plans),
        ("reaudits", past.reaudits), ("escalation_updates", past.escalation_updates),
        ("escalations", past.escalations), ("moderations", past.moderations))),
)
