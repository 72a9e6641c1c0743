"""Token signing keys fetched without blocking (bot/openid.py): a metadata host that never answers
cannot freeze the bot; keys from a host that answers validate real tokens; failures and unknown
key ids do not make the bot fetch again and again."""
from __future__ import annotations

import asyncio
import base64

import jwt
import pytest
from aiohttp import web
from botframework.connector.auth import AuthenticationConstants
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor
from cryptography.hazmat.primitives.asymmetric import rsa

from bot import openid
from bot.app import create_app
from bot.services import Services
from bot.settings import Settings, SettingsError
from tests.support import activities as act

APP_ID = "22222222-2222-2222-2222-222222222222"
ISSUER = "https://api.botframework.com"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(n: int) -> str:
    return base64.urlsafe_b64encode(n.to_bytes((n.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()


def jwk(kid: str) -> dict:
    numbers = KEY.public_key().public_numbers()
    return {"kty": "RSA", "use": "sig", "kid": kid, "n": _b64(numbers.n), "e": _b64(numbers.e),
            "endorsements": ["msteams"]}


def token(service_url: str, kid: str = "k1") -> str:
    claims = {"iss": ISSUER, "aud": APP_ID, "serviceurl": service_url, "nbf": 1700000000, "exp": 4102444800}
    return "Bearer " + jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": kid})


class MetadataHost:
    """Microsoft's OpenID metadata, on 127.0.0.1: answers, or holds every request until released."""

    def __init__(self) -> None:
        self.hang = False
        self.requests = 0
        self.holding = asyncio.Event()
        self.release = asyncio.Event()
        self.url = ""

    async def metadata(self, request: web.Request) -> web.Response:
        self.requests += 1
        if self.hang:
            self.holding.set()
            await self.release.wait()
        return web.json_response({"issuer": ISSUER, "jwks_uri": self.url + "/keys"})

    async def keys(self, request: web.Request) -> web.Response:
        return web.json_response({"keys": [jwk("k1")]})


@pytest.fixture
async def host(aiohttp_server):
    found = MetadataHost()
    app = web.Application()
    app.router.add_get("/.well-known/openid-configuration", found.metadata)
    app.router.add_get("/keys", found.keys)
    server = await aiohttp_server(app)
    found.url = str(server.make_url("")).rstrip("/")
    yield found
    found.release.set()


@pytest.fixture
async def client(aiohttp_client, db, fake_connector, host, monkeypatch):
    monkeypatch.setattr(openid, "FETCH_TIMEOUT", 0.5)  # the default is 3 s; the test need not wait so long
    settings = Settings(database_url=db.url, app_id=APP_ID, app_password="x", allowed_tenants=frozenset({act.TENANT}),
                        oauth_token_url=fake_connector.url + "oauth2/token",
                        bot_open_id_metadata=host.url + "/.well-known/openid-configuration")
    return await aiohttp_client(create_app(settings, Services.create(settings, db=db), run_scheduler=False))


async def test_a_metadata_host_that_never_answers_freezes_nothing(client, host, fake_connector):
    host.hang = True
    activity = act.message("ann", "help", service_url=fake_connector.url)
    pending = asyncio.create_task(client.post("/api/messages", json=activity,
                                              headers={"Authorization": token(fake_connector.url)}))
    await host.holding.wait()
    health = await client.get("/healthz")
    assert health.status == 200 and not pending.done()  # answered while the token waits on the host
    refused = await pending
    assert refused.status == 401
    # The failure is remembered: another token is refused without asking the host again.
    again = await client.post("/api/messages", json=activity, headers={"Authorization": token(fake_connector.url)})
    assert again.status == 401 and host.requests == 1
    assert fake_connector.calls == []


async def test_keys_from_the_host_validate_a_real_token_and_unknown_keys_fetch_once(client, host, fake_connector):
    activity = act.message("ann", "help", service_url=fake_connector.url)
    metadata = JwtTokenExtractor.metadataCache[AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL]
    seconds = [1000.0]
    metadata._clock = lambda: seconds[0]  # noqa: SLF001 - time is a parameter
    accepted = await client.post("/api/messages", json=activity, headers={"Authorization": token(fake_connector.url)})
    assert accepted.status == 201, await accepted.text()
    assert len(fake_connector.delivered(act.personal_conversation_id("ann"))) == 1
    assert host.requests == 1

    async def unknown_key() -> int:
        resp = await client.post("/api/messages", json=activity,
                                 headers={"Authorization": token(fake_connector.url, kid="rotated")})
        return resp.status

    assert await unknown_key() == 401 and host.requests == 1  # just fetched: not again at once
    seconds[0] += openid.UNKNOWN_KEY_EVERY
    assert [await unknown_key() for _ in range(3)] == [401, 401, 401]
    assert host.requests == 2  # one fetch for the unknown key, then none
    seconds[0] += 3600
    again = await client.post("/api/messages", json=activity, headers={"Authorization": token(fake_connector.url)})
    assert again.status == 201 and host.requests == 2  # the day's keys are kept
    seconds[0] += openid.REFRESH_EVERY
    assert (await client.post("/api/messages", json=activity,
                              headers={"Authorization": token(fake_connector.url)})).status == 201
    assert host.requests == 3  # a day on: fetched again


def test_the_metadata_address_is_a_setting():
    base = {"MicrosoftAppId": APP_ID, "MicrosoftAppPassword": "x",
            "QA_ALLOWED_TENANTS": "3a0b3c51-3e1d-44f1-ba8e-9f82b6880005"}
    assert Settings.from_env({**base, "BotOpenIdMetadata": "https://login.botframework.azure.us/v1/.well-known/"
                                                           "openidconfiguration"}, dotenv=False).bot_open_id_metadata
    assert Settings.from_env(base, dotenv=False).bot_open_id_metadata == ""
    with pytest.raises(SettingsError, match="BotOpenIdMetadata"):
        Settings.from_env({**base, "BotOpenIdMetadata": "http://example.com/metadata"}, dotenv=False)
