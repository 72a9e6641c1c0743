"""The QA calendar (issue 13 item 1): the file's rules, the audience rules, the import on both
databases (whole file or nothing, idempotent), `practice_weeks`, and `calendar` in chat."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from capabilities.context import Context
from capabilities.qa_calendar.commands import calendar
from capabilities.registry import Said
from qa.audience import AudienceError, parse_audience, parse_audience_cell, selects
from qa.calendar import WorkingCalendar
from qa.qa_calendar import CalendarProblems, parse_calendar, practice_week_notice_moments
from storage.models import CalendarEvent, Person
from storage.qa_calendar import CalendarRejected, import_calendar, practice_weeks
from tests.support.audit_cycle import add_roster, utc
from tests.support.cli import run_cli

HEADER = ["starts_on", "ends_on", "kind", "title", "audience", "details"]
GOOD = """starts_on,ends_on,kind,title,audience,details
2027-01-11,2027-01-15,Practice Week,Winter practice week,,Audits and observations all week
2027-01-20,2027-01-20,learning_forum,Learning and Improvement Forum,role=practice_manager; area=South,
2027-02-01,2027-02-26,thematic_audit,Neglect thematic audit,area=North,
2027-04-12,2027-04-16,practice_week,Spring practice week,,
"""
CAL = WorkingCalendar()


def rows(*lines: list[str]) -> list[dict[str, str]]:
    return [dict(zip(HEADER, line, strict=True)) for line in lines]


def test_a_good_row_is_normalised():
    [entry] = parse_calendar(rows(["2027-01-11", "2027-01-15", "Practice-week", " Winter ", "Role=Practice Manager",
                                   ""]), HEADER)
    assert (entry.kind, entry.title, entry.audience) == ("practice_week", "Winter", "role=practice_manager")


def test_every_problem_names_its_row_and_column():
    with pytest.raises(CalendarProblems) as caught:
        parse_calendar(rows(["01/11/2027", "2027-01-15", "party", "", "role=wizard", ""],
                            ["2027-02-02", "2027-02-01", "survey", "Survey", "", "ring 07700 900123"],
                            ["2027-03-01", "2027-03-01", "report", "Annual report", "", ""],
                            ["2027-03-01", "2027-03-02", "report", "Annual report", "", ""]), HEADER)
    said = [(p.row, p.column) for p in caught.value.problems]
    assert said == [(2, "starts_on"), (2, "kind"), (2, "title"), (2, "audience"), (3, "ends_on"), (3, "details"),
                    (5, "title")]
    assert "01/11/2027" in str(caught.value) and "wizard" in str(caught.value)


def test_a_wrong_header_stops_at_row_1():
    with pytest.raises(CalendarProblems) as caught:
        parse_calendar([], ["starts_on", "kind", "title"])
    assert all(p.row == 1 for p in caught.value.problems)
    assert "missing columns: ends_on, audience, details" in str(caught.value)


def test_audience_terms_are_a_union():
    audience = parse_audience(["role=practice_manager", "area=Family Help", "team=North 1"])
    assert selects(audience, role="practice_manager", areas=["South"], team="x")
    assert selects(audience, role="practitioner", areas=["South", "family  help"], team="x")
    assert selects(audience, role="practitioner", areas=[], team="north 1")
    assert not selects(audience, role="practitioner", areas=["South"], team="South 2")
    assert selects(parse_audience_cell(""), role=None, areas=[], team=None)
    assert selects(parse_audience(["everyone"]), role="qa_unit", areas=[], team="")
    assert not selects(parse_audience(["channel=19:abc"]), role="qa_unit", areas=[], team="")
    for bad in ("role=", "colour=red", "role=wizard", ""):
        with pytest.raises(AudienceError):
            parse_audience([bad])


def test_practice_week_notices_go_5_working_days_before_and_on_the_first_morning():
    # Monday 4 January 2027: counting back over New Year's Day (Fri 1st) and the Christmas bank
    # holidays (Fri 25 and Mon 28 Dec) the fifth working day before is Wednesday 23 December.
    before, first = practice_week_notice_moments(date(2027, 1, 4), CAL)
    assert CAL.local_date(first.at) == date(2027, 1, 4)
    assert CAL.local_date(before.at) == date(2026, 12, 23)
    assert (before.key, first.key) == ("before", "first-morning")
    with pytest.raises(ValueError):
        practice_week_notice_moments(date(2027, 1, 4), CAL, 0)


async def test_the_import_is_whole_and_idempotent(db, tmp_path):
    path = tmp_path / "calendar.csv"
    path.write_text(GOOD)
    report = await import_calendar(db, path, utc(2026, 12, 1, 9))
    assert (report.added, report.updated, report.unchanged) == (4, 0, 0)
    again = await import_calendar(db, path, utc(2026, 12, 1, 10))
    assert (again.added, again.updated, again.unchanged) == (0, 0, 4)
    path.write_text(GOOD.replace("Audits and observations all week", "New words") + "2027-05-01,x,report,R,,\n")
    with pytest.raises(CalendarRejected) as caught:
        await import_calendar(db, path, utc(2026, 12, 1, 11))
    assert "row 6" in str(caught.value) and "nothing was changed" in str(caught.value)
    path.write_text(GOOD.replace("Audits and observations all week", "New words"))
    changed = await import_calendar(db, path, utc(2026, 12, 1, 12))
    assert (changed.added, changed.updated, changed.unchanged) == (0, 1, 3)
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(CalendarEvent)) == 4
        weeks = await practice_weeks(session, (date(2027, 1, 1), date(2027, 12, 31)))
        assert weeks == [(date(2027, 1, 11), date(2027, 1, 15)), (date(2027, 4, 12), date(2027, 4, 16))]
        assert await practice_weeks(session, (date(2027, 1, 15), date(2027, 1, 15))) == [weeks[0]]
        assert await practice_weeks(session, (date(2027, 1, 16), date(2027, 4, 11))) == []


async def test_calendar_in_chat_shows_what_concerns_the_reader(db, tmp_path):
    path = tmp_path / "calendar.xlsx"
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for line in GOOD.strip().splitlines()[1:]:
        cells = line.split(",")
        sheet.append([date.fromisoformat(cells[0]), date.fromisoformat(cells[1]), *cells[2:]])
    book.save(path)
    await import_calendar(db, path, utc(2026, 12, 1, 9))
    people = await add_roster(db)
    ctx = Context(db, CAL, lambda: utc(2027, 1, 5, 9))
    async with db.sessions() as session:
        mo = await session.get(Person, people["Mo"])  # practice manager, North
        pat = await session.get(Person, people["Pat"])  # practitioner, North
        quinn = await session.get(Person, people["Quinn"])  # QA unit, no area
    titles = {}
    for name, person in (("Mo", mo), ("Pat", pat), ("Quinn", quinn), ("nobody", None)):
        reply = await calendar(Said(ctx, person, utc(2027, 1, 5, 9)))
        text = str(reply.card)
        titles[name] = [t for t in ("Winter practice week", "Learning and Improvement Forum", "Neglect thematic",
                                    "Spring practice week") if t in text]
    assert titles["Mo"] == ["Winter practice week", "Learning and Improvement Forum", "Neglect thematic"]
    assert titles["Pat"] == ["Winter practice week", "Neglect thematic"]
    assert titles["Quinn"] == ["Winter practice week", "Learning and Improvement Forum", "Neglect thematic"]  # QA unit
    assert titles["nobody"] == ["Winter practice week"]


async def test_the_cli_imports_and_refuses_with_row_and_column(db, tmp_path):
    path = tmp_path / "calendar.csv"
    path.write_text(GOOD.replace("thematic_audit", "thematic"))
    code, out, err = await run_cli(db, "calendar", "import", str(path))
    assert code != 0 and "row 4" in err and "kind" in err and "nothing was changed" in err
    path.write_text(GOOD)
    code, out, err = await run_cli(db, "calendar", "import", str(path))
    assert code == 0 and "4 added" in out
