"""`python -m bot roster import FILE`: checking the file, applying it, and the CLI around it."""
from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import event, func, select

from qa.roster import COLUMNS, RosterProblems, parse_roster, read_roster_file
from storage.models import ROLES, Conversation, OutboxMessage, Person
from storage.roster import RosterRejected, import_roster
from tests.support.cli import run_cli

SAMPLE = Path(__file__).parent / "fixtures" / "roster" / "sample.csv"
NOW = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
LATER = NOW + timedelta(days=30)
LATER_STILL = NOW + timedelta(days=60)


def sample_rows() -> list[dict[str, str]]:
    """The sample roster's rows; row i is spreadsheet row i + 2."""
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] | None = None, *,
              bom: bool = False, encoding: str = "utf-8") -> Path:
    header = list(header or COLUMNS)
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]], header: list[str] | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(header or COLUMNS))
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


async def people(db) -> dict[str, Person]:
    async with db.sessions() as s:
        return {p.email: p for p in (await s.execute(select(Person))).scalars()}


async def count_people(db) -> int:
    async with db.sessions() as s:
        return await s.scalar(select(func.count()).select_from(Person))


# ---------------------------------------------------------------- good files


async def test_csv_import_adds_everyone_normalised(db):
    report = await import_roster(db, SAMPLE, NOW)

    assert (report.added, report.updated, report.unchanged, report.left, report.reactivated) == (8, 0, 0, 0, 0)
    everyone = await people(db)
    assert len(everyone) == 8
    dana = everyone["dana.hughes@example.gov.uk"]  # " Dana.Hughes@Example.gov.uk " in the file
    assert dana.role == "deputy_director" and dana.service_areas == ["Children & Families", "Early Help"]
    assert everyone["helen.okafor@example.gov.uk"].service_area == "Children & Families;Early Help"
    zoe = everyone["zoe.angstrom@example.gov.uk"]
    assert zoe.display_name == "Zoë Ångström"
    assert zoe.asye_start_date == date(2025, 9, 1) and zoe.registered is True
    assert everyone["pat.morgan@example.gov.uk"].aad_object_id == "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
    lee = everyone["lee.evans@example.gov.uk"]
    assert lee.supervisor_email == "pat.morgan@example.gov.uk" and lee.registered is False
    assert everyone["qa.lead@example.gov.uk"].team == "Quality, Performance & Audit"
    assert everyone["psw@example.gov.uk"].service_area == ""
    assert all(p.active and p.created_at == NOW and p.updated_at == NOW for p in everyone.values())
    assert "8 added" in report.describe()


async def test_xlsx_import_matches_csv_and_accepts_date_and_boolean_cells(db, tmp_path):
    rows = sample_rows()
    cells = []
    for r in rows:
        row: list[object] = [r[c] for c in COLUMNS]
        if r["asye_start_date"]:  # a real Excel date cell, not text
            row[COLUMNS.index("asye_start_date")] = datetime.fromisoformat(r["asye_start_date"])
        row[COLUMNS.index("registered")] = r["registered"].lower() in ("yes", "y")  # TRUE/FALSE cells
        cells.append([v if v != "" else None for v in row])
    # Columns in another order, as the issue allows.
    order = list(reversed(COLUMNS))
    cells = [[row[COLUMNS.index(c)] for c in order] for row in cells]
    path = write_xlsx(tmp_path / "roster.xlsx", cells, header=order)

    report = await import_roster(db, path, NOW)

    assert report.added == 8
    from_xlsx = await people(db)
    zoe = from_xlsx["zoe.angstrom@example.gov.uk"]
    assert zoe.asye_start_date == date(2025, 9, 1) and zoe.display_name == "Zoë Ångström"
    assert from_xlsx["lee.evans@example.gov.uk"].registered is False
    # Importing the CSV of the same roster over it changes nobody.
    again = await import_roster(db, SAMPLE, LATER)
    assert (again.unchanged, again.updated) == (8, 0)


