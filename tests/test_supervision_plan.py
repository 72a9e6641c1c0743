"""Supervision's morning over the stored board, on both databases: nothing about leavers, extra digest lines
from another capability (observation action plans), a join date refusing earlier sessions, and the
`supervision status` and `supervision exempt` commands."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from capabilities.context import Context
from capabilities.duties import Occurrence
from capabilities.kit import Status
from capabilities.supervision import actions, flow
from capabilities.supervision.duties import SupervisionMorningDuty
from capabilities.supervision.plan import morning
from dialogs.supervision_cards import Line, LineKey, input_id, recorded_words
from qa.calendar import WorkingCalendar
from qa.supervision import LENGTH_NOT_RECORDED, Asye, one_to_one_due, one_to_one_length
from storage.models import OutboxMessage, Person
from storage.roster import import_roster
from storage.supervision import import_sessions, load_board
from tests.support.cli import run_cli
from tests.support.supervision import (
    ANA,
    BEN,
    PM,
    ROSTER_COLUMNS,
    SESSION_COLUMNS,
    at,
    roster_rows,
    write_csv,
    write_roster,
)

CAL = WorkingCalendar()
HISTORY = [[ANA, PM, "one_to_one", "2026-11-10", "90", ""], [BEN, PM, "one_to_one", "2026-11-10", "90", ""]]


@pytest.fixture
async def ids(db, tmp_path) -> dict[str, int]:
    # Everyone started the day the roster was imported: new starters.
    await import_roster(db, write_roster(tmp_path / "roster.csv", start_date="2026-11-02"), at("2026-11-02T09:00"))
    await import_sessions(db, write_csv(tmp_path / "h.csv", SESSION_COLUMNS, HISTORY), at("2026-11-30T12:00"), CAL.tz)
    async with db.sessions() as session:
        return {p.email: p.id for p in (await session.execute(select(Person))).scalars()}


async def test_nothing_is_sent_about_someone_who_left(db, ids, tmp_path):
    today = date(2026, 12, 7)  # both 1:1s due tomorrow
    async with db.sessions() as session:
        before = morning(await load_board(session, today, CAL.tz), today, CAL)
    assert {r.supervisee_id for r in before.reminders} == {ids[ANA]}  # Ben (ASYE, weekly) is overdue
    shown = [line.line for d in before.digests for b in d.view.blocks for line in b.lines]
    assert LineKey(ids[BEN], "one_to_one") in shown and LineKey(ids[ANA], "one_to_one") in shown
    rows = [r for r in roster_rows() if r["email"] != ANA]
    await import_roster(db, write_csv(tmp_path / "r2.csv", ROSTER_COLUMNS, rows), at("2026-12-04T09:00"))
    async with db.sessions() as session:
        after = morning(await load_board(session, today, CAL.tz), today, CAL)
    assert after.reminders == []
    shown = [line.line for d in after.digests for b in d.view.blocks for line in b.lines]
    assert LineKey(ids[BEN], "one_to_one") in shown and LineKey(ids[ANA], "one_to_one") not in shown


async def test_another_capability_adds_lines_to_a_supervisees_digest(db, ids):
    async def observations(session, board, day):
        return {ids[ANA]: [Line(LineKey.plan(ids[ANA], date(2026, 12, 2)), "one_to_one", None, "", recordable=False,
                                words="Review the observation action plan of Wednesday 2 December 2026")]}

    duty = SupervisionMorningDuty(CAL, extra=[observations])
    now = at("2026-12-07T09:00")
    [occurrence] = list(duty.occurrences(now))
    assert occurrence == Occurrence("2026-12-07", now)
    async with db.sessions.begin() as session:
        await duty.run(session, occurrence, now)
    async with db.sessions() as session:
        digests = (await session.execute(select(OutboxMessage).where(
            OutboxMessage.kind == "supervision-digest"))).scalars().all()
    [pia] = [d for d in digests if d.person_id == ids[PM]]
    assert "Review the observation action plan of Wednesday 2 December 2026" in str(pia.payload["card"])
    assert all("observation" not in str(d.payload["card"]) for d in digests if d is not pia)


async def test_a_session_before_joining_the_roster_is_refused(db, ids):
    ctx = Context(db, CAL, lambda: at("2026-12-07T10:00"))
    line = LineKey(ids[ANA], "one_to_one")
    outcome = await flow.record(ctx, ids[PM], line, actions.entry(line, {input_id("held", line): "2026-10-30",
                                                                         input_id("minutes", line): "90"}),
                                now=at("2026-12-07T10:00"), via="test")
    assert outcome.status == Status.INVALID
    assert "before they joined the service (start date 2026-11-02)" in outcome.message


async def test_status_and_exempt_commands(db, tmp_path):
    # The CLI reads the wall clock: last month, whenever this runs, is after these people joined.
    await import_roster(db, write_roster(tmp_path / "roster.csv"), at("2020-01-06T09:00"))
    await import_sessions(db, write_csv(tmp_path / "h.csv", SESSION_COLUMNS, HISTORY), at("2026-11-30T12:00"), CAL.tz)
    code, out, err = await run_cli(db, "supervision", "status", "--team", "North 1")
    assert code == 0, err
    assert "North 1 (Children & Families)" in out and "Supervisees: 3" in out
    code, out, err = await run_cli(db, "supervision", "status", "--team", "Nowhere")
    assert code != 0 and "no team with supervisees matches team Nowhere" in err
    code, out, err = await run_cli(db, "supervision", "exempt", "CR-1", "--by", PM)
    assert code != 0 and "is not an active service lead" in err


@pytest.mark.parametrize("minutes", ["inf", "nan", "ninety", "0", "601"])
async def test_a_duration_that_is_not_minutes_is_refused(db, ids, minutes):
    ctx = Context(db, CAL, lambda: at("2026-12-07T10:00"))
    line = LineKey(ids[ANA], "one_to_one")
    outcome = await flow.record(ctx, ids[PM], line, actions.entry(line, {input_id("held", line): "2026-12-07",
                                                                         input_id("minutes", line): minutes}),
                                now=at("2026-12-07T10:00"), via="test")
    assert (outcome.status, outcome.message) == (Status.INVALID,
                                                 "Give the duration in minutes, from 1 to 600, or leave it empty.")


async def test_a_session_without_its_duration_is_recorded_as_not_recorded(db, ids):
    ctx = Context(db, CAL, lambda: at("2026-12-07T10:00"))
    line = LineKey(ids[ANA], "one_to_one")
    outcome = await flow.record(ctx, ids[PM], line, actions.entry(line, {input_id("held", line): "2026-12-07",
                                                                         input_id("minutes", line): ""}),
                                now=at("2026-12-07T10:00"), via="test")
    assert outcome.status == Status.DONE and "duration not recorded" in recorded_words(outcome.recorded)
    async with db.sessions() as session:
        board = await load_board(session, date(2026, 12, 7), CAL.tz)
    facts = board.facts[ids[ANA]]
    assert facts.last_one_to_one_minutes is None
    assert one_to_one_length(facts) == LENGTH_NOT_RECORDED  # not counted as short


async def test_the_supervisor_moves_an_asye_to_four_weekly(db, ids):
    ctx = Context(db, CAL, lambda: at("2026-12-07T10:00"))
    line = LineKey(ids[BEN], "one_to_one")
    form = await flow.open_form(ctx, ids[PM], line, now=at("2026-12-07T10:00"), via="test")
    assert form.form.asye_switch  # Ben's ASYE started 2 November: fortnightly until May
    refused = await flow.asye_four_weekly(ctx, ids[ANA], line, now=at("2026-12-07T10:01"), via="test")
    assert refused.status == Status.REFUSED
    moved = await flow.asye_four_weekly(ctx, ids[PM], line, now=at("2026-12-07T10:02"), via="test")
    assert moved.status == Status.DONE and "four-weekly from today" in moved.message
    async with db.sessions() as session:
        board = await load_board(session, date(2026, 12, 7), CAL.tz)
    assert board.facts[ids[BEN]].asye.four_weekly_from == date(2026, 12, 7)
    done = await flow.record(ctx, ids[PM], line, actions.entry(line, {input_id("held", line): "2026-12-07",
                                                                      input_id("minutes", line): "60"}),
                             now=at("2026-12-07T10:03"), via="test")
    # The first six weeks stay weekly (to 14 December); after them, four-weekly rather than fortnightly.
    assert done.recorded.next_due == date(2026, 12, 14)
    asye = board.facts[ids[BEN]].asye
    assert one_to_one_due(date(2026, 12, 21), date(2026, 11, 2), CAL, asye=asye) == date(2027, 1, 18)
    assert one_to_one_due(date(2026, 12, 21), date(2026, 11, 2), CAL, asye=Asye(asye.start)) == date(2027, 1, 4)
    again = await flow.asye_four_weekly(ctx, ids[PM], line, now=at("2026-12-08T10:00"), via="test")
    assert again.status == Status.REFUSED and "Already four-weekly from 2026-12-07" in again.message
