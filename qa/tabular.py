"""Reading a spreadsheet someone prepared (.csv or .xlsx) into a header and rows of text. Pure.

Shared by the imports (roster, allocations), which check the rows themselves:
- .csv must be UTF-8 (Excel's "CSV UTF-8" byte-order mark is accepted); anything else is
  refused with the line of the first unreadable character, never guessed at.
- .xlsx: one sheet people can see, values only (formulas as last calculated), read-only mode.
  Hidden and very hidden sheets (templates, lookup lists) are never read: the first visible
  sheet is, unless a visible sheet's name says what the import wants ("Roster", "December
  allocations"). A workbook with no visible sheet is refused whole. Table.sheet names the sheet
  read, so the import's summary can say which it was.
- Every cell becomes text; wholly blank trailing rows and columns are ignored.
- A column without a name (but with data, or before a named one) appears in the header
  as "" so the caller can point at it.
- Problems are Problem(row, column, message) with spreadsheet row numbers (header = 1).
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

WHOLE_FILE = 0  # Problem.row for a problem with the file itself rather than one row
SUFFIXES = (".csv", ".xlsx")
# Formats people often save by mistake: say what to do instead.
_RESAVE_HINT = frozenset({".xls", ".xlsm", ".ods", ".txt", ".tsv", ".numbers"})

ZIP_START = b"PK\x03\x04"  # an .xlsx is a ZIP archive
OLE2_START = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a password-protected .xlsx, or an old .xls
_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html|<head|<body|<meta|<title"
                         rb"|<script|<form)", re.IGNORECASE | re.DOTALL)
# Content types that a .csv may come with (servers label CSV many ways); anything else is not it.
_CSV_TYPES = frozenset({"text/csv", "text/plain", "text/comma-separated-values", "text/x-csv", "application/csv",
                        "application/x-csv", "application/vnd.ms-excel", "application/octet-stream",
                        "binary/octet-stream", "application/download", "application/force-download"})
Header = list[str]
Rows = list[dict[str, str]]
VISIBLE = "visible"  # openpyxl's sheet_state for a sheet shown as a tab; else "hidden" or "veryHidden"
TITLE_SHOWN = 80  # characters of a title row quoted back


@dataclass(frozen=True)
class Table:
    """What was read: the header, the rows (heading -> cell text), and the sheet (.xlsx only)."""

    header: Header
    rows: Rows
    sheet: str | None = None  # the workbook sheet read; None for a .csv


@dataclass(frozen=True)
class Problem:
    row: int  # as a spreadsheet shows it (header = 1); WHOLE_FILE (0) for the file itself
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"row {self.row}"] if self.row else []
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class UnreadableTable(Exception):  # noqa: N818 - reads better at the raise site
    """The file cannot be read as a table at all; `problems` says why (one whole-file problem)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _unreadable(message: str) -> UnreadableTable:
    return UnreadableTable([Problem(WHOLE_FILE, None, message)])


def not_the_file(filename: str, data: bytes, content_type: str | None = None) -> str | None:
    """Why `data` (and the content type it came with) is not the .csv or .xlsx `filename` names; None when
    it may be. Pure. What it says follows "is": "a web page (HTML) ..., not the file".

    A download link can answer with something else: Teams on a phone sends a link that gives a
    sign-in or sharing page, a host answers with a JSON error, a link runs out and gives an empty
    body. Only the start of the bytes is looked at; the reader checks the rest.
    """
    suffix = Path(filename).suffix.lower()
    media = (content_type or "").split(";")[0].strip().lower()
    head = data[:2048].removeprefix(b"\xef\xbb\xbf")
    if media in _PAGE_TYPES or _HTML_START.match(head):
        return "a web page (HTML), such as a sign-in or sharing page, not the file"
    if media == "application/json" or (media != "text/csv" and head.lstrip().startswith(b'{"')):
        return "a JSON message (an answer from the file's host), not the file"
    if suffix == ".xlsx":
        if not data:
            return "empty (0 bytes), not the workbook"
        if not (head.startswith(ZIP_START) or head.startswith(OLE2_START)):
            return "not an Excel workbook: an .xlsx starts as a ZIP archive (PK), and these bytes do not"
    if suffix == ".csv" and media and media not in _CSV_TYPES and not media.startswith("text/"):
        return f"not CSV text: it came as {media}"
    return None