async def test_bom_accents_and_ampersands_survive(db, tmp_path):
    rows = sample_rows()
    rows[4]["display_name"] = "Siobhán Ó Súilleabháin & Renée Noël"
    rows[1]["service_area"] = "Children & Families;Children's Disability & SEND"
    path = write_csv(tmp_path / "bom.csv", rows, bom=True)

    assert path.read_bytes().startswith(b"\xef\xbb\xbfemail,")
    await import_roster(db, path, NOW)

    everyone = await people(db)
    assert everyone["zoe.angstrom@example.gov.uk"].display_name == "Siobhán Ó Súilleabháin & Renée Noël"
    assert everyone["helen.okafor@example.gov.uk"].service_areas == ["Children & Families",
                                                                    "Children's Disability & SEND"]


async def test_reimporting_the_same_file_touches_nobody(db):
    await import_roster(db, SAMPLE, NOW)
    before = {e: (p.id, p.updated_at) for e, p in (await people(db)).items()}

    report = await import_roster(db, SAMPLE, LATER)

    assert (report.added, report.updated, report.unchanged, report.left, report.reactivated) == (0, 0, 8, 0, 0)
    assert {e: (p.id, p.updated_at) for e, p in (await people(db)).items()} == before


async def test_change_leave_and_reactivate(db, tmp_path):
    rows = sample_rows()
    await import_roster(db, write_csv(tmp_path / "v1.csv", rows), NOW)
    lee_id = (await people(db))["lee.evans@example.gov.uk"].id
    async with db.sessions.begin() as s:  # a reminder queued for Lee, and one already sent
        for key, state in (("queued", "pending"), ("done", "sent")):
            s.add(OutboxMessage(idempotency_key=key, kind="reminder", person_id=lee_id, payload={}, due_at=NOW,
                                state=state, attempts=0, next_attempt_at=NOW, created_at=NOW))

    # Zoë qualifies and moves team; Lee leaves.
    changed = [dict(r) for r in rows if r["email"] != "lee.evans@example.gov.uk"]
    changed[4] |= {"team": "Locality South Team 2", "registered": "no"}
    report = await import_roster(db, write_csv(tmp_path / "v2.csv", changed), LATER)

    assert (report.added, report.updated, report.unchanged, report.left, report.reactivated) == (0, 1, 6, 1, 0)
    assert report.messages_withdrawn == 1
    everyone = await people(db)
    assert everyone["zoe.angstrom@example.gov.uk"].team == "Locality South Team 2"
    assert everyone["zoe.angstrom@example.gov.uk"].registered is False
    assert everyone["zoe.angstrom@example.gov.uk"].updated_at == LATER
    assert everyone["sam.patel@example.gov.uk"].updated_at == NOW
    lee = everyone["lee.evans@example.gov.uk"]
    assert lee.left_at == LATER and not lee.active and lee.id == lee_id  # kept for history
    async with db.sessions() as s:
        states = dict((await s.execute(select(OutboxMessage.idempotency_key, OutboxMessage.state))).all())
    assert states == {"queued": "undeliverable", "done": "sent"}

    # Importing the v2 file again: Lee is not marked as left a second time.
    again = await import_roster(db, write_csv(tmp_path / "v2.csv", changed), LATER_STILL)
    assert (again.left, again.unchanged) == (0, 7)
    assert (await people(db))["lee.evans@example.gov.uk"].left_at == LATER

    # Lee comes back.
    report = await import_roster(db, write_csv(tmp_path / "v3.csv", changed + [rows[5]]), LATER_STILL)
    assert (report.added, report.updated, report.unchanged, report.left, report.reactivated) == (0, 0, 7, 0, 1)
    lee = (await people(db))["lee.evans@example.gov.uk"]
    assert lee.active and lee.id == lee_id and lee.updated_at == LATER_STILL


