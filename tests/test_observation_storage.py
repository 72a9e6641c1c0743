"""What supervision needs from observations (open action plans, marking one reviewed), a person's
supervisors up the line, and the `observations` command, on both databases."""
from __future__ import annotations

from datetime import date

import pytest

from capabilities.observations.commands import observations
from capabilities.registry import Said
from qa.observations import AREAS
from storage.models import Observation, Person
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


async def test_supervisors_up_the_line(db, ids):
    async with db.sessions() as session:
        ann = await session.get(Person, ids["ann"])
        assert [p.display_name for p in await supervisors_up_the_line(session, ann)] == [
            "Pam Manager", "Sal Lead", "Hal Head", "Dee Director"]


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
