"""`python -m bot allocations import FILE --month YYYY-MM`: the rules, the import, the CLI."""
from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from datetime import datetime, timedelta, timezone

import openpyxl
import pytest
from sqlalchemy import func, select, update

from qa.allocations import (
    COLUMNS,
    AllocationProblems,
    PersonInfo,
    case_ref_problem,
    identifying_columns,
    parse_allocations,
)
from qa.tabular import UnreadableTable, choose_sheet, read_table, read_table_bytes, title_problem
from storage.allocations import AllocationsRejected, CycleError, close_month, import_allocations
from storage.models import Allocation, Audit, AuditMonth, Person, TrailEvent
from tests.support.allocation_files import GOOD, csv_bytes, row, xlsx_bytes
from tests.support.cli import run_cli

NOW = datetime(2026, 12, 3, 9, tzinfo=timezone.utc)
LATER = NOW + timedelta(days=2)
MONTH = "2026-12"
VIA = "test"

# Staff on the roster (as a roster import writes them).
STAFF = [
    ("qa@council.gov.uk", "qa_unit", ""),
    ("pm.cin@council.gov.uk", "practice_manager", "Children in Need"),
    ("pm.lac@council.gov.uk", "practice_manager", "Looked After Children"),
    ("sl.cin@council.gov.uk", "service_lead", "Children in Need"),
    ("sw1@council.gov.uk", "practitioner", "Children in Need"),
    ("sw2@council.gov.uk", "practitioner", "Looked After Children"),
    ("gone@council.gov.uk", "practice_manager", "Children in Need"),  # left
]


def known() -> dict[str, PersonInfo]:
    return {email: PersonInfo(id=i, email=email, role=role, service_areas=(area,) if area else (),
                              active=not email.startswith("gone"))
            for i, (email, role, area) in enumerate(STAFF, start=1)}


def parse(rows: list[dict], header: list[str] | None = None):
    table = read_table_bytes(csv_bytes(rows, header), "list.csv")
    return parse_allocations(table.header, table.rows, known(), MONTH)


def problems_of(rows: list[dict], header: list[str] | None = None) -> list[tuple[int, str | None, str]]:
    with pytest.raises(AllocationProblems) as caught:
        parse(rows, header)
    return [(p.row, p.column, p.message) for p in caught.value.problems]


# ---------------------------------------------------------------- reading tables (qa/tabular.py)


def test_csv_with_and_without_bom_and_xlsx_read_the_same(tmp_path):
    plain = read_table_bytes(csv_bytes(GOOD), "a.csv")
    with_bom = read_table_bytes(csv_bytes(GOOD, bom=True), "a.csv")
    book = read_table_bytes(xlsx_bytes(GOOD), "a.XLSX")
    (tmp_path / "a.xlsx").write_bytes(xlsx_bytes(GOOD))
    from_path = read_table(tmp_path / "a.xlsx")
    assert (plain.header, plain.rows) == (with_bom.header, with_bom.rows) == (book.header, book.rows) \
        == (from_path.header, from_path.rows)
    assert (plain.sheet, book.sheet, from_path.sheet) == (None, "Sheet", "Sheet")
    assert plain.header == list(COLUMNS)
    assert plain.rows[1]["theme"] == "Stability"


def test_blank_trailing_rows_and_columns_are_ignored():
    data = csv_bytes(GOOD).replace(b"\r\n", b",,\r\n") + b",,,,,,,,\r\n\r\n"
    table = read_table_bytes(data, "a.csv")
    assert table.header == list(COLUMNS)
    assert len(table.rows) == len(GOOD)


def test_xlsx_cells_become_text():
    book = openpyxl.Workbook()
    book.active.append(["case_ref", "n", "when"])
    book.active.append([1234.0, 7, datetime(2026, 12, 1)])
    out = io.BytesIO()
    book.save(out)
    assert read_table_bytes(out.getvalue(), "x.xlsx").rows == [{"case_ref": "1234", "n": "7", "when": "2026-12-01"}]


def test_non_utf8_csv_is_refused_with_the_line():
    data = csv_bytes(GOOD).replace(b"Stability", "Stabilité".encode("latin-1"))
    with pytest.raises(UnreadableTable) as caught:
        read_table_bytes(data, "list.csv", "an allocation list")
    assert "not UTF-8" in str(caught.value) and "line 3" in str(caught.value)


