"""Where a month's audits have got to (counts per service area, `python -m bot cycle status`),
what awaits one person, and the chat commands `my audits`, `oversight` and `cycle`."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import update

from bot.clock import fixed_clock
from capabilities.audit_cycle import commands as cycle_commands
from capabilities.audit_cycle.registration import CAPABILITY as AUDIT_CYCLE
from capabilities.audit_cycle.views import awaiting_oversight_for, cycle_status, open_allocations_for
from capabilities.registry import Said
from qa.calendar import WorkingCalendar
from storage.models import Allocation, Person
from tests.support import activities as act
from tests.support.audit_cycle import DECEMBER, Case, add_roster, allocate, set_state, submit, utc
from tests.support.card_validator import run_validator
from tests.support.cards import signatures
from tests.support.cli import run_cli

CAL = WorkingCalendar()
DEC = "2026-12"

# case ref -> (service area, state it has reached)
STATES = {
    "CR-1": ("North", "allocated"), "CR-2": ("North", "started"), "CR-3": ("North", "submitted"),
    "CR-4": ("North", "disputed"), "CR-5": ("North", "complete"), "CR-6": ("North", "declined"),
    "CR-7": ("North", "oversight_confirmed"), "CR-8": ("South", "allocated"), "CR-9": ("South", "submitted"),
}
SUBMITTED_STATES = {"submitted", "disputed", "complete", "oversight_confirmed"}


async def month_of_states(db, month: str = DEC) -> dict[str, int]:
    people = await add_roster(db)
    await allocate(db, people, month, [Case(ref, "Mo", "Pat", area=area) for ref, (area, _) in STATES.items()])
    for ref, (_, state) in STATES.items():
        if state in SUBMITTED_STATES:
            await submit(db, ref, utc(2026, 12, 20, 10), state=state)
        elif state != "allocated":
            await set_state(db, ref, state)
    return people


def figures(row) -> dict[str, int]:
    return {name: getattr(row, name) for name in ("allocated", "started", "submitted", "overdue",
                                                  "awaiting_oversight", "disputed", "complete")}


async def test_counts_per_service_area_before_and_after_the_deadline(db):
    people = await month_of_states(db)
    await allocate(db, people, "2027-01", [Case("CR-99", "Meg", "Pat")])  # another month: not counted
    async with db.sessions.begin() as session:  # a draft begun from an allocated case counts as started
        await session.execute(update(Allocation).where(Allocation.case_ref == "CR-8")
                              .values(started_at=utc(2026, 12, 18)))

    before = await cycle_status(db, DEC, utc(2026, 12, 24, 17), CAL)  # the deadline day itself
    assert [r.service_area for r in before.rows] == ["North", "South"]
    assert figures(before.rows[0]) == {"allocated": 7, "started": 1, "submitted": 4, "overdue": 0,
                                       "awaiting_oversight": 1, "disputed": 1, "complete": 1}
    assert figures(before.rows[1]) == {"allocated": 2, "started": 1, "submitted": 1, "overdue": 0,
                                       "awaiting_oversight": 1, "disputed": 0, "complete": 0}

    after = await cycle_status(db, DEC, utc(2026, 12, 29, 9), CAL)
    assert after.rows[0].overdue == 3  # allocated, started and declined: none submitted
    assert after.rows[1].overdue == 1
    assert figures(after.total) == {"allocated": 9, "started": 2, "submitted": 5, "overdue": 4,
                                    "awaiting_oversight": 2, "disputed": 1, "complete": 1}
    table = after.describe()
    assert "audit cycle 2026-12" in table and "awaiting oversight" in table
    north = next(line for line in table.splitlines() if line.startswith("North"))
    assert north.split() == ["North", "7", "1", "4", "3", "1", "1", "1"]
    total = next(line for line in table.splitlines() if line.startswith("All service areas"))
    assert total.split()[-7:] == ["9", "2", "5", "4", "2", "1", "1"]


async def test_an_empty_month_and_a_bad_month(db):
    status = await cycle_status(db, DEC, utc(2026, 12, 10), CAL)
    assert status.rows == [] and status.describe() == "no allocations for 2026-12"
    with pytest.raises(ValueError):
        await cycle_status(db, "2026-13", utc(2026, 12, 10), CAL)


async def test_cli_prints_the_table(db):
    await month_of_states(db, "2020-03")  # long past: its deadline has gone, whatever today is
    code, out, err = await run_cli(db, "cycle", "status", "--month", "2020-03")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("audit cycle 2020-03, as of ")
    assert lines[1].split()[:3] == ["service", "area", "allocated"]
    assert [line.split() for line in lines if line.startswith(("North", "South"))] == [
        ["North", "7", "1", "4", "3", "1", "1", "1"], ["South", "2", "0", "1", "1", "1", "0", "0"]]

    code, out, err = await run_cli(db, "cycle", "status", "--month", "2020-04")
    assert (code, out.strip()) == (0, "no allocations for 2020-04")
    code, out, err = await run_cli(db, "cycle", "status", "--month", "March")
    assert code == 1 and out == "" and "2026-12" in err and "Traceback" not in err


# -- what awaits one person -----------------------------------------------------------------

async def test_open_allocations_and_awaiting_oversight_for_one_person(db):
    people = await add_roster(db)
    await allocate(db, people, DEC, DECEMBER)
    await allocate(db, people, "2027-01", [Case("CR-5001", "Mo", "Pat")])
    audit_id = await submit(db, "CR-1003", utc(2026, 12, 15, 14), safeguarding=True)
    await set_state(db, "CR-1004", "declined")
    async with db.sessions() as session:
        mo = await open_allocations_for(session, people["Mo"], CAL)
        max_ = await open_allocations_for(session, people["Max"], CAL)
        sam = await session.get(Person, people["Sam"])
        queue = await awaiting_oversight_for(session, sam, CAL)
        mo_person = await session.get(Person, people["Mo"])
        nothing = await awaiting_oversight_for(session, await session.get(Person, people["Quinn"]), CAL)
    assert [(v.case_ref, v.deadline.isoformat()) for v in mo] == [
        ("CR-1001", "2026-12-24"), ("CR-1002", "2026-12-24"), ("CR-5001", "2027-01-28")]
    assert mo[0].case_holder_name == "Pat Example" and mo[0].annex_a_list == "List 8" and not mo[0].started
    assert max_ == []  # declined: waiting for the QA unit, not an open audit
    assert [(i.audit_id, i.case_ref, i.auditor_name, i.safeguarding_concern) for i in queue.items] == [
        (audit_id, "CR-1003", "Meg Example", True)]
    assert queue.oversight_due.isoformat() == "2027-01-06"
    assert queue.items[0].submitted_on.isoformat() == "2026-12-15"
    assert nothing.items == [] and nothing.oversight_due is None
    assert mo_person.role == "practice_manager"


# -- the chat commands ------------------------------------------------------------------------

async def person(services, people, name) -> Person:
    async with services.db.sessions() as session:
        return await session.get(Person, people[name])


def said(services, person, now) -> Said:
    return Said(services.context, person, now)


async def test_commands_answer_each_role(services):
    people = await add_roster(services.db)
    await allocate(services.db, people, DEC, DECEMBER)
    await submit(services.db, "CR-1003", utc(2026, 12, 15, 14))
    now = utc(2026, 12, 29, 10)

    mine = await cycle_commands.my_audits(said(services, await person(services, people, "Mo"), now))
    assert "CR-1001" in json.dumps(mine.card) and "CR-1003" not in json.dumps(mine.card)
    assert "2 open audits" in mine.summary
    none = await cycle_commands.my_audits(said(services, await person(services, people, "Meg"), now))
    assert "no open audits" in json.dumps(none.card)
    stranger = await cycle_commands.my_audits(said(services, None, now))
    assert "roster" in stranger.summary

    sam = await cycle_commands.oversight(said(services, await person(services, people, "Sam"), now))
    assert "CR-1003" in json.dumps(sam.card) and "Wednesday 6 January 2027" in json.dumps(sam.card)
    mo_asks = await cycle_commands.oversight(said(services, await person(services, people, "Mo"), now))
    assert "for service leads" in mo_asks.summary and "CR-1003" not in json.dumps(mo_asks.card)

    quinn = await cycle_commands.cycle_status(said(services, await person(services, people, "Quinn"), now))
    text = json.dumps(quinn.card)
    assert "December 2026" in text and "Overdue 3" in text and "Awaiting oversight 1" in text
    assert "3 overdue" in quinn.summary
    for name in ("Mo", "Sam"):
        refused = await cycle_commands.cycle_status(said(services, await person(services, people, name), now))
        assert "for the QA unit" in refused.summary and "Overdue" not in json.dumps(refused.card)
    # Early January, before January's list is in: still December's figures.
    early = await cycle_commands.cycle_status(said(services, await person(services, people, "Quinn"), utc(2027, 1, 2, 10)))
    assert "December 2026" in early.summary


async def test_typed_commands_reach_the_cycle_commands(bot_client, services, fake_connector):
    people = await add_roster(services.db)
    await allocate(services.db, people, DEC, DECEMBER)
    async with services.db.sessions.begin() as session:
        for name in ("Mo", "Quinn"):
            await session.execute(update(Person).where(Person.id == people[name]).values(aad_object_id=f"aad-{name}".lower()))  # as the roster import stores it
    services.clock = fixed_clock(utc(2026, 12, 10, 10))

    async def ask(key: str, text: str):
        return await ask_typed(bot_client, fake_connector, key, text)

    reply = await ask("Mo", "My audits")
    assert "CR-1001" in reply.all_text() and "CR-1002" in reply.all_text() and reply.text
    reply = await ask("Mo", "cycle")
    assert "for the QA unit" in reply.all_text()
    reply = await ask("Quinn", "<at>QA Bot</at> cycle status")
    assert "December 2026" in reply.all_text() and "Allocated 4" in reply.all_text()
    reply = await ask("Quinn", "oversight")
    assert "for service leads" in reply.all_text()


async def test_command_cards_pass_microsofts_parser(services):
    people = await add_roster(services.db)
    await allocate(services.db, people, DEC, DECEMBER)
    await submit(services.db, "CR-1003", utc(2026, 12, 15, 14))
    now = utc(2026, 12, 29, 10)
    cards = []
    for name in ("Mo", "Meg", "Sam", "Quinn"):
        who = await person(services, people, name)
        for command in AUDIT_CYCLE.commands:
            cards.append({"name": f"{command.name}:{name}", "card": (await command.handle(said(services, who, now))).card})
    cards.append({"name": "stranger", "card": (await cycle_commands.my_audits(said(services, None, now))).card})
    rc, report, stderr = run_validator(cards)
    assert report is not None, stderr
    assert {c["name"]: c["problems"] for c in report["cards"] if c["problems"]} == {}
    assert rc == 0


async def test_the_cycle_cards_refresh_button_rereads_the_figures_for_the_qa_unit_only(bot_client, services,
                                                                                    fake_connector):
    people = await add_roster(services.db)
    await allocate(services.db, people, DEC, DECEMBER)
    async with services.db.sessions.begin() as session:
        for name in ("Mo", "Quinn"):
            await session.execute(update(Person).where(Person.id == people[name]).values(aad_object_id=f"aad-{name}".lower()))
    services.clock = fixed_clock(utc(2026, 12, 10, 10))

    async def press(key: str, data: dict) -> dict:
        resp = await bot_client.post("/api/messages", json=act.card_action(
            key, "cycle.status", data, service_url=fake_connector.url, aad=f"aad-{key}"))
        assert resp.status == 200
        return await resp.json()

    first = await ask_typed(bot_client, fake_connector, "Quinn", "cycle")
    [card] = first.cards
    refresh = [a for a in card["actions"] if a.get("verb") == "cycle.status"]
    assert refresh and {k: v for k, v in refresh[0]["data"].items() if not k.startswith("_")} == {"month": DEC}
    assert signatures(card) == [True]  # the bot signed the button's data
    await submit(services.db, "CR-1003", utc(2026, 12, 10, 11))
    services.clock = fixed_clock(utc(2026, 12, 10, 12))
    body = await press("Quinn", refresh[0]["data"])
    assert body["statusCode"] == 200
    text = json.dumps(body["value"])
    assert "Submitted 1" in text and "12:00" in text
    assert [u.activity_id for u in fake_connector.updates()] == ["1:card-message"]  # the card pressed, in place
    refused = await press("Mo", {"month": DEC})
    assert "for the QA unit" in json.dumps(refused["value"]) and "Submitted" not in json.dumps(refused["value"])
    unreadable = await press("Quinn", {"month": "December"})
    assert "couldn't read" in json.dumps(unreadable["value"])


async def ask_typed(bot_client, fake_connector, key: str, text: str):
    fake_connector.clear()
    resp = await bot_client.post("/api/messages", json=act.message(key, text, service_url=fake_connector.url,
                                                                   aad=f"aad-{key}"))
    assert resp.status == 201
    [reply] = fake_connector.delivered(act.personal_conversation_id(key))
    return reply
