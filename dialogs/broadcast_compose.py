"""`broadcast`: the QA unit composes a notice in Teams, one question at a time: title,
message (Markdown as Teams shows it), an optional https:// link, the audience, whether to ask for an
acknowledgement, when to send (now, or a date and time inside working hours), then a preview of
the card and a confirm step that states the number of recipients.

This module knows nothing of the roster or the outbox: the capability (capabilities/broadcasts/
compose.py) injects what checks an answer, builds the preview and queues the broadcast.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from botbuilder.core import CardFactory, MessageFactory
from botbuilder.dialogs import ComponentDialog, DialogTurnResult, WaterfallDialog, WaterfallStepContext
from botbuilder.dialogs.choices import Choice, ListStyle
from botbuilder.dialogs.prompts import ChoicePrompt, PromptOptions, PromptValidatorContext, TextPrompt

from dialogs.conversation import ACTOR

BROADCAST_DIALOG = "broadcast"
_STEPS, _TEXT, _AUDIENCE, _WHEN, _CHOICE = ("broadcast.steps", "broadcast.text", "broadcast.audience",
                                             "broadcast.when", "broadcast.choice")
TITLE_QUESTION = "What is the notice's title?"
MESSAGE_QUESTION = "What is the message? (Markdown works: **bold**, lists, links.)"
LINK_QUESTION = "A link to show as a button? Paste an https:// address, or type none."
AUDIENCE_QUESTION = ("Who is it for? Type everyone, or any mix separated by ';' of role=..., area=..., team=... "
                     "or channel=... (e.g. role=practice_manager; area=Family Help).")
ACK_QUESTION = "Ask people to acknowledge it with an \"I've read this\" button?"
WHEN_QUESTION = "When should it go? Type now, or a date and time such as 2027-01-11 09:00 (working hours)."
CONFIRM = ("Send", "Don't send")
NOT_SENT = "Nothing was sent. Type broadcast to start again."
YES_NO = ("Yes", "No")


@dataclass(frozen=True)
class Preview:
    card: dict[str, Any] | None  # the notice as people will see it, with who and when
    recipients: int
    refusal: str | None = None  # why it cannot go (identifiers, lengths...): the dialog ends


@dataclass(frozen=True)
class ComposeHooks:
    allowed: Callable[[int | None], Awaitable[bool]]  # may this roster person compose broadcasts?
    check_audience: Callable[[str], Awaitable[str | None]]  # what is wrong with the typed audience, or None
    check_when: Callable[[str], str | None]  # what is wrong with the typed time, or None
    preview: Callable[[int | None, dict[str, Any]], Awaitable[Preview]]
    send: Callable[[int | None, dict[str, Any]], Awaitable[str]]  # queues it; what to tell the composer


def _choices(question: str, choices: tuple[str, ...]) -> PromptOptions:
    return PromptOptions(prompt=MessageFactory.text(question),
                         retry_prompt=MessageFactory.text(f"Please tap one of the buttons.\n\n{question}"),
                         choices=[Choice(c) for c in choices], style=ListStyle.hero_card)


class BroadcastDialog(ComponentDialog):
    def __init__(self, hooks: ComposeHooks, dialog_id: str = BROADCAST_DIALOG) -> None:
        super().__init__(dialog_id)
        self.hooks = hooks
        self.add_dialog(TextPrompt(_TEXT))
        self.add_dialog(TextPrompt(_AUDIENCE, self._valid_audience))
        self.add_dialog(TextPrompt(_WHEN, self._valid_when))
        self.add_dialog(ChoicePrompt(_CHOICE))
        self.add_dialog(WaterfallDialog(_STEPS, [self._title, self._message, self._link, self._audience, self._ack,
                                                 self._when, self._preview, self._send]))
        self.initial_dialog_id = _STEPS

    @staticmethod
    def _actor(step: WaterfallStepContext) -> int | None:
        return step.options.get(ACTOR) if isinstance(step.options, dict) else None

    async def _valid_audience(self, prompt: PromptValidatorContext) -> bool:
        problem = await self.hooks.check_audience(prompt.recognized.value or "") if prompt.recognized.succeeded \
            else "type who it is for"
        if problem:
            await prompt.context.send_activity(f"{problem}.\n\n{AUDIENCE_QUESTION}")
        return problem is None

    async def _valid_when(self, prompt: PromptValidatorContext) -> bool:
        problem = self.hooks.check_when(prompt.recognized.value or "") if prompt.recognized.succeeded \
            else "type now or a date and time"
        if problem:
            await prompt.context.send_activity(f"{problem}.\n\n{WHEN_QUESTION}")
        return problem is None

    async def _title(self, step: WaterfallStepContext) -> DialogTurnResult:
        if not await self.hooks.allowed(self._actor(step)):
            await step.context.send_activity("Broadcasts are for the QA unit.")
            return await step.end_dialog()
        return await step.prompt(_TEXT, PromptOptions(prompt=MessageFactory.text(TITLE_QUESTION)))

    async def _message(self, step: WaterfallStepContext) -> DialogTurnResult:
        step.values["title"] = step.result
        return await step.prompt(_TEXT, PromptOptions(prompt=MessageFactory.text(MESSAGE_QUESTION)))

    async def _link(self, step: WaterfallStepContext) -> DialogTurnResult:
        step.values["message"] = step.result
        return await step.prompt(_TEXT, PromptOptions(prompt=MessageFactory.text(LINK_QUESTION)))

    async def _audience(self, step: WaterfallStepContext) -> DialogTurnResult:
        link = (step.result or "").strip()
        step.values["link"] = None if link.lower() in ("none", "no", "-", "") else link
        return await step.prompt(_AUDIENCE, PromptOptions(prompt=MessageFactory.text(AUDIENCE_QUESTION),
                                                          retry_prompt=MessageFactory.text(AUDIENCE_QUESTION)))

    async def _ack(self, step: WaterfallStepContext) -> DialogTurnResult:
        step.values["audience"] = step.result
        return await step.prompt(_CHOICE, _choices(ACK_QUESTION, YES_NO))

    async def _when(self, step: WaterfallStepContext) -> DialogTurnResult:
        step.values["ack"] = step.result.value == "Yes"
        return await step.prompt(_WHEN, PromptOptions(prompt=MessageFactory.text(WHEN_QUESTION),
                                                      retry_prompt=MessageFactory.text(WHEN_QUESTION)))

    async def _preview(self, step: WaterfallStepContext) -> DialogTurnResult:
        step.values["when"] = step.result
        preview = await self.hooks.preview(self._actor(step), dict(step.values))
        if preview.refusal or preview.card is None:
            await step.context.send_activity(f"{preview.refusal}. {NOT_SENT}")
            return await step.end_dialog()
        await step.context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(preview.card)))
        people = f"{preview.recipients:,} recipient{'s' if preview.recipients != 1 else ''}"
        return await step.prompt(_CHOICE, _choices(f"Send this to {people}?", CONFIRM))

    async def _send(self, step: WaterfallStepContext) -> DialogTurnResult:
        if step.result.value != CONFIRM[0]:
            await step.context.send_activity(NOT_SENT)
            return await step.end_dialog()
        await step.context.send_activity(await self.hooks.send(self._actor(step), dict(step.values)))
        return await step.end_dialog()
