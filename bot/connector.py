"""The Bot Connector REST API over one pooled aiohttp session.

Used for in-turn replies (see adapter.py) and for proactive delivery (sender.py), so every
outbound call shares connections, token cache and timeouts. botbuilder's own connector opens
a new requests session per turn in a thread pool; this one does not.

`on_written` lets a caller (the outbox sender's pacer) learn when a request's bytes have gone to
the socket: set it in the calling task and it is called once per request (not for the token's),
as soon as the step of the loop that wrote them is over.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import aiohttp

DEFAULT_TOKEN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
BOT_SCOPE = "https://api.botframework.com/.default"
USER_AGENT = "qa-bot (BotBuilder Python/4.17.1)"


@dataclass(frozen=True)
class ConnectorResponse:
    status: int
    body: dict[str, Any] | None
    # The Retry-After header as sent (seconds or an HTTP-date); read it with
    # bot.ratelimit.parse_retry_after(value, now), at the wall clock it came at.
    retry_after_header: str | None
    sub_code: str | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class ConnectorError(Exception):
    """A call that did not get an HTTP answer (timeout, refused connection)."""


# Called once a request is written to the socket (see the module's doc); None: nothing.
on_written: ContextVar[Callable[[], None] | None] = ContextVar("on_written", default=None)


async def _headers_sent(_session: aiohttp.ClientSession, context: SimpleNamespace,
                        _params: aiohttp.TraceRequestHeadersSentParams) -> None:
    # A request with no body is written with its headers, right after this in the same step; one
    # with a body is written when its body is (a task of its own on Python 3.11: `_chunk_sent`).
    ask = context.trace_request_ctx
    if ask is not None and not ask.body:
        _written(ask)


async def _chunk_sent(_session: aiohttp.ClientSession, context: SimpleNamespace,
                      _params: aiohttp.TraceRequestChunkSentParams) -> None:
    if context.trace_request_ctx is not None:
        _written(context.trace_request_ctx)


def _written(ask: SimpleNamespace) -> None:
    hook, ask.hook = ask.hook, None  # once per request
    if hook is not None:
        # Called back once this step of the loop is over, so after the write itself, however
        # long the process waits for a core in between: never earlier than the request went.
        asyncio.get_running_loop().call_soon(hook)


def _trace() -> aiohttp.TraceConfig:
    trace = aiohttp.TraceConfig()
    trace.on_request_headers_sent.append(_headers_sent)
    trace.on_request_chunk_sent.append(_chunk_sent)
    return trace


class AppCredentials:
    """Client-credentials tokens for the bot's app id, cached until shortly before expiry."""

    def __init__(self, app_id: str, password: str, tenant: str = "", token_url: str = "",
                 scope: str = BOT_SCOPE) -> None:
        self.app_id = app_id
        self.scope = scope  # the Bot Connector's; Microsoft Graph's for bot/graph.py
        self._password = password
        self._url = token_url or DEFAULT_TOKEN_URL.format(tenant=tenant or "botframework.com")
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def token(self, session: aiohttp.ClientSession) -> str:
        async with self._lock:
            if self._token and time.monotonic() < self._expires - 300:
                return self._token
            data = {
                "grant_type": "client_credentials",
                "client_id": self.app_id,
                "client_secret": self._password,
                "scope": self.scope,
            }
            async with session.post(self._url, data=data) as resp:
                if resp.status != 200:
                    # The body may echo our request; keep it out of logs and errors.
                    raise ConnectorError(f"token endpoint answered {resp.status}")
                body = await resp.json(content_type=None)
            self._token = body["access_token"]
            self._expires = time.monotonic() + float(body.get("expires_in", 3600))
            return self._token


class BotConnector:
    def __init__(self, credentials: AppCredentials | None = None, timeout: float = 15.0) -> None:
        self._credentials = credentials
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout,
                headers={"User-Agent": USER_AGENT},
                connector=aiohttp.TCPConnector(limit=100, limit_per_host=64),
                trace_configs=[_trace()],
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _headers(self) -> dict[str, str]:
        if self._credentials is None:
            return {}
        return {"Authorization": f"Bearer {await self._credentials.token(self.session)}"}

    async def request(self, method: str, url: str, payload: dict[str, Any] | None = None) -> ConnectorResponse:
        try:
            headers = await self._headers()
            ask = SimpleNamespace(body=payload is not None, hook=on_written.get())
            async with self.session.request(method, url, json=payload, headers=headers, trace_request_ctx=ask) as resp:
                body = None
                if resp.content_type == "application/json":
                    try:
                        body = await resp.json()
                    except (ValueError, aiohttp.ContentTypeError):
                        body = None
                return ConnectorResponse(
                    status=resp.status,
                    body=body if isinstance(body, dict) else None,
                    retry_after_header=resp.headers.get("Retry-After"),
                    sub_code=_sub_code(body),
                )
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise ConnectorError(type(exc).__name__) from exc

    # The REST operations the bot uses ------------------------------------------------------
    async def send_to_conversation(self, service_url: str, conversation_id: str, activity: dict) -> ConnectorResponse:
        return await self.request("POST", _url(service_url, "v3/conversations", conversation_id, "activities"), activity)

    async def reply_to_activity(self, service_url: str, conversation_id: str, reply_to_id: str, activity: dict) -> ConnectorResponse:
        url = _url(service_url, "v3/conversations", conversation_id, "activities", reply_to_id)
        return await self.request("POST", url, activity)

    async def update_activity(self, service_url: str, conversation_id: str, activity_id: str, activity: dict) -> ConnectorResponse:
        url = _url(service_url, "v3/conversations", conversation_id, "activities", activity_id)
        return await self.request("PUT", url, activity)

    async def delete_activity(self, service_url: str, conversation_id: str, activity_id: str) -> ConnectorResponse:
        return await self.request("DELETE", _url(service_url, "v3/conversations", conversation_id, "activities", activity_id))

    async def get_member(self, service_url: str, conversation_id: str, user_id: str) -> ConnectorResponse:
        return await self.request("GET", _url(service_url, "v3/conversations", conversation_id, "members", user_id))

    async def create_conversation(self, service_url: str, parameters: dict) -> ConnectorResponse:
        return await self.request("POST", _url(service_url, "v3/conversations"), parameters)


def _url(service_url: str, root: str, *parts: str) -> str:
    base = service_url if service_url.endswith("/") else service_url + "/"
    return base + root + "".join("/" + quote(p, safe="") for p in parts)


def _sub_code(body: Any) -> str | None:
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            code = error.get("code")
            return str(code) if code else None
    return None
