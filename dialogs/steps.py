"""A conversation of steps, one question at a time, that a phone can answer in under a minute.

`StepsDialog` is a botbuilder Dialog whose state is plain JSON (the step index, the answers so
far and the choices offered), so it lives in the bot_state table and carries on after a restart.
Each question is a hero card whose buttons send their title back as typed text (imBack), as
botbuilder's ChoicePrompt does on Teams; a choice's number or its title typed works too.

- `back` goes one step back (in a list step, it takes back the last item first);
- a step that does not apply to the answers so far is passed over, going forward and back;
- a bad answer gets the reason and the same question again; nothing is saved until the last step;
- `cancel`/`stop` and the hour's expiry are the edge's (bot/teams_bot.py, dialogs/conversation.py).

What the steps ask, how typed text is checked and what saving does are given by the capability
(`start`, the `Step`s, `finish`), so this module knows nothing of storage.
"""
from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.dialogs import Dialog, DialogContext, DialogInstance, DialogTurnResult
from botbuilder.schema import ActionTypes, CardAction, HeroCard

from dialogs.conversation import ACTOR, ARGUMENT, command_words

BACK_WORDS = ("back", "go back", "previous")
MAX_BUTTONS = 6  # more choices are listed by number in the question's text
FIRST = "This is the first question."
RETRY = "Please tap one of the buttons or type its number (back goes one step back, cancel stops)."
NOT_UNDERSTOOD = "Please type an answer (back goes one step back, cancel stops)."

Answers = dict[str, Any]


