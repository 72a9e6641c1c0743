"""Escalations through the served app on both databases: an audit submitted graded Inadequate comes
to the QA unit by `tick`, one member's decision settles it (the others' copies show who decided),
the urgent review's updates are sent from the card, reminded and chased by `tick` over Christmas
(a due date on a bank holiday and one on a weekend), and bad input or the wrong person changes
nothing."""
from __future__ import annotations

import json

import pytest

from capabilities.escalations import flow, kinds
from dialogs.escalation_cards import GRADE, MORE_DUE, REASON, UPDATE, Verb
from storage.models import FollowUp, Moderation
from tests.support.cli import run_cli
from tests.support.escalations import chat, set_up, shown, utc

SUBMITTED = utc(2026, 12, 18, 9, 30)  # Friday 18 December 2026
AGREED = utc(2026, 12, 18, 11)  # update 1 due Wed 23 Dec; update 2: the 25th is Christmas Day -> Tue 29 Dec


@pytest.fixture
async def desk(services, fake_connector, bot_client):
    return await set_up(services, fake_connector, bot_client, {"CR-1001": SUBMITTED, "CR-1002": SUBMITTED})


async def test_moderation_then_urgent_review_over_christmas(desk):
    d = desk
    assert await d.tick(utc(2026, 12, 18, 9, 0)) == {}  # before the audits were submitted
    # The next slot: the requests go to both QA-unit members, one card per case.
    got = await d.tick(utc(2026, 12, 18, 9, 45))
    assert got == {"quinn": ["Moderation needed: case CR-1001", "Moderation needed: case CR-1002"],
                   "qiana": ["Moderation needed: case CR-1001", "Moderation needed: case CR-1002"]}
    assert await d.tick(utc(2026, 12, 18, 10)) == {}  # asked once
    moderation = await d.moderation("CR-1001")
    ids = {"moderation_id": moderation.id}
    quinn_copy = (await d.sent(kinds.MODERATION_REQUEST, "quinn")).activity_id

    # Bad input and the wrong people change nothing.
    body = await d.press("qiana", Verb.MODERATION_REGRADE, {**ids, GRADE: "Good", REASON: "  "}, "x", AGREED)
    assert "Please give the reason for the regrade." in shown(body)
    body = await d.press("qiana", Verb.MODERATION_REGRADE, {**ids, GRADE: "Inadequate", REASON: "Fine"}, "x", AGREED)
    assert "Please choose the grade you would give instead" in shown(body)
    body = await d.press("qiana", Verb.MODERATION_REGRADE,
                         {**ids, GRADE: "Good", REASON: "Child born 03/07/2015 is safe"}, "x", AGREED)
    assert "date of birth" in shown(body)
    body = await d.press("sam", Verb.MODERATION_AGREE, ids, "x", AGREED)
    assert "Only the QA unit" in shown(body)
    assert (await d.moderation("CR-1001")).state == "pending" and await d.grade("CR-1001") == "Inadequate"
    assert await d.events(flow.MODERATION_AGREED, flow.MODERATION_REGRADED) == []

    # Quinn agrees: the pressed copy changes in place; Qiana's copy shows it when she looks (refresh).
    body = await d.press("quinn", Verb.MODERATION_AGREE, ids, quinn_copy, AGREED)
    assert "Agreed: Inadequate by Quinn Example, Friday 18 December 2026 at 11:00" in shown(body)
    assert [c for call in d.fake.updates() if call.activity_id == quinn_copy for c in call.cards][-1] == body["value"]
    qiana_copy = (await d.sent(kinds.MODERATION_REQUEST, "qiana")).activity_id
    refreshed = await d.press("qiana", Verb.MODERATION_VIEW, ids, qiana_copy, AGREED, trigger="automatic")
    assert "Agreed: Inadequate by Quinn Example" in shown(refreshed) and "actions" not in refreshed["value"]
    again = await d.press("qiana", Verb.MODERATION_REGRADE, {**ids, GRADE: "Good", REASON: "No"}, qiana_copy, AGREED)
    assert "Quinn Example already agreed this Inadequate grade" in shown(again)
    assert await d.grade("CR-1001") == "Inadequate"
    [agreed] = await d.events(flow.MODERATION_AGREED)
    assert (agreed.actor_id, agreed.via) == (d.ids["quinn"], "card:moderation_request")

    # The urgent review goes to the area's service lead and head of service (not Cal: another area).
    assert await d.tick(utc(2026, 12, 18, 11, 1)) == {"sam": ["Urgent review: case CR-1001"],
                                                       "hana": ["Urgent review: case CR-1001"]}
    escalation = await d.escalation()
    esc = {"escalation_id": escalation.id}
    assert [(u.number, u.due_on.isoformat(), u.state) for u in await d.updates()] == [
        (1, "2026-12-23", "owed"), (2, "2026-12-29", "owed")]
    sam_copy = (await d.sent(kinds.ESCALATION_NOTICE, "sam")).activity_id
    # The card says the bot counts working days (the framework's "within 3 days"): Fri 18 to Wed 23 December.
    notice = str(d.fake.delivered(chat("sam"))[-1].cards)
    assert ("Update 1: due by the end of Wednesday 23 December 2026, within 3 working days of the escalation "
            "(weekends and bank holidays not counted)") in notice

    body = await d.press("sam", Verb.UPDATE_SEND, {**esc, UPDATE: "   "}, sam_copy, utc(2026, 12, 21, 10))
    assert "Please write the update" in shown(body)
    body = await d.press("pat", Verb.UPDATE_SEND, {**esc, UPDATE: "All fine"}, "x", utc(2026, 12, 21, 10))
    assert "Nothing was changed" in shown(body)
    body = await d.press("cal", Verb.UPDATE_SEND, {**esc, UPDATE: "All fine"}, "x", utc(2026, 12, 21, 10))
    assert "Only the service lead or head of service" in shown(body)
    assert all(u.state == "owed" for u in await d.updates())

    assert await d.tick(utc(2026, 12, 22, 9)) == {}
    # The morning update 1 is due: reminded to both.
    assert await d.tick(utc(2026, 12, 23, 9)) == {"sam": ["Urgent review: case CR-1001"],
                                                   "hana": ["Urgent review: case CR-1001"]}
    body = await d.press("sam", Verb.UPDATE_SEND, {**esc, UPDATE: "Strategy meeting held; new plan agreed"},
                         sam_copy, utc(2026, 12, 23, 14))
    assert "Update 1 (due Wednesday 23 December 2026): sent by Sam Example" in shown(body)
    assert "Send update 2" in shown(body)
    assert await d.tick(utc(2026, 12, 23, 14, 1)) == {"quinn": ["Update 1 received: case CR-1001"],
                                                       "qiana": ["Update 1 received: case CR-1001"]}
    # Sent: no chase the next working day (Christmas Eve).
    assert await d.tick(utc(2026, 12, 24, 9)) == {}
    # Update 2, due on Christmas Day, is due Tuesday 29th (Boxing Day substitute on Monday 28th).
    assert await d.tick(utc(2026, 12, 28, 12)) == {}
    assert await d.tick(utc(2026, 12, 29, 9)) == {"sam": ["Urgent review: case CR-1001"],
                                                   "hana": ["Urgent review: case CR-1001"]}
    chased = await d.tick(utc(2026, 12, 30, 9))
    assert chased == {"sam": ["Urgent review: case CR-1001"], "hana": ["Urgent review: case CR-1001"],
                      "quinn": ["Update 2 overdue: case CR-1001"], "qiana": ["Update 2 overdue: case CR-1001"]}
    assert "An update on this escalation is overdue" in str(d.fake.delivered(chat("sam"))[-1].cards)
    cycle = await d.say("quinn", "cycle", utc(2026, 12, 30, 9, 5))  # the QA unit's cycle card counts them
    assert "Escalations (urgent reviews): 1 open, 1 update overdue" in json.dumps(cycle)
    [chase] = await d.events(flow.UPDATE_CHASED)
    assert chase.detail == {"number": 2, "recipients": 2, "qa_unit": 2}

    hana_copy = (await d.sent(kinds.UPDATE_OVERDUE, "hana")).activity_id
    body = await d.press("hana", Verb.UPDATE_SEND, {**esc, UPDATE: "Two actions done; the plan for the rest is set"},
                         hana_copy, utc(2026, 12, 30, 10))
    assert "Update 2 (due Tuesday 29 December 2026): sent by Hana Example" in shown(body)
    [late] = [e for e in await d.events(flow.UPDATE_SENT) if e.detail["number"] == 2]
    assert late.detail == {"number": 2, "length": 46, "late": True}  # lengths, never the text
    assert await d.tick(utc(2026, 12, 30, 10, 1)) == {"quinn": ["Update 2 received: case CR-1001"],
                                                       "qiana": ["Update 2 received: case CR-1001"]}

    # The QA unit asks for more, by a Saturday: due the next working day (Fri 1 Jan is a bank holiday too).
    qa_copy = (await d.sent(kinds.UPDATE_RECEIVED, "quinn")).activity_id
    body = await d.press("quinn", Verb.MORE, {**esc, MORE_DUE: "2026-12-29"}, qa_copy, utc(2026, 12, 30, 11))
    assert "The further update must be due after today." in shown(body)
    body = await d.press("sam", Verb.MORE, {**esc, MORE_DUE: "2027-01-02"}, "x", utc(2026, 12, 30, 11))
    assert "Only the QA unit" in shown(body)
    assert len(await d.updates()) == 2
    body = await d.press("quinn", Verb.MORE, {**esc, MORE_DUE: "2027-01-02"}, qa_copy, utc(2026, 12, 30, 11))
    assert "Update 3: due by the end of Monday 4 January 2027" in shown(body)
    assert await d.tick(utc(2026, 12, 30, 11, 1)) == {"sam": ["Urgent review: case CR-1001"],
                                                       "hana": ["Urgent review: case CR-1001"]}
    out, code = await status(d)
    [total] = [line for line in out.splitlines() if line.startswith("Total")]
    assert code == 0 and "Children in Need" in out and total.split()[-4:] == ["1", "1", "1", "0"]
    assert "  CR-1001: 2026-12 Inadequate -> 2027-01 not yet submitted" in out
    assert await d.tick(utc(2027, 1, 4, 9)) == {"sam": ["Urgent review: case CR-1001"],
                                                 "hana": ["Urgent review: case CR-1001"]}
    # Closed: update 3 withdrawn, no chase on Tuesday; Qiana's old copy says who closed it.
    body = await d.press("quinn", Verb.CLOSE, esc, qa_copy, utc(2027, 1, 4, 12))
    assert "Closed by Quinn Example, Monday 4 January 2027 at 12:00" in shown(body)
    assert [u.state for u in await d.updates()] == ["sent", "sent", "withdrawn"]
    assert await d.tick(utc(2027, 1, 5, 9)) == {}
    again = await d.press("qiana", Verb.CLOSE, esc, "x", utc(2027, 1, 5, 10))
    assert "already closed by Quinn Example" in shown(again)
    late_update = await d.press("sam", Verb.UPDATE_SEND, {**esc, UPDATE: "More"}, sam_copy, utc(2027, 1, 5, 10))
    assert "This escalation was closed by Quinn Example" in shown(late_update)
    open_follow_ups = await d.all(FollowUp, FollowUp.state == "open", FollowUp.kind.in_(kinds.FOLLOW_UP_KINDS))
    assert open_follow_ups == []