async def test_import_links_chats_of_people_who_installed_before_being_imported(db):
    async with db.sessions.begin() as s:
        for conv, aad, email in (("c-zoe", "6f1c2a3b-0000-4000-8000-123456789abc", None),
                                 ("c-lee", None, "Lee.Evans@example.gov.uk"),
                                 ("c-stranger", "00000000-0000-4000-8000-000000000000", "who@else.org")):
            s.add(Conversation(conversation_id=conv, tenant_id="t", service_url="http://x/", bot_id="b",
                               user_id="u-" + conv, aad_object_id=aad, email=email, reference={}, installed_at=NOW))

    report = await import_roster(db, SAMPLE, NOW)

    assert report.chats_linked == 2
    everyone = await people(db)
    async with db.sessions() as s:
        linked = dict((await s.execute(select(Conversation.conversation_id, Conversation.person_id))).all())
    assert linked == {"c-zoe": everyone["zoe.angstrom@example.gov.uk"].id,
                      "c-lee": everyone["lee.evans@example.gov.uk"].id, "c-stranger": None}
    assert "2 Teams chats linked" in report.describe()


# ---------------------------------------------------------------- bad files


def _edit(index: int, **changes: str):
    def edit(rows):
        rows[index] |= changes
        return rows
    return edit


BAD_ROWS = {
    "unknown role": (_edit(5, role="manager"),
                     [f"row 7, column role: 'manager' is not a role; use one of {', '.join(ROLES)}"]),
    "malformed email": (_edit(1, email="helen.okafor.example.gov.uk"),
                        ["row 3, column email: 'helen.okafor.example.gov.uk' is not an email address",
                         # Helen supervises Sam, and no row has her address now.
                         "row 4, column supervisor_email: 'helen.okafor@example.gov.uk' is not in this file"]),
    "email twice, in another case": (_edit(6, email="LEE.evans@example.gov.uk "),
                                     ["row 7, column email: 'lee.evans@example.gov.uk' appears more than once (rows 7, 8)",
                                      "row 8, column email: 'lee.evans@example.gov.uk' appears more than once (rows 7, 8)"]),
    "empty display name": (_edit(2, display_name="  "), ["row 4, column display_name: is empty"]),
    "empty team": (_edit(7, team=""), ["row 9, column team: is empty"]),
    "empty role": (_edit(3, role=""), ["row 5, column role: is empty"]),
    "no service area": (_edit(4, service_area=" ; "),
                        ["row 6, column service_area: is empty; a practitioner needs a service area"]),
    "practitioner in two areas": (_edit(4, service_area="North;South"),
                                  ["row 6, column service_area: a practitioner works in one service area, not 2"]),
    "supervisor nowhere": (_edit(5, supervisor_email="ghost@example.gov.uk"),
                           ["row 7, column supervisor_email: 'ghost@example.gov.uk' is not in this file"]),
    "own supervisor": (_edit(5, supervisor_email="lee.evans@example.gov.uk"),
                       ["row 7, column supervisor_email: is the person's own email"]),
    "date the British way": (_edit(4, asye_start_date="01/09/2025"),
                             ["row 6, column asye_start_date: '01/09/2025' is not a date in the form YYYY-MM-DD"]),
    "no such day": (_edit(4, asye_start_date="2025-02-30"),
                    ["row 6, column asye_start_date: '2025-02-30' is not a date"]),
    "registered maybe": (_edit(5, registered="maybe"), ["row 7, column registered: 'maybe' is not yes or no"]),
    "object id not a GUID": (_edit(3, aad_object_id="pat"),
                             ["row 5, column aad_object_id: 'pat' is not an Entra object id"]),
    "object id twice": (_edit(5, aad_object_id="6F1C2A3B-0000-4000-8000-123456789ABC"),
                        ["row 6, column aad_object_id: '6f1c2a3b-0000-4000-8000-123456789abc' appears more than once",
                         "row 7, column aad_object_id"]),
    "name too long": (_edit(0, display_name="x" * 201),
                      ["row 2, column display_name: is 201 characters long; at most 200 fit"]),
    "several problems, blank line counted": (
        lambda rows: rows[:3] + [{}] + [rows[3] | {"role": "boss", "registered": "?"}] + rows[4:],
        ["row 6, column role: 'boss' is not a role", "row 6, column registered: '?' is not yes or no"]),
}


