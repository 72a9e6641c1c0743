"""Anything a client sends gets a deliberate 4xx, never a 5xx, and stores nothing (issue 9 items 2,
3 and 6): malformed invokes, unknown invoke names, JSON nested too deep, ids of the wrong type,
missing senders, NUL bytes; thousands of generated activities (hypothesis, fixed seed); and a
turn the bot could not process because its database is down is answered 503, so Teams retries."""
from __future__ import annotations

import copy
import json
import os
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from bot.app import create_app
from bot.services import Services
from bot.settings import Settings
from storage.db import Database
from storage.models import Base
from tests.support import activities as act

EXAMPLES = int(os.environ.get("QA_FUZZ_EXAMPLES", "1500"))  # a longer run: make fuzz


async def table_rows(db) -> int:
    """Rows in every table, in one round trip."""
    tables = [t.name for t in Base.metadata.sorted_tables]
    query = "SELECT " + " + ".join(f"(SELECT count(*) FROM {name})" for name in tables)
    async with db.engine.connect() as conn:
        return (await conn.execute(text(query))).scalar_one()


@pytest.mark.parametrize("value", [None, {}, [], 3, "x", {"action": {"type": "Action.Submit", "data": {}}},
                                   {"action": "x"}, {"action": {"type": "Action.Execute"}},
                                   {"action": {"type": "Action.Execute", "verb": "audit.start", "data": [1]}}])
async def test_a_malformed_card_action_is_a_400(bot_client, fake_connector, db, value):
    activity = act.card_action("ann", "audit.start", service_url=fake_connector.url)
    if value is None:
        del activity["value"]
    else:
        activity["value"] = value
    resp = await bot_client.post("/api/messages", json=activity)
    assert resp.status == 400 and "Action.Execute" in (await resp.json())["error"]
    assert await table_rows(db) == 0 and fake_connector.calls == []


@pytest.mark.parametrize("name", ["task/fetch", "composeExtension/query", "signin/verifyState", "fileConsent/invoke",
                                  "handoff/action", "nope"])
async def test_every_invoke_name_gets_a_deliberate_answer(bot_client, fake_connector, db, name):
    activity = act.card_action("ann", "audit.start", service_url=fake_connector.url)
    activity["name"] = name
    resp = await bot_client.post("/api/messages", json=activity)
    assert resp.status == 400 and (await resp.json()) == {"error": "this bot does not handle this kind of invoke"}


@pytest.mark.parametrize(("spoil", "reason"), [
    (lambda a: a.pop("from"), "no from.id"),
    (lambda a: a["from"].pop("id"), "no from.id"),
    (lambda a: a["from"].update(id=29), "from.id must be a non-empty string"),
    (lambda a: a["conversation"].update(id=["a", "b"]), "conversation.id must be a non-empty string"),
    (lambda a: a["recipient"].update(id="28:bot\x07"), "recipient.id holds control characters"),
    (lambda a: a.update(text="help\x00"), "NUL"),
    (lambda a: a.update(text="x" * 50_000), "text must be a string"),
    (lambda a: a.update(serviceUrl="javascript:alert(1)"), "serviceUrl"),
    (lambda a: a.update(value=[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]), "nests deeper"),
])
async def test_an_activity_of_the_wrong_shape_is_refused_before_anything_is_stored(bot_client, fake_connector, db,
                                                                                   spoil, reason):
    activity = act.installation_add("ann", service_url=fake_connector.url, aad="aad-ann")
    spoil(activity)
    resp = await bot_client.post("/api/messages", json=activity)
    assert resp.status == 400 and reason in (await resp.json())["error"]
    assert await table_rows(db) == 0 and fake_connector.calls == []


async def test_json_nested_a_thousand_levels_is_a_400(bot_client, fake_connector):
    deep = "[" * 1001 + "]" * 1001
    body = json.dumps(act.message("ann", "help", service_url=fake_connector.url))[:-1] + ', "value": ' + deep + "}"
    resp = await bot_client.post("/api/messages", data=body, headers={"Content-Type": "application/json"})
    assert resp.status == 400


