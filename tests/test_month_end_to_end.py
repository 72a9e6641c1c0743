"""Issue 3's acceptance test: December 2026 and January 2027 of the audit cycle, end to end.

The roster and both months' allocations are imported from files; everyone installs the app over
HTTP (Teams-shaped installationUpdate activities) except one auditor; card buttons are pressed
through the real app (adaptiveCard/action invokes); the clock moves by `tick` at chosen instants
(in-process, and once as `python -m bot tick --now ...` in a subprocess on the same database).
What is asserted is what each Teams chat received from the fake Bot Connector at each step:
the headings of every message, so a digest shows as one message of several notices.

December 2026: the 3rd is a Thursday; the audit deadline, Monday 28th, is the Boxing Day
substitute bank holiday, so it moves back to Thursday 24th (reminders 17th, 22nd, 24th; overdue
Tuesday 29th); oversight is due Wednesday 6 January (reminders 31 December and 6 January,
overdue 7 January). January 2027: the 3rd is a Sunday, so allocation notices go Monday 4th.
"""
from __future__ import annotations

import json
from collections import Counter

from sqlalchemy import select

from capabilities.audit_cycle import flow
from dialogs.audit_cards import Verb
from storage.models import OutboxMessage
from tests.support import activities as act
from tests.support.audit_cycle import Case, allocate, utc
from tests.support.cards import buttons, put_cards
from tests.support.month import Month, aad, email, name, run_tick_cli