async def status(d) -> tuple[str, int]:
    code, out, err = await run_cli(d.db, "escalations", "status")
    assert err == "" or code == 0, err
    return out, code


async def test_regrade_changes_the_grade_keeps_the_original_and_tells_the_auditor(desk):
    d = desk
    await d.tick(utc(2026, 12, 18, 9, 45))
    moderation = await d.moderation("CR-1002")
    ids = {"moderation_id": moderation.id}
    body = await d.press("qiana", Verb.MODERATION_REGRADE,
                         {**ids, GRADE: "Requires Improvement", REASON: "Management oversight was regular"}, "x", AGREED)
    assert "Regraded to Requires Improvement by Qiana Example" in shown(body)
    assert await d.grade("CR-1002") == "Requires Improvement"
    decided = await d.one(Moderation, Moderation.id == moderation.id)
    assert (decided.state, decided.original_grade, decided.decided_grade) == (
        "regraded", "Inadequate", "Requires Improvement")
    [event] = await d.events(flow.MODERATION_REGRADED)
    assert event.detail == {"original_grade": "Inadequate", "grade": "Requires Improvement", "reason_length": 32}
    [on_allocation] = await d.events("audit_regraded")
    assert on_allocation.subject_id == d.ids["CR-1002"]
    assert await d.tick(utc(2026, 12, 18, 11, 1)) == {"ann": ["Your audit was regraded: case CR-1002"]}
    # No urgent review follows a regrade; Quinn's later press finds it decided.
    again = await d.press("quinn", Verb.MODERATION_AGREE, ids, "x", utc(2026, 12, 18, 12))
    assert "Qiana Example already regraded this audit to Requires Improvement" in shown(again)
    assert await d.all(Moderation, Moderation.state == "agreed") == []


