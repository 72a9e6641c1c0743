"""Bot Framework's signing keys, fetched without ever blocking the event loop.

botbuilder 4.17.1 validates a token's signature with keys from Microsoft's OpenID metadata, which
it fetches with a blocking `requests.get` with no timeout, on the event loop: a metadata host that
accepts the connection and never answers freezes every request, the sweep and the sender, and a
failed fetch is not cached, so every forged token fetches again.

`AsyncOpenIdMetadata` takes the place of botbuilder's cache entry for each metadata address it uses
(`install`): it fetches over aiohttp with a timeout (FETCH_TIMEOUT seconds for the metadata and
the key set together), one fetch at a time, keeps the keys for a day as Microsoft advises,
fetches at once for an unknown key id but at most every UNKNOWN_KEY_EVERY seconds, and remembers
a failure for FAILURE_TTL seconds so a flood of forged tokens cannot keep it fetching. A token it
cannot check in time is refused (botbuilder raises; bot/app.py answers 401) and everything else
keeps answering. The channel's metadata address can be set with BotOpenIdMetadata (Bot Framework's
own setting name, used for government and sovereign clouds).
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp
from botframework.connector.auth import AuthenticationConstants, GovernmentConstants
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger(__name__)

FETCH_TIMEOUT = 3.0  # seconds for metadata and keys together: a refused request answers within 5 s
REFRESH_EVERY = 24 * 3600.0  # seconds: Microsoft's advice, at most once a day
UNKNOWN_KEY_EVERY = 300.0  # seconds between fetches caused by an unknown key id
FAILURE_TTL = 30.0  # seconds a failed fetch is remembered

CHANNEL_METADATA_URLS = (AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
                         GovernmentConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL)
EMULATOR_METADATA_URLS = (AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL,
                          GovernmentConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL)


class MetadataUnavailable(Exception):  # noqa: N818 - what botbuilder's caller sees: the keys are not to be had
    """The signing keys could not be fetched in time (or failed a moment ago)."""


class SigningKey:
    """What botbuilder reads of a key: the public key and its endorsements (channel ids)."""

    def __init__(self, jwk: dict[str, Any]) -> None:
        self.public_key = RSAAlgorithm.from_jwk(json.dumps(jwk))
        self.endorsements = list(jwk.get("endorsements") or [])


class AsyncOpenIdMetadata:
    """One metadata address's keys. `get(key_id)` is what botbuilder's JwtTokenExtractor awaits."""

    def __init__(self, url: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.url = url
        self._clock = clock
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at: float | None = None  # last success
        self._tried_at: float | None = None  # last attempt, success or not
        self._failed_at: float | None = None
        self._lock = asyncio.Lock()

    async def get(self, key_id: str | None) -> SigningKey | None:
        """The key `key_id` names, or None if the metadata does not have it. Raises
        MetadataUnavailable when the keys cannot be had within FETCH_TIMEOUT."""
        now = self._clock()
        if self._fetched_at is None or now - self._fetched_at > REFRESH_EVERY:
            await self._refresh(now)
        jwk = self._keys.get(key_id or "")
        if jwk is None and (self._tried_at is None or now - self._tried_at >= UNKNOWN_KEY_EVERY):
            await self._refresh(now)
            jwk = self._keys.get(key_id or "")
        return SigningKey(jwk) if jwk is not None else None

    async def _refresh(self, asked_at: float) -> None:
        async with self._lock:  # one fetch at a time; those who waited use its result
            if self._tried_at is not None and self._tried_at >= asked_at:
                if self._failed_at == self._tried_at:
                    raise MetadataUnavailable(self.url)
                return
            if self._failed_at is not None and asked_at - self._failed_at < FAILURE_TTL:
                raise MetadataUnavailable(self.url)
            self._tried_at = self._clock()
            try:
                self._keys = await asyncio.wait_for(self._fetch(), FETCH_TIMEOUT)
            except (TimeoutError, aiohttp.ClientError, ValueError, KeyError, TypeError) as exc:
                self._failed_at = self._tried_at
                log.warning("OpenID metadata not fetched from %s: %s", self.url, type(exc).__name__)
                raise MetadataUnavailable(self.url) from None
            self._fetched_at = self._tried_at
            self._failed_at = None

    async def _fetch(self) -> dict[str, dict[str, Any]]:
        async with aiohttp.ClientSession() as session:
            async with session.get(self.url) as resp:
                resp.raise_for_status()
                jwks_uri = (await resp.json(content_type=None))["jwks_uri"]
            async with session.get(jwks_uri) as resp:
                resp.raise_for_status()
                keys = (await resp.json(content_type=None))["keys"]
        return {str(k["kid"]): k for k in keys if isinstance(k, dict) and k.get("kid")}


def install(channel_metadata_url: str | None = None) -> dict[str, AsyncOpenIdMetadata]:
    """Put non-blocking metadata in botbuilder's cache for every address it validates with; with
    `channel_metadata_url` (BotOpenIdMetadata) the channel's keys come from there. Returns them."""
    installed = {}
    for url in (*CHANNEL_METADATA_URLS, *EMULATOR_METADATA_URLS):
        source = channel_metadata_url if channel_metadata_url and url in CHANNEL_METADATA_URLS else url
        installed[url] = JwtTokenExtractor.metadataCache[url] = AsyncOpenIdMetadata(source)
    return installed
