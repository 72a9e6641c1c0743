"""What supervision needs from observations (open action plans, marking one reviewed), who may see
an observation or a feedback entry, and the `observations` command, on both databases."""
from __future__ import annotations

from datetime import date

import pytest

from capabilities.observations.commands import observations
from capabilities.observations.common import may_see_feedback, may_see_observation
from capabilities.registry import Said
from qa.observations import AREAS
from storage.models import FeedbackEntry, Observation, Person
from storage.observations import mark_plan_reviewed, open_observation_plans, supervisors_up_the_line
from tests.support.observations import NOW, add_roster, context


@pytest.fixture
async def ids(db):
    return await add_roster(db)


async def observe(db, observer: int, supervisee: int, on: date) -> int:
    async with db.sessions.begin() as session:
        row = Observation(observer_id=observer, supervisee_id=supervisee, observed_on=on, area=AREAS[0],
                          went_well="w", to_develop="d", actions=["a"], created_at=NOW)
        session.add(row)
        await session.flush()
        return row.id


async def test_open_plans_until_a_supervision_reviews_them(db, ids):
    await observe(db, ids["pam"], ids["ann"], date(2026, 6, 1))
    await observe(db, ids["pam"], ids["ann"], date(2027, 2, 1))
    await observe(db, ids["pam"], ids["bob"], date(2027, 1, 5))
    async with db.sessions() as session:
        plans = await open_observation_plans(session, [ids["ann"], ids["bob"], ids["cat"]])
    assert plans == {ids["ann"]: [date(2026, 6, 1), date(2027, 2, 1)], ids["bob"]: [date(2027, 1, 5)]}
    async with db.sessions.begin() as session:
        assert await mark_plan_reviewed(session, ids["ann"], date(2026, 6, 1), reviewer_id=ids["pam"], now=NOW) == 1
        assert await mark_plan_reviewed(session, ids["bob"], date(2027, 1, 6), reviewer_id=ids["pam"], now=NOW) == 0
    async with db.sessions.begin() as session:
        assert await mark_plan_reviewed(session, ids["ann"], date(2026, 6, 1), reviewer_id=ids["pam"], now=NOW) == 0
        plans = await open_observation_plans(session, [ids["ann"], ids["bob"]])
    assert plans == {ids["ann"]: [date(2027, 2, 1)], ids["bob"]: [date(2027, 1, 5)]}
    async with db.sessions() as session:
        assert await open_observation_plans(session, []) == {}


async def test_who_may_see_an_observation(db, ids):
    oid = await observe(db, ids["pam"], ids["ann"], date(2027, 2, 1))
    async with db.sessions() as session:
        row = await session.get(Observation, oid)
        ann = await session.get(Person, ids["ann"])
        assert [p.display_name for p in await supervisors_up_the_line(session, ann)] == [
            "Pam Manager", "Sal Lead", "Hal Head", "Dee Director"]
        seen = {name: await may_see_observation(session, await session.get(Person, pid), row)
                for name, pid in ids.items()}
    assert {name for name, yes in seen.items() if yes} == {"pam", "ann", "sal", "hal", "dee", "quinn", "pat"}
    assert await may_see_observation(None, None, row) is False


async def test_who_may_see_feedback(db, ids):
    async with db.sessions() as session:
        people = {name: await session.get(Person, pid) for name, pid in ids.items()}
    entry = FeedbackEntry(author_id=ids["bob"], service_area="Children in Care", team="Team North")
    assert {name for name, p in people.items() if may_see_feedback(p, entry)} == {"bob", "sal", "quinn", "pat"}
    elsewhere = FeedbackEntry(author_id=ids["bob"], service_area="Front Door", team="Team South")
    assert {name for name, p in people.items() if may_see_feedback(p, elsewhere)} == {"bob", "quinn", "pat"}


async def test_the_observations_command(db, ids):
    await observe(db, ids["pam"], ids["bob"], date(2026, 12, 1))
    async with db.sessions() as session:
        pam = await session.get(Person, ids["pam"])
        ann = await session.get(Person, ids["ann"])
    reply = await observations(Said(context(db), pam, NOW))
    assert reply.summary == "3 supervisees, 2 not observed by you in the last twelve months"
    names = [b["items"][0]["facts"][0]["value"] for b in reply.card["body"] if b["type"] == "Container"]
    assert names == ["Ann Archer", "Cat Cole", "Bob Baker"]
    buttons = [b["items"][1]["actions"][0]["data"]["msteams"]["value"] for b in reply.card["body"]
               if b["type"] == "Container"]
    assert buttons == ["observe Ann Archer", "observe Cat Cole", "observe Bob Baker"]
    refused = await observations(Said(context(db), ann, NOW))
    assert "for managers who observe practice" in refused.summary
