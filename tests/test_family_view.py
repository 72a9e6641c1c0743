"""The audit asks for the family's view (framework 9.4, issue 12 item 6), on both databases: an
audit submitted with "ask the child or family for their views" owes a feedback entry for its case:
a "Record the family's view" button on the submission's confirmation, a reminder 10 working days
later if none is recorded, and "not possible" with a reason as a valid answer."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.services import Services
from capabilities.audit_cycle import actions, flow
from capabilities.context import Context
from capabilities.kit import Status
from capabilities.observations import actions as observation_actions
from capabilities.observations import feedback
from capabilities.observations import flow as observation_flow
from capabilities.observations.duties import FamilyViewReminderDuty
from capabilities.observations.feedback import feedback_dialog
from capabilities.press import Press
from dialogs import audit_cards as ac
from dialogs import observation_cards as oc
from dialogs.audit_cards import Verb
from qa.calendar import WorkingCalendar
from qa.observations import FAMILY_VIEW
from scheduler.sweep import sweep
from storage.models import KEY_AREAS, Allocation, AuditMonth, FeedbackEntry, FollowUp, OutboxMessage, Person
from tests.support.card_validator import card_problems
from tests.support.observations import Chat, add_roster

CAL = WorkingCalendar()
SUBMITTED = datetime(2026, 12, 10, 10, 0, tzinfo=UTC)  # a Thursday
REMINDER_DAY = datetime(2026, 12, 24, 9, 0, tzinfo=UTC)  # 10 working days on


def form(seek: bool) -> dict:
    return {ac.OVERALL_GRADE: "Good", **{ac.key_area_input_id(a): "Good" for a in KEY_AREAS},
            ac.STRENGTHS: "Clear plan", ac.IMPROVEMENTS: "Timelier visits", ac.DISCUSSION_HELD: "true",
            ac.SEEK_FAMILY_VIEWS: "true" if seek else "false", ac.SAFEGUARDING_CONCERN: "false",
            ac.SAFEGUARDING_DESCRIPTION: ""}


@pytest.fixture
async def world(db):
    ids = await add_roster(db)
    async with db.sessions.begin() as session:
        session.add(AuditMonth(month="2026-12", imported_at=SUBMITTED))
        await session.flush()
        for ref in ("CR-1", "CR-2"):
            session.add(Allocation(month="2026-12", case_ref=ref, annex_a_list="List 6",
                                   service_area="Children in Care", team="Team North", theme="",
                                   auditor_id=ids["pam"], case_holder_id=ids["ann"], state="started",
                                   created_at=SUBMITTED, updated_at=SUBMITTED))
    async with db.sessions() as session:
        ids.update({a.case_ref: a.id for a in (await session.scalars(select(Allocation))).all()})
    return ids


def ctx(db, now: datetime) -> Context:
    return Context(db=db, calendar=CAL, clock=lambda: now)


async def rows(db, model, *where):
    async with db.sessions() as session:
        return list((await session.scalars(select(model).where(*where))).all())


async def submit(db, world, ref: str, seek: bool) -> flow.AuditOutcome:
    outcome = await flow.submit_audit(ctx(db, SUBMITTED), world["pam"], world[ref], form(seek), now=SUBMITTED,
                                      via="card:test")
    assert outcome.status == Status.DONE
    return outcome


async def test_the_confirmation_offers_the_button_and_a_reminder_is_owed(db, world):
    asked = await submit(db, world, "CR-1", True)
    not_asked = await submit(db, world, "CR-2", False)
    assert (asked.family_view, not_asked.family_view) == (True, False)
    card = actions.reply_for(Verb.AUDIT_SUBMIT, asked, [], {"allocation_id": world["CR-1"]}, CAL.tz).card
    text = json.dumps(card)
    assert f"feedback audit {world['CR-1']}" in text and oc.FAMILY_VIEW_NOT_POSSIBLE in text
    plain = actions.reply_for(Verb.AUDIT_SUBMIT, not_asked, [], {"allocation_id": world["CR-2"]}, CAL.tz).card
    assert "family" not in json.dumps(plain)
    assert card_problems([card, plain]) == [[], []]  # Microsoft's validator: Adaptive Cards 1.5
    [owed] = await rows(db, FollowUp, FollowUp.kind == FAMILY_VIEW)
    assert (owed.subject_id, owed.due_at) == (world["CR-1"], REMINDER_DAY)


async def test_the_reminder_goes_once_when_nothing_is_recorded(db, world, services: Services):
    await submit(db, world, "CR-1", True)
    duty = FamilyViewReminderDuty(CAL)
    await sweep(services, datetime(2026, 12, 23, 15, 0, tzinfo=UTC), [duty])
    assert await rows(db, OutboxMessage, OutboxMessage.kind == "family-view-reminder") == []
    await sweep(services, datetime(2026, 12, 24, 9, 5, tzinfo=UTC), [duty])
    await sweep(services, datetime(2026, 12, 24, 9, 20, tzinfo=UTC), [duty])
    [reminder] = await rows(db, OutboxMessage, OutboxMessage.kind == "family-view-reminder")
    assert reminder.person_id == world["pam"] and "CR-1" in json.dumps(reminder.payload["card"])


async def test_recording_the_familys_view_through_the_dialog_settles_it(db, world, services):
    await submit(db, world, "CR-1", True)
    chat = Chat(db, feedback_dialog(ctx(db, SUBMITTED)), world["pam"], argument=f"audit {world['CR-1']}")
    text, _ = await chat.say(f"feedback audit {world['CR-1']}")
    assert text == feedback.SOURCE_Q
    for answer in ("Parent or carer", "Comment or suggestion", "Conversation", "5 Very happy", "The worker really listened"):
        text, buttons = await chat.say(answer)
    assert "Case ref: CR-1" in text and "Team: Team North" in text  # from the audit
    assert (await chat.say("Save"))[0] == observation_flow.FEEDBACK_SAVED
    [entry] = await rows(db, FeedbackEntry)
    assert (entry.allocation_id, entry.case_ref, entry.rating, entry.not_possible) == (world["CR-1"], "CR-1", 5, False)
    [owed] = await rows(db, FollowUp, FollowUp.kind == FAMILY_VIEW)
    assert owed.state == "cancelled"
    await sweep(services, REMINDER_DAY, [FamilyViewReminderDuty(CAL)])
    assert await rows(db, OutboxMessage, OutboxMessage.kind == "family-view-reminder") == []
    for who, said in (("ann", observation_flow.NOT_AN_AUDIT), ("pam", observation_flow.ALREADY_RECORDED)):
        text, _ = await Chat(db, feedback_dialog(ctx(db, SUBMITTED)), world[who],
                             argument=f"audit {world['CR-1']}").say("feedback audit")
        assert text == said


async def test_not_possible_with_a_reason(db, world):
    await submit(db, world, "CR-1", True)
    async with db.sessions() as session:
        pam, ann = await session.get(Person, world["pam"]), await session.get(Person, world["ann"])

    def press(actor, reason):
        return Press(ctx(db, SUBMITTED), oc.FAMILY_VIEW_NOT_POSSIBLE,
                     {"allocation_id": world["CR-1"], oc.REASON: reason}, actor, [], SUBMITTED)

    assert "not yours" in json.dumps((await observation_actions.family_view_not_possible(press(ann, "No contact"))).card)
    assert "a few words" in (await observation_actions.family_view_not_possible(press(pam, ""))).text
    assert "a phone number" in (await observation_actions.family_view_not_possible(press(pam, "Rang 07700 900123"))).text
    assert await rows(db, FeedbackEntry) == []
    done = await observation_actions.family_view_not_possible(press(pam, "The family has moved out of the area"))
    assert done.update and "not possible" in json.dumps(done.card)
    [entry] = await rows(db, FeedbackEntry)
    assert (entry.not_possible, entry.said, entry.allocation_id) == (True, "The family has moved out of the area",
                                                                     world["CR-1"])
    [owed] = await rows(db, FollowUp, FollowUp.kind == FAMILY_VIEW)
    assert owed.state == "cancelled"
    again = await observation_actions.family_view_not_possible(press(pam, "Twice"))
    assert "already recorded" in json.dumps(again.card)


async def test_the_retention_purge_of_the_month_keeps_the_entry_without_its_allocation(db, world):
    from capabilities.catalogue import registry
    from capabilities.retention.purge import delete_past
    from qa.retention import Retention
    from storage.retention import Purge

    await submit(db, world, "CR-1", True)
    async with db.sessions() as session:
        pam = await session.get(Person, world["pam"])
    press = Press(ctx(db, SUBMITTED), oc.FAMILY_VIEW_NOT_POSSIBLE,
                  {"allocation_id": world["CR-1"], oc.REASON: "Moved away"}, pam, [], SUBMITTED)
    await observation_actions.family_view_not_possible(press)
    # Six years and more later, with feedback kept longer than audit records (QA_RETENTION practice_records):
    # the month goes, the entry stays without its link. (With the defaults the entry, recorded inside the
    # month, goes first.)
    longer = Retention.with_overrides({"practice_records": 3000})
    async with db.sessions.begin() as session:
        counts = await delete_past(session, Purge(longer, datetime(2033, 6, 1, tzinfo=UTC), CAL.tz), registry())
    assert counts["allocations"] == 2 and counts["feedback_entries"] == 0
    [entry] = await rows(db, FeedbackEntry)
    assert (entry.allocation_id, entry.case_ref, entry.not_possible) == (None, "CR-1", True)
