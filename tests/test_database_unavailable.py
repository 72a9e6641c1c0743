"""A turn the database cannot take is answered 503 with Retry-After, so Teams sends it again and
nothing a person typed or pressed is lost: on a real PostgreSQL whose database stops accepting
connections (ALLOW_CONNECTIONS false, its sessions terminated: what a fail-over or a maintenance
window does), and for a press whose use case meets the database going away (PostgreSQL's
57P03 "the database system is not accepting connections", on both databases' code paths).
The classifier itself, error by error: tests/test_unavailable.py."""
from __future__ import annotations

from datetime import datetime, timezone

import asyncpg
import asyncpg.exceptions as pg
import pytest
from sqlalchemy import exc as sa_exc

from bot import card_actions
from bot.app import create_app
from bot.clock import fixed_clock
from bot.services import Services
from bot.settings import Settings
from dialogs.audit_cards import Verb
from storage.db import Database
from storage.models import Allocation, AuditMonth, Conversation, Person
from tests.support import activities as act
from tests.support import databases

NOW = datetime(2026, 12, 10, 10, 0, tzinfo=timezone.utc)  # a Thursday, inside the send window
AREA = "Children in Need"


async def _seed(db: Database, service_url: str) -> int:
    """Ann (a practice manager) with her personal chat, auditing CR-1001 for Pat; the allocation's id."""
    async with db.sessions.begin() as session:
        ann = Person(email="ann@council.gov.uk", display_name="Ann Example", role="practice_manager",
                     team="Team Gamma", service_area=AREA, aad_object_id="aad-ann", created_at=NOW, updated_at=NOW)
        pat = Person(email="pat@council.gov.uk", display_name="Pat Example", role="practitioner",
                     team="Team Alpha", service_area=AREA, aad_object_id="aad-pat", created_at=NOW, updated_at=NOW)
        session.add_all([ann, pat, AuditMonth(month="2026-12", imported_at=NOW)])
        await session.flush()
        session.add(Conversation(conversation_id=act.personal_conversation_id("ann"), tenant_id=act.TENANT,
                                 service_url=service_url, bot_id=act.BOT_ID, user_id=act.user_id("ann"),
                                 aad_object_id="aad-ann", person_id=ann.id, reference={}, installed_at=NOW))
        allocation = Allocation(month="2026-12", case_ref="CR-1001", annex_a_list="List 6", service_area=AREA,
                                team="Team Alpha", theme="", auditor_id=ann.id, case_holder_id=pat.id,
                                state="allocated", created_at=NOW, updated_at=NOW)
        session.add(allocation)
        await session.flush()
        return allocation.id


async def _state(db: Database, allocation_id: int) -> str:
    async with db.sessions() as session:
        return (await session.get(Allocation, allocation_id)).state


def _activities(service_url: str, allocation_id: int) -> tuple[dict, dict]:
    typed = act.message("ann", "help", service_url=service_url, aad="aad-ann", name="Ann Example")
    press = act.card_action("ann", Verb.AUDIT_START, {"allocation_id": allocation_id}, service_url=service_url,
                            aad="aad-ann", name="Ann Example")
    press["replyToId"] = "no-such-message"
    return typed, press


@pytest.fixture
def own_postgres() -> str:
    """A PostgreSQL database of this test's own: it is closed to connections mid-test."""
    url = databases.create_postgres_database()
    if url is None:
        pytest.skip("no PostgreSQL server answered (set QA_REQUIRE_POSTGRES=1 to make this a failure)")
    yield url
    databases.drop_postgres_database(url)


async def _allow_connections(url: str, allowed: bool) -> None:
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(databases.ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://"), timeout=5)
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"true" if allowed else "false"}')
        if not allowed:  # the pool's open sessions end too: "terminating connection due to administrator command"
            await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = $1 AND pid <> pg_backend_pid()", name)
    finally:
        await admin.close()