@pytest.mark.parametrize("name, data, expected", [
    ("list.xls", b"whatever", "must be a .csv or .xlsx file (save it as .xlsx or as UTF-8 CSV)"),
    ("list.pdf", b"%PDF", "must be a .csv or .xlsx file"),
    ("list.xlsx", b"not a zip", "is not an Excel workbook"),
])
def test_unreadable_files_are_refused(name, data, expected):
    with pytest.raises(UnreadableTable) as caught:
        read_table_bytes(data, name, "an allocation list")
    assert expected in str(caught.value)


@pytest.mark.parametrize("sheets, words, chosen", [
    ([("Sheet1", "visible")], (), "Sheet1"),
    ([("Template", "hidden"), ("December", "visible")], (), "December"),
    ([("Lookups", "veryHidden"), ("Template", "hidden"), ("Data", "visible"), ("Notes", "visible")], (), "Data"),
    ([("Read me", "visible"), ("Allocations Dec", "visible")], ("allocation",), "Allocations Dec"),
    ([("Read me", "visible"), ("ALLOCATIONS", "visible")], ("allocation",), "ALLOCATIONS"),
    ([("Allocations", "hidden"), ("Read me", "visible")], ("allocation",), "Read me"),  # never a hidden one
    ([("Staff roster", "visible"), ("Roster", "visible")], ("roster",), "Staff roster"),  # the first named so
    ([("Read me", "visible"), ("Data", "visible")], ("allocation",), "Read me"),
    ([("Template", "hidden"), ("Lookups", "veryHidden")], ("allocation",), None),
    ([], (), None),
])
def test_choose_sheet_reads_only_a_visible_sheet(sheets, words, chosen):
    assert choose_sheet(sheets, words) == chosen


