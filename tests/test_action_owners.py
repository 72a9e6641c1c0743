"""Actions reach their owner when named (framework 9.3's remedial actions and urgent review, section 11's
observation action plans), on both databases: a remedial action's responsible person, an escalation's
reviewers and an observation's supervisee are told the moment the action is theirs (what, by when, who
asked), not first when it is chased; a remedial action is marked done with one press of that notice."""
from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import select

from capabilities.escalations import kinds, remedial
from capabilities.observations import flow as observations
from capabilities.observations import kinds as observation_kinds
from dialogs.escalation_cards import MORE_DUE
from dialogs.escalation_cards import Verb as EscalationVerb
from dialogs.remedial_cards import RESPONSIBLE, TARGET, TEXT, Verb
from qa.observations import AREAS
from storage.models import FollowUp, OutboxMessage, RemedialAction, RemedialPlan
from tests.support import observations as obs
from tests.support.cards import buttons
from tests.support.escalations import chat, confirm_oversight, set_up, shown, utc

CONFIRMED = utc(2026, 12, 21, 10)  # Monday 21 December 2026


def texts(desk, key: str) -> list[str]:
    """Each message `key`'s chat received, as its text."""
    return [m.all_text() for m in desk.fake.delivered(chat(key))]


async def rows(desk, kind: str) -> list[OutboxMessage]:
    async with desk.db.sessions() as session:
        return list((await session.execute(select(OutboxMessage).where(OutboxMessage.kind == kind)
                                           .order_by(OutboxMessage.id))).scalars())


async def test_a_remedial_actions_responsible_person_is_told_when_named_and_done_is_one_press(
        services, fake_connector, bot_client):
    d = await set_up(services, fake_connector, bot_client, {"CR-1001": utc(2026, 12, 18, 9)})
    await confirm_oversight(d, "CR-1001", CONFIRMED)
    await d.tick(utc(2026, 12, 21, 10, 15))
    [plan] = await d.all(RemedialPlan)
    at = utc(2026, 12, 21, 11)
    # Hana names Pat; Sam names himself (he knows: nobody is told).
    await d.press("hana", Verb.ADD, {"plan_id": plan.id, TEXT: "Plan reviewed with the family network",
                                     TARGET: "2026-12-24", RESPONSIBLE: str(d.ids["pat"])}, "x", at)
    await d.press("sam", Verb.ADD, {"plan_id": plan.id, TEXT: "Reflective supervision on planning",
                                    TARGET: "2026-12-30", RESPONSIBLE: str(d.ids["sam"])}, "x", at)
    [named] = await rows(d, kinds.REMEDIAL_NAMED)
    assert named.person_id == d.ids["pat"] and named.due_at <= utc(2026, 12, 21, 11, 15)  # the next send moment
    pats_action = await d.one(RemedialAction, RemedialAction.responsible_id == d.ids["pat"])

    await d.tick(utc(2026, 12, 21, 11, 15))  # days before the target: not a chase
    [told] = [t for t in texts(d, "pat") if "An action for you: case CR-1001" in t]
    for words in ("Plan reviewed with the family network", "Thursday 24 December 2026", "Asked by",
                  "Hana Example named you responsible"):
        assert words in told, words
    assert not [t for t in texts(d, "sam") if "An action for you" in t]
    notice = (await d.sent(kinds.REMEDIAL_NAMED, "pat")).activity_id
    async with d.db.sessions() as session:
        payload = (await session.get(OutboxMessage, named.id)).payload
    assert ("Done", Verb.DONE, {"action_id": pats_action.id}) in buttons(payload["card"])

    # One press of Done on that notice: done, its chases settled, nothing more to press.
    body = await d.press("pat", Verb.DONE, {"action_id": pats_action.id}, notice, utc(2026, 12, 22, 10))
    assert "Done: Pat Example, Tuesday 22 December 2026 at 10:00" in shown(body)
    # Pat's own notice, done (not the service lead's plan form, which is not hers to refresh): nothing to press.
    assert "An action for you: case CR-1001" in shown(body) and buttons(body["value"]) == []
    assert "refresh" not in body["value"]
    done = await d.one(RemedialAction, RemedialAction.id == pats_action.id)
    assert done.done_by_id == d.ids["pat"]
    assert {f.state for f in await d.all(FollowUp, FollowUp.subject_id == pats_action.id,
                                         FollowUp.subject_type == "remedial_action")} == {"done"}
    [event] = [e for e in await d.events(remedial.ACTION_DONE) if e.detail["action_id"] == pats_action.id]
    assert event.actor_id == d.ids["pat"]
    assert await d.tick(utc(2026, 12, 24, 9)) == {}  # the target day: nothing to chase


async def test_an_escalations_reviewers_are_told_what_by_when_and_who_asked_at_once(
        services, fake_connector, bot_client):
    d = await set_up(services, fake_connector, bot_client, {"CR-1001": utc(2026, 12, 18, 9, 30)})
    await d.tick(utc(2026, 12, 18, 9, 45))
    moderation = await d.moderation("CR-1001")
    await d.press("quinn", EscalationVerb.MODERATION_AGREE, {"moderation_id": moderation.id}, "x",
                  utc(2026, 12, 18, 11))
    # Owed the moment the grade is agreed, and told at the next send moment, days before the first due day.
    assert await d.tick(utc(2026, 12, 18, 11, 15)) == {"sam": ["Urgent review: case CR-1001"],
                                                        "hana": ["Urgent review: case CR-1001"]}
    for key in ("sam", "hana"):
        notice = texts(d, key)[-1]
        for words in ("Update 1: due by the end of Wednesday 23 December 2026", "Update 1: what actions",
                      "Asked by Quinn Example, QA unit"):
            assert words in notice, (key, words)
    escalation = await d.escalation()
    await d.press("quinn", EscalationVerb.MORE, {"escalation_id": escalation.id, MORE_DUE: "2027-01-08"}, "x",
                  utc(2026, 12, 21, 11))
    got = await d.tick(utc(2026, 12, 21, 11, 15))
    assert got["sam"] == ["Urgent review: case CR-1001"] and got["hana"] == ["Urgent review: case CR-1001"]
    asked = texts(d, "sam")[-1]
    assert "asked for a further update" in asked and "Friday 8 January 2027" in asked
    assert "Asked by Quinn Example, QA unit" in asked


async def test_an_observations_action_plan_reaches_its_owner_when_recorded(db):
    ids = await obs.add_roster(db)
    outcome = await observations.record_observation(
        obs.context(db), ids["pam"], ids["ann"], date(2027, 3, 2), AREAS[0], "Warm, clear direct work",
        "Recording after visits", ["Write up visits within two working days"], now=obs.NOW, via="test")
    assert outcome.message.startswith("Saved.")
    async with db.sessions() as session:
        [row] = (await session.execute(select(OutboxMessage).where(
            OutboxMessage.kind == observation_kinds.OBSERVATION_NOTICE))).scalars().all()
    # Queued in the recording's own transaction, for the next send moment: not held for the 1:1.
    assert row.person_id == ids["ann"] and row.due_at <= datetime(2027, 3, 3, 10, 45, tzinfo=obs.NOW.tzinfo)
    shown_card = json.dumps(row.payload["card"])
    for words in ("Write up visits within two working days", "reviewed at the next 1:1 supervision",
                  "Pam Manager"):
        assert words in shown_card, words
