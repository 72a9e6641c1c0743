"""A fake Bot Connector service on 127.0.0.1: stands in for Microsoft's cloud, nothing else.

It records every call the bot makes (posts, replies, updates, member look-ups, new chats,
token requests) and answers with failures on demand. Tests wait on its records with
`wait_for`, never with sleeps.
"""
from __future__ import annotations

import asyncio
import itertools
import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Call:
    method: str
    path: str
    conversation_id: str | None
    activity_id: str | None
    body: Any
    authorization: str | None
    status: int = 200
    at: float = 0.0

    @property
    def activity(self) -> dict:
        return self.body if isinstance(self.body, dict) else {}

    @property
    def cards(self) -> list[dict]:
        return [a.get("content", {}) for a in self.activity.get("attachments") or []
                if a.get("contentType") == "application/vnd.microsoft.card.adaptive"]

    @property
    def text(self) -> str:
        return self.activity.get("text") or ""

    def all_text(self) -> str:
        """Text of the activity and of every card in it, for assertions on what a user sees."""
        return self.text + "\n" + json.dumps(self.cards)


FILE_CONSENT = "application/vnd.microsoft.teams.card.file.consent"


@dataclass
class Upload:
    """A file the bot PUT to an upload URL the fake handed out (Teams' OneDrive, in real life)."""

    name: str
    data: bytes
    content_range: str | None


@dataclass
class Failure:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: dict | None = None
    match: Callable[[str, str | None], bool] = lambda method, conversation: True


