"""`rate the assistant`: how useful the bot is, in two taps (usefulness, then the part that matters most).

Choices only, never free text: the bot's data is about children. Each step is a botbuilder
ChoicePrompt rendered as a hero card whose buttons send the choice back as typed text (imBack),
which Teams shows in personal chat (suggested actions it does not show reliably there); typing
a choice, or its number, works too. The answers are saved through `save`, injected by the
capability (capabilities/bot_feedback.py), so this module knows nothing of storage.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from botbuilder.core import MessageFactory
from botbuilder.dialogs import (
    ComponentDialog,
    DialogTurnResult,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.choices import Choice, ListStyle
from botbuilder.dialogs.prompts import ChoicePrompt, PromptOptions

from dialogs.conversation import ACTOR

FEEDBACK_DIALOG = "rate-the-assistant"
_STEPS = "rate-the-assistant.steps"
_CHOICE = "rate-the-assistant.choice"

USEFULNESS_QUESTION = "How useful is the QA bot to you?"
USEFULNESS = ("Very useful", "Quite useful", "Not useful")
ABOUT_QUESTION = "Which part matters most to you?"
ABOUT = ("Audit allocations and reminders", "The audit form", "Oversight", "Something else")
RETRY = "Please tap one of the buttons (or type cancel to stop)."
THANKS = "Thank you: your feedback is saved and the QA unit will see it."

# save(actor_id, usefulness, about): records the answers (actor_id None: not on the roster).
SaveFeedback = Callable[[int | None, str, str], Awaitable[None]]


def _ask(question: str, choices: tuple[str, ...]) -> PromptOptions:
    return PromptOptions(
        prompt=MessageFactory.text(question),
        retry_prompt=MessageFactory.text(f"{RETRY}\n\n{question}"),
        choices=[Choice(value) for value in choices],
        style=ListStyle.hero_card,
    )


class FeedbackDialog(ComponentDialog):
    def __init__(self, save: SaveFeedback, dialog_id: str = FEEDBACK_DIALOG) -> None:
        super().__init__(dialog_id)
        self._save = save
        self.add_dialog(ChoicePrompt(_CHOICE))
        self.add_dialog(WaterfallDialog(_STEPS, [self._usefulness, self._about, self._thank]))
        self.initial_dialog_id = _STEPS

    async def _usefulness(self, step: WaterfallStepContext) -> DialogTurnResult:
        return await step.prompt(_CHOICE, _ask(USEFULNESS_QUESTION, USEFULNESS))

    async def _about(self, step: WaterfallStepContext) -> DialogTurnResult:
        step.values["usefulness"] = step.result.value
        return await step.prompt(_CHOICE, _ask(ABOUT_QUESTION, ABOUT))

    async def _thank(self, step: WaterfallStepContext) -> DialogTurnResult:
        options = step.options if isinstance(step.options, dict) else {}
        await self._save(options.get(ACTOR), step.values["usefulness"], step.result.value)
        await step.context.send_activity(THANKS)
        return await step.end_dialog()
