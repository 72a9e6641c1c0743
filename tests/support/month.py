"""A served bot, the fake Bot Connector and a small council through the audit cycle's months:
the people, December 2026's and January 2027's allocations, and `Month`, which moves the clock,
ticks, presses buttons and says what each chat received. Used by tests/test_month_end_to_end.py
(issue 3's acceptance test), the JSON logs' month (tests/test_logs.py) and the restore drill
(tests/test_backup.py)."""
from __future__ import annotations

import asyncio
import csv
import json
import os
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.clock import fixed_clock
from bot.tick import tick
from dialogs import card_tree
from dialogs.audit_cards import Verb
from qa.roster import COLUMNS as ROSTER_COLUMNS
from storage.allocations import import_allocations
from storage.models import Allocation, OutboxMessage, Person
from storage.roster import import_roster
from tests.support import activities as act
from tests.support.audit_cycle import utc
from tests.support.cards import form, put_cards

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "council.gov.uk"
CARD = "application/vnd.microsoft.card.adaptive"

# key -> (role, team, service areas, supervisor key)
ROSTER = {
    "quinn": ("qa_unit", "Quality Assurance Unit", "", None),
    "dee": ("deputy_director", "Directorate", "North;South", None),
    "hana": ("head_of_service", "North leadership", "North", "dee"),
    "sam": ("service_lead", "North leadership", "North", "hana"),
    "mo": ("practice_manager", "North Team 1", "North", "sam"),  # audits on time; one confirmed, one not
    "meg": ("practice_manager", "North Team 2", "North", "sam"),  # audits late
    "max": ("practice_manager", "North Team 3", "North", "sam"),  # never installs the app
    "pat": ("practitioner", "North Team 1", "North", "mo"),
    "pia": ("practitioner", "North Team 2", "North", "meg"),
}
NEVER_INSTALLS = "max"
# case ref -> (auditor, case holder, annex A list, theme)
DECEMBER = {"CR-1001": ("mo", "pat", "List 8", "Neglect"), "CR-1002": ("mo", "pia", "List 6", ""),
            "CR-1003": ("meg", "pat", "List 8", "Neglect"), "CR-1004": ("max", "pia", "List 8", "")}
JANUARY = {"CR-2001": ("mo", "pat", "List 8", ""), "CR-2002": ("mo", "pia", "List 6", "Domestic abuse"),
           "CR-2003": ("meg", "pat", "List 8", ""), "CR-2004": ("max", "pia", "List 6", "")}
ALLOCATION_COLUMNS = ("case_ref", "annex_a_list", "service_area", "team", "auditor_email", "case_holder_email",
                      "theme")


def email(key: str) -> str:
    return f"{key}@{DOMAIN}"


def aad(key: str) -> str:
    return f"00000000-0000-4000-8000-{list(ROSTER).index(key) + 1:012d}"


def name(key: str) -> str:
    return f"{key.title()} Example"


def write_roster(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=ROSTER_COLUMNS)
        writer.writeheader()
        for key, (role, team, areas, supervisor) in ROSTER.items():
            writer.writerow({"email": email(key), "display_name": name(key), "role": role, "team": team,
                             "service_area": areas, "supervisor_email": email(supervisor) if supervisor else "",
                             "asye_start_date": "", "registered": "yes", "aad_object_id": aad(key)})
    return path