# -- generated activities ---------------------------------------------------------------------

_leaf = st.one_of(st.none(), st.booleans(), st.integers(-2**40, 2**40), st.floats(allow_nan=False),
                  st.text(max_size=40), st.sampled_from(["", "\x00", "a:chat-ann", "29:ann", "Action.Execute",
                                                        "audit.start", "adaptiveCard/action", "http://x"]))
_json = st.recursive(_leaf, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                    st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                     max_leaves=12)
_fields = ["type", "name", "text", "value", "from", "recipient", "conversation", "serviceUrl", "channelData",
           "replyToId", "id", "membersAdded", "entities", "attachments"]


def _generate(templates: list[dict], count: int) -> list[dict]:
    """`count` activities, each a valid template with a few of its fields (or their fields) replaced,
    dropped or added, drawn by hypothesis with a fixed seed."""
    drawn: list[dict] = []

    @settings(max_examples=count, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(templates), st.lists(st.tuples(st.sampled_from(_fields), st.sampled_from(["set", "drop",
           "inner"]), st.text(max_size=8), _json), min_size=1, max_size=4))
    def draw(template: dict, changes: list) -> None:
        activity = copy.deepcopy(template)
        for field, how, key, value in changes:
            if how == "drop":
                activity.pop(field, None)
            elif how == "inner" and isinstance(activity.get(field), dict):
                activity[field][key or "id"] = value
            else:
                activity[field] = value
        drawn.append(activity)

    draw()
    return drawn[:count]


async def test_generated_activities_never_get_a_5xx_and_rejected_ones_store_nothing(bot_client, fake_connector, db):
    url = fake_connector.url
    templates = [act.message("ann", "help", service_url=url), act.installation_add("ann", service_url=url),
                 act.card_action("ann", "audit.start", {"allocation_id": 1}, service_url=url),
                 act.team_bot_added("t", service_url=url)]
    statuses: dict[int, int] = {}
    for n, activity in enumerate(_generate(templates, EXAMPLES)):
        if n % 250 == 0:
            assert (await bot_client.get("/healthz")).status == 200  # healthy throughout
        before = await table_rows(db)
        resp = await bot_client.post("/api/messages", json=activity)
        statuses[resp.status] = statuses.get(resp.status, 0) + 1
        assert resp.status < 500, (resp.status, await resp.text())
        if resp.status >= 400:
            assert await table_rows(db) == before, activity
    assert (await bot_client.get("/healthz")).status == 200
    print(f"generated activities: {EXAMPLES}, answers by status: {dict(sorted(statuses.items()))}")  # make fuzz shows it
    assert statuses.get(400, 0) > EXAMPLES // 4 and sum(n for s, n in statuses.items() if s < 300) > 0, statuses


# -- a dependency down --------------------------------------------------------------------------

@pytest.mark.parametrize("down", ["sqlite", "postgresql"])
async def test_a_turn_the_database_cannot_take_is_a_503_so_teams_sends_it_again(aiohttp_client, fake_connector,
                                                                                 sqlite_template, tmp_path, down):
    if down == "sqlite":  # a database that cannot be written (a full disk, a read-only file system)
        path = tmp_path / "read-only.sqlite3"
        shutil.copy(sqlite_template, path)
        down = f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true"
    else:  # a database server that refuses connections
        down = "postgresql+asyncpg://qa@127.0.0.1:1/qa"
    settings = Settings(database_url=down)
    services = Services.create(settings, db=Database(down))
    client = await aiohttp_client(create_app(settings, services, run_scheduler=False))
    resp = await client.post("/api/messages", json=act.message("ann", "help", service_url=fake_connector.url))
    assert resp.status == 503 and resp.headers["Retry-After"] == "10"
    assert fake_connector.calls == []  # no "Sorry": Teams will send the message again
    if "postgresql" in down:
        assert (await client.get("/readyz")).status == 503  # a read-only file still answers reads
        assert (await client.get("/healthz")).status == 200  # the process itself answers
