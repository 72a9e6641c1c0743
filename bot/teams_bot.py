"""The Teams activity handler: translate an activity into a use case, reply."""
from __future__ import annotations

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsActivityHandler

from bot.services import Services


class QaBot(TeamsActivityHandler):
    def __init__(self, services: Services) -> None:
        self.services = services

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity("Hello. Type help to see what I can do.")