class FakeConnector:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.members: dict[str, dict] = {}  # user id -> TeamsChannelAccount JSON
        self._failures: deque[Failure] = deque()
        self._sticky: dict[str, Failure] = {}  # conversation id -> failure every time
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.delay = 0.0  # seconds each activity POST takes, to model network latency
        self.held: list[Call] = []  # activity POSTs taken while holding (hold_next), in arrival order
        self._hold: asyncio.Event | None = None  # the next activity POST waits for this
        self._releases: list[asyncio.Event] = []
        self.uploads: dict[str, Upload] = {}  # file consent uploads by unique id (see consent_answer)
        self.upload_attempts: list[str] = []  # the unique id of every upload PUT, in arrival order
        self._upload_hold: asyncio.Event | None = None  # uploads wait for this (hold_uploads)
        self._upload_failures: deque[int] = deque()  # statuses for the next upload PUTs (fail_uploads)
        self.upload_delay = 0.0  # seconds each upload takes (bench/consent.py: a slow OneDrive link)

    # -- scripting -------------------------------------------------------------------------
    def fail_next(self, status: int, times: int = 1, *, retry_after: float | str | None = None,
                  sub_code: str | None = None, conversation: str | None = None) -> None:
        """Answer the next `times` matching calls with `status`; `retry_after` is sent as the
        Retry-After header as given (seconds, or a string such as an HTTP-date)."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        body = {"error": {"code": sub_code, "message": "scripted failure"}} if sub_code else None
        match = (lambda m, c: c == conversation) if conversation else (lambda m, c: m == "POST" and c is not None)
        for _ in range(times):
            self._failures.append(Failure(status, headers, body, match))

    def fail_always(self, conversation: str, status: int, sub_code: str | None = None) -> None:
        body = {"error": {"code": sub_code, "message": "scripted failure"}} if sub_code else None
        self._sticky[conversation] = Failure(status, {}, body)

    def hold_next(self) -> asyncio.Event:
        """Leave the next activity POST unanswered until the returned event is set, as a network
        that has stopped answering: a client's timeout runs out first however long it is, with no
        sleep racing it. The call is in `held` once it arrives; released, it is answered and
        recorded as any other (stop() releases it too)."""
        release = asyncio.Event()
        self._hold = release
        self._releases.append(release)
        return release

    def hold_uploads(self) -> asyncio.Event:
        """Leave every upload PUT unanswered until the returned event is set: a slow link to
        OneDrive, with no sleep racing the test. Each arrival is in `upload_attempts` first."""
        self._upload_hold = asyncio.Event()
        self._releases.append(self._upload_hold)
        return self._upload_hold

    def fail_uploads(self, status: int, times: int = 1) -> None:
        """Answer the next `times` upload PUTs with `status` (nothing is stored)."""
        self._upload_failures.extend([status] * times)

    def add_member(self, user_id: str, *, email: str, name: str = "", aad_object_id: str | None = None) -> None:
        self.members[user_id] = {
            "id": user_id, "name": name, "email": email, "userPrincipalName": email,
            "aadObjectId": aad_object_id, "tenantId": "tenant-1",
        }

    def consent_answer(self, attachment: dict, action: str = "accept") -> dict:
        """The value of the `fileConsent/invoke` Teams posts when the person presses Allow (or
        Decline) on the file consent `attachment` the bot sent: its context, and on accept the
        uploadInfo with an upload URL on this fake (the upload lands in `uploads`)."""
        content = attachment.get("content") or {}
        unique_id = f"file-{next(self._ids)}"
        name = attachment.get("name") or "file"
        value: dict[str, Any] = {"type": "fileUpload", "action": action,
                                 "context": content.get("acceptContext" if action == "accept" else "declineContext")}
        if action == "accept":
            value["uploadInfo"] = {"name": name, "uploadUrl": f"{self.url}upload/{unique_id}",
                                   "contentUrl": f"{self.url}files/{unique_id}/{name}", "uniqueId": unique_id,
                                   "fileType": name.rsplit(".", 1)[-1]}
        return value

    # -- reading ---------------------------------------------------------------------------
    def delivered(self, conversation_id: str | None = None) -> list[Call]:
        """Activities the bot sent (new messages and replies), optionally to one chat."""
        return [c for c in self.calls if c.method == "POST" and "/activities" in c.path and c.status < 300
                and (conversation_id is None or c.conversation_id == conversation_id)]

    def updates(self, conversation_id: str | None = None) -> list[Call]:
        return [c for c in self.calls if c.method == "PUT" and c.status < 300
                and (conversation_id is None or c.conversation_id == conversation_id)]

    async def wait_for(self, predicate: Callable[["FakeConnector"], bool], timeout: float = 10.0) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: predicate(self)), timeout)

    def clear(self) -> None:
        self.calls.clear()

    # -- server ----------------------------------------------------------------------------
    async def start(self) -> "FakeConnector":
        app = web.Application()
        app.router.add_post("/oauth2/token", self._token)
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post("/v3/conversations/{conv}/activities", self._activity)
        app.router.add_post("/v3/conversations/{conv}/activities/{aid}", self._activity)
        app.router.add_put("/v3/conversations/{conv}/activities/{aid}", self._activity)
        app.router.add_delete("/v3/conversations/{conv}/activities/{aid}", self._activity)
        app.router.add_get("/v3/conversations/{conv}/members/{uid}", self._member)
        app.router.add_put("/upload/{unique}", self._upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/"
        return self

    async def stop(self) -> None:
        for release in self._releases:
            release.set()
        if self._runner:
            await self._runner.cleanup()

    async def _record(self, call: Call) -> None:
        call.at = asyncio.get_running_loop().time()
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def _scripted(self, method: str, conversation: str | None) -> Failure | None:
        if conversation in self._sticky:
            return self._sticky[conversation]
        for failure in list(self._failures):
            if failure.match(method, conversation):
                self._failures.remove(failure)
                return failure
        return None

    async def _activity(self, request: web.Request) -> web.Response:
        conv = request.match_info["conv"]
        try:
            body = await request.json() if request.body_exists else None  # read already (a subclass) or not
        except json.JSONDecodeError:
            return web.json_response({"error": {"code": "BadSyntax"}}, status=400)
        call = Call(request.method, request.path, conv, request.match_info.get("aid"), body,
                    request.headers.get("Authorization"))
        if self._hold is not None and request.method == "POST":
            release, self._hold = self._hold, None
            async with self._changed:
                self.held.append(call)
                self._changed.notify_all()
            await release.wait()
        if self.delay and request.method == "POST":
            await asyncio.sleep(self.delay)
        failure = self._scripted(request.method, conv)
        if failure:
            call.status = failure.status
            await self._record(call)
            return web.json_response(failure.body or {}, status=failure.status, headers=failure.headers)
        await self._record(call)
        if request.method == "DELETE":
            return web.json_response({}, status=200)
        if request.method == "PUT":
            return web.json_response({"id": call.activity_id})
        return web.json_response({"id": f"activity-{next(self._ids)}"}, status=201)

    async def _upload(self, request: web.Request) -> web.Response:
        unique = request.match_info["unique"]
        data = await request.read()
        if request.headers.get("Authorization"):  # the bot's token must never go to an upload URL
            return web.json_response({"error": "unexpected Authorization"}, status=400)
        async with self._changed:
            self.upload_attempts.append(unique)
            self._changed.notify_all()
        if self._upload_hold is not None:
            await self._upload_hold.wait()
        if self.upload_delay:
            await asyncio.sleep(self.upload_delay)
        if self._upload_failures:
            status = self._upload_failures.popleft()
            async with self._changed:
                self._changed.notify_all()
            return web.json_response({"error": "scripted upload failure"}, status=status)
        async with self._changed:
            self.uploads[unique] = Upload(unique, data, request.headers.get("Content-Range"))
            self._changed.notify_all()
        return web.json_response({"id": unique, "size": len(data)}, status=201)

    async def _member(self, request: web.Request) -> web.Response:
        uid = request.match_info["uid"]
        await self._record(Call("GET", request.path, request.match_info["conv"], None, None,
                                request.headers.get("Authorization")))
        member = self.members.get(uid)
        if member is None:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)
        return web.json_response(member)

    async def _create_conversation(self, request: web.Request) -> web.Response:
        body = await request.json()
        call = Call("POST", request.path, None, None, body, request.headers.get("Authorization"))
        failure = self._scripted("POST", None)
        if failure:
            call.status = failure.status
            await self._record(call)
            return web.json_response(failure.body or {}, status=failure.status, headers=failure.headers)
        await self._record(call)
        member = (body.get("members") or [{}])[0].get("id", "unknown")
        return web.json_response({"id": f"a:personal-{member}", "activityId": None}, status=201)

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        await self._record(Call("POST", request.path, None, None, {"client_id": form.get("client_id")}, None))
        return web.json_response({"access_token": "fake-token-for-" + str(form.get("client_id")),
                                  "expires_in": 3600, "token_type": "Bearer"})
