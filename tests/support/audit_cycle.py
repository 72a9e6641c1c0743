"""A small roster and a month of allocations, written straight to the database, for the audit
cycle's duty and status tests (no import, no Teams)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select, update

from qa.calendar import WorkingCalendar
from storage.allocations import owe_late_notices
from storage.db import Database
from storage.models import Allocation, Audit, AuditMonth, Conversation, OutboxMessage, Person

SET_UP = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
DOMAIN = "council.gov.uk"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


# name -> (role, service areas, supervisor name, reachable: True | False (uninstalled) | None (never installed))
ROSTER = {
    "Quinn": ("qa_unit", "", None, True),
    "Dee": ("deputy_director", "North;South", None, True),
    "Hana": ("head_of_service", "North; East", "Dee", True),
    "Sam": ("service_lead", "North", "Hana", True),
    "Mo": ("practice_manager", "North", "Sam", True),
    "Meg": ("practice_manager", "North", "Sam", True),
    "Max": ("practice_manager", "North", "Sam", False),
    "Pat": ("practitioner", "North", "Mo", True),
    "Pia": ("practitioner", "North", "Meg", None),
}


async def add_roster(db: Database, roster: dict = ROSTER) -> dict[str, int]:
    """The people (and their personal chats); returns name -> person id."""
    async with db.sessions.begin() as session:
        people = {}
        for name, (role, areas, supervisor, _) in roster.items():
            people[name] = Person(email=f"{name.lower()}@{DOMAIN}", display_name=f"{name} Example", role=role,
                                  team=f"{name} team", service_area=areas,
                                  supervisor_email=f"{supervisor.lower()}@{DOMAIN}" if supervisor else None,
                                  created_at=SET_UP, updated_at=SET_UP)
        session.add_all(people.values())
        await session.flush()
        for name, (*_, reachable) in roster.items():
            if reachable is None:
                continue
            session.add(Conversation(
                conversation_id=f"a:chat-{name}", tenant_id="tenant", service_url="https://smba.example/",
                bot_id="28:bot", user_id=f"29:{name}", reference={}, installed_at=SET_UP,
                person_id=people[name].id, unreachable_at=None if reachable else SET_UP,
                unreachable_reason=None if reachable else "uninstalled"))
        return {name: person.id for name, person in people.items()}


@dataclass(frozen=True)
class Case:
    case_ref: str
    auditor: str
    holder: str | None
    area: str = "North"
    team: str = "North Team 1"
    annex: str = "List 8"
    theme: str = "Neglect"


DECEMBER = [
    Case("CR-1001", "Mo", "Pat"),
    Case("CR-1002", "Mo", "Pia", annex="List 6", theme=""),
    Case("CR-1003", "Meg", "Pat", team="North Team 2"),
    Case("CR-1004", "Max", "Pia"),
]


async def allocate(db: Database, people: dict[str, int], month: str, cases: list[Case], *,
                   at: datetime = SET_UP, state: str = "allocated") -> dict[str, int]:
    """Allocation rows (and the month, if new); returns case ref -> allocation id. Written `at` after
    the month's notice moment, they owe a late notice, as the import's would."""
    async with db.sessions.begin() as session:
        if await session.get(AuditMonth, month) is None:
            session.add(AuditMonth(month=month, imported_at=at))
            await session.flush()
        rows = [Allocation(month=month, case_ref=c.case_ref, annex_a_list=c.annex, service_area=c.area, team=c.team,
                           theme=c.theme, auditor_id=people[c.auditor],
                           case_holder_id=people[c.holder] if c.holder else None, state=state,
                           created_at=at, updated_at=at) for c in cases]
        session.add_all(rows)
        await session.flush()
        await owe_late_notices(session, rows, at, WorkingCalendar())
        return {r.case_ref: r.id for r in rows}


async def submit(db: Database, case_ref: str, at: datetime, *, grade: str = "Good", state: str = "submitted",
                 safeguarding: bool = False) -> int:
    """The auditor submits (state may be moved on, e.g. to oversight_confirmed); returns the audit id."""
    async with db.sessions.begin() as session:
        allocation = (await session.execute(select(Allocation).where(Allocation.case_ref == case_ref))).scalar_one()
        allocation.state, allocation.submitted_at, allocation.started_at = state, at, at
        audit = Audit(allocation_id=allocation.id, overall_grade=grade, key_areas={}, submitted_at=at,
                      submitted_by_id=allocation.auditor_id, safeguarding_concern=safeguarding, updated_at=at)
        session.add(audit)
        await session.flush()
        return audit.id


async def set_state(db: Database, case_ref: str, state: str) -> None:
    async with db.sessions.begin() as session:
        await session.execute(update(Allocation).where(Allocation.case_ref == case_ref).values(state=state))


@dataclass(frozen=True)
class Row:
    key: str
    kind: str
    person_id: int | None
    due_at: datetime
    payload: dict

    @property
    def card_text(self) -> str:
        return json.dumps(self.payload.get("card"), ensure_ascii=False)


async def outbox_rows(db: Database) -> dict[str, Row]:
    async with db.sessions() as session:
        rows = (await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars()
        return {r.idempotency_key: Row(r.idempotency_key, r.kind, r.person_id, r.due_at, r.payload) for r in rows}


async def send_allocation_notices(db: Database, now: datetime) -> None:
    """What the sender does with the allocation notices due by `now` (bot/sender.py), without
    Teams: each is claimed, the audit cycle's reach hook asked about it (the QA unit told of an
    auditor with no chat: capabilities/audit_cycle/reach.py), then marked sent."""
    from capabilities.audit_cycle.reach import TellQaUnitOfUnreached

    async with db.sessions.begin() as session:
        due = (await session.execute(select(OutboxMessage).where(
            OutboxMessage.kind == "allocation-notice", OutboxMessage.state == "pending",
            OutboxMessage.due_at <= now))).scalars().all()
        people = sorted({row.person_id for row in due})
        for row in due:
            row.state = "sending"
    hook = TellQaUnitOfUnreached(None)
    for person_id in people:
        await hook(db, person_id, {"allocation-notice"}, now=now, wall_clock=lambda: now)
    async with db.sessions.begin() as session:
        await session.execute(update(OutboxMessage).where(OutboxMessage.kind == "allocation-notice",
                                                          OutboxMessage.state == "sending").values(state="sent"))
