"""A fake Microsoft Graph on 127.0.0.1, for the app installs a broadcast needs: the
token endpoint, POST /v1.0/users/{id}/teamwork/installedApps, the installation look-up and its
chat. It records every call and answers with failures on demand (`fail_next`, `fail_always`),
as devtools/fake_connector.py does for the Bot Connector."""
from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass

from aiohttp import web


@dataclass
class GraphCall:
    method: str
    path: str
    user: str | None
    status: int = 200
    authorization: str | None = None
    at: float = 0.0  # the event loop's time when it arrived


class FakeGraph:
    def __init__(self) -> None:
        self.calls: list[GraphCall] = []
        self.installed: set[str] = set()  # user object ids with the app
        self._next: deque[tuple[int, dict[str, str]]] = deque()  # POST installs answered with these first
        self._always: dict[str, int] = {}  # user -> status for every install
        self._runner: web.AppRunner | None = None
        self.url = ""
        self._changed = asyncio.Condition()

    def fail_next(self, status: int, *, retry_after: float | None = None) -> None:
        """The next install POST (whoever it is for) is answered with `status`."""
        self._next.append((status, {"Retry-After": str(retry_after)} if retry_after is not None else {}))

    def fail_always(self, user: str, status: int) -> None:
        """Every install for `user` is answered with `status` (403: blocked by policy; 404: no such user)."""
        self._always[user.lower()] = status

    def chat_id(self, user: str) -> str:
        return f"19:{user.lower()}_bot@unq.gbl.spaces"

    def installs(self, status: int | None = None) -> list[GraphCall]:
        return [c for c in self.calls if c.method == "POST" and c.path.endswith("/installedApps")
                and (status is None or c.status == status)]

    async def start(self) -> FakeGraph:
        app = web.Application()
        app.router.add_post("/token", self._token)
        app.router.add_post("/v1.0/users/{user}/teamwork/installedApps", self._install)
        app.router.add_get("/v1.0/users/{user}/teamwork/installedApps", self._list)
        app.router.add_get("/v1.0/users/{user}/teamwork/installedApps/{installation}/chat", self._chat)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _record(self, call: GraphCall) -> None:
        call.at = asyncio.get_running_loop().time()
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _token(self, request: web.Request) -> web.Response:
        await self._record(GraphCall("POST", request.path, None))
        return web.json_response({"access_token": "fake-graph-token", "expires_in": 3600, "token_type": "Bearer"})

    async def _install(self, request: web.Request) -> web.Response:
        user = request.match_info["user"].lower()
        call = GraphCall("POST", request.path, user, authorization=request.headers.get("Authorization"))
        body = await request.json()
        if "teamsApp@odata.bind" not in body:
            call.status = 400
        elif user in self._always:
            call.status = self._always[user]
        elif self._next:
            call.status, headers = self._next.popleft()
            await self._record(call)
            return web.json_response({"error": {"code": "TooManyRequests"}}, status=call.status, headers=headers)
        elif user in self.installed:
            call.status = 409
        else:
            call.status = 201
            self.installed.add(user)
        await self._record(call)
        return web.json_response({} if call.status < 300 else {"error": {"code": str(call.status)}}, status=call.status)

    async def _list(self, request: web.Request) -> web.Response:
        user = request.match_info["user"].lower()
        await self._record(GraphCall("GET", request.path, user))
        value = [{"id": f"inst-{user}"}] if user in self.installed else []
        return web.json_response({"value": value})

    async def _chat(self, request: web.Request) -> web.Response:
        user = request.match_info["user"].lower()
        await self._record(GraphCall("GET", request.path, user))
        if user not in self.installed or request.match_info["installation"] != f"inst-{user}":
            return web.json_response({"error": {"code": "NotFound"}}, status=404)
        return web.json_response({"id": self.chat_id(user)})
