"""The month's proposed audit sample in chat (framework 9.3): the QA unit types `sample`, sees the
proposal (counts per service area, list and auditor; what could not be satisfied) and presses
**Use this sample**, which makes it the month's allocations through the allocation list's path. Anyone
else is refused; a card for a sample drawn again since, or pressed twice, changes nothing. Real app,
fake Bot Connector, both databases."""
from __future__ import annotations

import json

from sqlalchemy import select

from bot.clock import fixed_clock
from capabilities.context import Context
from capabilities.sampling.flow import propose_sample
from dialogs.sample_cards import USE_VERB
from dialogs.status_cards import MAX_CARD_BYTES, card_bytes
from qa.calendar import WorkingCalendar
from qa.sampling import Rules
from storage.models import Allocation, SampleProposal, TrailEvent
from tests.support import activities as act
from tests.support.cards import buttons
from tests.support.sampling import MONTH, NOW, SECRETS, annex_a_workbook, roster
from tests.support.status import add_person, typed


async def test_the_qa_unit_uses_the_proposed_sample_in_chat(db, services, fake_connector, bot_client, tmp_path):
    services.clock = fixed_clock(NOW)
    ids = await roster(db, fake_connector.url)
    await add_person(db, "Paula", "practitioner", service_url=fake_connector.url)
    [reply] = await typed(bot_client, fake_connector, "Quinn", "sample")
    assert "No audit sample has been proposed yet" in reply.all_text()

    ctx = Context(db, WorkingCalendar(), lambda: NOW)
    path = annex_a_workbook(tmp_path / "annex-a.xlsx")
    first = await propose_sample(ctx, path, MONTH, Rules(), seed=3, theme="", actor_id=None, via="test")
    await propose_sample(ctx, path, MONTH, Rules(), seed=4, theme="", actor_id=None, via="test")  # drawn again
    [reply] = await typed(bot_client, fake_connector, "Quinn", "sample")
    [card] = reply.cards
    assert card_bytes(card) < MAX_CARD_BYTES
    text = json.dumps(card, ensure_ascii=False)
    assert "Audit sample for January 2027" in text and "Drawn with seed 4" in text
    assert "PM North CIN" in text and "List 6" in text and "North Area" in text
    for secret in SECRETS:
        assert secret not in text
    [(title, verb, data)] = [b for b in buttons(card) if b[1] == USE_VERB]
    assert title == "Use this sample"
    async with db.sessions() as session:
        proposal = await session.scalar(select(SampleProposal))
    assert data == {"month": MONTH, "proposal_id": proposal.id}

    # Someone else, and a card of the first draw, change nothing.
    assert "is for the QA unit" in (await typed(bot_client, fake_connector, "Paula", "sample"))[0].all_text()
    resp = await bot_client.post("/api/messages", json=act.card_action("Paula", USE_VERB, data,
                                                                       service_url=fake_connector.url))
    assert "Choosing the month's audit sample is for the QA unit" in json.dumps(await resp.json())
    stale = dict(data, proposal_id=proposal.id - 1)
    resp = await bot_client.post("/api/messages", json=act.card_action("Quinn", USE_VERB, stale,
                                                                       service_url=fake_connector.url))
    assert "was proposed again since this card (seed 4)" in json.dumps(await resp.json())
    async with db.sessions() as session:
        assert (await session.execute(select(Allocation))).scalars().all() == []

    resp = await bot_client.post("/api/messages", json=act.card_action("Quinn", USE_VERB, data,
                                                                       service_url=fake_connector.url))
    assert resp.status == 200
    answer = json.dumps(await resp.json(), ensure_ascii=False)
    assert "Used by Quinn Example" in answer and "4 allocated" in answer
    again = await bot_client.post("/api/messages", json=act.card_action("Quinn", USE_VERB, data,
                                                                        service_url=fake_connector.url))
    assert "already used by Quinn Example" in json.dumps(await again.json(), ensure_ascii=False)
    async with db.sessions() as session:
        allocations = (await session.execute(select(Allocation).where(Allocation.month == MONTH))).scalars().all()
        trail = (await session.execute(select(TrailEvent).where(TrailEvent.action == "sample_confirmed"))).scalars().all()
    assert len(allocations) == 4 and all(a.auditor_id != ids["quinn@council.gov.uk"] for a in allocations)
    assert [(t.actor_id, t.via) for t in trail] == [(ids["quinn@council.gov.uk"], f"card:{USE_VERB}")]
    assert len(first.proposal.picks) == 4
    used = (await typed(bot_client, fake_connector, "Quinn", "sample"))[0]
    assert "This sample was used by Quinn Example" in json.dumps(used.cards, ensure_ascii=False)
    assert buttons(used.cards[0]) == []
