"""Nothing identifying gets through (issue 9, docs/privacy.md): a month of the audit cycle through the
real app over HTTP, with an identifier typed into every free-text field, then every table's rows
and every activity the bot sent to the Bot Connector scanned for the identifiers typed."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from bot.clock import fixed_clock
from bot.sender import OutboxSender
from capabilities.catalogue import registry
from dialogs import audit_cards as ac
from dialogs.audit_cards import Verb
from dialogs.payload import Payload
from qa.calendar import WorkingCalendar
from qa.identifiers import find_identifiers
from scheduler.sweep import sweep
from storage.models import Allocation, AuditMonth, Base, Conversation, OutboxMessage, Person
from storage.outbox import enqueue
from tests.support import activities as act
from tests.support.cards import form

NOW = datetime(2026, 12, 10, 10, 0, tzinfo=timezone.utc)  # Thursday, inside the send window
AREA = "Children in Need"
PEOPLE = {"ann": ("practice_manager", "Team Gamma"), "pat": ("practitioner", "Team Alpha"),
          "pam": ("practice_manager", "Team Alpha"), "sam": ("service_lead", ""), "hana": ("head_of_service", ""),
          "dee": ("deputy_director", ""), "quinn": ("qa_unit", "QA Unit")}
CASES = ("CR-1001", "CR-1002")

# What a person might type by mistake; each is one qa/identifiers.py recognises.
TYPED = {
    "a date of birth": "Child's DOB 03/07/2015",
    "a postcode": "lives at SO14 7LY",
    "an NHS number": "NHS 943 476 5919",
    "a phone number": "mum on 07700 900123",
    "an email address": "mum.smith@example.com",
}
# The identifying parts, as they would appear anywhere (also with the spaces taken out).
NEEDLES = ("03/07/2015", "SO14 7LY", "943 476 5919", "9434765919", "07700 900123", "07700900123",
           "mum.smith@example.com")


def name(key: str) -> str:
    return f"{key.title()} Example"


class Month:
    def __init__(self, client, fake, services, ids) -> None:
        self.client, self.fake, self.services, self.ids = client, fake, services, ids

    async def press(self, key: str, verb: str, data: dict, reply_to: str) -> dict:
        activity = act.card_action(key, verb, data, service_url=self.fake.url, aad=f"aad-{key}", name=name(key))
        activity["replyToId"] = reply_to
        resp = await self.client.post("/api/messages", json=activity)
        assert resp.status == 200
        return await resp.json()

    async def refused(self, key: str, verb: str, data: dict, reply_to: str) -> None:
        """The press is refused: it answers, says what to remove, and changes nothing."""
        before = await table_rows(self.services.db)
        body = await self.press(key, verb, data, reply_to)
        assert body["statusCode"] == 200
        assert "remove" in json.dumps(body["value"]).lower(), body
        after = await table_rows(self.services.db)
        # Every activity refreshes where the bot writes to the chat (its stored address, issue 8):
        # not something the refused input caused. Every other table is as it was.
        assert {k: v for k, v in after.items() if k != "conversations"} == \
            {k: v for k, v in before.items() if k != "conversations"}

    async def deliver(self) -> None:
        await OutboxSender(self.services).deliver_due(self.services.clock(), wait_retries=0)

    async def sent_id(self, kind: str, key: str) -> str:
        async with self.services.db.sessions() as session:
            row = (await session.execute(select(OutboxMessage).where(
                OutboxMessage.kind == kind, OutboxMessage.person_id == self.ids[key], OutboxMessage.state == "sent")
                .order_by(OutboxMessage.id.desc()))).scalars().first()
        assert row is not None and row.activity_id, f"no {kind} sent to {key}"
        return row.activity_id

    async def audit_id(self) -> int:
        async with self.services.db.sessions() as session:
            allocation = await session.get(Allocation, self.ids["CR-1001"])
            await session.refresh(allocation, ["audit"])
            return allocation.audit.id


async def table_rows(db) -> dict[str, list[str]]:
    """Every row of every table, as text."""
    rows = {}
    async with db.sessions() as session:
        for table in Base.metadata.sorted_tables:
            result = await session.execute(select(table))
            rows[table.name] = sorted(json.dumps(dict(r._mapping), default=str, ensure_ascii=False) for r in result)
    return rows


def leaks(text: str) -> list[str]:
    return [needle for needle in NEEDLES if needle.lower() in text.lower()]


@pytest.fixture
async def month(db, services, fake_connector, bot_client) -> Month:
    services.clock = fixed_clock(NOW)
    async with db.sessions.begin() as session:
        people = {key: Person(email=f"{key}@council.gov.uk", display_name=name(key), role=role, team=team,
                              service_area=AREA if role != "qa_unit" else "", aad_object_id=f"aad-{key}",
                              created_at=NOW, updated_at=NOW) for key, (role, team) in PEOPLE.items()}
        session.add_all(people.values())
        session.add(AuditMonth(month="2026-12", imported_at=NOW))
        await session.flush()
        for key, person in people.items():
            session.add(Conversation(conversation_id=act.personal_conversation_id(key), tenant_id=act.TENANT,
                                     service_url=fake_connector.url, bot_id=act.BOT_ID, user_id=act.user_id(key),
                                     aad_object_id=f"aad-{key}", person_id=person.id, reference={}, installed_at=NOW))
        allocations = [Allocation(month="2026-12", case_ref=ref, annex_a_list="List 6", service_area=AREA,
                                  team="Team Alpha", theme="", auditor_id=people["ann"].id,
                                  case_holder_id=people["pat"].id, state="allocated", created_at=NOW, updated_at=NOW)
                       for ref in CASES]
        session.add_all(allocations)
        await session.flush()
        ids = {key: p.id for key, p in people.items()} | {a.case_ref: a.id for a in allocations}
    return Month(bot_client, fake_connector, services, ids)


def test_every_typed_value_is_one_the_checker_finds():
    assert {kind: find_identifiers(text) for kind, text in TYPED.items()} == {kind: [kind] for kind in TYPED}


async def test_a_month_with_identifiers_typed_everywhere_stores_and_sends_none_of_them(month):
    m = month
    first, second = m.ids["CR-1001"], m.ids["CR-1002"]
    views = [ac.AllocationView(allocation_id=m.ids[c], case_ref=c, annex_a_list="List 6", team="Team Alpha",
                               theme="", case_holder_name=name("pat"), deadline=date(2026, 12, 24)) for c in CASES]
    async with m.services.db.sessions.begin() as session:
        await enqueue(session, key="allocation-notice:2026-12:ann", kind="allocation-notice", person_id=m.ids["ann"],
                      payload=Payload.of(ac.allocation_notice_card(name("ann"), "December 2026", views), "Your audit allocation"),
                      due_at=NOW, now=NOW)
    await m.deliver()
    notice = await m.sent_id("allocation-notice", "ann")

    # The auditor: "I can't do this audit" with an identifier in the reason, on the notice itself.
    for text in TYPED.values():
        await m.refused("ann", Verb.ALLOCATION_DECLINE,
                        {"allocation_id": second, ac.decline_reason_input_id(second): f"I know them: {text}"}, notice)
    await m.press("ann", Verb.AUDIT_START, {"allocation_id": first}, notice)
    # Every free-text field of the form, with every identifier, as a draft and as a submission.
    for field in (ac.STRENGTHS, ac.IMPROVEMENTS, ac.SAFEGUARDING_DESCRIPTION):
        for text in TYPED.values():
            changes = {field: f"Seen at home. {text}"}
            if field == ac.SAFEGUARDING_DESCRIPTION:
                changes[ac.SAFEGUARDING_CONCERN] = "true"
            for verb in (Verb.AUDIT_SAVE_DRAFT, Verb.AUDIT_SUBMIT):
                await m.refused("ann", verb, form(first, **changes), "form-1")
    await m.press("ann", Verb.AUDIT_SUBMIT, form(first), "form-1")
    await m.deliver()
    audit_id = await m.audit_id()
    request = await m.sent_id("oversight-request", "sam")

    # The service lead: a comment and a dispute reason with identifiers, then a clean dispute.
    for text in TYPED.values():
        await m.refused("sam", Verb.OVERSIGHT_CONFIRM, {"audit_id": audit_id, ac.OVERSIGHT_COMMENT: text}, request)
        await m.refused("sam", Verb.OVERSIGHT_DISPUTE, {"audit_id": audit_id, ac.DISPUTE_REASON: text}, request)
    await m.press("sam", Verb.OVERSIGHT_DISPUTE, {"audit_id": audit_id, ac.DISPUTE_REASON: "Planning graded high"},
                  request)
    await m.deliver()
    dispute = await m.sent_id("dispute", "quinn")
    # The QA unit: a resolution with identifiers, then a clean one; oversight confirmed; uploaded.
    for text in TYPED.values():
        await m.refused("quinn", Verb.DISPUTE_RESOLVE, {"audit_id": audit_id, ac.RESOLUTION: text}, dispute)
    await m.press("quinn", Verb.DISPUTE_RESOLVE, {"audit_id": audit_id, ac.RESOLUTION: "Regraded"}, dispute)
    await m.deliver()
    request = await m.sent_id("oversight-request", "sam")
    await m.press("sam", Verb.OVERSIGHT_CONFIRM, {"audit_id": audit_id, ac.OVERSIGHT_COMMENT: "Agreed"}, request)
    await m.deliver()
    await m.press("ann", Verb.AUDIT_UPLOADED, {"audit_id": audit_id}, await m.sent_id("upload-request", "ann"))

    # The rest of the month's duties: reminders, digest, overdue notices, the purge.
    cal = WorkingCalendar()
    for instant in (datetime(2026, 12, 21, 9, tzinfo=timezone.utc), datetime(2026, 12, 29, 9, tzinfo=timezone.utc),
                    datetime(2027, 1, 8, 9, tzinfo=timezone.utc)):
        m.services.clock = fixed_clock(instant)
        await sweep(m.services, instant, registry().duties(cal))
        await m.deliver()

    async with m.services.db.sessions() as session:
        assert (await session.get(Allocation, first)).state == "complete"
    stored = await table_rows(m.services.db)
    assert stored["allocations"] and stored["audits"] and stored["outbox"] and stored["audit_events"]
    # The scans see typed text: the clean dispute reason is in the allocation and on the cards sent.
    assert "Planning graded high" in "\n".join(stored["allocations"])
    assert any("Planning graded high" in json.dumps(c.body) for c in m.fake.calls)
    found = {table: leaks("\n".join(rows)) for table, rows in stored.items() if leaks("\n".join(rows))}
    assert found == {}
    assert len(m.fake.calls) > 10
    sent = {f"{c.method} {c.path}": leaks(json.dumps(c.body, ensure_ascii=False)) for c in m.fake.calls
            if leaks(json.dumps(c.body, ensure_ascii=False))}
    assert sent == {}