@pytest.fixture
async def imported(db):
    """The sample roster already imported, so a refused file visibly changes nothing."""
    await import_roster(db, SAMPLE, NOW)
    return await people(db)


async def assert_refused(db, path: Path, expected: list[str], sheet: str | None = None) -> str:
    before = {e: (p.updated_at, p.left_at, p.display_name, p.role) for e, p in (await people(db)).items()}
    with pytest.raises(RosterRejected) as caught:
        await import_roster(db, path, LATER)
    message = str(caught.value)
    lines = message.splitlines()
    read = f"{path.name}, sheet {sheet!r}" if sheet else path.name
    assert lines[0].startswith(f"{read} was not imported")
    for want in expected:
        assert any(line.strip().startswith(want) for line in lines[1:]), f"{want!r} not in:\n{message}"
    after = {e: (p.updated_at, p.left_at, p.display_name, p.role) for e, p in (await people(db)).items()}
    assert after == before
    return message


@pytest.mark.parametrize("case", list(BAD_ROWS))
async def test_bad_rows_refuse_the_whole_file(db, imported, tmp_path, case):
    edit, expected = BAD_ROWS[case]
    rows = edit([dict(r) for r in sample_rows()])
    rows.append({"email": "new.starter@example.gov.uk", "display_name": "New Starter", "role": "practitioner",
                 "team": "T", "service_area": "A"})  # a good new row that must not be added either
    message = await assert_refused(db, write_csv(tmp_path / "bad.csv", rows), expected)
    assert len(message.splitlines()) == len(expected) + 1  # nothing reported that is not wrong
    assert await count_people(db) == 8


async def test_bad_row_in_a_workbook_is_named_by_its_spreadsheet_row(db, imported, tmp_path):
    rows = [[r[c] or None for c in COLUMNS] for r in sample_rows()]
    rows[2][COLUMNS.index("role")] = "Team Manager"
    rows[2][COLUMNS.index("asye_start_date")] = 45000  # a date cell formatted as a number
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    await assert_refused(db, path, ["row 4, column role: 'Team Manager' is not a role",
                                    "row 4, column asye_start_date: '45000' is not a date"], sheet="Sheet")


async def test_workbook_with_a_wrong_size_in_it_is_read_whole(db, tmp_path):
    path = write_xlsx(tmp_path / "sized.xlsx", [[r[c] or None for c in COLUMNS] for r in sample_rows()])
    # Some exporters write a bogus <dimension ref="A1"/>; openpyxl's read-only mode trusts it.
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', sheet)
    assert parts["xl/worksheets/sheet1.xml"] != sheet
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)

    assert (await import_roster(db, path, NOW)).added == 8


def _header_without(column: str) -> list[str]:
    return [c for c in COLUMNS if c != column]


BAD_HEADERS = {
    "missing column": (_header_without("aad_object_id"), ["row 1: missing column: aad_object_id"]),
    "two missing": (_header_without("team")[:-1], ["row 1: missing columns: team, aad_object_id"]),
    "unknown column": ([*COLUMNS, "manager"], ["row 1: column J 'manager' is not a roster column"]),
    "duplicate column": ([*COLUMNS, "Email"], ["row 1: column email appears twice (columns A and J)"]),
    "unnamed column": ([*COLUMNS[:3], "", *COLUMNS[3:]], ["row 1: column D has no column name"]),
}


@pytest.mark.parametrize("case", list(BAD_HEADERS))
async def test_bad_columns_are_named(db, imported, tmp_path, case):
    header, expected = BAD_HEADERS[case]
    rows = [r | {"": "stray", "manager": "x"} for r in sample_rows()]
    message = await assert_refused(db, write_csv(tmp_path / "cols.csv", rows, header), expected)
    assert "the columns must be exactly: email, display_name, role" in message


