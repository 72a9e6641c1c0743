"""The upload to Care Director, over HTTP and by tick: oversight confirmed after the month's oversight
deadline asks for the upload a fair time on (qa/deadlines.py), never by a day already gone; an upload
not marked by then is chased once, and the QA unit's `cycle` card lists it until it is marked."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import fixed_clock
from bot.sender import OutboxSender
from bot.tick import tick
from capabilities.audit_cycle import config, flow, kinds, views
from capabilities.audit_cycle.duties import UPLOAD_CHASED, AuditCycleDuty, UploadChaseDuty
from capabilities.registry import ConfigurationError
from dialogs.audit_cards import Verb
from qa.calendar import WorkingCalendar
from storage.models import Allocation, AuditMonth, Conversation, FollowUp, OutboxMessage, Person, TrailEvent
from tests.support import activities as act
from tests.support.cards import form, put_cards

SUBMITTED = datetime(2026, 12, 22, 10, tzinfo=timezone.utc)  # Tuesday, before the deadline
CONFIRMED = datetime(2027, 1, 7, 10, 12, tzinfo=timezone.utc)  # Thursday, the day after the oversight deadline
AREA = "Children in Need"
PEOPLE = {"ann": ("practice_manager", AREA), "sam": ("service_lead", AREA), "quinn": ("qa_unit", "")}


def name(key: str) -> str:
    return f"{key.title()} Example"


@dataclass
class Desk:
    client: Any
    fake: Any
    services: Any
    ids: dict[str, int]

    @property
    def db(self):
        return self.services.db

    def at(self, now: datetime) -> None:
        self.services.clock = fixed_clock(now)

    async def post(self, activity: dict) -> dict:
        resp = await self.client.post("/api/messages", json=activity)
        assert resp.status in (200, 201), await resp.text()
        return await resp.json() if resp.content_type == "application/json" else {}

    async def press(self, key: str, verb: str, data: dict, reply_to: str, now: datetime) -> dict:
        self.at(now)
        activity = act.card_action(key, verb, data, service_url=self.fake.url, aad=f"aad-{key}", name=name(key))
        activity["replyToId"] = reply_to
        body = await self.post(activity)
        assert body["statusCode"] == 200, body
        return body

    async def say(self, key: str, words: str, now: datetime) -> str:
        """`key` types `words`; the text of the card the bot answers with."""
        self.at(now)
        before = len(self.fake.delivered(act.personal_conversation_id(key)))
        await self.post(act.message(key, words, service_url=self.fake.url, aad=f"aad-{key}", name=name(key)))
        replies = self.fake.delivered(act.personal_conversation_id(key))[before:]
        assert len(replies) == 1
        return replies[0].all_text()

    async def deliver(self, now: datetime) -> None:
        self.at(now)
        await OutboxSender(self.services).deliver_due(now, wait_retries=0)

    async def rows(self, kind: str) -> list[OutboxMessage]:
        async with self.db.sessions() as session:
            return list((await session.execute(select(OutboxMessage).where(OutboxMessage.kind == kind)
                                               .order_by(OutboxMessage.id))).scalars())

    async def sent(self, kind: str) -> tuple[str, str]:
        """The one message of `kind` sent: its Teams id and the text its card shows."""
        [row] = await self.rows(kind)
        assert row.state == "sent" and row.activity_id
        return row.activity_id, json.dumps(row.payload["card"], ensure_ascii=False)

    async def tick(self, now: datetime, duty=None) -> None:
        self.at(now)
        report = await tick(self.services, now, wait_retries=0, duties=[duty or UploadChaseDuty(WorkingCalendar())])
        assert report.sweep.failed == []

    async def state(self) -> str:
        async with self.db.sessions() as session:
            return (await session.get(Allocation, self.ids["CR-1001"])).state

    async def audit_id(self) -> int:
        async with self.db.sessions() as session:
            allocation = await session.get(Allocation, self.ids["CR-1001"])
            await session.refresh(allocation, ["audit"])
            return allocation.audit.id


@pytest.fixture
async def desk(db, services, fake_connector, bot_client) -> Desk:
    async with db.sessions.begin() as session:
        people = {key: Person(email=f"{key}@council.gov.uk", display_name=name(key), role=role, team="Team Alpha",
                              service_area=areas, aad_object_id=f"aad-{key}", created_at=SUBMITTED,
                              updated_at=SUBMITTED) for key, (role, areas) in PEOPLE.items()}
        session.add_all(people.values())
        session.add(AuditMonth(month="2026-12", imported_at=SUBMITTED))
        await session.flush()
        for key, person in people.items():
            session.add(Conversation(conversation_id=act.personal_conversation_id(key), tenant_id=act.TENANT,
                                     service_url=fake_connector.url, bot_id=act.BOT_ID, user_id=act.user_id(key),
                                     aad_object_id=f"aad-{key}", person_id=person.id, reference={},
                                     installed_at=SUBMITTED))
        allocations = [Allocation(month="2026-12", case_ref=ref, annex_a_list="List 6", service_area=AREA,
                                  team="Team Alpha", theme="", auditor_id=people["ann"].id, state="allocated",
                                  notified_at=SUBMITTED, created_at=SUBMITTED, updated_at=SUBMITTED)
                       for ref in ("CR-1001", "CR-1002")]
        session.add_all(allocations)
        await session.flush()
        ids = {key: p.id for key, p in people.items()} | {a.case_ref: a.id for a in allocations}
    d = Desk(bot_client, fake_connector, services, ids)
    # Ann audits the case on Tuesday 22 December; Sam's oversight request reaches him.
    await d.press("ann", Verb.AUDIT_START, {"allocation_id": ids["CR-1001"]}, "notice-1", SUBMITTED)
    await d.press("ann", Verb.AUDIT_SUBMIT, form(ids["CR-1001"]), "form-1", SUBMITTED)
    await d.deliver(SUBMITTED)
    return d


async def confirm(desk: Desk) -> str:
    """Sam confirms oversight on Thursday 7 January; the upload request reaches Ann. Its text."""
    request_id, request = await desk.sent(kinds.OVERSIGHT_REQUEST)
    assert "Wednesday 6 January 2027" in request  # submitted in good time: the framework's date stands
    await desk.press("sam", Verb.OVERSIGHT_CONFIRM, {"audit_id": await desk.audit_id()}, request_id, CONFIRMED)
    await desk.deliver(CONFIRMED)
    return (await desk.sent(kinds.UPLOAD_REQUEST))[1]


async def test_a_late_oversight_asks_for_the_upload_two_working_days_on_and_chases_it_once(desk):
    upload = await confirm(desk)
    assert "by Monday 11 January 2027" in upload and "6 January" not in upload
    async with desk.db.sessions() as session:
        [owed] = (await session.execute(select(FollowUp).where(FollowUp.kind == kinds.UPLOAD_CHASE))).scalars().all()
    assert owed.state == "open" and owed.due_at.replace(tzinfo=timezone.utc) == datetime(2027, 1, 12, 9, tzinfo=timezone.utc)

    # Monday 11 January is the upload's own day: nothing yet.
    await desk.tick(datetime(2027, 1, 11, 16, tzinfo=timezone.utc))
    assert await desk.rows(kinds.UPLOAD_CHASE) == []
    assert "Not yet uploaded" not in await desk.say("quinn", "cycle", datetime(2027, 1, 11, 16, tzinfo=timezone.utc))

    # Tuesday 12 January, 09:00: one reminder to Ann, with the same button.
    await desk.tick(datetime(2027, 1, 12, 9, tzinfo=timezone.utc))
    chase_id, chase = await desk.sent(kinds.UPLOAD_CHASE)
    assert "by Monday 11 January 2027" in chase and "only reminder" in chase
    assert (await desk.rows(kinds.UPLOAD_CHASE))[0].person_id == desk.ids["ann"]
    async with desk.db.sessions() as session:
        trail = (await session.execute(select(TrailEvent).where(TrailEvent.action == UPLOAD_CHASED))).scalars().all()
    assert [(t.subject_id, t.actor_id, t.detail) for t in trail] == [(desk.ids["CR-1001"], None,
                                                                      {"upload_by": "2027-01-11"})]

    # Chased once only, however many sweeps follow.
    for day in (12, 13, 14):
        await desk.tick(datetime(2027, 1, day, 15, tzinfo=timezone.utc))
    assert len(await desk.rows(kinds.UPLOAD_CHASE)) == 1

    # The QA unit sees it on the cycle card until it is marked.
    cycle = await desk.say("quinn", "cycle", datetime(2027, 1, 13, 10, tzinfo=timezone.utc))
    assert "Not yet uploaded to Care Director after a reminder: 1 (CR-1001)" in cycle

    # Ann presses Uploaded on the reminder: complete, and off the cycle card.
    done = await desk.press("ann", Verb.AUDIT_UPLOADED, {"audit_id": await desk.audit_id()}, chase_id,
                            datetime(2027, 1, 13, 11, tzinfo=timezone.utc))
    assert put_cards(desk.fake, chase_id) == [done["value"]]
    assert "Uploaded to Care Director by Ann Example" in json.dumps(done["value"])
    assert await desk.state() == "complete"
    assert "Not yet uploaded" not in await desk.say("quinn", "cycle", datetime(2027, 1, 13, 12, tzinfo=timezone.utc))


async def test_an_upload_marked_in_time_is_never_chased(desk):
    await confirm(desk)
    upload_id, _ = await desk.sent(kinds.UPLOAD_REQUEST)
    await desk.press("ann", Verb.AUDIT_UPLOADED, {"audit_id": await desk.audit_id()}, upload_id,
                     datetime(2027, 1, 8, 9, 30, tzinfo=timezone.utc))
    await desk.tick(datetime(2027, 1, 12, 9, tzinfo=timezone.utc))
    assert await desk.rows(kinds.UPLOAD_CHASE) == []
    async with desk.db.sessions() as session:
        [owed] = (await session.execute(select(FollowUp).where(FollowUp.kind == kinds.UPLOAD_CHASE))).scalars().all()
    assert owed.state == "cancelled"


def test_a_service_lead_gets_a_fair_day_for_an_audit_submitted_after_the_oversight_deadline():
    # The rule on an allocation's own times: submitted on Friday 8 January, after the 6th.
    late = Allocation(month="2026-12", submitted_at=datetime(2027, 1, 8, 15, tzinfo=timezone.utc), resolved_at=None,
                      updated_at=datetime(2027, 1, 8, 15, tzinfo=timezone.utc))
    due = views.oversight_due(late, datetime(2027, 1, 8, 15, tzinfo=timezone.utc), WorkingCalendar())
    assert due.isoformat() == "2027-01-13"  # three working days: Mon 11, Tue 12, Wed 13


def test_the_upload_setting_is_parsed_once_with_a_clear_error():
    assert config.from_env({}).upload_days == 2
    assert config.from_env({config.UPLOAD_ENV: "5"}).upload_days == 5
    for bad in ("0", "21", "two", "-1"):
        with pytest.raises(ConfigurationError, match=config.UPLOAD_ENV):
            config.from_env({config.UPLOAD_ENV: bad})


def test_the_upload_days_setting_reaches_the_request():
    # Straight through the use case: 5 working days from Thursday 7 January is Thursday 14 January.
    assert flow.upload_due(Allocation(month="2026-12"), CONFIRMED, WorkingCalendar(), 5).isoformat() == "2027-01-14"


async def test_an_audit_reaching_its_service_lead_late_is_not_called_due_or_overdue_by_the_months_date(desk):
    # CR-1001 waits for oversight since 22 December; CR-1002 is submitted on Tuesday 5 January, the day
    # before the oversight deadline: its request gives the service lead three working days (Friday 8).
    late = datetime(2027, 1, 5, 10, tzinfo=timezone.utc)
    await desk.press("ann", Verb.AUDIT_START, {"allocation_id": desk.ids["CR-1002"]}, "notice-2", late)
    await desk.press("ann", Verb.AUDIT_SUBMIT, form(desk.ids["CR-1002"]), "form-2", late)
    await desk.deliver(late)
    requests = [json.dumps(r.payload["card"], ensure_ascii=False) for r in await desk.rows(kinds.OVERSIGHT_REQUEST)]
    assert [("CR-1002" in r, "Friday 8 January 2027" in r) for r in requests] == [(False, False), (True, True)]
    # The month's reminder on the 6th and overdue notice on the 7th name CR-1001 only.
    cycle = AuditCycleDuty(WorkingCalendar())
    await desk.tick(datetime(2027, 1, 6, 9, tzinfo=timezone.utc), cycle)
    await desk.tick(datetime(2027, 1, 7, 9, tzinfo=timezone.utc), cycle)
    for kind in (kinds.OVERSIGHT_REMINDER, kinds.OVERSIGHT_OVERDUE):
        cards = [json.dumps(r.payload["card"]) for r in await desk.rows(kind) if r.person_id == desk.ids["sam"]]
        assert cards and all("CR-1001" in c and "CR-1002" not in c for c in cards), kind