async def test_the_tick_command_brings_inadequate_audits_to_the_qa_unit(desk):
    code, out, err = await run_cli(desk.db, "tick", "--now", "2026-12-18T09:45:00+00:00", "--wait-retries", "0")
    assert code == 0, err
    assert sorted(m.audit_id for m in await desk.all(Moderation)) == sorted(
        [(await desk.moderation("CR-1001")).audit_id, (await desk.moderation("CR-1002")).audit_id])
    code, out, err = await run_cli(desk.db, "tick", "--now", "2026-12-18T10:00:00+00:00", "--wait-retries", "0")
    assert code == 0 and len(await desk.all(Moderation)) == 2  # once per audit


# -- re-audit after a month ------------------------------------------------------------------------

async def import_january(d, rows) -> object:
    from storage.allocations import import_allocations
    from tests.support.allocation_files import csv_bytes

    return await import_allocations(d.db, (csv_bytes(rows), "january.csv"), "2027-01", utc(2026, 12, 28, 10),
                                    actor_id=d.ids["quinn"], via="test:allocations import")


async def test_an_agreed_inadequate_case_is_reaudited_next_month_with_the_others(desk):
    from storage.models import Allocation, Reaudit
    from tests.support.allocation_files import row

    d = desk
    await d.tick(utc(2026, 12, 18, 9, 45))
    await d.press("quinn", Verb.MODERATION_AGREE, {"moderation_id": (await d.moderation("CR-1001")).id}, "x", AGREED)
    [again] = await d.all(Allocation, Allocation.month == "2027-01")
    assert (again.case_ref, again.auditor_id, again.state, again.theme) == (
        "CR-1001", d.ids["ann"], "allocated", "Re-audit of December 2026 (graded Inadequate)")
    [reaudit] = await d.all(Reaudit)
    assert (reaudit.month, reaudit.allocation_id, reaudit.original_allocation_id) == (
        "2027-01", again.id, d.ids["CR-1001"])
    [event] = await d.events(flow.REAUDIT_ALLOCATED)
    assert event.subject_id == again.id and event.detail["reaudit_of"] == d.ids["CR-1001"]

    # The QA unit's January list without the case keeps it; one that names it too merges with it.
    other = row("CR-2001", "ann@council.gov.uk", "pat@council.gov.uk")
    report = await import_january(d, [other])
    assert report.kept_reaudit_cases == ["CR-1001"] and report.withdrawn_cases == []
    report = await import_january(d, [other, row("CR-1001", "sam@council.gov.uk", "pat@council.gov.uk")])
    [merged] = await d.all(Allocation, Allocation.month == "2027-01", Allocation.case_ref == "CR-1001")
    assert merged.id == again.id and merged.auditor_id == d.ids["sam"]  # reallocated like any other
    assert (await d.one(Reaudit)).allocation_id == merged.id

    # Its notice goes on January's allocation day (Sunday 3rd -> Monday 4th) with the others.
    d.fake.clear()
    await d.tick(utc(2027, 1, 4, 9))
    to_sam = json.dumps([c for call in d.fake.delivered(chat("sam")) for c in call.cards], ensure_ascii=False)
    assert "Your audit allocation for January 2027" in to_sam and "CR-1001" in to_sam
    to_ann = json.dumps([c for call in d.fake.delivered(chat("ann")) for c in call.cards], ensure_ascii=False)
    assert "CR-2001" in to_ann and "CR-1001" not in to_ann


