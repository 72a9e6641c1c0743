"""Start dates: the roster's optional start_date is the day a person joined the service, and "joined"
means it everywhere in supervision. Without one a person is established: sessions held before the
roster was imported are accepted, and no new-starter duties fall due. Pure rules in the fast layer;
the import and the stored board on both databases."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from capabilities.context import Context
from capabilities.kit import Status
from capabilities.supervision import actions, flow
from capabilities.supervision.compliance import team_figures
from dialogs.supervision_cards import LineKey, input_id
from qa.calendar import WorkingCalendar
from qa.roster import COLUMNS, RosterProblems, parse_roster
from qa.supervision import (
    AGREEMENT,
    ONE_TO_ONE,
    SuperviseeFacts,
    agreement_due,
    due_items,
    one_to_one_due,
    record_refusal,
)
from storage.models import Person
from storage.roster import import_roster
from storage.supervision import load_board
from tests.support.supervision import ANA, BEN, PM, ROSTER_COLUMNS, at, roster_rows, write_csv, write_roster

CAL = WorkingCalendar()
IMPORTED = date(2026, 12, 1)  # go-live: the roster imported


# ---------------------------------------------------------------- pure rules


@pytest.mark.fast
def test_an_established_person_has_no_new_starter_duties():
    # No start date: the first 1:1 is one ordinary interval after the bot first held their record,
    # the first agreement review six months after it; not 7 and 28 days after the import.
    assert one_to_one_due(None, None, CAL, on_record_from=IMPORTED) == date(2026, 12, 29)
    assert agreement_due(None, None, CAL, on_record_from=IMPORTED) == date(2027, 6, 1)
    with pytest.raises(ValueError):
        one_to_one_due(None, None, CAL)


@pytest.mark.fast
def test_a_new_starter_is_due_from_their_start_date():
    start = date(2026, 12, 14)
    assert one_to_one_due(None, start, CAL, on_record_from=IMPORTED) == date(2026, 12, 21)
    assert agreement_due(None, start, CAL, on_record_from=IMPORTED) == date(2027, 1, 11)  # four weeks
    # Started just before go-live: the agreement is still theirs to have within four weeks.
    assert agreement_due(None, date(2026, 11, 20), CAL, on_record_from=IMPORTED) == date(2026, 12, 18)


@pytest.mark.fast
def test_a_start_date_long_before_go_live_is_established():
    # A council giving every member of staff their HR start date does not find them all overdue.
    years_ago = date(2015, 3, 2)
    assert one_to_one_due(None, years_ago, CAL, on_record_from=IMPORTED) == date(2026, 12, 29)
    assert agreement_due(None, years_ago, CAL, on_record_from=IMPORTED) == date(2027, 6, 1)
    facts = SuperviseeFacts(1, years_ago, {}, on_record_from=IMPORTED)
    assert {i.kind: i.due for i in due_items(facts, IMPORTED, CAL)} == {
        ONE_TO_ONE: date(2026, 12, 29), AGREEMENT: date(2027, 6, 1)}


@pytest.mark.fast
def test_sessions_before_the_start_date_only_are_refused():
    today = date(2026, 12, 7)
    assert record_refusal(date(2026, 10, 1), today, None, ONE_TO_ONE) is None  # established
    refusal = record_refusal(date(2026, 10, 1), today, date(2026, 11, 2), ONE_TO_ONE)
    assert "before they joined the service (start date 2026-11-02)" in refusal
    assert record_refusal(date(2026, 11, 2), today, date(2026, 11, 2), ONE_TO_ONE) is None


@pytest.mark.fast
def test_the_roster_reads_start_dates_when_the_column_is_there():
    rows = [{**r, "start_date": d} for r, d in zip(roster_rows(), ["", "2026-11-02", "", "", "", "", ""], strict=True)]
    entries = parse_roster(rows, [*COLUMNS, "start_date"])
    assert [e.start_date for e in entries][:2] == [None, date(2026, 11, 2)]
    assert all(e.start_date is None for e in parse_roster(roster_rows(), list(COLUMNS)))
    bad = [{**rows[0], "start_date": "02/11/2026"}]
    with pytest.raises(RosterProblems) as caught:
        parse_roster(bad, [*COLUMNS, "start_date"])
    assert "row 2, column start_date" in str(caught.value) and "YYYY-MM-DD" in str(caught.value)
    with pytest.raises(RosterProblems) as caught:
        parse_roster(rows[:1], [*COLUMNS, "start_date", "start_date"])
    assert "start_date appears twice" in str(caught.value)


# ---------------------------------------------------------------- stored, both databases


async def _people(db) -> dict[str, Person]:
    async with db.sessions() as session:
        return {p.email: p for p in (await session.execute(select(Person))).scalars()}


async def test_import_with_and_without_the_column(db, tmp_path):
    await import_roster(db, write_roster(tmp_path / "r1.csv"), at("2026-12-01T09:00"))
    assert {p.start_date for p in (await _people(db)).values()} == {None}
    rows = [{**r, "start_date": "2026-12-14" if r["email"] == ANA else ""} for r in roster_rows()]
    report = await import_roster(db, write_csv(tmp_path / "r2.csv", [*ROSTER_COLUMNS, "start_date"], rows),
                                 at("2026-12-02T09:00"))
    assert report.updated == 1 and report.unchanged == 6
    assert (await _people(db))[ANA].start_date == date(2026, 12, 14)
    # A file without the column leaves the start dates as they are; the same file twice changes nothing.
    again = await import_roster(db, write_roster(tmp_path / "r3.csv"), at("2026-12-03T09:00"))
    assert again.unchanged == 7 and (await _people(db))[ANA].start_date == date(2026, 12, 14)


async def test_an_established_persons_session_before_the_import_is_accepted(db, tmp_path):
    await import_roster(db, write_roster(tmp_path / "roster.csv"), at("2026-12-01T09:00"))
    people = await _people(db)
    ctx = Context(db, CAL, lambda: at("2026-12-07T10:00"))
    line = LineKey(people[ANA].id, "one_to_one")
    outcome = await flow.record(ctx, people[PM].id, line, actions.entry(line, {input_id("held", line): "2026-11-20",
                                                                              input_id("minutes", line): "90"}),
                                now=at("2026-12-07T10:00"), via="test")
    assert outcome.status == Status.DONE, outcome.message


async def test_a_new_starter_gets_the_agreement_four_weeks_after_starting(db, tmp_path):
    rows = [{**r, "start_date": "2026-12-14" if r["email"] == BEN else ""} for r in roster_rows(asye_start="")]
    await import_roster(db, write_csv(tmp_path / "r.csv", [*ROSTER_COLUMNS, "start_date"], rows),
                        at("2026-12-01T09:00"))
    people = await _people(db)
    async with db.sessions() as session:
        board = await load_board(session, date(2026, 12, 14), CAL.tz)
    due = {p: {i.kind: i.due for i in due_items(board.facts[people[p].id], date(2026, 12, 14), CAL)}
           for p in (ANA, BEN)}
    assert due[BEN][AGREEMENT] == date(2027, 1, 11) and due[BEN][ONE_TO_ONE] == date(2026, 12, 21)
    assert due[ANA][AGREEMENT] == date(2027, 6, 1) and due[ANA][ONE_TO_ONE] == date(2026, 12, 29)
    # Compliance counts the established from the first month; the new starter only once joined.
    async with db.sessions() as session:
        november = await load_board(session, date(2026, 11, 30), CAL.tz)
    teams = {t.team: t for t in team_figures(november, 2026, 11, CAL)}
    assert teams["North 1"].supervisees == 2  # Pia and Ana; Ben starts in December
    # Nothing was due before the bot held their record, and nothing is on record: not counted ("none due"),
    # never "in date" with no session recorded.
    assert teams["North 1"].one_to_one == (0, 0)
