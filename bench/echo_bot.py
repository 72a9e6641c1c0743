"""The baseline: a bare botbuilder 4.17.1 echo bot on MemoryStorage, as Microsoft's sample
builds it (stock CloudAdapter, stock connector). Run: python -m bench.echo_bot PORT"""
from __future__ import annotations

import sys
from types import SimpleNamespace

from aiohttp import web
from botbuilder.core import ActivityHandler, ConversationState, MemoryStorage, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication


class EchoBot(ActivityHandler):
    def __init__(self, state: ConversationState) -> None:
        self.state = state
        self.turns = state.create_property("turns")

    async def on_turn(self, turn_context: TurnContext) -> None:
        await super().on_turn(turn_context)
        await self.state.save_changes(turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        count = await self.turns.get(turn_context, lambda: 0) or 0
        await self.turns.set(turn_context, count + 1)
        await turn_context.send_activity(f"Echo: {turn_context.activity.text}")


def make_app() -> web.Application:
    config = SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(config))
    bot = EchoBot(ConversationState(MemoryStorage()))

    async def messages(request: web.Request) -> web.Response:
        return await adapter.process(request, bot)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", lambda _r: web.json_response({"ok": True}))
    return app


if __name__ == "__main__":
    web.run_app(make_app(), host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