async def test_a_case_already_on_next_months_list_merges_and_a_regrade_is_not_reaudited(desk):
    from storage.models import Allocation, Reaudit
    from tests.support.allocation_files import row

    d = desk
    await import_january(d, [row("CR-1001", "ann@council.gov.uk", "pat@council.gov.uk")])
    await d.tick(utc(2026, 12, 18, 9, 45))
    await d.press("quinn", Verb.MODERATION_AGREE, {"moderation_id": (await d.moderation("CR-1001")).id}, "x", AGREED)
    await d.press("quinn", Verb.MODERATION_REGRADE, {"moderation_id": (await d.moderation("CR-1002")).id,
                                                     GRADE: "Good", REASON: "Strong direct work"}, "x", AGREED)
    [january] = await d.all(Allocation, Allocation.month == "2027-01")
    [reaudit] = await d.all(Reaudit)
    assert january.case_ref == "CR-1001" and reaudit.allocation_id == january.id
    assert [e.subject_id for e in await d.events(flow.REAUDIT_MERGED)] == [january.id]


async def test_retention_purges_escalations_with_their_month(desk):
    from zoneinfo import ZoneInfo

    from capabilities.catalogue import registry
    from capabilities.retention.purge import delete_past
    from qa.retention import Retention
    from storage.models import Allocation, Escalation, EscalationUpdate, Reaudit
    from storage.retention import Purge

    d = desk
    await d.tick(utc(2026, 12, 18, 9, 45))
    await d.press("quinn", Verb.MODERATION_AGREE, {"moderation_id": (await d.moderation("CR-1001")).id}, "x", AGREED)
    await d.press("quinn", Verb.MODERATION_REGRADE, {"moderation_id": (await d.moderation("CR-1002")).id,
                                                     GRADE: "Good", REASON: "Strong direct work"}, "x", AGREED)
    async with d.db.sessions.begin() as session:
        counts = await delete_past(session, Purge(Retention(), utc(2034, 1, 1), ZoneInfo("Europe/London")), registry())
    assert {t: counts[t] for t in ("reaudits", "escalation_updates", "escalations", "moderations")} == {
        "reaudits": 1, "escalation_updates": 2, "escalations": 1, "moderations": 2}
    for model in (Reaudit, EscalationUpdate, Escalation, Moderation, Allocation):
        assert await d.all(model) == []
