"""Inbound checks: with an app id, only Bot Framework's signed requests get in; only allowed tenants.

Anything refused is a 401/403 (never a 500), stores nothing and sends nothing.
"""
from __future__ import annotations

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select

from bot.app import create_app
from bot.services import Services
from bot.settings import Settings
from storage.models import BotState, Conversation, Person, Team
from tests.support import activities as act

APP_ID = "11111111-1111-1111-1111-111111111111"


def forged_token(issuer: str) -> str:
    """A well-formed JWT for our app id, signed with a key nobody trusts."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = {"iss": issuer, "aud": APP_ID, "serviceurl": "http://127.0.0.1/", "nbf": 1700000000,
              "exp": 4102444800}  # 2100: expiry is not what rejects it
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "forged-key"})


async def stored_rows(db) -> int:
    async with db.sessions() as s:
        return sum([await s.scalar(select(func.count()).select_from(model))
                    for model in (Conversation, Team, Person, BotState)])


@pytest.fixture
async def secured_client(aiohttp_client, db, fake_connector):
    settings = Settings(database_url=db.url, app_id=APP_ID, app_password="x", allowed_tenants=frozenset({"tenant-1"}),
                        oauth_token_url=fake_connector.url + "oauth2/token")
    return await aiohttp_client(create_app(settings, Services.create(settings, db=db), run_scheduler=False))


@pytest.fixture
async def tenant_checked_client(aiohttp_client, db, fake_connector):
    # Auth off (local development) but a tenant list set: the tenant check still applies.
    settings = Settings(database_url=db.url, allowed_tenants=frozenset({"tenant-1"}))
    return await aiohttp_client(create_app(settings, Services.create(settings, db=db), run_scheduler=False))


def inbound(fake_connector) -> list[dict]:
    url = fake_connector.url
    return [act.installation_add("ann", service_url=url, aad="aad-ann"),
            act.message("ann", "help", service_url=url, aad="aad-ann"),
            act.team_bot_added("t1", service_url=url)]


@pytest.mark.parametrize("authorization", [
    None,
    "Bearer garbage",
    "Bearer ",
    "Basic abc",
    "Bearer a.b.c",
    "forged:https://sts.example.com/",
    "forged:https://login.microsoftonline.com/not-bot-framework/v2.0",
])
async def test_requests_without_a_bot_framework_token_are_401(secured_client, fake_connector, db, authorization):
    if authorization and authorization.startswith("forged:"):
        authorization = "Bearer " + forged_token(authorization.removeprefix("forged:"))
    headers = {"Authorization": authorization} if authorization is not None else {}
    for activity in inbound(fake_connector):
        resp = await secured_client.post("/api/messages", json=activity, headers=headers)
        assert resp.status == 401, (activity["type"], await resp.text())
        assert (await resp.json()) == {"error": "unauthorised"}
    assert await stored_rows(db) == 0
    assert fake_connector.calls == []


async def test_an_activity_from_another_tenant_is_403(tenant_checked_client, fake_connector, db):
    for activity in inbound(fake_connector):
        foreign = {**activity, "channelData": {**activity["channelData"], "tenant": {"id": "tenant-2"}},
                   "conversation": {**activity["conversation"], "tenantId": "tenant-2"}}
        resp = await tenant_checked_client.post("/api/messages", json=foreign)
        assert resp.status == 403, await resp.text()
    assert await stored_rows(db) == 0
    assert fake_connector.calls == []


async def test_an_activity_with_no_tenant_is_403(tenant_checked_client, fake_connector, db):
    activity = act.installation_add("ann", service_url=fake_connector.url, aad="aad-ann")
    del activity["channelData"]["tenant"]
    del activity["conversation"]["tenantId"]
    resp = await tenant_checked_client.post("/api/messages", json=activity)
    assert resp.status == 403
    assert await stored_rows(db) == 0 and fake_connector.calls == []


async def test_the_allowed_tenant_gets_in(tenant_checked_client, fake_connector, db):
    # The control for the test above: the same activity from tenant-1 is stored and welcomed.
    resp = await tenant_checked_client.post(
        "/api/messages", json=act.installation_add("ann", service_url=fake_connector.url, aad="aad-ann"))
    assert resp.status == 201
    assert await stored_rows(db) == 1
    assert len(fake_connector.delivered()) == 1
