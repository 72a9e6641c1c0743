"""`walk`, driven step by step through botbuilder's DialogTestClient on both databases: team, date,
themes one at a time (Done), a short note or none, Save; back, bad input, a restart, who may walk."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from capabilities.observations import flow, walk
from capabilities.observations.walk import walk_dialog
from dialogs.steps import FIRST, RETRY
from qa.identifiers import DATE_KEPT
from qa.observations import WALK_THEMES
from storage.models import FloorWalk, TrailEvent
from tests.support.observations import Chat, add_roster, context


@pytest.fixture
async def ids(db):
    return await add_roster(db)


async def walks(db) -> list[FloorWalk]:
    async with db.sessions() as session:
        return list((await session.scalars(select(FloorWalk))).all())


async def test_a_walk_step_by_step_with_back_and_bad_input(db, ids):
    chat = Chat(db, walk_dialog(context(db)), ids["hal"])
    text, buttons = await chat.say("walk")
    assert text == walk.TEAM_Q and "Team North" in buttons
    assert (await chat.say("back"))[0].startswith(FIRST)
    assert "a postcode" in (await chat.say("Team at SO14 7DU"))[0]
    await chat.say("Team North")
    assert "in the future" in (await chat.say("2027-03-04"))[0]
    await chat.say("yesterday")
    text, buttons = await chat.say("Tea breaks")
    assert text.startswith(RETRY) and buttons == list(WALK_THEMES[:6])
    text, buttons = await chat.say("Workload")
    assert text.startswith(walk.THEMES_MORE) and "Workload" not in buttons and buttons[-1] == walk.DONE
    await chat.say("Wellbeing")
    assert (await chat.say("back"))[0].startswith(walk.THEMES_MORE)  # takes Wellbeing back
    await chat.say("Recording")
    text, buttons = await chat.say("Done")
    assert text == walk.NOTE_Q and buttons == [walk.NO_NOTE]
    assert "an email address" in (await chat.say("ask boss@example.com"))[0]
    text, buttons = await chat.say("Caseloads high but morale good")
    assert "Themes: Workload, Recording" in text and buttons == ["Save"]
    assert (await chat.say("Save"))[0] == flow.WALK_SAVED
    [row] = await walks(db)
    assert (row.walker_id, row.team, row.walked_on, row.themes) == (ids["hal"], "Team North", date(2027, 3, 2),
                                                                     ["Workload", "Recording"])
    async with db.sessions() as session:
        [trail] = (await session.scalars(select(TrailEvent).where(TrailEvent.action == flow.WALK_RECORDED))).all()
    assert trail.detail == {"themes": [1, 3], "note_length": len("Caseloads high but morale good")}


async def test_a_restart_in_the_middle_and_no_note(db, ids):
    chat = Chat(db, walk_dialog(context(db)), ids["dee"])
    await chat.say("walk")
    await chat.say("Team South")
    again = Chat(db, walk_dialog(context(db)), ids["dee"])
    for answer in ("Today", "Supervision", "Done", walk.NO_NOTE, "Save"):
        text, _ = await again.say(answer)
    assert text == flow.WALK_SAVED
    [row] = await walks(db)
    assert (row.team, row.note, row.themes) == ("Team South", "", ["Supervision"])


async def test_only_senior_managers_walk_the_floor(db, ids):
    assert (await Chat(db, walk_dialog(context(db)), ids["pam"]).say("walk"))[0] == flow.NOT_SENIOR
    assert "can't match you" in (await Chat(db, walk_dialog(context(db)), None).say("walk"))[0]
    said = await walk.save(context(db), ids["ann"], {"team": "T", "when": "2027-03-01", "themes": ["Other"]})
    assert said.startswith(flow.NOT_SENIOR) and await walks(db) == []


async def test_a_date_in_the_note_is_questioned_and_kept_only_with_the_button(db, ids):
    chat = Chat(db, walk_dialog(context(db)), ids["hal"])
    for answer in ("walk", "Team North", "yesterday", "Workload", "Done"):
        text, buttons = await chat.say(answer)
    assert text == walk.NOTE_Q
    assert "a street address" in (await chat.say("Met the family at 14 Elm Road"))[0]
    text, buttons = await chat.say("Spoke to staff about the visit on 12 March 2027")
    assert "If it is a date of birth, please remove it" in text and buttons == [DATE_KEPT, walk.NO_NOTE]
    text, buttons = await chat.say("Spoke to staff about the visit of 12 March")  # without the year: kept as is
    assert buttons == ["Save"] and "12 March" in text
    assert (await chat.say("back"))[0].startswith(walk.NOTE_Q)
    await chat.say("Visit on 01/03/2027 discussed")
    text, buttons = await chat.say(DATE_KEPT)
    assert buttons == ["Save"] and "Visit on 01/03/2027 discussed" in text
    assert (await chat.say("Save"))[0] == flow.WALK_SAVED
    [row] = await walks(db)
    assert row.note == "Visit on 01/03/2027 discussed"
