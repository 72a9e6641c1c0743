"""Safeguarding ownership's test desk: the served app, the fake Bot Connector, a roster with personal
chats (the case's practice manager, the area's service lead, head of service and deputy director, the
QA unit), the out-of-hours channel's conversation, and one allocation started by Ann, submitted
through HTTP."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from capabilities.audit_cycle import flow
from capabilities.audit_cycle import safeguarding as sg
from capabilities.context import Context
from capabilities.kit import Status
from dialogs import audit_cards as ac
from qa.calendar import WorkingCalendar
from qa.framework import KEY_AREAS
from storage.models import Allocation, AuditMonth, Conversation, OutboxMessage, Person
from tests.support import activities as act
from tests.support.escalations import SET_UP, Desk, chat, name

AREA = "Children in Need"
CHANNEL = act.channel_id("edt", "general")  # the Emergency Duty Team's channel
CONFIG = sg.SafeguardingSettings(channel=CHANNEL)
PEOPLE = {  # key -> (role, team, service areas)
    "ann": ("practice_manager", "Team Gamma", AREA),  # the auditor
    "pat": ("practitioner", "Team Alpha", AREA),  # the case holder
    "pam": ("practice_manager", "Team Alpha", AREA),  # manages the case's team
    "sam": ("service_lead", "", AREA),
    "hana": ("head_of_service", "", f"{AREA}; Child Protection"),
    "dee": ("deputy_director", "", f"Child Protection; {AREA}"),
    "cal": ("service_lead", "", "Child Protection"),  # another area: never sent it
    "quinn": ("qa_unit", "QA Unit", ""),
    "eddie": ("practitioner", "Emergency Duty Team", "Out of Hours"),
}


def form(**changes: str) -> dict:
    """The audit form's inputs as Teams sends them, with an immediate safeguarding concern."""
    return {ac.OVERALL_GRADE: "Requires Improvement", **{ac.key_area_input_id(a): "Good" for a in KEY_AREAS},
            ac.STRENGTHS: "The plan was clear", ac.IMPROVEMENTS: "Visits could be timelier",
            ac.DISCUSSION_HELD: "true", ac.SEEK_FAMILY_VIEWS: "false", ac.SAFEGUARDING_CONCERN: "true",
            ac.SAFEGUARDING_DESCRIPTION: "Unexplained bruising seen on the last visit", **changes}


@dataclass
class ConcernDesk(Desk):
    def received(self) -> dict[str, list[str]]:
        """New messages posted since the last look, per person key (or "channel"): each card's first line."""
        calls = self.fake.calls[self.mark:]
        self.mark = len(self.fake.calls)
        owners = {chat(k): k for k in PEOPLE} | {CHANNEL: "channel"}
        seen: dict[str, list[str]] = {}
        for call in calls:
            if call.method == "POST" and "/activities" in call.path and call.status < 300 and call.cards:
                for card in call.cards:
                    first = card["body"][0]
                    line = first["items"][0]["text"] if first.get("type") == "Container" else first.get("text", "")
                    seen.setdefault(owners.get(call.conversation_id, call.conversation_id), []).append(line)
        return seen

    async def press_in_channel(self, key: str, verb: str, data: dict, card_activity: str, at: datetime) -> dict:
        """`key` presses a button on the card the bot posted to the out-of-hours channel (its own thread)."""
        self.at(at)
        activity = act.channel_card_action("edt", key, verb, data, service_url=self.fake.url, aad=f"aad-{key}")
        activity["conversation"]["id"] = f"{CHANNEL};messageid={card_activity}"
        activity["replyToId"] = card_activity
        resp = await self.client.post("/api/messages", json=activity)
        assert resp.status == 200, await resp.text()
        return await resp.json()

    async def submit(self, at: datetime) -> None:
        """Ann submits the case's audit with a safeguarding concern, pressing Submit on the form."""
        await self.press("ann", ac.Verb.AUDIT_SUBMIT, {"allocation_id": self.ids["case"], **form()}, "form", at)