def _semicolons(path: Path) -> Path:
    path.write_text(";".join(COLUMNS) + "\na@b.org;A;practitioner;T;X;;;;\n", encoding="utf-8")
    return path


def _latin1(path: Path) -> Path:
    return write_csv(path, sample_rows(), encoding="cp1252")


BAD_FILES = {
    "not UTF-8": ("roster.csv", _latin1, "roster.csv is not UTF-8 text (first unreadable character on line 6); "
                                         "save it as UTF-8 CSV"),
    "UTF-16": ("roster.csv", lambda p: p.write_bytes("email,x\n".encode("utf-16")), "save it as UTF-8 CSV"),
    "old Excel": ("roster.xls", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0"),
                  "roster.xls: a roster must be a .csv or .xlsx file (save it as .xlsx or as UTF-8 CSV)"),
    "no extension": ("roster", lambda p: p.write_text("email\n"), "roster: a roster must be a .csv or .xlsx file"),
    "empty": ("roster.csv", lambda p: p.write_bytes(b""), "the file is empty"),
    "only blank lines": ("roster.csv", lambda p: p.write_text("\n,,,\n\n"), "the file is empty"),
    "header only": ("roster.csv", lambda p: write_csv(p, []), "the file has column names but no people"),
    "semicolons": ("roster.csv", _semicolons, "row 1: the columns are separated by semicolons"),
    "not a workbook": ("roster.xlsx", lambda p: p.write_text("email,display_name\n"),
                       "roster.xlsx is not an Excel workbook (.xlsx)"),
    "empty workbook": ("roster.xlsx", lambda p: openpyxl.Workbook().save(p), "the file is empty"),
    "blank row above the header": ("roster.csv", lambda p: p.write_text("\n" + ",".join(COLUMNS) + "\na@b.org\n"),
                                   "row 1: is empty; the first row must hold the column names"),
    "broken quoting": ("roster.csv", lambda p: p.write_text(",".join(COLUMNS) + '\n"a@b.org"x,A\n'),
                       "roster.csv is not a readable CSV file (line 2:"),
    "no such file": ("missing.csv", lambda p: None, "cannot be read"),
}


SHEET_READ = {"empty workbook": "Sheet"}  # the files read as far as a sheet


@pytest.mark.parametrize("case", list(BAD_FILES))
async def test_unreadable_files_are_refused(db, imported, tmp_path, case):
    name, make, expected = BAD_FILES[case]
    path = tmp_path / name
    make(path)
    message = await assert_refused(db, path, [], sheet=SHEET_READ.get(case))
    assert expected in message
    assert await count_people(db) == 8


# ---------------------------------------------------------------- which sheet of a workbook


def sheet_of(book: openpyxl.Workbook, title: str, rows: list[list[object]], header: list[str] | None = None,
             state: str = "visible") -> None:
    sheet = book.create_sheet(title)
    sheet.append(list(header or COLUMNS))
    for row in rows:
        sheet.append(row)
    sheet.sheet_state = state


def workbook() -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    book.remove(book.active)
    return book


def sample_cells() -> list[list[object]]:
    return [[r[c] or None for c in COLUMNS] for r in sample_rows()]


TEMPLATE_ROW = ["jo.example@example.gov.uk", "Jo Example", "practitioner", "Example Team", "Example Area",
                None, None, "no", None]


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
async def test_a_hidden_first_sheet_is_never_read_over_a_live_roster(db, tmp_path, state):
    await import_roster(db, SAMPLE, NOW)
    lee_id = (await people(db))["lee.evans@example.gov.uk"].id
    async with db.sessions.begin() as s:  # a reminder queued for Lee: it must stay queued
        s.add(OutboxMessage(idempotency_key="queued", kind="reminder", person_id=lee_id, payload={}, due_at=NOW,
                            state="pending", attempts=0, next_attempt_at=NOW, created_at=NOW))
    book = workbook()
    sheet_of(book, "Template", [TEMPLATE_ROW], state=state)  # one example person, kept hidden
    sheet_of(book, "Lookups", [["practitioner"]], header=["role"], state=state)
    sheet_of(book, "Staff", sample_cells())
    book.save(tmp_path / "staff.xlsx")

    report = await import_roster(db, tmp_path / "staff.xlsx", LATER)

    assert (report.added, report.updated, report.unchanged, report.left, report.messages_withdrawn) == (0, 0, 8, 0, 0)
    assert report.sheet == "Staff"
    assert report.describe().splitlines()[0].startswith("roster imported from staff.xlsx, sheet 'Staff': 0 added")
    everyone = await people(db)
    assert "jo.example@example.gov.uk" not in everyone and all(p.active for p in everyone.values())
    async with db.sessions() as s:
        assert (await s.execute(select(OutboxMessage.state))).scalars().all() == ["pending"]


