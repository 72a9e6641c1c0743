"""The good-practice learning list (framework 9.3, "Good or Outstanding cases") on both databases:
`good practice` in chat for the roles it is for (every area for the QA unit and the principal
social worker, their own service areas for heads of service, service leads and practice managers), and the monthly list to the principal social
worker and the QA unit on the first working day (4 January 2027: New Year's Day and a weekend first)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import update

from capabilities.catalogue import registry
from capabilities.escalations.commands import good_practice_command
from capabilities.escalations.good_practice import last_three, period
from capabilities.registry import Said
from storage.models import Allocation, Audit, Person
from tests.support.escalations import set_up, utc

CASES = {"CR-3001": utc(2026, 12, 10, 10), "CR-3002": utc(2026, 12, 11, 10), "CR-3003": utc(2026, 12, 14, 10),
         "CR-3004": utc(2026, 12, 15, 10)}


@pytest.fixture
async def desk(services, fake_connector, bot_client):
    d = await set_up(services, fake_connector, bot_client, CASES, grade="Good", areas={"CR-3003": "Child Protection"})
    async with d.db.sessions.begin() as session:
        for ref, grade in (("CR-3002", "Outstanding"), ("CR-3004", "Requires Improvement")):
            await session.execute(update(Audit).where(Audit.allocation_id == d.ids[ref]).values(overall_grade=grade))
        await session.execute(update(Audit).where(Audit.allocation_id == d.ids["CR-3001"])
                              .values(strengths="Direct work with the child was creative and consistent"))
    return d


async def test_good_practice_in_chat_and_each_month(desk):
    d = desk
    card = json.dumps(await d.say("paula", "good practice", utc(2026, 12, 20, 10)), ensure_ascii=False)
    assert "Good practice: October to December 2026" in card and "3 audits graded Good or Outstanding" in card
    assert all(ref in card for ref in ("CR-3001", "CR-3002", "CR-3003")) and "CR-3004" not in card
    assert "Direct work with the child was creative and consistent" in card
    # By service area: Child Protection before Children in Need; Outstanding first within an area.
    assert card.index("Child Protection") < card.index("CR-3002") < card.index("CR-3001")
    # A practitioner is told, before anything runs, whom the command is for.
    assert await d.told("pat", "good practice", utc(2026, 12, 20, 10)) == registry().commands["good practice"].for_whom()

    assert await d.tick(utc(2026, 12, 31, 12)) == {}
    assert await d.tick(utc(2027, 1, 4, 9)) == {"quinn": ["Good practice: December 2026"],
                                                 "qiana": ["Good practice: December 2026"],
                                                 "paula": ["Good practice: December 2026"]}
    assert await d.tick(utc(2027, 1, 4, 10)) == {}


async def test_good_practice_is_scoped_to_the_areas_of_those_who_lead_them(desk):
    d, at = desk, utc(2026, 12, 20, 10)
    seen = {}
    for key in ("quinn", "paula", "hana", "sam", "cal", "ann", "pam"):
        card = json.dumps(await d.say(key, "good practice", at), ensure_ascii=False)
        seen[key] = [ref for ref in ("CR-3001", "CR-3002", "CR-3003", "CR-3004") if ref in card]
    assert seen == {"quinn": ["CR-3001", "CR-3002", "CR-3003"], "paula": ["CR-3001", "CR-3002", "CR-3003"],
                    "hana": ["CR-3001", "CR-3002", "CR-3003"],  # both her areas
                    "sam": ["CR-3001", "CR-3002"], "ann": ["CR-3001", "CR-3002"], "pam": ["CR-3001", "CR-3002"],
                    "cal": ["CR-3003"]}
    assert "Good practice: October to December 2026, Child Protection" in json.dumps(await d.say("cal", "good practice", at))
    for key in ("pat", "ira"):  # a practitioner, a reviewing officer: not theirs
        refused = await d.told(key, "good practice", at)
        assert refused == registry().commands["good practice"].for_whom() and "CR-300" not in refused
        # The use case refuses them itself too (the server checks the sender, whatever the edge did).
        async with d.db.sessions() as session:
            person = await session.get(Person, d.ids[key])
        reply = await good_practice_command(Said(d.services.context, person, at))
        refused = json.dumps(reply.card, ensure_ascii=False)
        assert "The good practice list is for the QA unit" in refused and "CR-300" not in refused
    async with d.db.sessions.begin() as session:  # a service lead the roster gives no area sees nothing
        await session.execute(update(Person).where(Person.aad_object_id == "aad-sam").values(service_area=""))
    lone = json.dumps(await d.say("sam", "good practice", at))
    assert "no service area" in lone and "CR-300" not in lone


async def test_withdrawn_or_unsubmitted_audits_are_not_listed(desk):
    d = desk
    async with d.db.sessions.begin() as session:
        await session.execute(update(Audit).where(Audit.allocation_id == d.ids["CR-3001"]).values(submitted_at=None))
        await session.execute(update(Allocation).where(Allocation.id == d.ids["CR-3001"]).values(state="started"))
    card = json.dumps(await d.say("quinn", "good practice", utc(2026, 12, 20, 10)))
    assert "CR-3001" not in card and "2 audits graded Good or Outstanding" in card


def test_three_months_and_their_label():
    from datetime import date

    assert last_three(date(2027, 1, 15)) == ["2026-11", "2026-12", "2027-01"]
    assert period(["2026-11", "2026-12", "2027-01"]) == "November 2026 to January 2027"
    assert period(["2026-10", "2026-11", "2026-12"]) == "October to December 2026"