def source_words(file_name: str, sheet: str | None) -> str:
    """"staff.xlsx, sheet 'Roster'" for a workbook, "staff.csv" for a .csv: which data was read."""
    return f"{file_name}, sheet {sheet!r}" if sheet is not None else file_name


def check_suffix(filename: str, what: str = "the file") -> str:
    """The lower-case suffix of a readable file name, or UnreadableTable saying what to save instead."""
    name = Path(filename).name
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        hint = " (save it as .xlsx or as UTF-8 CSV)" if suffix in _RESAVE_HINT else ""
        raise _unreadable(f"{name}: {what} must be a .csv or .xlsx file{hint}")
    return suffix


def read_table(path: Path, what: str = "the file", sheet_words: Sequence[str] = ()) -> Table:
    """The header and rows (heading -> cell text) of a .csv or .xlsx file on disk.

    `what` names the file in messages ("a roster", "an allocation list"); `sheet_words` are the
    words a sheet's name holds when it is the one to read (see choose_sheet).
    """
    path = Path(path)
    check_suffix(path.name, what)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _unreadable(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return read_table_bytes(data, path.name, what, sheet_words)


def read_table_bytes(data: bytes, filename: str, what: str = "the file",
                     sheet_words: Sequence[str] = ()) -> Table:
    """The same as read_table, from the bytes of an upload and the name it came with."""
    name = Path(filename).name
    suffix = check_suffix(name, what)
    instead = not_the_file(name, data)
    if instead and ("web page" in instead or "JSON" in instead):
        # Often a link saved from a browser: it gives the sign-in page, never the file.
        raise _unreadable(f"{name} is {instead}; nothing was read. Download the file itself again (open it in "
                          "Excel or from SharePoint/OneDrive, not a link) and import that")
    if suffix == ".csv":
        return Table(*to_rows(_read_csv(data, name)))
    cells, sheet = _read_xlsx(data, name, what, sheet_words)
    return Table(*to_rows(cells), sheet=sheet)


def choose_sheet(sheets: Sequence[tuple[str, str]], words: Sequence[str] = ()) -> str | None:
    """Which sheet to read, from (title, sheet_state) in workbook order; None when none is visible.

    Only visible sheets: a hidden one is a template or a lookup list, never the data. Among
    them, the first whose title holds one of `words` (ignoring case), else the first.
    """
    visible = [title for title, state in sheets if (state or VISIBLE) == VISIBLE]
    for title in visible:
        if any(word.casefold() in title.casefold() for word in words):
            return title
    return visible[0] if visible else None


def _read_csv(data: bytes, name: str) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _unreadable(
            f"{name} is not UTF-8 text (first unreadable character on line {line}); "
            "save it as UTF-8 CSV (in Excel: Save As, 'CSV UTF-8 (Comma delimited)') and import it again"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        return list(reader)
    except csv.Error as exc:
        raise _unreadable(f"{name} is not a readable CSV file (line {reader.line_num}: {exc})") from None


def _read_xlsx(data: bytes, name: str, what: str, sheet_words: Sequence[str]) -> tuple[list[list[str]], str | None]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; they do not matter here.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError):
        if data.startswith(OLE2_START):
            raise _unreadable(
                f"{name} is password-protected, or an old Excel (.xls) workbook renamed .xlsx; the bot cannot read "
                "it. Remove the password (File, Info, Protect Workbook) or save it as .xlsx, and import it again"
            ) from None
        raise _unreadable(
            f"{name} is not an Excel workbook (.xlsx), or is damaged; open it in Excel, save it as .xlsx "
            "(Excel Workbook) and import it again") from None
    try:
        if not book.worksheets:
            return [], None
        # Never the "active" sheet: that is whichever was open when last saved.
        title = choose_sheet([(ws.title, ws.sheet_state) for ws in book.worksheets], sheet_words)
        if title is None:
            count = len(book.worksheets)
            raise _unreadable(
                f"{name} has no visible sheet ({'its only sheet is' if count == 1 else f'all {count} sheets are'} "
                f"hidden); nothing was read. Unhide the sheet that holds {what} (in Excel: right-click a sheet "
                "tab, Unhide), save, and send it again")
        sheet = book[title]
        # Some exporters write a wrong size ("A1") in the sheet; read the cells actually there.
        sheet.reset_dimensions()
        return [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)], title
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile):
        raise _unreadable(f"{name} is a damaged Excel workbook; open it in Excel and save it again") from None
    finally:
        book.close()


