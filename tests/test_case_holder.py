"""The case holder's side of an audit, seen from their chat, through the real app over HTTP on both
databases: told with the auditor's allocation notice, the conversation arranged and held (their card
updated in place, the form's answer filled), the findings after oversight, the reflection (auditor
and supervisor told, the register's flag), the supervision digest line until a 1:1 discusses it,
and the refusals (someone else's audit, before oversight)."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select, update

from capabilities.audit_cycle import case_holder, duties, kinds
from capabilities.supervision.audit_discussions import discuss_words, still_to_discuss
from dialogs import audit_cards as ac
from dialogs import case_holder_cards as ch
from dialogs.audit_cards import Verb
from qa.calendar import WorkingCalendar
from storage import cycle
from storage.cycle import audits_to_discuss
from storage.models import Allocation, Audit, Person
from storage.reports import register_rows
from tests.support.cards import buttons, put_cards
from tests.test_audit_actions import NOW, chat, desk, submitted  # noqa: F401 - `desk` is the fixture

CAL = WorkingCalendar()


@pytest.fixture
async def hub(desk):  # noqa: F811 - the imported fixture, by name
    """test_audit_actions' desk: the app, the fake connector and the roster (Ann audits Pat's two cases)."""
    return desk


async def told(hub) -> None:
    """The allocation notice moment: every allocation of the month notified (auditor and case holder)."""
    async with hub.db.sessions.begin() as session:
        await session.execute(update(Person).where(Person.id == hub.ids["pat"])
                              .values(supervisor_email="pam@council.gov.uk"))
        allocations = await cycle.allocations_to_notify(session, "2026-12")
        await duties.notify_allocations(session, CAL, "2026-12", allocations, NOW, NOW, late=False)
    await hub.deliver()


def texts(hub, key: str) -> str:
    return " ".join(c.all_text() for c in hub.fake.delivered(chat(key)))


async def test_told_with_the_auditor_then_the_conversation_shows_on_their_card(hub):
    await told(hub)
    mine = texts(hub, "pat")
    assert "Your case CR-1001 is in the December 2026 audit" in mine and "CR-1002" in mine
    assert "Ann Example is auditing case CR-1001" in mine and "seven key areas" in mine
    assert "talk with you about the case before they submit" in mine
    assert "CR-1001" not in texts(hub, "sam")  # nobody else hears of it
    notice_id = await hub.sent_id(kinds.ALLOCATION_NOTICE, "ann")
    pat_notice = await hub.sent_id(kinds.CASE_HOLDER_NOTICE, "pat")
    allocation_id = hub.ids["CR-1001"]

    # Someone else may not arrange it.
    refused = await hub.press("pat", ch.Verb.CONVERSATION_HELD, {"allocation_id": allocation_id}, pat_notice)
    assert "Only the auditor allocated this case" in json.dumps(refused["value"])

    body = await hub.press("ann", ch.Verb.CONVERSATION_ARRANGED,
                            {"allocation_id": allocation_id, ch.conversation_input_id(allocation_id): "2026-12-15"},
                            notice_id)
    assert "Conversation arranged for Tuesday 15 December 2026 by Ann Example" in json.dumps(body["value"])
    assert ("Start audit", Verb.AUDIT_START, {"allocation_id": allocation_id}) in buttons(body["value"])
    await hub.deliver()
    [arranged] = put_cards(hub.fake, pat_notice)
    assert "Arranged for Tuesday 15 December 2026" in json.dumps(arranged)

    body = await hub.press("ann", ch.Verb.CONVERSATION_HELD, {"allocation_id": allocation_id}, notice_id)
    assert "Conversation held by Ann Example" in json.dumps(body["value"])
    await hub.deliver()
    assert "Held: Ann Example recorded the conversation" in json.dumps(put_cards(hub.fake, pat_notice)[-1])

    hub.fake.clear()
    await hub.press("ann", Verb.AUDIT_START, {"allocation_id": allocation_id}, notice_id)
    [form_message] = hub.fake.delivered(chat("ann"))
    toggles = {b["id"]: b for b in form_message.cards[0]["body"] if b.get("type") == "Input.Toggle"}
    assert toggles[ac.DISCUSSION_HELD]["value"] == "true"  # filled from Conversation held


async def test_findings_after_oversight_reflection_and_the_supervision_line(hub):
    await told(hub)
    await submitted(hub)
    await hub.deliver()
    audit_id = await hub.audit_id()
    # Before oversight: refused, and nothing said of the audit.
    early = await hub.press("pat", ch.Verb.FINDINGS_SUPERVISION, {"audit_id": audit_id}, "x")
    assert "only of audits of your own cases, once oversight is confirmed" in json.dumps(early["value"])
    request_id = await hub.sent_id("oversight-request", "sam")
    hub.fake.clear()
    await hub.press("sam", Verb.OVERSIGHT_CONFIRM, {"audit_id": audit_id}, request_id)
    await hub.deliver()
    findings = texts(hub, "pat")
    assert "The audit of your case CR-1001" in findings and "The plan was clear" in findings
    assert findings.index("The plan was clear") < findings.index("Visits could be timelier")  # strengths first
    findings_id = await hub.sent_id(kinds.AUDIT_FINDINGS, "pat")

    # Someone else's audit: the auditor, the supervisor, anyone but the case holder.
    for other in ("ann", "pam"):
        no = await hub.press(other, ch.Verb.FINDINGS_REFLECT, {"audit_id": audit_id, ch.REFLECTION: "x"}, "y")
        assert "only of audits of your own cases" in json.dumps(no["value"])
    # Identifiers are screened like every other free text.
    bad = await hub.press("pat", ch.Verb.FINDINGS_REFLECT,
                           {"audit_id": audit_id, ch.REFLECTION: "Born 12/03/2015, lives at SW1A 1AA"}, findings_id)
    assert bad["type"] == "application/vnd.microsoft.activity.message"

    hub.fake.clear()
    body = await hub.press("pat", ch.Verb.FINDINGS_REFLECT,
                            {"audit_id": audit_id, ch.REFLECTION: "I will plan visits around school."}, findings_id)
    shown = json.dumps(body["value"])
    assert "Your reflection" in shown and "next 1:1 supervision" in shown and buttons(body["value"]) == []
    assert put_cards(hub.fake, findings_id) == [body["value"]]
    await hub.deliver()
    assert "I will plan visits around school." in texts(hub, "ann")
    assert "Discuss the audit of case CR-1001" in texts(hub, "pam")  # pat's supervisor

    async with hub.db.sessions() as session:
        audit = await session.get(Audit, audit_id)
        assert audit.case_holder_reflection == "I will plan visits around school."
        [row] = [r for r in await register_rows(session, "2026-12", "2026-12") if r.case_ref == "CR-1001"]
        assert row.reflection_received
        asked = await audits_to_discuss(session, [hub.ids["pat"]])
    [(allocation_id, ref, at)] = asked[hub.ids["pat"]]
    assert (allocation_id, ref) == (hub.ids["CR-1001"], "CR-1001") and discuss_words(ref) == (
        "Discuss the audit of case CR-1001")
    # On the digest until a 1:1 on or after the day asked is recorded.
    assert still_to_discuss(at, None, CAL) and still_to_discuss(at, date(2026, 12, 1), CAL)
    assert not still_to_discuss(at, date(2026, 12, 10), CAL)

    again = await hub.press("pat", ch.Verb.FINDINGS_SUPERVISION, {"audit_id": audit_id}, findings_id)
    assert "next 1:1 supervision" in json.dumps(again["value"]) and buttons(again["value"]) == []  # as it stands


async def test_no_notice_when_the_case_holder_is_the_auditor_or_absent(hub):
    async with hub.db.sessions.begin() as session:
        await session.execute(update(Allocation).where(Allocation.id == hub.ids["CR-1002"])
                              .values(case_holder_id=hub.ids["ann"]))
        await session.execute(update(Allocation).where(Allocation.id == hub.ids["CR-1001"])
                              .values(case_holder_id=None))
    await told(hub)
    assert await hub.rows(kinds.CASE_HOLDER_NOTICE) == []


async def test_the_digest_provider_leaves_out_audits_not_asked(hub):
    async with hub.db.sessions() as session:
        assert await audits_to_discuss(session, [hub.ids["pat"]]) == {}
        assert (await session.execute(select(Allocation.conversation_on))).scalars().all() == [None, None]
    assert case_holder.notice_key(7) == "case-holder-notice:7:"
