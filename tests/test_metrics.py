"""GET /metrics: off without QA_METRICS_TOKEN, a bearer token's page with it, counting what the
bot did, and no person, email, chat or case reference in any label."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import create_app
from bot.metrics import Metrics, reason_label, send_outcome, token_matches
from bot.sender import OutboxSender
from storage.outbox import enqueue
from tests.support import activities as act
from tests.support.outbox import add_person, payload

TOKEN = "s3cret-metrics-token"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(found: dict, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def metered(services):
    services.settings = dataclasses.replace(services.settings, metrics_token=TOKEN)
    return services


async def test_metrics_are_off_without_a_token(bot_client):
    assert (await bot_client.get("/metrics")).status == 404


async def test_metrics_answer_only_the_bearer_of_the_token(aiohttp_client, metered):
    client = await aiohttp_client(create_app(metered.settings, metered, run_scheduler=False))
    assert (await client.get("/metrics")).status == 401
    assert (await client.get("/metrics", headers={"Authorization": "Bearer wrong"})).status == 401
    assert (await client.get("/metrics", headers={"Authorization": TOKEN})).status == 401
    page = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/plain")
    assert "qa_outbox_oldest_due_age_seconds 0.0" in await page.text()


async def test_metrics_count_sends_turns_and_the_outbox_and_name_nobody(aiohttp_client, metered, fake_connector):
    now = metered.clock()
    people = [await add_person(metered.db, fake_connector.url, n) for n in (1, 2, 3)]
    async with metered.db.sessions.begin() as s:
        for n, (person_id, _) in enumerate(people, start=1):
            await enqueue(s, key=f"metrics:{n}", kind="allocation-notice", person_id=person_id, payload=payload(n),
                          due_at=now - timedelta(minutes=40), now=now - timedelta(hours=1))
    client = await aiohttp_client(create_app(metered.settings, metered, run_scheduler=False))
    before = samples(await (await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})).text())
    assert value(before, "qa_outbox_rows", state="pending", lane="normal") == 3
    assert value(before, "qa_outbox_oldest_due_age_seconds") >= 40 * 60

    fake_connector.fail_next(429, retry_after=0)
    fake_connector.fail_always(people[2][1], 403)
    await OutboxSender(metered, retry_base=0.01, retry_cap=0.01).deliver_due(now, wait_retries=5)
    await client.post("/api/messages", json=act.message("ann", "help", service_url=fake_connector.url))

    page = await (await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})).text()
    found = samples(page)
    assert value(found, "qa_outbox_sends_total", outcome="sent") == 2
    assert value(found, "qa_outbox_sends_total", outcome="429") == 1
    assert value(found, "qa_outbox_sends_total", outcome="403") == 1
    assert value(found, "qa_outbox_retries_total") >= 1
    assert value(found, "qa_outbox_undeliverable_rows_total", reason="blocked or uninstalled 403") == 1
    assert value(found, "qa_outbox_rows", state="sent", lane="normal") == 2
    assert value(found, "qa_turns_total", kind="message") == 1
    assert value(found, "qa_turn_duration_seconds_count", kind="message") == 1

    # No label carries a person, an email, a chat, a tenant or a case reference.
    personal = ["Person", "example.gov.uk", "a:chat", "tenant-1", "CD-0", "ann", "29:"]
    labels = {v for (_, pairs) in found for _, v in pairs}
    assert labels and not [v for v in labels for p in personal if p.lower() in v.lower()]


def test_label_values_come_from_fixed_words():
    assert [send_outcome(s) for s in (201, 429, 412, 503, 400, None)] == ["sent", "429", "412", "5xx", "4xx", "timeout"]
    assert reason_label("blocked or uninstalled (403 MessageWritesBlocked)") == "blocked or uninstalled 403"
    assert reason_label("not installed (Graph 403: pat@council.gov.uk)") == "not installed"
    metrics = Metrics()
    metrics.pressed("CR-1001 Sam Patel")  # a made-up verb is never a label
    metrics.turn(["odd"], 0.1)
    text = metrics.exposition().decode()
    assert 'verb="unknown"' in text and 'kind="other"' in text and "CR-1001" not in text


def test_the_token_is_compared_as_a_bearer_token():
    assert token_matches("Bearer abc", "abc") and token_matches("bearer abc", "abc")
    assert not token_matches("Bearer abd", "abc") and not token_matches(None, "abc") and not token_matches("abc", "abc")
