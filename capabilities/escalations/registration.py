"""Escalations (framework 9.3), registered: the moderation and urgent-review buttons, the duties
that bring Inadequate audits to the QA unit and chase owed updates, the outbox kinds, the CLI and
what the help card says for each role."""
from __future__ import annotations

from capabilities.escalations import actions, cli, kinds
from capabilities.escalations.duties import ModerationRequestDuty, UpdateFollowUpDuty
from capabilities.registry import Capability, CardVerb
from dialogs import samples as catalogue
from qa.calendar import WorkingCalendar

REVIEW = ("Send you an urgent review when the QA unit agrees an Inadequate grade in your service areas, and "
          "take your updates to the QA unit (in 3 working days and in one week) from its card, with reminders.")


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
    return [ModerationRequestDuty(cal), UpdateFollowUpDuty(cal)]


CAPABILITY = Capability(
    name="escalations",
    verbs=tuple(CardVerb(verb, actions.press) for verb in actions.STEPS),
    duties=duties,
    outbox_kinds=kinds.ALL,
    samples=samples,
    cli=cli.COMMANDS,
    help={
        "qa_unit": (
            "Bring you every audit graded Inadequate to moderate: agree the grade or regrade it.",
            "Show you each urgent-review update as it arrives, tell you when one is overdue, and let you close "
            "the escalation or ask for more.",
        ),
        "service_lead": (REVIEW,),
        "head_of_service": (REVIEW,),
    },
)
