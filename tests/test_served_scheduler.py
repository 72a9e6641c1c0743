"""The served app runs its own sweeps and sender (APScheduler on the app's loop)."""
from __future__ import annotations

from datetime import timedelta

from bot.app import create_app
from storage.outbox import enqueue
from tests.support.outbox import add_person, payload


async def test_the_served_app_delivers_what_is_due_and_wakes_for_what_is_urgent(aiohttp_client, services,
                                                                                 fake_connector):
    now = services.clock()
    person_id, chat = await add_person(services.db, fake_connector.url, 1)
    async with services.db.sessions.begin() as s:
        await enqueue(s, key="served:1", kind="test", person_id=person_id, payload=payload(1),
                      due_at=now - timedelta(minutes=1), now=now - timedelta(minutes=2))

    await aiohttp_client(create_app(services.settings, services))  # starts the scheduler and sender
    assert services.sender is not None
    await fake_connector.wait_for(lambda f: len(f.delivered(chat)) == 1)

    # Something urgent written during a turn goes at once when the turn wakes the sender.
    async with services.db.sessions.begin() as s:
        await enqueue(s, key="served:2", kind="test", person_id=person_id, payload=payload(2),
                      due_at=services.clock(), now=services.clock())
    services.sender.wake()
    await fake_connector.wait_for(lambda f: len(f.delivered(chat)) == 2, timeout=4.0)
    assert "CD-00002" in fake_connector.delivered(chat)[1].all_text()
