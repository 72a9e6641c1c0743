"""The escalations' test desk: the served app, the fake Bot Connector, a roster with personal
chats, and audits submitted graded Inadequate, written straight to the database."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select

from bot.clock import fixed_clock
from bot.tick import tick
from storage.models import (
    KEY_AREAS,
    Allocation,
    Audit,
    AuditMonth,
    Conversation,
    Escalation,
    EscalationUpdate,
    Moderation,
    OutboxMessage,
    Person,
    TrailEvent,
)
from tests.support import activities as act

AREA = "Children in Need"
SET_UP = datetime(2026, 12, 1, 9, tzinfo=timezone.utc)

PEOPLE = {  # key -> (role, team, service areas)
    "ann": ("practice_manager", "Team Gamma", AREA),  # the auditor
    "pat": ("practitioner", "Team Alpha", AREA),  # the case holder
    "sam": ("service_lead", "", AREA),
    "cal": ("service_lead", "", "Child Protection"),
    "hana": ("head_of_service", "", f"{AREA}; Child Protection"),
    "quinn": ("qa_unit", "QA Unit", ""),
    "qiana": ("qa_unit", "QA Unit", ""),
    "pam": ("practice_manager", "Team Alpha", AREA),  # manages the case's team
    "ira": ("iro", "Independent Reviewing", ""),
    "paula": ("principal_social_worker", "Practice Development", ""),
}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def name(key: str) -> str:
    return f"{key.title()} Example"


def chat(key: str) -> str:
    return act.personal_conversation_id(key)


# The escalations' cards begin with these (the audit cycle's own notices are left out of `received`).
OURS = ("Moderation", "Urgent review", "Update ", "Escalation", "Your audit was regraded", "Practice alert",
        "Response to your alert", "Your alert was resolved", "Alert raised", "Raise a practice alert",
        "Open practice alerts", "Remedial", "Dip sample", "Moderation learning",
        "Good practice")


def headings(card: dict) -> str:
    return card["body"][0]["text"]


@dataclass
class Desk:
    client: Any
    fake: Any
    services: Any
    ids: dict[str, int] = field(default_factory=dict)
    mark: int = 0

    @property
    def db(self):
        return self.services.db

    def at(self, now: datetime) -> None:
        self.services.clock = fixed_clock(now)

    def received(self) -> dict[str, list[str]]:
        """New messages posted since the last look, per person: each message's first heading."""
        calls = self.fake.calls[self.mark:]
        self.mark = len(self.fake.calls)
        owners = {chat(k): k for k in PEOPLE}
        seen: dict[str, list[str]] = {}
        for call in calls:
            if call.method == "POST" and "/activities" in call.path and call.status < 300:
                ours = [headings(c) for c in call.cards if headings(c).startswith(OURS)]
                if ours:
                    seen.setdefault(owners[call.conversation_id], []).extend(ours)
        return seen

    async def tick(self, now: datetime) -> dict[str, list[str]]:
        self.at(now)
        report = await tick(self.services, now, wait_retries=0)
        assert report.sweep.failed == [] and not report.sweep.skipped_locked
        return self.received()

    async def press(self, key: str, verb: str, data: dict, reply_to: str, at: datetime,
                    trigger: str = "manual") -> dict:
        self.at(at)
        activity = act.card_action(key, verb, data, service_url=self.fake.url, aad=f"aad-{key}", name=name(key))
        activity["replyToId"] = reply_to
        activity["value"]["trigger"] = trigger
        resp = await self.client.post("/api/messages", json=activity)
        assert resp.status == 200, await resp.text()
        body = await resp.json()
        assert body["statusCode"] == 200, body
        return body

    async def say(self, key: str, words: str, at: datetime) -> dict:
        """`key` types `words`; the card the bot answered with."""
        self.at(at)
        resp = await self.client.post("/api/messages", json=act.message(
            key, words, service_url=self.fake.url, aad=f"aad-{key}", name=name(key)))
        assert resp.status in (200, 201), await resp.text()
        [answer] = self.fake.delivered(chat(key))[-1].cards
        self.mark = len(self.fake.calls)  # the answer is not a message `received` reports
        return answer

    async def told(self, key: str, words: str, at: datetime) -> str:
        """`key` types `words` and is answered in one sentence, with no card (a command not for them:
        the registry's "who it is for"): its text."""
        self.at(at)
        resp = await self.client.post("/api/messages", json=act.message(
            key, words, service_url=self.fake.url, aad=f"aad-{key}", name=name(key)))
        assert resp.status in (200, 201), await resp.text()
        answer = self.fake.delivered(chat(key))[-1]
        assert not answer.cards
        self.mark = len(self.fake.calls)  # the answer is not a message `received` reports
        return answer.text

    async def sent(self, kind: str, key: str) -> OutboxMessage:
        """The last `kind` row sent to `key`."""
        async with self.db.sessions() as session:
            row = (await session.execute(select(OutboxMessage).where(
                OutboxMessage.kind == kind, OutboxMessage.person_id == self.ids[key], OutboxMessage.state == "sent")
                .order_by(OutboxMessage.id.desc()))).scalars().first()
        assert row is not None and row.activity_id, f"no {kind} sent to {key}"
        return row

    async def one(self, model, *where) -> Any:
        async with self.db.sessions() as session:
            return (await session.execute(select(model).where(*where))).scalar_one()

    async def all(self, model, *where) -> list[Any]:
        async with self.db.sessions() as session:
            return list((await session.execute(select(model).where(*where).order_by(model.id))).scalars())

    async def events(self, *actions: str) -> list[TrailEvent]:
        rows = await self.all(TrailEvent)
        return [e for e in rows if not actions or e.action in actions]

    async def updates(self) -> list[EscalationUpdate]:
        return await self.all(EscalationUpdate)

    async def escalation(self) -> Escalation:
        return await self.one(Escalation)

    async def moderation(self, case_ref: str) -> Moderation:
        return await self.one(Moderation, Moderation.allocation_id == self.ids[case_ref])

    async def grade(self, case_ref: str) -> str:
        return (await self.one(Audit, Audit.allocation_id == self.ids[case_ref])).overall_grade


