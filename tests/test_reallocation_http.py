"""Reallocation from Teams through the served app and the fake Bot Connector, on both databases: an
auditor declines; both QA unit members get the notice with Reallocate (eligible auditors, fewest audits
this month first); one reallocates; the new auditor's allocation notice arrives at once; the other copy
is updated in place; one trail row. Then `reallocate <case ref>` for an audit not yet started, and the
refusals: someone not in the QA unit, an ineligible choice, a stale copy, a started audit."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from capabilities.audit_cycle.reallocation import REALLOCATED
from capabilities.catalogue import registry
from dialogs import audit_cards as ac
from dialogs import card_tree
from storage.models import Allocation, OutboxMessage, TrailEvent
from tests.support.escalations import Desk, chat, name, shown, utc
from tests.support.reallocation import THURSDAY_10, pick, set_up


def choices_on(card: dict) -> list[str]:
    [pick] = [n for n in card_tree.nodes(card) if n.get("type") == "Input.ChoiceSet"]
    assert pick["style"] == "filtered"
    return [c["title"].split(" · ")[0] for c in pick["choices"]]


def cards_to(desk: Desk, key: str) -> list[dict]:
    return [c for call in desk.fake.delivered(chat(key)) for c in call.cards]


async def trail(desk: Desk) -> list[TrailEvent]:
    return await desk.all(TrailEvent, TrailEvent.action == REALLOCATED)


async def decline(desk: Desk, ref: str, at: datetime) -> None:
    data = {"allocation_id": desk.ids[ref], ac.decline_reason_input_id(desk.ids[ref]): "On leave for three weeks"}
    body = await desk.press("ann", ac.Verb.ALLOCATION_DECLINE, data, "notice", at)
    assert "QA unit has been told" in shown(body)


async def test_decline_reallocate_the_new_auditor_told_the_other_copy_updated(services, fake_connector, bot_client):
    d = await set_up(services, fake_connector, bot_client)
    await decline(d, "CR-1001", THURSDAY_10)
    await d.tick(THURSDAY_10)
    copies = {k: await d.sent("decline-notice", k) for k in ("quinn", "qiana")}
    [notice] = [c for c in cards_to(d, "quinn") if "Allocation declined" in c["body"][0]["text"]]
    assert "Reallocate" in shown({"value": notice})
    # No audits this month (by name) before Sam's one; never Ann (declined it), Pat (holds it), Pam (Pat's
    # line manager) nor Lee (left).
    assert choices_on(notice) == [name("mo"), name("qiana"), name("quinn"), name("sam")]

    # Someone not in the QA unit presses it (a forwarded card): refused, nothing moves.
    refused = await d.press("sam", ac.Verb.REALLOCATE, pick(d, "CR-1001", "mo", declined_by_id=d.ids["ann"]), "x", THURSDAY_10)
    assert "Only the QA unit can reallocate" in shown(refused)
    # The case holder's own line manager is refused on the server whatever the card offered.
    body = await d.press("quinn", ac.Verb.REALLOCATE, pick(d, "CR-1001", "pam", declined_by_id=d.ids["ann"]),
                         copies["quinn"].activity_id, THURSDAY_10)
    assert "line manager" in shown(body)
    assert (await d.one(Allocation, Allocation.id == d.ids["CR-1001"])).state == "declined"
    assert await trail(d) == []

    before = len(d.fake.delivered(chat("mo")))
    body = await d.press("quinn", ac.Verb.REALLOCATE, pick(d, "CR-1001", "mo", declined_by_id=d.ids["ann"]),
                         copies["quinn"].activity_id, utc(2026, 12, 10, 10, 5))
    assert "Reallocated to Mo Example by Quinn Example" in shown(body) and "Reallocate\"" not in shown(body)
    moved = await d.one(Allocation, Allocation.id == d.ids["CR-1001"])
    assert (moved.auditor_id, moved.state, moved.decline_reason) == (d.ids["mo"], "allocated", None)
    # Told at once (working hours): the new auditor's allocation notice, delivered before the press was answered.
    new = [c for call in d.fake.delivered(chat("mo"))[before:] for c in call.cards]
    assert any("Your audit allocation for December 2026" in c["body"][0]["text"] and "CR-1001" in shown({"value": c})
               for c in new)
    [row] = await trail(d)
    assert (row.actor_id, row.detail["from_auditor_id"], row.detail["to_auditor_id"], row.detail["was"]) == (
        d.ids["quinn"], d.ids["ann"], d.ids["mo"], "declined")
    assert row.via == "card:decline_notice"

    await d.tick(utc(2026, 12, 10, 10, 15))  # Qiana's copy is updated in place at the sender's pace
    [update] = [u for u in d.fake.updates() if u.activity_id == copies["qiana"].activity_id]
    assert "Reallocated to Mo Example" in shown({"value": update.cards[-1]})
    assert "Reallocate\"" not in shown({"value": update.cards[-1]})
    # Qiana presses her copy from before the update reached her: nothing changes.
    stale = await d.press("qiana", ac.Verb.REALLOCATE, pick(d, "CR-1001", "sam", declined_by_id=d.ids["ann"]),
                          copies["qiana"].activity_id, utc(2026, 12, 10, 10, 16))
    assert "already reallocated" in shown(stale) and "Mo Example" in shown(stale)
    assert (await d.one(Allocation, Allocation.id == d.ids["CR-1001"])).auditor_id == d.ids["mo"]
    assert len(await trail(d)) == 1


async def test_reallocate_command_moves_an_audit_not_started(services, fake_connector, bot_client):
    d = await set_up(services, fake_connector, bot_client)
    answer = await d.say("quinn", "reallocate cr-1002", THURSDAY_10)
    assert answer["body"][0]["text"] == "Reallocate case CR-1002"
    assert choices_on(answer)[0] == name("mo") and name("ann") not in choices_on(answer)
    told = await d.told("pam", "reallocate CR-1002", THURSDAY_10)
    assert told == registry().commands["reallocate"].for_whom()
    missing = await d.say("quinn", "reallocate CR-9999", THURSDAY_10)
    assert "can't find case CR-9999" in shown({"value": missing})
    which = await d.say("quinn", "reallocate", THURSDAY_10)
    assert "Which case?" in shown({"value": which})

    body = await d.press("quinn", ac.Verb.REALLOCATE, pick(d, "CR-1002", "mo"), "answer",
                         utc(2026, 12, 10, 10, 1))
    assert "Reallocated to Mo Example" in shown(body)
    assert (await d.one(Allocation, Allocation.id == d.ids["CR-1002"])).auditor_id == d.ids["mo"]
    assert any("CR-1002" in shown({"value": c}) and "Your audit allocation" in c["body"][0]["text"]
               for c in cards_to(d, "mo"))
    assert len(await trail(d)) == 1

    async with d.db.sessions.begin() as session:  # Mo starts it: it can no longer be moved
        (await session.get(Allocation, d.ids["CR-1002"])).started_at = utc(2026, 12, 10, 11, 0)
    late = await d.say("quinn", "reallocate CR-1002", utc(2026, 12, 10, 11, 5))
    assert "Only an audit not yet started can be reallocated" in shown({"value": late})
    body = await d.press("quinn", ac.Verb.REALLOCATE, pick(d, "CR-1002", "sam"), "answer", utc(2026, 12, 10, 11, 6))
    assert "Only an audit not yet started" in shown(body)
    assert len(await trail(d)) == 1


async def test_out_of_hours_the_new_auditor_is_told_the_next_working_morning(services, fake_connector, bot_client):
    d = await set_up(services, fake_connector, bot_client)
    friday_evening = utc(2026, 12, 11, 19, 0)
    await d.say("quinn", "reallocate CR-1002", friday_evening)
    body = await d.press("quinn", ac.Verb.REALLOCATE, pick(d, "CR-1002", "mo"), "answer", friday_evening)
    assert "Reallocated to Mo Example" in shown(body)
    async with d.db.sessions() as session:
        [row] = (await session.execute(select(OutboxMessage).where(
            OutboxMessage.kind == "allocation-notice", OutboxMessage.person_id == d.ids["mo"]))).scalars().all()
    assert row.state == "pending" and row.due_at.replace(tzinfo=None) == datetime(2026, 12, 14, 9, 0)
