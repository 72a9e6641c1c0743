"""Remedial actions after oversight on Requires Improvement and Inadequate (framework 9.3) through
the served app on both databases: the service lead records actions from the card, each is chased on
its target date (a Christmas Day target is chased on the next working day) and the next working
day to the head of service; marking done is one press and stops the chasers."""
from __future__ import annotations

import pytest

from capabilities.escalations import kinds, remedial
from dialogs.remedial_cards import RESPONSIBLE, TARGET, TEXT, Verb
from storage.models import FollowUp, RemedialAction, RemedialPlan
from tests.support.escalations import confirm_oversight, set_up, shown, utc

CONFIRMED = utc(2026, 12, 21, 10)  # Monday 21 December 2026


@pytest.fixture
async def desk(services, fake_connector, bot_client):
    d = await set_up(services, fake_connector, bot_client, {"CR-1001": utc(2026, 12, 18, 9)})
    await confirm_oversight(d, "CR-1001", CONFIRMED)
    return d


async def test_actions_recorded_chased_and_done(desk):
    d = desk
    assert await d.tick(utc(2026, 12, 21, 9, 45)) == {}  # before the oversight
    assert await d.tick(utc(2026, 12, 21, 10, 15)) == {"sam": ["Remedial actions: case CR-1001"]}
    assert await d.tick(utc(2026, 12, 21, 11)) == {}  # once
    [plan] = await d.all(RemedialPlan)
    assert plan.grade == "Requires Improvement"
    ids = {"plan_id": plan.id}
    sam_copy = (await d.sent(kinds.REMEDIAL_REQUEST, "sam")).activity_id
    at = utc(2026, 12, 21, 11)

    for bad, why in (({TEXT: "Supervision", TARGET: ""}, "Please pick the action's target date"),
                     ({TEXT: "Supervision", TARGET: "2026-12-18"}, "The target date has passed"),
                     ({TEXT: "  ", TARGET: "2026-12-24"}, "Please describe the action"),
                     ({TEXT: "Visit flat 2, SW1A 1AA", TARGET: "2026-12-24"}, "a postcode"),
                     ({TEXT: "Visit the family at 14 Elm Road", TARGET: "2026-12-24"}, "a street address"),
                     ({TEXT: "Review the plan made 12/03/2015", TARGET: "2026-12-24"},
                      "If it is a date of birth, please remove it"),
                     ({TEXT: "Supervision", TARGET: "2026-12-24", RESPONSIBLE: str(d.ids["quinn"])},
                      "Please choose the person responsible from the list"),
                     # Not a number: refused naming the field, never taken as "nobody responsible".
                     *(({TEXT: "Supervision", TARGET: "2026-12-24", RESPONSIBLE: bad}, "Responsible: that is not a person")
                       for bad in ("Sam Lead", "12abc", "-3", "0", True, ["1"], {"id": 1}))):
        body = await d.press("sam", Verb.ADD, {**ids, **bad}, sam_copy, at)
        assert why in shown(body), why
    for who in ("cal", "pat", "quinn"):
        body = await d.press(who, Verb.ADD, {**ids, TEXT: "Supervision", TARGET: "2026-12-24"}, "x", at)
        assert "Only a service lead or head of service" in shown(body)
    assert await d.all(RemedialAction) == []

    body = await d.press("sam", Verb.ADD, {**ids, TEXT: "Reflective supervision on planning", TARGET: "2026-12-25"},
                         sam_copy, at)
    # Christmas Day is no working day: the card names the day the action is chased on, Tuesday 29th.
    assert "Target Tuesday 29 December 2026" in shown(body) and "25 December" not in shown(body)
    body = await d.press("hana", Verb.ADD, {**ids, TEXT: "Plan reviewed with the family network",
                                            TARGET: "2026-12-24", RESPONSIBLE: str(d.ids["pat"])}, "x", at)
    assert "Pat Example responsible" in shown(body)
    first, second = await d.all(RemedialAction)
    [added] = [e for e in await d.events(remedial.ACTION_ADDED) if e.detail["action_id"] == second.id]
    assert added.detail == {"action_id": second.id, "length": 37, "target_on": "2026-12-24", "responsible": True}

    # The 24th: the second action's day, to the service lead and the person responsible, who marks it done.
    assert await d.tick(utc(2026, 12, 24, 9)) == {"sam": ["Remedial actions: case CR-1001"],
                                                   "pat": ["Remedial actions: case CR-1001"]}
    body = await d.press("pat", Verb.DONE, {"action_id": second.id}, "x", utc(2026, 12, 24, 10))
    assert "Done: Pat Example, Thursday 24 December 2026 at 10:00" in shown(body)
    # The first's target is Christmas Day: chased Tuesday 29th; the second, done, is not chased again.
    assert await d.tick(utc(2026, 12, 29, 9)) == {"sam": ["Remedial actions: case CR-1001"]}
    assert await d.tick(utc(2026, 12, 30, 9)) == {"sam": ["Remedial actions: case CR-1001"],
                                                   "hana": ["Remedial actions: case CR-1001"]}
    body = await d.press("sam", Verb.DONE, {"action_id": first.id}, sam_copy, utc(2026, 12, 30, 10))
    assert "Done: Sam Example" in shown(body)
    again = await d.press("hana", Verb.DONE, {"action_id": first.id}, "x", utc(2026, 12, 30, 11))
    assert "Sam Example already marked this action done" in shown(again)
    assert {f.state for f in await d.all(FollowUp, FollowUp.subject_type == "remedial_action")} == {"done"}
    assert [e.detail["overdue"] for e in await d.events(remedial.ACTION_CHASED)] == [False, False, True]


async def test_good_grades_and_unconfirmed_oversight_owe_no_plan(desk):
    d = desk
    await confirm_oversight(d, "CR-1001", CONFIRMED, grade="Good")
    await d.tick(utc(2026, 12, 21, 10, 15))
    assert await d.all(RemedialPlan) == []


async def test_the_intake_reads_the_roster_once_for_all_its_new_plans(services, fake_connector, bot_client,
                                                                      monkeypatch):
    d = await set_up(services, fake_connector, bot_client, {"CR-1001": utc(2026, 12, 18, 9),
                                                            "CR-1002": utc(2026, 12, 18, 9)})
    await confirm_oversight(d, "CR-1001", CONFIRMED)
    await confirm_oversight(d, "CR-1002", CONFIRMED, grade="Inadequate")
    reads: list[tuple] = []
    real = remedial.active_people

    async def counted(session, roles):
        reads.append(tuple(roles))
        return await real(session, roles)

    monkeypatch.setattr(remedial, "active_people", counted)
    got = await d.tick(utc(2026, 12, 21, 10, 15))
    assert sorted(got["sam"]) == ["Remedial actions: case CR-1001", "Remedial actions: case CR-1002"]
    assert reads == [tuple(remedial.RESPONSIBLE)]  # one read for both plans, not one per plan
    # Each card still offers the people its case allows (the case's team, the area's managers).
    for ref in ("CR-1001", "CR-1002"):
        [plan] = await d.all(RemedialPlan, RemedialPlan.allocation_id == d.ids[ref])
        async with d.db.sessions() as session:
            allocation = await session.get(remedial.Allocation, plan.allocation_id)
            assert await remedial.responsible_choices(session, allocation, await real(session, remedial.RESPONSIBLE)) \
                == await remedial.responsible_choices(session, allocation)
            assert await remedial.responsible_choices(session, allocation)