async def test_postgresql_not_accepting_connections_is_a_503_and_nothing_is_lost(aiohttp_client, fake_connector,
                                                                                  own_postgres):
    db = Database(own_postgres)
    settings = Settings(database_url=db.url)
    services = Services.create(settings, db=db)
    services.clock = fixed_clock(NOW)
    client = await aiohttp_client(create_app(settings, services, run_scheduler=False))
    allocation_id = await _seed(db, fake_connector.url)
    typed, press = _activities(fake_connector.url, allocation_id)
    assert (await client.get("/readyz")).status == 200  # the pool holds an open session now

    await _allow_connections(own_postgres, False)
    try:
        for activity in (typed, press):
            resp = await client.post("/api/messages", json=activity)
            assert resp.status == 503, (activity["type"], resp.status, await resp.text())
            assert resp.headers["Retry-After"] == "10"
        assert fake_connector.calls == []  # no "Sorry, something went wrong": Teams sends them again
        # not ready (the database), yet alive: the host takes it out of rotation, does not restart it
        ready = await client.get("/readyz")
        assert (ready.status, (await ready.json())["database"]) == (503, "unavailable")
        assert (await client.get("/healthz")).status == 200
    finally:
        await _allow_connections(own_postgres, True)

    # Teams sends both again once the database is back: each is carried out, once.
    resp = await client.post("/api/messages", json=typed)
    assert resp.status == 201
    assert len(fake_connector.delivered(act.personal_conversation_id("ann"))) == 1  # the help card
    resp = await client.post("/api/messages", json=press)
    body = await resp.json()
    assert resp.status == 200 and body["statusCode"] == 200, body
    assert await _state(db, allocation_id) == "started"
    await db.dispose()


async def test_a_press_whose_use_case_finds_the_database_gone_is_a_503(bot_client, fake_connector, db,
                                                                       services, monkeypatch):
    """The press's own handler meets PostgreSQL's 57P03 (as SQLAlchemy raises it): not the 500 in
    the invoke body a failing press gets, but a 503 for the whole turn, and nothing changed."""
    services.clock = fixed_clock(NOW)
    allocation_id = await _seed(db, fake_connector.url)
    _, press = _activities(fake_connector.url, allocation_id)
    real = card_actions.sent_rows

    async def not_accepting(*args, **kwargs):
        try:
            raise pg.CannotConnectNowError("the database system is not accepting connections")
        except pg.PostgresError as exc:
            raise sa_exc.DBAPIError("SELECT ...", None, exc) from exc

    monkeypatch.setattr(card_actions, "sent_rows", not_accepting)
    resp = await bot_client.post("/api/messages", json=press)
    assert resp.status == 503 and resp.headers["Retry-After"] == "10"
    assert await _state(db, allocation_id) == "allocated"

    monkeypatch.setattr(card_actions, "sent_rows", real)  # back: the same press, sent again, is carried out
    body = await (await bot_client.post("/api/messages", json=press)).json()
    assert body["statusCode"] == 200 and await _state(db, allocation_id) == "started"


async def test_unavailability_surfacing_outside_the_turn_is_a_503_too(bot_client, fake_connector, monkeypatch):
    """Wherever the database's unavailability surfaces in a request (here: raised past the adapter's
    turn error handler), the answer is 503 with Retry-After, never the 500 of a real failure."""
    from bot.adapter import QaAdapter

    async def starting_up(*args, **kwargs):
        try:
            raise pg.CannotConnectNowError("the database system is starting up")
        except pg.PostgresError as exc:
            raise sa_exc.DBAPIError("SELECT ...", None, exc) from exc

    monkeypatch.setattr(QaAdapter, "process_activity", starting_up)
    resp = await bot_client.post("/api/messages", json=act.message("ann", "help", service_url=fake_connector.url))
    assert resp.status == 503 and resp.headers["Retry-After"] == "10"

    async def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(QaAdapter, "process_activity", broken)
    resp = await bot_client.post("/api/messages", json=act.message("ann", "help", service_url=fake_connector.url))
    assert resp.status == 500