async def test_december_and_january_as_each_chat_sees_them(month: Month, db):
    m = month
    # -- before the 3rd: nothing ----------------------------------------------------------------
    assert await m.tick(utc(2026, 12, 2, 12)) == {}
    assert await m.tick(utc(2026, 12, 3, 8, 59)) == {}

    # -- Thursday 3 December 09:00: one notice per auditor, every case, the deadline; Max to the QA unit;
    # each case holder told of each of their cases (Pia's CR-1004 too: only its auditor is unreachable)
    dec3 = utc(2026, 12, 3, 9)
    assert await m.tick(dec3) == {"mo": [["Your audit allocation for December 2026"]],
                                  "meg": [["Your audit allocation for December 2026"]],
                                  "quinn": [["Allocations not delivered: December 2026"]],
                                  "pat": [["You have 2 updates", "Your case CR-1001 is in the December 2026 audit",
                                           "Your case CR-1003 is in the December 2026 audit"]],
                                  "pia": [["You have 2 updates", "Your case CR-1002 is in the December 2026 audit",
                                           "Your case CR-1004 is in the December 2026 audit"]]}
    to_pat = m.fake.delivered(act.personal_conversation_id("pat"))[-1].all_text()
    assert "Mo Example" in to_pat and "Meg Example" in to_pat and "Thursday 24 December 2026" in to_pat
    assert "CR-1002" not in to_pat and "CR-1004" not in to_pat
    mo_notice = m.fake.delivered(act.personal_conversation_id("mo"))[-1]
    for words in ("CR-1001", "CR-1002", "List 8", "List 6", "Pat Example", "Pia Example", "Thursday 24 December 2026"):
        assert words in mo_notice.all_text(), words
    assert "CR-1003" not in mo_notice.all_text() and "CR-1004" not in mo_notice.all_text()
    meg_notice = m.fake.delivered(act.personal_conversation_id("meg"))[-1]
    assert "CR-1003" in meg_notice.all_text() and "Thursday 24 December 2026" in meg_notice.all_text()
    to_qa = m.fake.delivered(act.personal_conversation_id("quinn"))[-1].all_text()
    assert "Max Example" in to_qa and email("max") in to_qa and "has not installed the bot" in to_qa
    assert "Mo Example" not in to_qa
    assert await m.tick(dec3) == {}  # the same instant again
    assert await m.tick(utc(2026, 12, 3, 15)) == {}
    assert await m.tick(utc(2026, 12, 10, 9)) == {}

    # -- Mo audits CR-1001 on Tuesday evening; the oversight request waits for the next send moment
    notice_id = await m.sent_id("allocation-notice", "mo")
    await m.audit_case("mo", "CR-1001", notice_id, utc(2026, 12, 15, 19, 30))
    assert await m.tick(utc(2026, 12, 15, 19, 31)) == {}
    assert await m.tick(utc(2026, 12, 16, 9)) == {"sam": [["Oversight needed: case CR-1001"]]}

    # -- Sam confirms oversight in place; Mo is asked to upload, says it is uploaded: complete;
    # Pat, the case holder, gets the findings
    request_id = await m.sent_id(flow.OVERSIGHT_REQUEST, "sam", "CR-1001")
    audit_id = (await m.allocation("CR-1001")).audit.id
    confirmed = await m.press("sam", Verb.OVERSIGHT_CONFIRM, {"audit_id": audit_id}, request_id, utc(2026, 12, 16, 10))
    assert put_cards(m.fake, request_id) == [confirmed["value"]]
    assert "Oversight confirmed by Sam Example" in json.dumps(confirmed["value"])
    assert m.received("sam confirms") == {}
    assert await m.tick(utc(2026, 12, 16, 10)) == {"mo": [["Upload the audit: case CR-1001"]],
                                                   "pat": [["The audit of your case CR-1001"]]}
    findings = m.fake.delivered(act.personal_conversation_id("pat"))[-1].all_text()
    assert "Mo Example" in findings and "Sam Example" in findings and "CR-1003" not in findings
    upload_id = await m.sent_id(flow.UPLOAD_REQUEST, "mo")
    done = await m.press("mo", Verb.AUDIT_UPLOADED, {"audit_id": audit_id}, upload_id, utc(2026, 12, 16, 11))
    assert put_cards(m.fake, upload_id) == [done["value"]]
    assert (await m.allocation("CR-1001")).state == "complete"
    assert await m.tick(utc(2026, 12, 16, 11)) == {}

    # -- Thursday 17 December: 7 days to go, only to auditors with audits not submitted
    assert await m.tick(utc(2026, 12, 17, 9)) == {"mo": [["Audit due in 7 days"]], "meg": [["Audit due in 7 days"]]}
    reminder = m.fake.delivered(act.personal_conversation_id("mo"))[-1].all_text()
    assert "CR-1002" in reminder and "CR-1001" not in reminder

    # -- Mo submits CR-1002 on Saturday: Sam's request goes on Monday at 09:00
    await m.audit_case("mo", "CR-1002", notice_id, utc(2026, 12, 19, 11))
    assert await m.tick(utc(2026, 12, 19, 11, 1)) == {}
    assert await m.tick(utc(2026, 12, 21, 9)) == {"sam": [["Oversight needed: case CR-1002"]]}
    assert await m.tick(utc(2026, 12, 22, 9)) == {"meg": [["Audit due in 2 working days"]]}
    assert await m.tick(utc(2026, 12, 23, 9)) == {}

    # -- Thursday 24 December, the deadline: Meg's last reminder, Sam's digest of what awaits him
    assert await m.tick(utc(2026, 12, 24, 9)) == {"meg": [["Audit due today"]],
                                                   "sam": [["Audits awaiting your oversight"]]}
    digest = m.fake.delivered(act.personal_conversation_id("sam"))[-1].all_text()
    assert "CR-1002" in digest and "CR-1001" not in digest and "Wednesday 6 January 2027" in digest
    assert await m.tick(utc(2026, 12, 25, 9)) == {}
    assert await m.tick(utc(2026, 12, 28, 9)) == {}  # the bank holiday: no overdue yet

    # -- Tuesday 29 December: overdue to Meg, and to her supervisor (Max's too: one message, two notices)
    assert await m.tick(utc(2026, 12, 29, 9)) == {
        "meg": [["Audit overdue"]],
        "sam": [["You have 2 updates", "Overdue audits: Meg Example", "Overdue audits: Max Example"]]}
    to_sam = m.fake.delivered(act.personal_conversation_id("sam"))[-1].all_text()
    assert "CR-1003" in to_sam and "CR-1004" in to_sam and "CR-1002" not in to_sam

    # -- oversight of CR-1002 never comes: reminders 31 December and 6 January --------------------
    assert await m.tick(utc(2026, 12, 31, 9)) == {"sam": [["Oversight due in 3 working days"]]}
    assert "CR-1002" in m.fake.delivered(act.personal_conversation_id("sam"))[-1].all_text()
    assert await m.tick(utc(2027, 1, 1, 9)) == {}  # New Year's Day

    # -- January: the 3rd is a Sunday, so the notices go on Monday 4th
    assert await m.tick(utc(2027, 1, 3, 9)) == {}
    # The QA unit hears of Max when his notice finds no chat: after the digest already sent.
    assert await m.tick(utc(2027, 1, 4, 9), several=frozenset({"quinn"})) == {"mo": [["Your audit allocation for January 2027"]],
                                                 "meg": [["Your audit allocation for January 2027"]],
                                                 # and December's good-practice list (issue 10)
                                                 "quinn": [["Good practice: December 2026"],
                                                           ["Allocations not delivered: January 2027"]],
                                                 "pat": [["You have 2 updates",
                                                          "Your case CR-2001 is in the January 2027 audit",
                                                          "Your case CR-2003 is in the January 2027 audit"]],
                                                 "pia": [["You have 2 updates",
                                                          "Your case CR-2002 is in the January 2027 audit",
                                                          "Your case CR-2004 is in the January 2027 audit"]]}
    january = m.fake.delivered(act.personal_conversation_id("mo"))[-1].all_text()
    assert "CR-2001" in january and "CR-2002" in january and "Thursday 28 January 2027" in january
    assert "CR-1002" not in january
    assert await m.tick(utc(2027, 1, 5, 9)) == {}
    assert await m.tick(utc(2027, 1, 6, 9)) == {"sam": [["Oversight due today"]]}

    # -- Thursday 7 January, by the CLI in a subprocess: overdue to Sam and his head of service
    jan7 = utc(2027, 1, 7, 9)
    out = await run_tick_cli(db.url, jan7)
    assert "audit-cycle 2026-12:oversight-overdue:overdue" in out
    # The 7th is also the day of December's audit analysis: to the QA unit, the deputy director and
    # the service lead. December's is a monthly report only (the 2023 schedule: November's annual
    # report covers the year's last quarter).
    reports = [["Monthly audit analysis: December 2026"]]
    assert m.received("cli tick") == {"sam": [["Oversight overdue"], *reports],
                                      "hana": [["Oversight overdue: Sam Example"]], "dee": reports, "quinn": reports}
    to_hana = m.fake.delivered(act.personal_conversation_id("hana"))[-1].all_text()
    assert "Sam Example" in to_hana and "CR-1002" in to_hana and "CR-1001" not in to_hana
    again = await run_tick_cli(db.url, jan7)
    assert again.splitlines()[0] == "ran 0 duty occurrence(s)"
    assert m.received("cli tick again") == {}
    assert await m.tick(jan7) == {}

    # -- over the two months: nobody was sent the same thing twice, and nothing stayed queued ------
    per_chat = Counter((chat, json.dumps(h)) for _, chat, h in m.log)
    assert [k for k, n in per_chat.items() if n > 1] == []
    async with m.db.sessions() as session:
        rows = (await session.execute(select(OutboxMessage))).scalars().all()
    assert {r.state for r in rows} == {"sent", "undeliverable"}
    assert {r.person_id for r in rows if r.state == "undeliverable"} == {m.ids["max"]}
    sent_to = Counter(c.conversation_id for c in m.fake.delivered())
    # Dee: the one message the two months sent her before issue 14, and December's audit analysis on
    # 7 January (December brings no quarterly report: the 2023 schedule's rhythm).
    assert act.personal_conversation_id("dee") in sent_to and sent_to[act.personal_conversation_id("dee")] == 2
    # The case holders: the welcome, each month's notice of their cases (one message each), and Pat
    # the findings of CR-1001 (the only audit whose oversight was confirmed).
    assert sent_to[act.personal_conversation_id("pat")] == 4 and sent_to[act.personal_conversation_id("pia")] == 3