def cell_text(value: Any) -> str:
    """A spreadsheet value as the text a person sees (dates as YYYY-MM-DD, 3.0 as 3)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def to_rows(table: list[list[str]]) -> tuple[Header, Rows]:
    """Header and rows from raw cells, ignoring blank trailing rows and columns."""
    table = list(table)
    # Spreadsheets often carry empty trailing cells and rows; ignore them.
    while table and not any(c.strip() for c in table[-1]):
        table.pop()
    if not table:
        return [], []
    width = max(_used_width(r) for r in table)
    header = [c.strip() for c in table[0][:width]] + [""] * (width - len(table[0]))
    rows = []
    for cells in table[1:]:
        cells = list(cells[:width]) + [""] * (width - len(cells))
        rows.append(dict(zip(header, cells, strict=True)))
    return header, rows


def _used_width(cells: list[str]) -> int:
    for i in range(len(cells), 0, -1):
        if cells[i - 1].strip():
            return i
    return 0


def column_letter(index: int) -> str:
    """Spreadsheet column letter for a 0-based index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# -- checking a header and cells, the same way for every file the bot takes -------------------

def separator_problem(header: Header) -> Problem | None:
    """A one-column header holding ';' or tabs: the file was saved with the wrong separator."""
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        sep = "semicolons" if ";" in header[0] else "tabs"
        return Problem(1, None, f"the columns are separated by {sep}; save the file as CSV with commas (UTF-8 CSV)")
    return None


def title_problem(header: Header, columns: Sequence[str], normalise: Callable[[str], str]) -> Problem | None:
    """Row 1 holding one text and no column name (a title above the header), or None.

    Said in one line, instead of listing that text as an unknown column and every column as missing.
    """
    filled = [h for h in header if h.strip()]
    if len(filled) != 1 or any(normalise(h) in columns for h in filled):
        return None
    title = " ".join(filled[0].split())
    shown = title if len(title) <= TITLE_SHOWN else title[: TITLE_SHOWN - 1] + "…"
    # Said of the file (the message names row 1), so it reads as one sentence: "row 1 must hold ...".
    return Problem(WHOLE_FILE, None, (
        f"row 1 must hold the column names; it looks like a title: {shown!r}. Delete the rows above the "
        f"column names ({', '.join(columns)}) and send the file again"))


def header_problems(header: Header, columns: Sequence[str], normalise: Callable[[str], str],
                    what: str) -> list[Problem]:
    """Every way `header` is not exactly `columns` in any order: unnamed, unknown, repeated, missing."""
    problems = []
    seen: dict[str, int] = {}
    for index, heading in enumerate(header):
        name = normalise(heading)
        if not name:
            problems.append(Problem(1, None, f"column {column_letter(index)} has no column name"))
        elif name not in columns:
            problems.append(Problem(1, None, f"column {column_letter(index)} {heading!r} is not {what} column"))
        elif name in seen:
            problems.append(Problem(1, None, (
                f"column {name} appears twice (columns {column_letter(seen[name])} and {column_letter(index)})")))
        else:
            seen[name] = index
    missing = [c for c in columns if c not in seen]
    if missing:
        problems.append(Problem(1, None, f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}"))
    if problems:
        problems.append(Problem(1, None, f"the columns must be exactly: {', '.join(columns)} (in any order)"))
    return problems


def clean_cell(value: str | None) -> str:
    return unicodedata.normalize("NFC", (value or "").strip())