async def test_a_visible_sheet_named_roster_is_read_before_the_first(db, tmp_path):
    book = workbook()
    sheet_of(book, "Read me", [["Fill in the roster sheet"]], header=["Instructions"])
    sheet_of(book, "Staff roster (Nov)", sample_cells())
    sheet_of(book, "Roster", [TEMPLATE_ROW], state="hidden")  # named for it, but hidden: never
    book.save(tmp_path / "staff.xlsx")

    report = await import_roster(db, tmp_path / "staff.xlsx", NOW)

    assert (report.added, report.sheet) == (8, "Staff roster (Nov)")
    assert "jo.example@example.gov.uk" not in await people(db)


def hide_visible_sheets(path: Path) -> None:
    """openpyxl will not save a workbook without a visible sheet; Excel's own files can be so."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    workbook_xml = parts["xl/workbook.xml"]
    parts["xl/workbook.xml"] = workbook_xml.replace(b'state="visible"', b'state="hidden"')
    assert parts["xl/workbook.xml"] != workbook_xml
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)


def _only_sheet_hidden(path: Path) -> str:
    write_xlsx(path, sample_cells())
    hide_visible_sheets(path)
    return "its only sheet is hidden"


def _every_sheet_hidden(path: Path) -> str:
    book = workbook()
    sheet_of(book, "Template", [TEMPLATE_ROW], state="hidden")
    sheet_of(book, "Lookups", [["practitioner"]], header=["role"], state="veryHidden")
    sheet_of(book, "Roster", sample_cells())
    book.save(path)
    hide_visible_sheets(path)
    return "all 3 sheets are hidden"


@pytest.mark.parametrize("make", [_only_sheet_hidden, _every_sheet_hidden])
async def test_a_workbook_with_no_visible_sheet_is_refused_whole(db, imported, tmp_path, make):
    path = tmp_path / "staff.xlsx"
    said = make(path)
    message = await assert_refused(db, path, [
        f"staff.xlsx has no visible sheet ({said}); nothing was read. Unhide the sheet that holds a roster"])
    assert len(message.splitlines()) == 2
    assert all(p.active for p in (await people(db)).values())


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
async def test_a_title_above_the_header_is_said_in_one_line(db, imported, tmp_path, suffix):
    path = tmp_path / f"staff{suffix}"
    title = "Children's Services staff roster - November 2026"
    if suffix == ".csv":
        text = f'"{title}",,,,,,,,\n' + ",".join(COLUMNS) + "\n" + SAMPLE.read_text(encoding="utf-8").split("\n", 1)[1]
        path.write_text(text, encoding="utf-8")
    else:
        book = openpyxl.Workbook()
        book.active.append([title])
        book.active.merge_cells("A1:I1")  # as a title is usually laid out
        book.active.append(list(COLUMNS))
        for row in sample_cells():
            book.active.append(row)
        book.save(path)

    message = await assert_refused(db, path, [
        f"row 1 must hold the column names; it looks like a title: {title!r}. Delete the rows above "
        "the column names (email, display_name,"], sheet="Sheet" if suffix == ".xlsx" else None)
    assert len(message.splitlines()) == 2  # one line, not every column as unknown or missing


# ---------------------------------------------------------------- the pure rules


def test_header_case_role_spelling_and_yes_no_variants_are_forgiven():
    header = [c.upper() + " " for c in COLUMNS]
    base = {"EMAIL ": "a@b.org", "DISPLAY_NAME ": "A", "TEAM ": "T", "SERVICE_AREA ": "X",
            "SUPERVISOR_EMAIL ": "", "ASYE_START_DATE ": "", "AAD_OBJECT_ID ": ""}
    variants = [("Practice Manager", "YES", "practice_manager", True), ("service-lead", "y", "service_lead", True),
                ("QA_Unit", "N", "qa_unit", False), ("practitioner", "", "practitioner", False),
                ("head_of_service", "True", "head_of_service", True)]
    for i, (role, registered, want_role, want_registered) in enumerate(variants):
        row = base | {"EMAIL ": f"p{i}@b.org", "ROLE ": role, "REGISTERED ": registered}
        [entry] = parse_roster([row], header)
        assert (entry.role, entry.registered) == (want_role, want_registered)


def test_a_row_failing_for_one_reason_does_not_hide_duplicates_or_invent_missing_supervisors():
    rows = [dict(r) for r in sample_rows()]
    rows[3]["role"] = "manager"  # Pat's row fails, but Pat still supervises Zoë and Lee
    rows[7]["email"] = rows[3]["email"]
    with pytest.raises(RosterProblems) as caught:
        parse_roster(rows, list(COLUMNS))
    assert [(p.row, p.column) for p in caught.value.problems] == [(5, "email"), (5, "role"), (9, "email")]


def test_reader_ignores_trailing_empty_cells_and_rows(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(",".join(COLUMNS) + ",,\n" + "a@b.org,A,practitioner,T,X,,,,,,\n,,,,\n\n", encoding="utf-8")
    table = read_roster_file(path)
    assert table.header == list(COLUMNS) and len(table.rows) == 1 and table.sheet is None


# ---------------------------------------------------------------- the command line


async def test_cli_imports_a_good_file_and_refuses_a_bad_one(db, tmp_path):
    code, out, err = await run_cli(db, "roster", "import", str(SAMPLE))
    assert code == 0, err
    assert "8 added, 0 updated, 0 unchanged, 0 marked as left, 0 re-activated" in out
    assert await count_people(db) == 8

    rows = sample_rows()
    rows[5]["role"] = "manager"
    bad = write_csv(tmp_path / "bad.csv", rows)
    code, out, err = await run_cli(db, "roster", "import", str(bad))
    assert code == 1
    assert "bad.csv was not imported (1 problem; nothing was changed):" in err
    assert "row 7, column role: 'manager' is not a role; use one of practitioner" in err
    assert "Traceback" not in err and out == ""
    assert await count_people(db) == 8


# ---------------------------------------------------------------- size


async def test_five_thousand_people_import_in_a_handful_of_statements(db, tmp_path):
    rows = [{"email": f"person{i}@example.gov.uk", "display_name": f"Person {i}", "role": "practitioner",
             "team": f"Team {i % 150}", "service_area": f"Area {i % 12}",
             "supervisor_email": f"person{i - 1}@example.gov.uk" if i else "", "registered": "yes"}
            for i in range(5000)]
    first = write_csv(tmp_path / "big.csv", rows)
    statements = []
    event.listen(db.engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    started = time.perf_counter()
    report = await import_roster(db, first, NOW)
    first_took = time.perf_counter() - started
    assert report.added == 5000

    for r in rows[::10]:
        r["team"] = "Moved"
    started = time.perf_counter()
    report = await import_roster(db, write_csv(tmp_path / "big2.csv", rows[:-100]), LATER)
    second_took = time.perf_counter() - started
    assert (report.updated, report.left, report.unchanged) == (490, 100, 4410)

    # No per-person queries: a fixed handful per import (inserts go in batches of hundreds).
    assert len(statements) < 40, len(statements)
    print(f"\n{db.dialect}: 5,000 added in {first_took:.2f}s; 490 changed + 100 left in {second_took:.2f}s")