async def set_up(services, fake, client, cases: dict[str, datetime], *, month: str = "2026-12",
                 grade: str = "Inadequate", areas: dict[str, str] | None = None) -> Desk:
    """The people with their chats, and for each case ref an audit of `month` by Ann submitted graded
    `grade` at the instant given (in `areas`' service area for the case, else AREA)."""
    desk = Desk(client, fake, services)
    async with services.db.sessions.begin() as session:
        people = {key: Person(email=f"{key}@council.gov.uk", display_name=name(key), role=role, team=team,
                              service_area=areas, aad_object_id=f"aad-{key}", created_at=SET_UP, updated_at=SET_UP)
                  for key, (role, team, areas) in PEOPLE.items()}
        session.add_all(people.values())
        session.add(AuditMonth(month=month, imported_at=SET_UP))
        await session.flush()
        for key, person in people.items():
            session.add(Conversation(conversation_id=chat(key), tenant_id=act.TENANT, service_url=fake.url,
                                     bot_id=act.BOT_ID, user_id=act.user_id(key), aad_object_id=f"aad-{key}",
                                     person_id=person.id, reference={}, installed_at=SET_UP))
        desk.ids = {key: p.id for key, p in people.items()}
        for ref, at in cases.items():
            allocation = Allocation(month=month, case_ref=ref, annex_a_list="List 6",
                                    service_area=(areas or {}).get(ref, AREA),
                                    team="Team Alpha", theme="", auditor_id=people["ann"].id,
                                    case_holder_id=people["pat"].id, state="submitted", started_at=at,
                                    submitted_at=at, created_at=SET_UP, updated_at=at)
            session.add(allocation)
            await session.flush()
            session.add(Audit(allocation_id=allocation.id, overall_grade=grade,
                              key_areas={a: grade for a in KEY_AREAS}, strengths="Visits were on time",
                              improvements="Plan drifted for months", submitted_at=at,
                              submitted_by_id=people["ann"].id, updated_at=at))
            desk.ids[ref] = allocation.id
    return desk


def shown(body: dict) -> str:
    return json.dumps(body["value"], ensure_ascii=False)


async def confirm_oversight(desk: Desk, case_ref: str, at: datetime, by: str = "sam",
                            grade: str = "Requires Improvement") -> None:
    """The case's audit graded `grade`, its oversight confirmed by `by` at `at`."""
    async with desk.db.sessions.begin() as session:
        allocation = await session.get(Allocation, desk.ids[case_ref])
        audit = (await session.execute(select(Audit).where(Audit.allocation_id == allocation.id))).scalar_one()
        audit.overall_grade = grade
        allocation.state, allocation.oversight_at, allocation.oversight_by_id = "oversight_confirmed", at, desk.ids[by]