def workbook(*sheets: tuple[str, list[dict], str]) -> bytes:
    """A workbook with a sheet per (title, rows, sheet_state), each with the allocation header."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows, state in sheets:
        sheet = book.create_sheet(title)
        sheet.append(list(COLUMNS))
        for r in rows:
            sheet.append([r.get(h) or None for h in COLUMNS])
        sheet.sheet_state = state
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_hidden_sheet_is_never_read_and_the_sheet_read_is_named():
    data = workbook(("Template", [row("CR-9999")], "hidden"), ("Lookups", [], "veryHidden"),
                    ("December", GOOD, "visible"))
    table = read_table_bytes(data, "december.xlsx", "an allocation list", ("allocation",))
    assert table.sheet == "December"
    assert [r["case_ref"] for r in table.rows] == ["CR-1001", "CR-1002", "CR-1003"]


@pytest.mark.parametrize("header, title", [
    (["December 2026 audit allocations", "", ""], "December 2026 audit allocations"),
    (["", "  QA   allocations  "], "QA allocations"),
    (["x" * 100], "x" * 79 + "…"),
])
def test_a_title_row_is_said_in_one_line(header, title):
    problem = title_problem(header, COLUMNS, str.lower)
    assert problem is not None and problem.column is None
    assert str(problem).startswith(f"row 1 must hold the column names; it looks like a title: {title!r}. ")


@pytest.mark.parametrize("header", [["case_ref"], ["case_ref", "", ""], ["notes", "team"], [], ["", ""]])
def test_a_header_is_not_taken_for_a_title(header):
    assert title_problem(header, COLUMNS, str.lower) is None


# ---------------------------------------------------------------- checking the list (qa/allocations.py)


def test_a_good_list_parses_with_roster_ids():
    entries = parse(GOOD)
    assert [(e.row, e.case_ref, e.auditor_id, e.case_holder_id) for e in entries] == [
        (2, "CR-1001", 2, 5), (3, "CR-1002", 3, 6), (4, "CR-1003", 4, None)]
    assert entries[1].theme == "Stability" and entries[1].annex_a_list == "List 8"


def test_headings_match_in_any_order_case_and_spacing():
    header = ["Theme", "Case Ref", "ANNEX A LIST", "service-area", "Team", "auditor_email", " case_holder_email "]
    keyed = [{h: r[c] for h, c in zip(header, ["theme", "case_ref", "annex_a_list", "service_area", "team",
                                                "auditor_email", "case_holder_email"], strict=True)} for r in GOOD]
    header_row, rows = header, keyed
    entries = parse_allocations(header_row, rows, known(), MONTH)
    assert [e.case_ref for e in entries] == ["CR-1001", "CR-1002", "CR-1003"]


@pytest.mark.parametrize("heading, what", [
    ("Child Name", "a name"), ("name", "a name"), ("First Name", "a name"), ("Surname", "a name"),
    ("Forename", "a name"), ("DOB", "a date of birth"), ("Date of Birth", "a date of birth"),
    ("Mother's DOB", "a date of birth"), ("Address", "an address"), ("Post Code", "a postcode"),
    ("postcode", "a postcode"), ("NHS Number", "an NHS number"), ("NHS No", "an NHS number"),
    ("Ethnicity", "ethnicity"), ("Gender", "gender"), ("School", "a school"), ("Child First Name", "a name"),
    # a child's age, however the column says it
    ("Age", "an age"), ("Age of child (years)", "an age"), ("child age", "an age"), ("Child's Age", "an age"),
    ("Age (years)", "an age"), ("AGE_YEARS", "an age"), ("Aged", "an age"), ("Years old", "an age"),
    ("Age at allocation", "an age"),
    # headings with punctuation between the words
    ("Surname/Forename", "a name"), ("DOB (dd/mm/yyyy)", "a date of birth"), ("D.O.B.", "a date of birth"),
    ("Child(DOB)", "a date of birth"), ("Name (child)", "a name"), ("Post-code", "a postcode"),
])
def test_identifying_headings_are_recognised(heading, what):
    assert identifying_columns(["case_ref", heading]) == [(1, heading, what)]


@pytest.mark.parametrize("heading", ["case_ref", "team", "Auditor Name", "Team Name", "theme", "annex_a_list",
                                     "Stage", "Agency", "Page", "Language", "Managed by", "Auditor (name)"])
def test_staff_and_allocation_headings_are_not_identifying(heading):
    assert identifying_columns([heading]) == []


def test_a_file_with_identifying_columns_is_refused_whole_naming_them():
    header = [*COLUMNS, "Child Name", "DOB", "Postcode"]
    found = problems_of([dict(r, **{"Child Name": "Jane", "DOB": "2015-01-01", "Postcode": "SO14"}) for r in GOOD],
                        header)
    messages = [m for _r, _c, m in found]
    assert all(r == 1 for r, _c, _m in found)
    assert messages[:3] == ["column H 'Child Name' would hold a name about a child",
                            "column I 'DOB' would hold a date of birth about a child",
                            "column J 'Postcode' would hold a postcode about a child"]
    assert "case references only" in messages[3]
    assert not any("Jane" in m for m in messages)  # the cells are never echoed


def test_missing_unknown_and_duplicate_columns():
    header = ["case_ref", "annex_a_list", "service_area", "team", "auditor_email", "Team", "notes"]
    messages = [m for _r, _c, m in problems_of([], header)]
    assert "column team appears twice (columns D and F)" in messages
    assert "column G 'notes' is not an allocation column" in messages
    assert "missing columns: case_holder_email, theme" in messages


@pytest.mark.parametrize("value, ok", [
    ("CR-1001", True), ("12345", True), ("LA/2026/77", True), ("c_19", True), ("c_9", False),
    ("John Smith", False), ("Smith", False), ("jo@x.gov.uk", False), ("O'Brien1", False), ("A" * 51 + "1", False),
])
def test_case_ref_looks_like_an_id(value, ok):
    reason = case_ref_problem(value)
    assert (reason is None) is ok
    if reason:
        assert value not in reason  # never repeated: it may be a name


def test_row_problems_name_row_and_column():
    rows = [
        row("CR-1"),
        row("CR-2", "nobody@council.gov.uk"),          # row 3: unknown auditor
        row("CR-3", "sw1@council.gov.uk", "sw2@council.gov.uk"),  # row 4: practitioner auditor
        row("CR-4", holder="stranger@else.org"),       # row 5: unknown case holder
        row("CR-5", "pm.cin@council.gov.uk", "pm.cin@council.gov.uk"),  # row 6: auditor holds the case
        row("CR-6", "gone@council.gov.uk"),            # row 7: left
        row("", annex=""),                             # row 8: no case ref, no list
        row("CR-8", area="Atlantis"),                  # row 9: unknown area
        row("CR-9", "not-an-email"),                   # row 10
    ]
    found = {(r, c): m for r, c, m in problems_of(rows)}
    assert set(found) == {(3, "auditor_email"), (4, "auditor_email"), (5, "case_holder_email"),
                          (6, "case_holder_email"), (7, "auditor_email"), (8, "case_ref"), (8, "annex_a_list"),
                          (9, "service_area"), (10, "auditor_email")}
    assert "nobody@council.gov.uk is not on the roster" in found[(3, "auditor_email")]
    assert "practitioner" in found[(4, "auditor_email")]
    assert "has left" in found[(7, "auditor_email")]
    assert "'Atlantis' is not a service area" in found[(9, "service_area")]


def test_a_case_twice_in_the_file_names_both_rows():
    found = problems_of([row("CR-1"), row("CR-2"), row("cr-1", "pm.lac@council.gov.uk", area="Looked After Children")])
    assert found == [(2, "case_ref", "the same case is allocated more than once (rows 2, 4)"),
                     (4, "case_ref", "the same case is allocated more than once (rows 2, 4)")]


def test_service_area_takes_the_roster_spelling():
    assert parse([row("CR-1", area="children IN need")])[0].service_area == "Children in Need"


def test_header_only_and_empty_files():
    assert problems_of([]) == [(0, None, "the file has column names but no cases; nothing to import")]
    with pytest.raises(AllocationProblems, match="the file is empty"):
        parse_allocations([], [], known(), MONTH)


# ---------------------------------------------------------------- importing (storage/allocations.py)


async def add_staff(db) -> dict[str, int]:
    async with db.sessions.begin() as s:
        for email, role, area in STAFF:
            s.add(Person(email=email, display_name=email.split("@")[0], role=role, team="T", service_area=area,
                         left_at=NOW - timedelta(days=1) if email.startswith("gone") else None,
                         created_at=NOW, updated_at=NOW))
    async with db.sessions() as s:
        return {p.email: p.id for p in (await s.execute(select(Person))).scalars()}


async def allocations(db, month: str = MONTH) -> dict[str, Allocation]:
    async with db.sessions() as s:
        return {a.case_ref: a for a in (await s.execute(select(Allocation).where(Allocation.month == month))).scalars()}


async def counts(db) -> tuple[int, int, int]:
    async with db.sessions() as s:
        return tuple([(await s.execute(select(func.count()).select_from(t))).scalar_one()
                      for t in (Allocation, TrailEvent, AuditMonth)])


async def events(db) -> list[tuple[str, str | None]]:
    async with db.sessions() as s:
        return [(e.action, e.detail.get("case_ref"))
                for e in (await s.execute(select(TrailEvent).order_by(TrailEvent.id))).scalars()]


async def test_a_good_csv_is_imported(db, tmp_path):
    ids = await add_staff(db)
    path = tmp_path / "december.csv"
    path.write_bytes(csv_bytes(GOOD, bom=True))
    report = await import_allocations(db, path, MONTH, NOW, actor_id=ids["qa@council.gov.uk"], via=VIA)
    assert (report.added, report.updated, report.unchanged, report.withdrawn, report.kept_started) == (3, 0, 0, 0, 0)
    stored = await allocations(db)
    assert set(stored) == {"CR-1001", "CR-1002", "CR-1003"}
    lac = stored["CR-1002"]
    assert (lac.auditor_id, lac.case_holder_id, lac.state, lac.service_area, lac.team, lac.annex_a_list, lac.theme) == (
        ids["pm.lac@council.gov.uk"], ids["sw2@council.gov.uk"], "allocated", "Looked After Children", "LAC 2",
        "List 8", "Stability")
    assert stored["CR-1003"].case_holder_id is None
    assert sorted(await events(db)) == [("allocated", "CR-1001"), ("allocated", "CR-1002"), ("allocated", "CR-1003")]
    async with db.sessions() as s:
        trail = (await s.execute(select(TrailEvent))).scalars().all()
        month = await s.get(AuditMonth, MONTH)
    assert {(e.actor_id, e.via, e.month, e.at) for e in trail} == {(ids["qa@council.gov.uk"], VIA, MONTH, NOW)}
    assert all(e.allocation_id == stored[e.detail["case_ref"]].id for e in trail)
    assert month.imported_at == NOW and month.closed_at is None
    assert report.describe().splitlines() == [
        "allocations for 2026-12 imported from december.csv: 3 added, 0 updated, 0 unchanged, 0 withdrawn, "
        "0 kept (already started)",
        "added: CR-1001, CR-1002, CR-1003",
    ]


async def test_each_case_records_how_it_was_chosen(db):
    """The register's "How chosen": an allocation list says "uploaded"; the sample's confirm path
    passes "sampled, seed N"; a case already started keeps what chose it."""
    await add_staff(db)
    await import_allocations(db, (csv_bytes(GOOD), "sample.csv"), MONTH, NOW, actor_id=None, via=VIA,
                             how_chosen="sampled, seed 7")
    assert {r: a.how_chosen for r, a in (await allocations(db)).items()} == dict.fromkeys(
        ("CR-1001", "CR-1002", "CR-1003"), "sampled, seed 7")
    async with db.sessions.begin() as s:
        await s.execute(update(Allocation).where(Allocation.case_ref == "CR-1001").values(state="started"))
    await import_allocations(db, (csv_bytes(GOOD), "december.csv"), MONTH, NOW, actor_id=None, via=VIA)
    assert {r: a.how_chosen for r, a in (await allocations(db)).items()} == {
        "CR-1001": "sampled, seed 7", "CR-1002": "uploaded", "CR-1003": "uploaded"}


async def test_a_good_xlsx_upload_is_imported(db):
    await add_staff(db)
    report = await import_allocations(db, (xlsx_bytes(GOOD), "December.xlsx"), MONTH, NOW, actor_id=None, via=VIA)
    assert report.added == 3
    assert set(await allocations(db)) == {"CR-1001", "CR-1002", "CR-1003"}


async def test_a_hidden_first_sheet_is_not_imported_and_the_summary_names_the_sheet_read(db):
    await add_staff(db)
    data = workbook(("Template", [row("CR-9999")], "hidden"), ("Read me", [], "visible"),
                    ("December allocations", GOOD, "visible"))
    report = await import_allocations(db, (data, "december.xlsx"), MONTH, NOW, actor_id=None, via=VIA)
    assert set(await allocations(db)) == {"CR-1001", "CR-1002", "CR-1003"}
    assert report.sheet == "December allocations"
    assert report.describe().splitlines()[0].startswith(
        "allocations for 2026-12 imported from december.xlsx, sheet 'December allocations': 3 added")


async def test_a_workbook_with_no_visible_sheet_is_refused_whole(db):
    await add_staff(db)
    await import_allocations(db, (csv_bytes(GOOD), "december.csv"), MONTH, NOW, actor_id=None, via=VIA)
    before = await counts(db)
    data = workbook(("Template", [row("CR-9999")], "hidden"), ("Lookups", [], "veryHidden"),
                    ("December", GOOD[:1], "visible"))
    with zipfile.ZipFile(io.BytesIO(data)) as z:  # openpyxl will not save it so; Excel can
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b'state="visible"', b'state="hidden"')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, part in parts.items():
            z.writestr(name, part)

    with pytest.raises(AllocationsRejected) as caught:
        await import_allocations(db, (out.getvalue(), "december.xlsx"), MONTH, LATER, actor_id=None, via=VIA)
    assert [str(p) for p in caught.value.problems] == [
        "december.xlsx has no visible sheet (all 3 sheets are hidden); nothing was read. Unhide the sheet that "
        "holds an allocation list (in Excel: right-click a sheet tab, Unhide), save, and send it again"]
    assert caught.value.sheet is None
    assert await counts(db) == before  # the earlier import stands; CR-1002 and CR-1003 are not withdrawn


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
async def test_a_title_above_the_header_is_one_problem(db, suffix):
    await add_staff(db)
    title = "Audit allocations: December 2026"
    lines = [[title], [], list(COLUMNS), *[[r[c] for c in COLUMNS] for r in GOOD]]
    if suffix == ".csv":
        text = io.StringIO(newline="")
        csv.writer(text).writerows(lines)
        data = text.getvalue().encode("utf-8")
    else:
        book = openpyxl.Workbook()
        for line in lines:
            book.active.append([v or None for v in line])
        book.active.merge_cells("A1:G1")
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()

    with pytest.raises(AllocationsRejected) as caught:
        await import_allocations(db, (data, f"list{suffix}"), MONTH, NOW, actor_id=None, via=VIA)
    assert [str(p) for p in caught.value.problems] == [
        f"row 1 must hold the column names; it looks like a title: {title!r}. Delete the rows above the "
        "column names (case_ref, annex_a_list, service_area, team, auditor_email, case_holder_email, theme) "
        "and send the file again"]
    assert caught.value.sheet == (None if suffix == ".csv" else "Sheet")
    assert await allocations(db) == {}


async def test_a_column_with_a_childs_age_refuses_the_file(db):
    await add_staff(db)
    exc = await rejected(db, [dict(r, **{"Age of child (years)": "7"}) for r in GOOD],
                         [*COLUMNS, "Age of child (years)"])
    assert "row 1: column H 'Age of child (years)' would hold an age about a child" in str(exc)
    assert "case references only" in str(exc)


async def rejected(db, rows, header=None, month=MONTH) -> AllocationsRejected:
    before = await counts(db)
    with pytest.raises(AllocationsRejected) as caught:
        await import_allocations(db, (csv_bytes(rows, header), "list.csv"), month, LATER, actor_id=None, via=VIA)
    assert await counts(db) == before  # nothing written
    return caught.value


async def test_identifying_columns_refuse_the_file_and_write_nothing(db):
    await add_staff(db)
    exc = await rejected(db, [dict(r, surname="Smith") for r in GOOD], [*COLUMNS, "surname"])
    text = str(exc)
    assert text.startswith("list.csv was not imported for 2026-12 (2 problems; nothing was changed):")
    assert "row 1: column H 'surname' would hold a name about a child" in text
    assert "case references only" in text
    assert "Smith" not in text.replace("'surname'", "")


async def test_unknown_auditor_is_refused_with_row_and_column(db):
    await add_staff(db)
    exc = await rejected(db, [*GOOD, row("CR-2000", "nobody@council.gov.uk")])
    assert "  row 5, column auditor_email: nobody@council.gov.uk is not on the roster" in str(exc)
    assert [(p.row, p.column) for p in exc.problems] == [(5, "auditor_email")]


async def test_a_case_allocated_twice_is_refused(db):
    await add_staff(db)
    exc = await rejected(db, [*GOOD, row("CR-1001", "sl.cin@council.gov.uk")])
    assert [(p.row, p.column) for p in exc.problems] == [(2, "case_ref"), (5, "case_ref")]


async def test_a_bad_month_is_refused(db):
    await add_staff(db)
    exc = await rejected(db, GOOD, month="2026-13")
    assert "'2026-13' is not a month in the form YYYY-MM" in str(exc)


async def test_a_closed_month_takes_no_allocations(db):
    await add_staff(db)
    await import_allocations(db, (csv_bytes(GOOD), "a.csv"), MONTH, NOW, actor_id=None, via=VIA)
    closure = await close_month(db, MONTH, NOW + timedelta(hours=1), None, VIA)
    assert (closure.already_closed, closure.allocations, closure.not_complete) == (False, 3, 3)
    exc = await rejected(db, [*GOOD, row("CR-9")])
    assert "2026-12 was closed on 2026-12-03 10:00 UTC" in str(exc)
    again = await close_month(db, MONTH, LATER, None, VIA)
    assert again.already_closed and again.closed_at == NOW + timedelta(hours=1)
    assert [a for a, _ in await events(db)].count("month_closed") == 1
    with pytest.raises(CycleError, match="nothing to close"):
        await close_month(db, "2027-01", LATER, None, VIA)
    with pytest.raises(CycleError, match="not a month"):
        await close_month(db, "December", LATER, None, VIA)


async def test_reimport_replaces_not_started_and_keeps_started(db):
    ids = await add_staff(db)
    first = [row("CR-1"), row("CR-2"), row("CR-3"), row("CR-4"), row("CR-5"), row("CR-6")]
    await import_allocations(db, (csv_bytes(first), "a.csv"), MONTH, NOW, actor_id=None, via=VIA)
    stored = await allocations(db)
    async with db.sessions.begin() as s:
        # CR-2 started by its auditor; CR-3 has a draft audit; CR-4 declined; CR-6 started, and dropped below.
        for ref, values in {"CR-2": {"state": "started", "started_at": NOW},
                            "CR-4": {"state": "declined", "decline_reason": "conflict of interest", "notified_at": NOW},
                            "CR-1": {"notified_at": NOW},
                            "CR-6": {"state": "submitted"}}.items():
            a = await s.get(Allocation, stored[ref].id)
            for k, v in values.items():
                setattr(a, k, v)
        s.add(Audit(allocation_id=stored["CR-3"].id, key_areas={}, updated_at=NOW))

    second = [
        row("CR-1", team="CIN Team 2"),                 # updated (same auditor)
        row("CR-2", "sl.cin@council.gov.uk"),           # started: kept as it is
        row("CR-3", "sl.cin@council.gov.uk"),           # draft audit: kept
        row("CR-4", "sl.cin@council.gov.uk"),           # declined -> reallocated
        # CR-5 dropped: withdrawn; CR-6 dropped but started: kept
        row("CR-7"),                                    # added
    ]
    report = await import_allocations(db, (csv_bytes(second), "b.csv"), MONTH, LATER, actor_id=ids["qa@council.gov.uk"],
                                      via=VIA)
    assert (report.added_cases, sorted(report.updated_cases), report.unchanged_cases, report.withdrawn_cases,
            sorted(report.kept_started_cases)) == (["CR-7"], ["CR-1", "CR-4"], [], ["CR-5"], ["CR-2", "CR-3", "CR-6"])
    after = await allocations(db)
    assert set(after) == {"CR-1", "CR-2", "CR-3", "CR-4", "CR-6", "CR-7"}
    assert after["CR-1"].team == "CIN Team 2" and after["CR-1"].updated_at == LATER
    assert (after["CR-2"].auditor_id, after["CR-2"].state) == (ids["pm.cin@council.gov.uk"], "started")
    assert after["CR-3"].auditor_id == ids["pm.cin@council.gov.uk"]
    assert (after["CR-4"].auditor_id, after["CR-4"].state, after["CR-4"].decline_reason) == (
        ids["sl.cin@council.gov.uk"], "allocated", None)
    # The new auditor of CR-4 is owed a notice; CR-1 kept its auditor, who already had one.
    assert (after["CR-4"].notified_at, after["CR-1"].notified_at) == (None, NOW)
    assert after["CR-6"].state == "submitted"
    trail = (await events(db))[6:]
    assert sorted(trail) == [("allocated", "CR-7"), ("allocation_updated", "CR-1"), ("reallocated", "CR-4"),
                             ("withdrawn", "CR-5")]
    text = report.describe()
    assert text.splitlines()[0] == ("allocations for 2026-12 imported from b.csv: 1 added, 2 updated, 0 unchanged, "
                                    "1 withdrawn, 3 kept (already started)")
    assert "withdrawn (not in the file, not started): CR-5" in text
    assert "kept as they are (already started; the file does not change them): CR-2, CR-3, CR-6" in text

    # The same file again changes nothing.
    again = await import_allocations(db, (csv_bytes(second), "b.csv"), MONTH, LATER, actor_id=None, via=VIA)
    assert (again.added, again.updated, again.withdrawn, sorted(again.unchanged_cases)) == (0, 0, 0, ["CR-1", "CR-4", "CR-7"])
    assert len(await events(db)) == 10


async def test_a_declined_case_given_the_same_auditor_stays_declined(db):
    await add_staff(db)
    await import_allocations(db, (csv_bytes([row("CR-1")]), "a.csv"), MONTH, NOW, actor_id=None, via=VIA)
    async with db.sessions.begin() as s:
        a = (await s.execute(select(Allocation))).scalar_one()
        a.state, a.decline_reason = "declined", "on leave"
    report = await import_allocations(db, (csv_bytes([row("CR-1")]), "a.csv"), MONTH, LATER, actor_id=None, via=VIA)
    assert report.still_declined_cases == ["CR-1"] and not report.changed
    assert "still declined" in report.describe()
    assert (await allocations(db))["CR-1"].state == "declined"


async def test_withdrawn_allocations_keep_their_trail_by_month(db):
    await add_staff(db)
    await import_allocations(db, (csv_bytes([row("CR-1"), row("CR-2")]), "a.csv"), MONTH, NOW, actor_id=None, via=VIA)
    gone_id = (await allocations(db))["CR-2"].id
    await import_allocations(db, (csv_bytes([row("CR-1")]), "a.csv"), MONTH, LATER, actor_id=None, via=VIA)
    async with db.sessions() as s:
        trail = [(e.action, e.allocation_id, e.month, e.detail.get("allocation_id"))
                 for e in (await s.execute(select(TrailEvent).where(TrailEvent.detail["case_ref"].as_string() == "CR-2")
                                           .order_by(TrailEvent.id))).scalars()]
    assert trail == [("allocated", None, MONTH, None), ("withdrawn", None, MONTH, gone_id)]


async def test_months_are_separate(db):
    await add_staff(db)
    await import_allocations(db, (csv_bytes(GOOD), "a.csv"), MONTH, NOW, actor_id=None, via=VIA)
    report = await import_allocations(db, (csv_bytes(GOOD[:1]), "b.csv"), "2027-01", LATER, actor_id=None, via=VIA)
    assert report.added == 1 and report.withdrawn == 0
    assert len(await allocations(db)) == 3 and len(await allocations(db, "2027-01")) == 1


async def test_two_imports_at_once_both_finish_cleanly(db):
    await add_staff(db)
    data = csv_bytes(GOOD)
    results = await asyncio.gather(
        *(import_allocations(db, (data, "a.csv"), MONTH, NOW, actor_id=None, via=VIA) for _ in range(2)),
        return_exceptions=True)
    # Each either imported or was told to send the file again; never a half-written month.
    for result in results:
        assert not isinstance(result, Exception) or isinstance(result, AllocationsRejected), result
    assert sum(r.added for r in results if not isinstance(r, Exception)) == 3
    assert set(await allocations(db)) == {"CR-1001", "CR-1002", "CR-1003"}


# ---------------------------------------------------------------- the CLI


async def test_cli_imports_a_good_file_and_refuses_a_bad_one(db, tmp_path):
    await add_staff(db)
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx_bytes(GOOD))
    code, out, err = await run_cli(db, "allocations", "import", str(good), "--month", MONTH)
    assert code == 0, err
    assert "3 added" in out
    assert len(await allocations(db)) == 3

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([row("CR-1001", "nobody@council.gov.uk")]))
    code, out, err = await run_cli(db, "allocations", "import", str(bad), "--month", MONTH)
    assert code == 1 and out == ""
    assert "bad.csv was not imported for 2026-12" in err
    assert "row 2, column auditor_email: nobody@council.gov.uk is not on the roster" in err
    assert "Traceback" not in err
    assert len(await allocations(db)) == 3


async def test_cli_closes_a_month(db, tmp_path):
    await add_staff(db)
    await import_allocations(db, (csv_bytes(GOOD), "a.csv"), MONTH, NOW, actor_id=None, via=VIA)
    # Its audits are not complete: closing needs --yes; what would be closed is said and nothing changes.
    code, out, err = await run_cli(db, "cycle", "close", "--month", MONTH)
    assert code == 1 and out == "", out
    assert f"Would close 2026-12 ({len(GOOD)} allocations, {len(GOOD)} not complete)" in err, err
    assert "Nothing was closed; run again with --yes to close it." in err and "Traceback" not in err
    async with db.sessions() as session:
        assert (await session.get(AuditMonth, MONTH)).closed_at is None
    code, out, err = await run_cli(db, "cycle", "close", "--month", MONTH, "--yes")
    assert code == 0 and "2026-12 closed" in out, err
    path = tmp_path / "late.csv"
    path.write_bytes(csv_bytes(GOOD))
    code, out, err = await run_cli(db, "allocations", "import", str(path), "--month", MONTH)
    assert code == 1 and "was closed on" in err
    code, out, err = await run_cli(db, "cycle", "close", "--month", "2031-02")
    assert code == 1 and "nothing to close" in err


async def test_late_allocations_owe_a_notice_and_withdrawn_ones_owe_nothing(db):
    """Imported after the month's notice moment (the 3rd, 09:00 London): each added or reallocated
    allocation owes its auditor a notice (a follow-up); withdrawn, it is cancelled."""
    from storage.models import FollowUp

    await add_staff(db)
    early = NOW - timedelta(hours=1)  # 08:00 on the 3rd: the month's own notice covers these
    await import_allocations(db, (csv_bytes([row("CR-1")]), "a.csv"), MONTH, early, actor_id=None, via=VIA)
    await import_allocations(db, (csv_bytes([row("CR-1"), row("CR-2")]), "a.csv"), MONTH, LATER,
                             actor_id=None, via=VIA)
    withdrawn_id = (await allocations(db))["CR-2"].id
    moved = LATER + timedelta(hours=1)
    await import_allocations(db, (csv_bytes([row("CR-1", "pm.lac@council.gov.uk")]), "a.csv"), MONTH, moved,
                             actor_id=None, via=VIA)

    kept_id = (await allocations(db))["CR-1"].id
    async with db.sessions() as s:
        owed = {(f.subject_id, f.state, f.due_at) for f in (await s.execute(select(FollowUp))).scalars()}
    assert owed == {(kept_id, "open", moved),  # reallocated after the 3rd: the new auditor's notice
                    (withdrawn_id, "cancelled", LATER)}  # added late, then withdrawn
