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

import asyncio
import csv
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import fixed_clock
from bot.tick import tick
from capabilities.audit_cycle import flow
from dialogs import card_tree
from dialogs.audit_cards import Verb
from qa.roster import COLUMNS as ROSTER_COLUMNS
from storage.allocations import import_allocations
from storage.models import Allocation, OutboxMessage, Person
from storage.roster import import_roster
from tests.support import activities as act
from tests.support.audit_cycle import utc
from tests.support.cards import buttons, form, put_cards

ROOT = Path(__file__).resolve().parents[1]
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

    async def tick(self, now: datetime) -> Seen:
        self.at(now)
        report = await tick(self.services, now, wait_retries=0)
        assert report.sweep.failed == [] and not report.sweep.skipped_locked
        seen = self.received(f"tick {now:%Y-%m-%d %H:%M}")
        assert all(len(messages) == 1 for messages in seen.values()), seen  # one message a person a tick
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


@pytest.fixture
async def month(services, fake_connector, bot_client, tmp_path) -> Month:
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


async def test_december_and_january_as_each_chat_sees_them(month: Month, db):
    m = month
    # -- before the 3rd: nothing ----------------------------------------------------------------
    assert await m.tick(utc(2026, 12, 2, 12)) == {}
    assert await m.tick(utc(2026, 12, 3, 8, 59)) == {}

    # -- Thursday 3 December 09:00: one notice per auditor, every case, the deadline; Max to the QA unit
    dec3 = utc(2026, 12, 3, 9)
    assert await m.tick(dec3) == {"mo": [["Your audit allocation for December 2026"]],
                                  "meg": [["Your audit allocation for December 2026"]],
                                  "quinn": [["Allocations not delivered: December 2026"]]}
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

    # -- Sam confirms oversight in place; Mo is asked to upload, says it is uploaded: complete
    request_id = await m.sent_id(flow.OVERSIGHT_REQUEST, "sam", "CR-1001")
    audit_id = (await m.allocation("CR-1001")).audit.id
    confirmed = await m.press("sam", Verb.OVERSIGHT_CONFIRM, {"audit_id": audit_id}, request_id, utc(2026, 12, 16, 10))
    assert put_cards(m.fake, request_id) == [confirmed["value"]]
    assert "Oversight confirmed by Sam Example" in json.dumps(confirmed["value"])
    assert m.received("sam confirms") == {}
    assert await m.tick(utc(2026, 12, 16, 10)) == {"mo": [["Upload the audit: case CR-1001"]]}
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
    assert await m.tick(utc(2027, 1, 4, 9)) == {"mo": [["Your audit allocation for January 2027"]],
                                                 "meg": [["Your audit allocation for January 2027"]],
                                                 # and December's good-practice list (issue 10)
                                                 "quinn": [["You have 2 updates", "Allocations not delivered: January 2027",
                                                            "Good practice: December 2026"]]}
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
    assert sent_to[act.personal_conversation_id("pat")] == sent_to[act.personal_conversation_id("pia")] == 1


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