class AnswerError(Exception):
    """An answer that cannot be kept as it is: the message says why (the question is asked again).
    `keep`, when given, is a (button title, value) the person may tap to keep the answer anyway
    (a date questioned as a possible date of birth that is a visit's date)."""

    def __init__(self, message: str, keep: tuple[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.keep = keep


@dataclass(frozen=True)
class Question:
    text: str
    choices: Sequence[tuple[str, Any]] = ()  # (button title, value kept); values are JSON
    typed: bool = False  # typed text is an answer too (checked by the step's `parse`)
    skip: str | None = None  # a button answering None (e.g. "Today", "No case ref", "Done")


@dataclass(frozen=True)
class Step:
    key: str
    ask: Callable[[Answers, int | None], Awaitable[Question]]
    # parse(text, answers, actor id): checks typed text (stripped) and returns the value kept (or an
    # awaitable of it, for a look-up); raises AnswerError.
    parse: Callable[[str, Answers, int | None], Any] | None = None
    applies: Callable[[Answers], bool] = field(default=lambda _answers: True)
    # A list step: each answer is added to a list and the step asked again until its skip button
    # (Done), which needs at least one item.
    collect: bool = False


@dataclass(frozen=True)
class Start:
    """What `start` decides: answers already known (e.g. whom, from `observe Sam Patel`), or a
    refusal (`message`) that ends the conversation before it begins."""

    answers: Answers = field(default_factory=dict)
    message: str | None = None


StartFn = Callable[[int | None, str | None], Awaitable[Start]]
FinishFn = Callable[[int | None, Answers], Awaitable[str]]


# Typed text compared as a command: lower case, punctuation to spaces, single spaces (the one
# cleaner, dialogs.conversation; the edge has already made the text plain).
normal = command_words


def question_activity(question: Question, note: str | None = None):
    """The message asking `question` (after `note`, e.g. why the last answer was refused)."""
    text = question.text if not note else f"{note}\n\n{question.text}"
    titles = [title for title, _value in question.choices]
    if question.skip:
        titles.append(question.skip)
    if not titles:
        return MessageFactory.text(text)
    shown = titles[:MAX_BUTTONS]
    if len(titles) > MAX_BUTTONS:  # every choice by number; the skip (Done, Today...) stays a button
        text += "\n\n" + "\n".join(f"{n}. {title}" for n, title in enumerate(titles, 1))
        shown = titles[:MAX_BUTTONS - 1] + [question.skip] if question.skip else shown
    buttons = [CardAction(type=ActionTypes.im_back, title=t, value=t) for t in shown]
    return MessageFactory.attachment(CardFactory.hero_card(HeroCard(text=text, buttons=buttons)))


class StepsDialog(Dialog):
    def __init__(self, dialog_id: str, steps: Sequence[Step], start: StartFn, finish: FinishFn) -> None:
        super().__init__(dialog_id)
        if len({s.key for s in steps}) != len(steps):
            raise ValueError("step keys must differ")
        self.steps = tuple(steps)
        self._start = start
        self._finish = finish

    # -- botbuilder ------------------------------------------------------------------------
    async def begin_dialog(self, dc: DialogContext, options: object = None) -> DialogTurnResult:
        options = options if isinstance(options, Mapping) else {}
        actor = options.get(ACTOR)
        begun = await self._start(actor, options.get(ARGUMENT))
        if begun.message is not None:
            await dc.context.send_activity(begun.message)
            return await dc.end_dialog()
        state = dc.active_dialog.state
        state.update({"actor": actor, "answers": dict(begun.answers), "preset": list(begun.answers), "i": -1,
                      "offered": []})
        return await self._forward(dc, state)

    async def continue_dialog(self, dc: DialogContext) -> DialogTurnResult:
        state = dc.active_dialog.state
        text = (dc.context.activity.text or "").strip()
        said = normal(text)
        if said in BACK_WORDS:
            return await self._back(dc, state)
        step = self.steps[state["i"]]
        try:
            value, done = self._read(step, state, text, said)
            if inspect.isawaitable(value):
                value = await value
        except AnswerError as refused:
            return await self._ask(dc, state, note=refused.message, keep=refused.keep)
        answers = state["answers"]
        if step.collect:
            if not done:
                answers.setdefault(step.key, []).append(value)
                return await self._ask(dc, state)
        else:
            answers[step.key] = value
        return await self._forward(dc, state)

    async def resume_dialog(self, dc: DialogContext, reason, result: object) -> DialogTurnResult:
        return Dialog.end_of_turn  # no child dialogs: nothing to resume

    async def reprompt_dialog(self, context: TurnContext, instance: DialogInstance) -> None:
        """The waiting question again, afresh (DialogContext.reprompt_dialog: the edge asks it again
        when a command word was typed instead of an answer)."""
        state = instance.state
        if state.get("i", -1) < 0:
            return
        await context.send_activity(await self._question(state))

    # -- the steps ---------------------------------------------------------------------------
    def _read(self, step: Step, state: dict, text: str, said: str) -> tuple[Any, bool]:
        """(value, done): done is True for a list step's Done."""
        offered = state["offered"]
        skip = state.get("skip")
        if skip and said == normal(skip):
            if step.collect and not state["answers"].get(step.key):
                raise AnswerError("Please give at least one first.")
            return None, True
        for number, (title, value) in enumerate(offered, 1):
            if said == normal(title) or said == str(number):
                return value, False
        if skip and said == str(len(offered) + 1):
            if step.collect and not state["answers"].get(step.key):
                raise AnswerError("Please give at least one first.")
            return None, True
        if state.get("typed") and step.parse is not None and text:
            return step.parse(text, state["answers"], state["actor"]), False
        raise AnswerError(RETRY if offered or skip else NOT_UNDERSTOOD)

    async def _forward(self, dc: DialogContext, state: dict) -> DialogTurnResult:
        i = state["i"] + 1
        while i < len(self.steps) and (self.steps[i].key in state.get("preset", ()) or
                                       not self.steps[i].applies(state["answers"])):
            i += 1
        if i >= len(self.steps):
            message = await self._finish(state["actor"], state["answers"])
            await dc.context.send_activity(message)
            return await dc.end_dialog()
        state["i"] = i
        return await self._ask(dc, state)

    async def _back(self, dc: DialogContext, state: dict) -> DialogTurnResult:
        step = self.steps[state["i"]]
        items = state["answers"].get(step.key) if step.collect else None
        if items:
            items.pop()
            return await self._ask(dc, state)
        i = state["i"] - 1
        while i >= 0 and not self.steps[i].applies(state["answers"]):
            i -= 1
        if i < 0:
            return await self._ask(dc, state, note=FIRST)
        state["i"] = i
        state["preset"] = [key for key in state.get("preset", ()) if key != self.steps[i].key]
        if self.steps[i].collect:
            state["answers"].pop(self.steps[i].key, None)  # the list is given again
        return await self._ask(dc, state)

    async def _ask(self, dc: DialogContext, state: dict, note: str | None = None,
                   keep: tuple[str, Any] | None = None) -> DialogTurnResult:
        await dc.context.send_activity(await self._question(state, note, keep))
        return Dialog.end_of_turn

    async def _question(self, state: dict, note: str | None = None, keep: tuple[str, Any] | None = None) -> Any:
        """The current step's question as an activity, its choices kept in `state` to read the answer by."""
        step = self.steps[state["i"]]
        question = await step.ask(state["answers"], state["actor"])
        if keep is not None:  # offered this once: the next answer asks the question afresh
            question = replace(question, choices=[*question.choices, keep])
        state["offered"] = [[title, value] for title, value in question.choices]
        state["skip"] = question.skip
        state["typed"] = question.typed
        return question_activity(question, note)
