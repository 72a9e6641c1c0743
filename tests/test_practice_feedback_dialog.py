"""`feedback`, driven step by step through botbuilder's DialogTestClient on both databases: from
whom, service area, team, case ref (or none), how, a rating for children and families, what was
said, Save; complaints and compliments reach the QA unit at once; back, bad input, identifiers
refused by kind, a restart in the middle."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from capabilities.observations import feedback, flow
from capabilities.observations.feedback import feedback_dialog
from dialogs.steps import FIRST, RETRY
from qa.observations import FEEDBACK_SOURCES, HOW_GIVEN, NO_RATING, RATINGS
from storage.models import FeedbackEntry, OutboxMessage, TrailEvent
from tests.support.observations import Chat, add_roster, context


@pytest.fixture
async def ids(db):
    return await add_roster(db)


async def entries(db) -> list[FeedbackEntry]:
    async with db.sessions() as session:
        return list((await session.scalars(select(FeedbackEntry))).all())


async def alerts(db) -> list[OutboxMessage]:
    async with db.sessions() as session:
        return list((await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "feedback-alert"))).all())


async def test_feedback_from_a_parent_in_nine_taps(db, ids):
    chat = Chat(db, feedback_dialog(context(db)), ids["ann"])
    text, buttons = await chat.say("feedback")
    assert (text, buttons) == (feedback.SOURCE_Q, list(FEEDBACK_SOURCES))
    text, buttons = await chat.say("Parent or carer")
    assert text == feedback.AREA_Q and buttons == ["Children in Care", "Front Door"]  # her own area first
    text, buttons = await chat.say("Children in Care")
    assert text.startswith(feedback.TEAM_Q) and buttons == ["Directorate", "Heads", "Leads", "PSW", "QA Unit", "Team North"]
    text, buttons = await chat.say("Team North")
    assert text == feedback.CASE_Q and buttons == [feedback.NO_CASE]
    text, buttons = await chat.say("cd-4810037")
    # What it is and how it came are asked apart: a complaint can come by letter, a compliment in a survey.
    assert (text, buttons) == (feedback.KIND_Q, ["Complaint", "Compliment", "Comment or suggestion"])
    text, buttons = await chat.say("Comment or suggestion")
    assert (text, buttons) == (feedback.HOW_Q, list(HOW_GIVEN))
    assert "Complaint" not in buttons and "Compliment" not in buttons
    text, buttons = await chat.say("Survey")
    assert text == feedback.RATING_Q and buttons[:6] == [*RATINGS, NO_RATING]
    text, _ = await chat.say("4 Happy")
    assert text == feedback.SAID_Q
    text, buttons = await chat.say("She always listens and calls back")
    assert "Case ref: CD-4810037" in text and "Rating: 4 Happy" in text and buttons == ["Save"]
    assert "Kind: Comment or suggestion" in text and "How it was given: Survey" in text
    assert await entries(db) == []
    text, _ = await chat.say("Save")
    assert text == flow.FEEDBACK_SAVED
    [row] = await entries(db)
    assert (row.author_id, row.source, row.service_area, row.team, row.case_ref, row.kind, row.how_given,
            row.rating) == (ids["ann"], "Parent or carer", "Children in Care", "Team North", "CD-4810037",
                            "Comment or suggestion", "Survey", 4)
    assert row.said == "She always listens and calls back" and await alerts(db) == []
    async with db.sessions() as session:
        [trail] = (await session.scalars(select(TrailEvent).where(TrailEvent.action == flow.FEEDBACK_RECORDED))).all()
    assert trail.detail["said_length"] == len(row.said) and "listens" not in str(trail.detail)


async def test_a_complaint_from_a_professional_goes_to_the_qa_unit_at_once_without_a_rating(db, ids):
    chat = Chat(db, feedback_dialog(context(db)), ids["pam"])
    await chat.say("feedback")
    for answer in ("Professional or partner agency", "Front Door", "Team South", feedback.NO_CASE, "Complaint",
                   "Letter or email"):
        text, _ = await chat.say(answer)
    assert text == feedback.SAID_Q  # no rating asked of a professional
    await chat.say("Reports arrive late for core groups")
    text, _ = await chat.say("Save")
    # Said plainly: recording it is not the council's statutory complaints procedure, and how to make one.
    assert text.startswith(flow.FEEDBACK_SAVED_AT_ONCE.format(kind="complaint"))
    assert "not making a complaint under the council's statutory complaints procedure" in text
    assert "complaints team" in text
    [row] = await entries(db)
    assert row.rating is None and row.case_ref is None and (row.kind, row.how_given) == ("Complaint", "Letter or email")
    [alert] = await alerts(db)
    assert alert.person_id == ids["quinn"] and alert.due_at == alert.created_at and alert.payload["alone"]
    card = str(alert.payload["card"])
    assert "Complaint recorded" in card and "statutory complaints procedure" in card and "Letter or email" in card


async def test_back_and_bad_input(db, ids):
    chat = Chat(db, feedback_dialog(context(db)), ids["ann"])
    await chat.say("feedback")
    assert (await chat.say("back"))[0].startswith(FIRST)
    assert (await chat.say("Neighbour"))[0].startswith(RETRY)
    await chat.say("1")  # Child or young person
    await chat.say("Children in Care")
    assert (await chat.say("back"))[0] == feedback.AREA_Q
    await chat.say("Children in Care")
    await chat.say("Team North")
    assert "never a name" in (await chat.say("Jane Smith"))[0]
    await chat.say(feedback.NO_CASE)
    await chat.say("Comment or suggestion")
    await chat.say("Conversation")
    assert (await chat.say("6 Ecstatic"))[0].startswith(RETRY)
    await chat.say(NO_RATING)
    assert "a postcode" in (await chat.say("I live at SO14 7DU and like it"))[0]
    assert "an email address" in (await chat.say("write to me at kid@example.com"))[0]
    assert "a phone number" in (await chat.say("ring 07700 900123"))[0]
    assert "a date of birth" in (await chat.say("born 03/07/2015"))[0]
    await chat.say("I like my social worker")
    assert (await chat.say("back"))[0] == feedback.SAID_Q
    await chat.say("I really like my social worker")
    await chat.say("Save")
    [row] = await entries(db)
    assert (row.source, row.rating, row.said) == ("Child or young person", None, "I really like my social worker")


async def test_a_restart_in_the_middle_carries_on(db, ids):
    chat = Chat(db, feedback_dialog(context(db)), ids["ann"])
    await chat.say("feedback")
    await chat.say("Staff member")
    await chat.say("Front Door")
    again = Chat(db, feedback_dialog(context(db)), ids["ann"])
    for answer in ("Team South", feedback.NO_CASE, "Compliment", "Conversation", "Thanks for the cover last week",
                   "Save"):
        text, _ = await again.say(answer)
    assert text == flow.FEEDBACK_SAVED_AT_ONCE.format(kind="compliment")  # no complaints-procedure note
    [row] = await entries(db)
    assert (row.source, row.team, row.kind, row.how_given) == ("Staff member", "Team South", "Compliment",
                                                               "Conversation")


async def test_someone_not_on_the_roster_is_told_so(db, ids):
    text, _ = await Chat(db, feedback_dialog(context(db)), None).say("feedback")
    assert "can't match you" in text
