"""`observe`, driven step by step through botbuilder's DialogTestClient on both databases: whom
(most overdue first), when, area, what went well, what to develop, the action plan, the summary,
Save; `back` at each step, bad input at each step, identifiers refused by kind, a restart in the
middle (the state is in the bot_state table), and who may observe whom."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from capabilities.observations import flow, observe
from capabilities.observations.observe import observe_dialog
from dialogs.steps import FIRST, RETRY
from qa.observations import AREAS
from storage.models import Observation, OutboxMessage, TrailEvent
from tests.support.observations import NOW, Chat, add_roster, context


@pytest.fixture
async def ids(db):
    return await add_roster(db)


async def observations(db) -> list[Observation]:
    async with db.sessions() as session:
        return list((await session.scalars(select(Observation))).all())


async def record_one(db, ids, when: date = date(2026, 3, 1)) -> None:
    async with db.sessions.begin() as session:
        session.add(Observation(observer_id=ids["pam"], supervisee_id=ids["bob"], observed_on=when, area=AREAS[0],
                                went_well="Good rapport", to_develop="Recording", actions=["Read the policy"],
                                created_at=NOW))


async def test_a_whole_observation_step_by_step(db, ids):
    await record_one(db, ids, date(2026, 9, 1))  # Bob was observed last September: Ann and Cat come first
    chat = Chat(db, observe_dialog(context(db)), ids["pam"])
    text, buttons = await chat.say("observe")
    assert text.startswith(observe.WHOM_Q) and buttons == ["Ann Archer", "Cat Cole", "Bob Baker"]
    text, buttons = await chat.say("Cat Cole")
    assert text == observe.WHEN_Q and buttons == ["Today"]
    text, buttons = await chat.say("Today")
    assert text == observe.AREA_Q and buttons == list(AREAS[:6])
    text, _ = await chat.say("Core group meeting")
    assert text == observe.WELL_Q
    text, _ = await chat.say("Clear explanation of the plan to the family")
    assert text == observe.DEVELOP_Q
    text, _ = await chat.say("Summarise agreed actions at the end")
    assert text == observe.ACTION_FIRST
    text, buttons = await chat.say("Use the meeting template")
    assert text == observe.ACTION_MORE.format(n=2) and buttons == ["Done"]
    text, _ = await chat.say("Discuss in supervision next month")
    text, buttons = await chat.say("Done")
    assert "Observed: Cat Cole" in text and "On: 2027-03-03" in text and "Action 2: Discuss in supervision" in text
    assert buttons == ["Save"] and len(await observations(db)) == 1  # only last September's
    text, _ = await chat.say("Save")
    assert text == flow.OBSERVATION_SAVED.format(name="Cat Cole")
    [row] = [o for o in await observations(db) if o.supervisee_id == ids["cat"]]
    assert (row.observer_id, row.observed_on, row.area) == (ids["pam"], date(2027, 3, 3), "Core group meeting")
    assert row.actions == ["Use the meeting template", "Discuss in supervision next month"]
    async with db.sessions() as session:
        [notice] = (await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "observation-notice"))).all()
        [trail] = (await session.scalars(select(TrailEvent).where(TrailEvent.action == flow.OBSERVATION_RECORDED))).all()
    assert notice.person_id == ids["cat"] and notice.payload["card"]["actions"][0]["verb"] == "observation.reflect"
    assert trail.detail["actions"] == 2 and "Clear" not in str(trail.detail)


async def test_back_goes_one_step_back_at_every_step(db, ids):
    chat = Chat(db, observe_dialog(context(db)), ids["pam"])
    await chat.say("observe")
    text, _ = await chat.say("back")
    assert text.startswith(FIRST)
    await chat.say("1")  # Ann Archer, by number
    assert (await chat.say("back"))[0].startswith(observe.WHOM_Q)
    await chat.say("Ann Archer")
    await chat.say("28/02/2027")
    assert (await chat.say("Go back!"))[0] == observe.WHEN_Q
    await chat.say("2027-02-28")
    await chat.say("1:1 work with children")
    await chat.say("Warm, child-led")
    assert (await chat.say("back"))[0] == observe.WELL_Q
    await chat.say("Warm and child-led")
    await chat.say("Explain the plan")
    await chat.say("First action")
    await chat.say("Second action")
    text, _ = await chat.say("back")  # takes back the second action
    assert text == observe.ACTION_MORE.format(n=2)
    await chat.say("Done")
    await chat.say("Save")
    [row] = await observations(db)
    assert row.observed_on == date(2027, 2, 28) and row.actions == ["First action"]
    assert row.went_well == "Warm and child-led"


@pytest.mark.parametrize(("step", "bad", "why"), [
    ("whom", "Nobody Known", observe.UNKNOWN_NAME),
    ("when", "next tuesday", "Please type the date"),
    ("when", "2027-03-04", "in the future"),
    ("when", "01/01/2026", "over a year ago"),
    ("area", "Home visit", RETRY),
    ("well", "Born 03/07/2015, lovely", "a date of birth"),
    ("develop", "call her on 07700 900123", "a phone number"),
    ("actions", "visit at SO14 7DU", "a postcode"),
    ("actions", "email mum@example.com", "an email address"),
    ("confirm", "maybe", RETRY),
])
async def test_bad_input_at_each_step_is_refused_and_asked_again(db, ids, step, bad, why):
    good = {"whom": "Ann Archer", "when": "Today", "area": AREAS[1], "well": "Calm and clear",
            "develop": "Pace", "actions": "Read the guidance"}
    chat = Chat(db, observe_dialog(context(db)), ids["pam"])
    question, _ = await chat.say("observe")
    for key in ("whom", "when", "area", "well", "develop", "actions", "confirm"):
        if key == step:
            text, _ = await chat.say(bad)
            assert why in text and question.split("\n\n")[0] in text  # the reason, then the same question
            break
        question, _ = await chat.say(good[key])
        if key == "actions":
            question, _ = await chat.say("Done")
    assert await observations(db) == []


async def test_a_restart_in_the_middle_carries_on(db, ids):
    chat = Chat(db, observe_dialog(context(db)), ids["pam"])
    await chat.say("observe")
    await chat.say("Bob Baker")
    await chat.say("Today")
    # A new dialog object and conversation state on the same database, as after a restart.
    again = Chat(db, observe_dialog(context(db)), ids["pam"])
    text, _ = await again.say(AREAS[2])
    assert text == observe.WELL_Q
    for answer in ("Good", "Better", "Act", "Done", "Save"):
        text, _ = await again.say(answer)
    assert text == flow.OBSERVATION_SAVED.format(name="Bob Baker")
    [row] = await observations(db)
    assert row.supervisee_id == ids["bob"]


async def test_who_may_observe(db, ids):
    text, _ = await Chat(db, observe_dialog(context(db)), ids["ann"]).say("observe")
    assert text == flow.NOT_AN_OBSERVER
    text, _ = await Chat(db, observe_dialog(context(db)), None).say("observe")
    assert "can't match you" in text


async def test_a_practice_manager_cannot_type_someone_elses_supervisee(db, ids):
    chat = Chat(db, observe_dialog(context(db)), ids["pam"])
    await chat.say("observe")
    text, _ = await chat.say("Zoe Other")
    assert observe.UNKNOWN_NAME in text


async def test_a_senior_manager_may_type_anyone_and_observe_starts_from_a_name(db, ids):
    chat = Chat(db, observe_dialog(context(db)), ids["hal"], argument="zoe other")
    text, _ = await chat.say("observe zoe other")
    assert text == observe.WHEN_Q  # whom came with the button's words
    for answer in ("Today", AREAS[0], "Good", "Better", "Act", "Done", "Save"):
        text, _ = await chat.say(answer)
    assert text == flow.OBSERVATION_SAVED.format(name="Zoe Other")


async def test_the_save_rechecks_the_supervisor_on_the_server(db, ids):
    answers = {"whom": ids["zoe"], "when": "2027-03-01", "area": AREAS[0], "well": "a", "develop": "b",
               "actions": ["c"]}
    said = await observe.save(context(db), ids["pam"], answers)
    assert said == flow.NOT_YOURS.format(name="Zoe Other")
    assert await observations(db) == []
