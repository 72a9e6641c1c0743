"""Installing the bot for people who never did so a broadcast reaches them, the way Company Communicator
does, through Microsoft Graph with the app's own credentials (application permission
TeamsAppInstallation.ReadWriteForUser.All, admin consent; README "For the council's IT team"):

1. POST /v1.0/users/{aadObjectId}/teamwork/installedApps {"teamsApp@odata.bind": .../appCatalogs/
   teamsApps/{catalog app id}}: 201 installed, 409 already installed (both fine);
2. GET /v1.0/users/{id}/teamwork/installedApps?$filter=teamsApp/id eq '{catalog app id}' for the
   installation id, then GET .../installedApps/{installation id}/chat for the chat id.

Graph throttles with 429 and Retry-After (seconds): the answer says how long to wait and the
caller (capabilities/broadcasts/reach.py) hands the messages back until then. 403 (the app is blocked for the user
by policy) and 404 (no such user) are "not installed". Configured by QA_TEAMS_CATALOG_APP_ID with
the app's credentials; QA_GRAPH_URL points it elsewhere (the fake Graph in tests).
"""
from __future__ import annotations

import logging
from urllib.parse import quote

import aiohttp

from bot.connector import AppCredentials, ConnectorError
from bot.ratelimit import parse_retry_after
from capabilities.reach import Installed

log = logging.getLogger(__name__)

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
GRAPH_URL = "https://graph.microsoft.com"


class GraphInstaller:
    """The installer port (capabilities/reach.Installer) through Microsoft Graph."""

    def __init__(self, credentials: AppCredentials, catalog_app_id: str, *, base_url: str = GRAPH_URL,
                 timeout: float = 15.0) -> None:
        self.credentials = credentials
        self.catalog_app_id = catalog_app_id
        self.base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict, str | None]:
        headers = {"Authorization": f"Bearer {await self.credentials.token(self.session)}"}
        async with self.session.request(method, self.base_url + path, json=body, headers=headers) as resp:
            try:
                answer = await resp.json(content_type=None)
            except (ValueError, aiohttp.ContentTypeError):
                answer = None
            return resp.status, answer if isinstance(answer, dict) else {}, resp.headers.get("Retry-After")

    async def install(self, aad_object_id: str, wall_now) -> Installed:
        """Install the app for the user and find their chat with the bot."""
        user = quote(aad_object_id, safe="")
        bind = f"{self.base_url}/v1.0/appCatalogs/teamsApps/{quote(self.catalog_app_id, safe='')}"
        try:
            status, _, retry = await self._call("POST", f"/v1.0/users/{user}/teamwork/installedApps",
                                                {"teamsApp@odata.bind": bind})
            if status == 429 or status >= 500:
                wait = parse_retry_after(retry, wall_now(), cap=600.0) if retry else None
                return Installed(retry_after=wait if wait is not None else 30.0)
            if status not in (200, 201, 204, 409):
                return Installed(reason=f"not installed (Graph {status})")
            flt = quote(f"teamsApp/id eq '{self.catalog_app_id}'", safe="")
            status, listed, retry = await self._call(
                "GET", f"/v1.0/users/{user}/teamwork/installedApps?$expand=teamsApp&$filter={flt}")
            if status == 429:
                return Installed(retry_after=parse_retry_after(retry, wall_now(), cap=600.0) or 30.0)
            found = [i.get("id") for i in listed.get("value") or [] if isinstance(i, dict) and i.get("id")]
            if status != 200 or not found:
                return Installed(reason=f"not installed (Graph {status}: no installation)")
            status, chat, retry = await self._call(
                "GET", f"/v1.0/users/{user}/teamwork/installedApps/{quote(found[0], safe='')}/chat")
            if status == 429:
                return Installed(retry_after=parse_retry_after(retry, wall_now(), cap=600.0) or 30.0)
            if status != 200 or not isinstance(chat.get("id"), str):
                return Installed(reason=f"not installed (Graph {status}: no chat)")
            return Installed(chat_id=chat["id"])
        except (TimeoutError, aiohttp.ClientError, ConnectorError) as exc:
            log.warning("Graph install: %s", type(exc).__name__)
            return Installed(retry_after=30.0)