def write_allocations(path: Path, cases: dict[str, tuple[str, str, str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(ALLOCATION_COLUMNS)
        for ref, (auditor, holder, annex, theme) in cases.items():
            writer.writerow([ref, annex, "North", ROSTER[holder][1], email(auditor), email(holder), theme])
    return path


def headings(call) -> list[str]:
    """The heading lines of a message as its reader sees them: a digest's first, then each notice's."""
    found = [node["text"] for node in card_tree.nodes(call.cards)
             if node.get("type") == "TextBlock" and node.get("style") == "heading"]
    return found or [call.text]


Seen = dict[str, list[list[str]]]  # person key -> the headings of each message their chat received


@dataclass
class Month:
    """The served app, the fake Bot Connector and the people; a step returns what each chat received."""

    client: Any
    fake: Any
    services: Any
    ids: dict[str, int] = field(default_factory=dict)
    mark: int = 0  # fake_connector calls already looked at
    log: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (step, chat, headings), all steps

    @property
    def db(self):
        return self.services.db

    def at(self, now: datetime) -> None:
        self.services.clock = fixed_clock(now)

    def received(self, step: str) -> Seen:
        """Messages posted since the last step, per chat (by person key); updates in place excluded."""
        calls = self.fake.calls[self.mark:]
        self.mark = len(self.fake.calls)
        owners = {act.personal_conversation_id(k): k for k in ROSTER}
        seen: Seen = {}
        for call in calls:
            if call.method == "POST" and "/activities" in call.path and call.status < 300:
                seen.setdefault(owners[call.conversation_id], []).append(headings(call))
                self.log.append((step, call.conversation_id, headings(call)))
        return seen

    async def tick(self, now: datetime, *, several: frozenset[str] = frozenset()) -> Seen:
        """One tick at `now`: what each chat received. Each person gets one message (a digest),
        except those in `several` (a card written while sending, e.g. the QA unit's unreached auditors)."""
        self.at(now)
        report = await tick(self.services, now, wait_retries=0)
        assert report.sweep.failed == [] and not report.sweep.skipped_locked
        seen = self.received(f"tick {now:%Y-%m-%d %H:%M}")
        assert all(len(messages) == 1 for key, messages in seen.items() if key not in several), seen  # one a tick
        return seen

    async def post(self, activity: dict, status: int = 200) -> dict:
        resp = await self.client.post("/api/messages", json=activity)
        assert resp.status == status, await resp.text()
        return await resp.json() if resp.content_type == "application/json" else {}

    async def press(self, key: str, verb: str, data: dict, reply_to: str, at: datetime) -> dict:
        """`key` presses a button on the message `reply_to` at `at`; the invoke's answer."""
        self.at(at)
        activity = act.card_action(key, verb, data, service_url=self.fake.url, aad=aad(key), name=name(key))
        activity["replyToId"] = reply_to
        body = await self.post(activity)
        assert body["statusCode"] == 200, body
        return body

    async def sent_id(self, kind: str, key: str, case_ref: str | None = None) -> str:
        """The Teams id of the message that carried `kind` to `key` (what a client would reply to)."""
        async with self.db.sessions() as session:
            rows = (await session.execute(select(OutboxMessage).where(
                OutboxMessage.kind == kind, OutboxMessage.person_id == self.ids[key],
                OutboxMessage.state == "sent").order_by(OutboxMessage.id))).scalars().all()
        rows = [r for r in rows if case_ref is None or case_ref in json.dumps(r.payload)]
        assert len(rows) == 1 and rows[0].activity_id, f"{kind} to {key}: {rows}"
        return rows[0].activity_id

    def last_posted_id(self) -> str:
        """The id of the message the bot posted last: the fake numbers what it accepts activity-1, 2, ..."""
        return f"activity-{len(self.fake.delivered())}"

    async def allocation(self, case_ref: str) -> Allocation:
        async with self.db.sessions() as session:
            found = (await session.execute(select(Allocation).where(Allocation.case_ref == case_ref))).scalar_one()
            await session.refresh(found, ["audit"])
            return found

    async def audit_case(self, key: str, case_ref: str, notice_id: str, at: datetime) -> None:
        """Start from the allocation notice (updated in place), then submit the form (updated in place)."""
        allocation_id = (await self.allocation(case_ref)).id
        started = await self.press(key, Verb.AUDIT_START, {"allocation_id": allocation_id}, notice_id, at)
        assert started["type"] == CARD and put_cards(self.fake, notice_id)[-1] == started["value"]
        assert f"Audit started by {name(key)}" in json.dumps(started["value"])
        assert self.received(f"{key} starts {case_ref}") == {key: [[f"Audit: case {case_ref}"]]}  # the form
        form_id = self.last_posted_id()
        submitted = await self.press(key, Verb.AUDIT_SUBMIT, form(allocation_id), form_id, at)
        assert put_cards(self.fake, form_id) == [submitted["value"]]
        assert f"Audit submitted by {name(key)}" in json.dumps(submitted["value"])
        assert self.received(f"{key} submits {case_ref}") == {}
        assert (await self.allocation(case_ref)).state == "submitted"


async def run_tick_cli(db_url: str, now: datetime) -> str:
    """`python -m bot tick --now ...` in a subprocess on the same database; its stdout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("Microsoft", "MICROSOFT", "QA_"))}
    env |= {"DATABASE_URL": db_url, "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "tick", "--now", now.isoformat(), "--wait-retries", "0", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode == 0, err.decode()[-3000:]
    return out.decode()


async def start_month(services, fake_connector, bot_client, tmp_path) -> Month:
    """The roster imported, everyone but Max installed and welcomed, both months' allocations
    imported (tests/conftest.py's `month` fixture)."""
    m = Month(bot_client, fake_connector, services)
    report = await import_roster(services.db, write_roster(tmp_path / "roster.csv"), utc(2026, 11, 20, 12))
    assert report.added == len(ROSTER)
    async with services.db.sessions() as session:
        m.ids = {p.email.split("@")[0]: p.id for p in (await session.execute(select(Person))).scalars()}
    m.at(utc(2026, 11, 23, 10))
    for key in ROSTER:
        if key != NEVER_INSTALLS:
            await m.post(act.installation_add(key, service_url=fake_connector.url, aad=aad(key), name=name(key)), 201)
    welcomed = m.received("installs")
    assert sorted(welcomed) == sorted(k for k in ROSTER if k != NEVER_INSTALLS)
    assert all(len(messages) == 1 for messages in welcomed.values())
    for month_key, cases, at in (("2026-12", DECEMBER, utc(2026, 11, 25, 14)), ("2027-01", JANUARY, utc(2026, 12, 18, 14))):
        imported = await import_allocations(services.db, write_allocations(tmp_path / f"{month_key}.csv", cases),
                                            month_key, at, actor_id=m.ids["quinn"], via="test:allocations import")
        assert imported.added == len(cases)
    return m