async def set_up(services, fake, client, *, started: datetime) -> ConcernDesk:
    """The people with their chats, the out-of-hours channel, and the December case started by Ann."""
    desk = ConcernDesk(client, fake, services)
    async with services.db.sessions.begin() as session:
        people = {key: Person(email=f"{key}@council.gov.uk", display_name=name(key), role=role, team=team,
                              service_area=areas, aad_object_id=f"aad-{key}", created_at=SET_UP, updated_at=SET_UP)
                  for key, (role, team, areas) in PEOPLE.items()}
        session.add_all(people.values())
        session.add(AuditMonth(month="2026-12", imported_at=SET_UP))
        await session.flush()
        for key, person in people.items():
            session.add(Conversation(conversation_id=chat(key), tenant_id=act.TENANT, service_url=fake.url,
                                     bot_id=act.BOT_ID, user_id=act.user_id(key), aad_object_id=f"aad-{key}",
                                     person_id=person.id, reference={}, installed_at=SET_UP))
        session.add(Conversation(conversation_id=CHANNEL, tenant_id=act.TENANT, service_url=fake.url,
                                 bot_id=act.BOT_ID, user_id="", reference={}, installed_at=SET_UP))
        allocation = Allocation(month="2026-12", case_ref="CR-1001", annex_a_list="List 6", service_area=AREA,
                                team="Team Alpha", theme="", auditor_id=people["ann"].id,
                                case_holder_id=people["pat"].id, state="allocated", created_at=SET_UP,
                                updated_at=SET_UP)
        session.add(allocation)
        await session.flush()
        desk.ids = {key: p.id for key, p in people.items()} | {"case": allocation.id}
    ctx = Context(services.db, services.context.calendar, lambda: started)
    await flow.start_audit(ctx, desk.ids["ann"], desk.ids["case"], now=started, via="test")
    return desk


def text_of(card: dict) -> str:
    return json.dumps(card, ensure_ascii=False)


# -- straight to the use cases (no HTTP) -----------------------------------------------------------------

CAL = WorkingCalendar(tz=ZoneInfo("Europe/London"))


@pytest.fixture
async def world(db) -> dict[str, int]:
    """The people (PEOPLE) and the December case ("case"), started by Ann."""
    async with db.sessions.begin() as session:
        people = {key: Person(email=f"{key}@council.gov.uk", display_name=name(key), role=role, team=team,
                              service_area=areas, created_at=SET_UP, updated_at=SET_UP)
                  for key, (role, team, areas) in PEOPLE.items()}
        session.add_all(people.values())
        session.add(AuditMonth(month="2026-12", imported_at=SET_UP))
        await session.flush()
        allocation = Allocation(month="2026-12", case_ref="CR-1001", annex_a_list="List 6", service_area=AREA,
                                team="Team Alpha", theme="", auditor_id=people["ann"].id,
                                case_holder_id=people["pat"].id, state="allocated", created_at=SET_UP,
                                updated_at=SET_UP)
        session.add(allocation)
        await session.flush()
        return {key: p.id for key, p in people.items()} | {"case": allocation.id}


def ctx(db) -> Context:
    return Context(db, CAL, lambda: SET_UP)


def kw(now: datetime, via: str = "card:test") -> dict:
    return {"now": now, "via": via}


async def outbox(db, kind: str) -> list[OutboxMessage]:
    async with db.sessions() as session:
        return list((await session.execute(select(OutboxMessage).where(OutboxMessage.kind == kind)
                                           .order_by(OutboxMessage.id))).scalars())


async def submitted(db, w: dict[str, int], now: datetime) -> None:
    """Ann starts and submits the case's audit at `now`, with a safeguarding concern."""
    await flow.start_audit(ctx(db), w["ann"], w["case"], **kw(now))
    outcome = await flow.submit_audit(ctx(db), w["ann"], w["case"], form(), **kw(now))
    assert outcome.status == Status.DONE, outcome
