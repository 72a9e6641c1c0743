"""Feedback about the bot itself: `rate the assistant` (or `rate`) starts a two-tap conversation (dialogs/feedback.py)
whose answers go to the trail (audit_events, action "bot_feedback_given"). Choices only, never
free text: the rest of the bot's data is about children."""
from __future__ import annotations

from capabilities.context import Context
from capabilities.registry import EVERYONE, Capability, ChatCommand, DialogEntry
from dialogs.feedback import ABOUT, FEEDBACK_DIALOG, USEFULNESS, FeedbackDialog
from qa.framework import ROLES
from storage.models import TrailEvent
from storage.people import active_person

COMMAND = "rate the assistant"  # `feedback` is practice feedback (capabilities/practice_feedback)
ACTION = "bot_feedback_given"
VIA = "dialog:rate-the-assistant"
HELP_LINE = "Take your rating of this bot: type rate the assistant."


async def give_feedback(ctx: Context, actor_id: int | None, usefulness: str, about: str) -> None:
    """Record one person's answers in the trail; anything but the offered choices is refused."""
    if usefulness not in USEFULNESS or about not in ABOUT:
        raise ValueError("feedback is one of the offered choices, never free text")
    async with ctx.db.sessions.begin() as session:
        if await active_person(session, actor_id) is None:
            actor_id = None  # left the roster since the conversation began: recorded without a name
        session.add(TrailEvent(subject_type="bot", subject_id=None, month=None, actor_id=actor_id, action=ACTION, via=VIA,
                               detail={"usefulness": usefulness, "about": about}, at=ctx.clock()))


def feedback_dialog(ctx: Context) -> FeedbackDialog:
    async def save(actor_id: int | None, usefulness: str, about: str) -> None:
        await give_feedback(ctx, actor_id, usefulness, about)

    return FeedbackDialog(save)


CAPABILITY = Capability(
    name="bot-feedback",
    commands=(ChatCommand(COMMAND, "tell the QA unit how useful the bot is (two taps)",
                          ("rate", "rate the bot", "rate the qa assistant"), None, EVERYONE, in_menu=False),),
    dialogs=(DialogEntry(COMMAND, FEEDBACK_DIALOG, feedback_dialog),),
    help={role: (HELP_LINE,) for role in ROLES},
)