async def test_a_second_case_started_from_the_same_notice_keeps_the_first_marked(month: Month):
    m = month
    await m.tick(utc(2026, 12, 3, 9))
    notice_id = await m.sent_id("allocation-notice", "mo")
    first, second = (await m.allocation("CR-1001")).id, (await m.allocation("CR-1002")).id
    await m.press("mo", Verb.AUDIT_START, {"allocation_id": first}, notice_id, utc(2026, 12, 7, 10))
    body = await m.press("mo", Verb.AUDIT_START, {"allocation_id": second}, notice_id, utc(2026, 12, 7, 11))
    shown = json.dumps(body["value"])
    assert "Audit started by Mo Example, Monday 7 December 2026 at 11:00" in shown
    assert "Audit started by Mo Example, Monday 7 December 2026 at 10:00" in shown  # CR-1001's mark stays
    assert ("Start audit", Verb.AUDIT_START, {"allocation_id": first}) not in buttons(body["value"])


async def test_an_auditor_who_installs_before_the_notice_goes_is_not_reported_unreached(month: Month):
    """A late case imported at 05:04 on Monday 7 December for Max (no chat then) is queued for 09:00;
    he installs at 06:00: at 09:05 his notice reaches him and the QA unit hears nothing of him (who is
    unreached is decided when the notice is sent, not when it was queued)."""
    m = month
    await m.tick(utc(2026, 12, 3, 9))  # December's notices; Max reported unreached then
    await allocate(m.db, m.ids, "2026-12", [Case("CR-1009", "max", "pat")], at=utc(2026, 12, 7, 5, 4))
    assert await m.tick(utc(2026, 12, 7, 5, 4)) == {}  # queued for 09:00
    async with m.db.sessions() as session:
        queued = {(row.kind, row.state) for row in (await session.execute(select(OutboxMessage))).scalars()}
    assert ("allocation-notice", "pending") in queued
    m.at(utc(2026, 12, 7, 6))
    await m.post(act.installation_add("max", service_url=m.fake.url, aad=aad("max"), name=name("max")), 201)
    m.received("max installs")
    seen = await m.tick(utc(2026, 12, 7, 9, 5))
    assert seen["max"] == [["Your audit allocation for December 2026"]]
    assert "quinn" not in seen, seen
    assert await m.tick(utc(2026, 12, 7, 9, 10)) == {}
