"""Reading a spreadsheet someone prepared (.csv or .xlsx) into a header and rows of text. Pure.

Shared by the imports (roster, allocations), which check the rows themselves:
- Every file kind the bot reads (roster, allocations, supervision history, caseload, calendar)
  comes through read_table / read_table_bytes, in chat and from the CLI alike (storage/files.py
  runs them off the event loop).
- Limits first (ReadLimits): a file whose decompressed size (a .csv's own size; the sum of an
  .xlsx's ZIP members) passes max_unzipped_bytes, whose members are compressed unusually far
  (a ZIP bomb), or whose sheet says it has more than max_rows rows is refused before anything is
  parsed; rows are also counted as they are streamed and reading stops at the limit.
- .csv must be UTF-8 (Excel's "CSV UTF-8" byte-order mark is accepted); anything else is
  refused with the line of the first unreadable character, never guessed at. A first line
  `sep=;` (Excel's separator hint, with or without the byte-order mark) names the separator
  (`sep=,`, `sep=;`, `sep=<tab>`) and is not a row; without one, commas.
- .xlsx: one sheet people can see, streamed (openpyxl's read-only parser). A formula cell is
  read as the result Excel saved with it; a formula with no saved result (a workbook written by
  a program such as XlsxWriter or openpyxl and never opened in Excel: no value, or XlsxWriter's
  stand-in 0 in a workbook marked to be recalculated when opened) and a formula showing an
  error (#REF!, #N/A ...) refuse the file, naming the cells: never a blank or a 0 taken for data.
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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from os import PathLike
from pathlib import Path
from typing import Any, NamedTuple

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
MB = 1024 * 1024
# A ZIP member expanding more than this many times its compressed size is refused: real sheets
# compress 5 to 30 times; a ZIP bomb thousands of times.
MAX_RATIO = 200
RATIO_FLOOR = MB  # members smaller than this expanded are never a danger, whatever their ratio
MAX_MEMBERS = 10_000  # ZIP members in one workbook (a real one has a few dozen)
CELLS_NAMED = 10  # cells named in a refusal before "and N more"
Header = list[str]
Rows = list[dict[str, str]]
VISIBLE = "visible"  # openpyxl's sheet_state for a sheet shown as a tab; else "hidden" or "veryHidden"
TITLE_SHOWN = 80  # characters of a title row quoted back


@dataclass(frozen=True)
class ReadLimits:
    """The most a file may hold before it is refused unread (settings QA_FILE_MAX_ROWS and
    QA_FILE_MAX_UNZIPPED_MB, parsed once by bot/settings.py), and how many of its rows an import
    writes in one transaction (QA_IMPORT_BATCH_ROWS; storage/files.py write_in_batches)."""

    max_rows: int = 100_000  # rows below the header
    max_unzipped_bytes: int = 200 * MB  # a .csv's size; the sum of an .xlsx's members decompressed
    batch_rows: int = 1_000  # rows an import writes per transaction, when the file has more


DEFAULT_LIMITS = ReadLimits()


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


def read_table(path: str | PathLike[str], what: str = "the file", sheet_words: Sequence[str] = (),
               limits: ReadLimits = DEFAULT_LIMITS) -> Table:
    """The header and rows (heading -> cell text) of a .csv or .xlsx file on disk.

    `what` names the file in messages ("a roster", "an allocation list"); `sheet_words` are the
    words a sheet's name holds when it is the one to read (see choose_sheet); `limits` are checked
    before the file is read (its size on disk) and parsed (see read_table_bytes).
    Raises UnreadableTable (one whole-file problem) for a file that cannot be read.
    Blocking (file I/O and parsing): call it off the event loop (storage/files.py).
    """
    path = Path(path)
    return read_table_bytes(file_bytes(path, what, limits), path.name, what, sheet_words, limits)


def file_bytes(path: str | PathLike[str], what: str = "the file", limits: ReadLimits = DEFAULT_LIMITS) -> bytes:
    """The bytes of a .csv or .xlsx file on disk, refused (UnreadableTable) unread when its name is not
    one or it is bigger than `limits.max_unzipped_bytes`. Blocking."""
    path = Path(path)
    check_suffix(path.name, what)
    try:
        size = path.stat().st_size
        if size > limits.max_unzipped_bytes:
            raise _too_big(path.name, size, limits)
        return path.read_bytes()
    except OSError as exc:
        raise _unreadable(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _checked_upload(data: bytes, filename: str, what: str, limits: ReadLimits, then: str) -> tuple[str, str]:
    """The file's name without folders and its suffix, after the checks every reader makes before parsing:
    a suffix the bot reads, not a web page or JSON instead of the file, within `limits`. `then` ends the
    message for a link saved from a browser ("import that", "send that"). Raises UnreadableTable."""
    name = Path(filename).name
    suffix = check_suffix(name, what)
    instead = not_the_file(name, data)
    if instead and ("web page" in instead or "JSON" in instead):
        # Often a link saved from a browser: it gives the sign-in page, never the file.
        raise _unreadable(f"{name} is {instead}; nothing was read. Download the file itself again (open it in "
                          f"Excel or from SharePoint/OneDrive, not a link) and {then}")
    check_limits(data, name, limits)
    return name, suffix


def read_table_bytes(data: bytes, filename: str, what: str = "the file",
                     sheet_words: Sequence[str] = (), limits: ReadLimits = DEFAULT_LIMITS, *,
                     header_only: bool = False) -> Table:
    """The same as read_table, from the bytes of an upload and the name it came with.

    Refused unparsed (UnreadableTable) when `data` passes `limits` (check_limits); the rows are
    counted as they are streamed too, and reading stops at limits.max_rows. `header_only`: stop
    after the header (no rows): enough to tell which kind a file is before it is read whole.
    """
    name, suffix = _checked_upload(data, filename, what, limits, "import that")
    if suffix == ".csv":
        return Table(*to_rows(_read_csv(data, name, limits, header_only)))
    cells, sheet = _read_xlsx(data, name, what, sheet_words, limits, header_only)
    return Table(*to_rows(cells), sheet=sheet)


def _too_big(name: str, size: int, limits: ReadLimits) -> UnreadableTable:
    return _unreadable(
        f"{name} is {size / MB:,.1f} MB when unpacked, more than the {limits.max_unzipped_bytes / MB:,.0f} MB the "
        "bot reads (QA_FILE_MAX_UNZIPPED_MB); nothing was read. Send only the rows and columns the import needs")


def _too_many_rows(name: str, rows: int | None, limits: ReadLimits) -> UnreadableTable:
    count = f"{rows:,} rows" if rows is not None else "more rows"
    return _unreadable(
        f"{name} has {count} below its header, more than the {limits.max_rows:,} the bot reads (QA_FILE_MAX_ROWS); "
        "nothing was read. Send only the rows the import needs (and delete any empty rows below them)")


def check_limits(data: bytes, name: str, limits: ReadLimits = DEFAULT_LIMITS) -> None:
    """Refuse `data` before it is parsed: UnreadableTable when it is bigger unpacked than
    `limits.max_unzipped_bytes` (a .csv's own size; an .xlsx's ZIP members' declared sizes, which
    bound what the ZIP reader will ever inflate), holds more than MAX_MEMBERS members, or has a
    member over RATIO_FLOOR compressed more than MAX_RATIO to 1. Bytes that are not a ZIP archive
    are left to the reader (it says what they are)."""
    if not data.startswith(ZIP_START):
        if len(data) > limits.max_unzipped_bytes:
            raise _too_big(name, len(data), limits)
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return
    if len(members) > MAX_MEMBERS:
        raise _unreadable(f"{name} holds {len(members):,} parts; an Excel workbook has a few dozen. Nothing was read")
    total = sum(m.file_size for m in members)
    if total > limits.max_unzipped_bytes:
        raise _too_big(name, total, limits)
    for member in members:
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise _unreadable(
                f"{name} is compressed {member.file_size // max(member.compress_size, 1):,} to 1, far more than any "
                "spreadsheet (a file built to exhaust memory); nothing was read")


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


_SEP_HINT = re.compile(r'^"?sep=(\t|\\t|[^\r\n"A-Za-z0-9])"?\r?$', re.IGNORECASE)


def csv_separator(first_line: str) -> str | None:
    """The separator a first line such as `sep=;` names (Excel's separator hint), or None when the
    line is not one. `sep=\\t` (written out) and `sep=` followed by a tab character both name the tab."""
    match = _SEP_HINT.match(first_line)
    if match is None:
        return None
    return "\t" if match.group(1) in ("\t", "\\t") else match.group(1)


def _read_csv(data: bytes, name: str, limits: ReadLimits = DEFAULT_LIMITS,
              header_only: bool = False) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _unreadable(
            f"{name} is not UTF-8 text (first unreadable character on line {line}); "
            "save it as UTF-8 CSV (in Excel: Save As, 'CSV UTF-8 (Comma delimited)') and import it again"
        ) from None
    first, _, rest = text.partition("\n")
    separator = csv_separator(first)
    if separator is None:
        separator, rest = ",", text
    reader = csv.reader(io.StringIO(rest, newline=""), delimiter=separator, strict=True)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
            if header_only and any(cell.strip() for cell in row):
                break
            if len(rows) > limits.max_rows + 1:  # the header and max_rows more
                raise _too_many_rows(name, None, limits)
    except csv.Error as exc:
        raise _unreadable(f"{name} is not a readable CSV file (line {reader.line_num}: {exc})") from None
    return rows


def _open_book(data: bytes, name: str) -> Any:
    """openpyxl's read-only workbook of `data`, or UnreadableTable saying what the bytes are instead."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; they do not matter here.
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError):
        if data.startswith(OLE2_START):
            raise _unreadable(
                f"{name} is password-protected, or an old Excel (.xls) workbook renamed .xlsx; the bot cannot read "
                "it. Remove the password (File, Info, Protect Workbook) or save it as .xlsx, and import it again"
            ) from None
        raise _unreadable(
            f"{name} is not an Excel workbook (.xlsx), or is damaged; open it in Excel, save it as .xlsx "
            "(Excel Workbook) and import it again") from None


def _read_xlsx(data: bytes, name: str, what: str, sheet_words: Sequence[str],
               limits: ReadLimits = DEFAULT_LIMITS, header_only: bool = False) -> tuple[list[list[str]], str | None]:
    book = _open_book(data, name)
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
        # The size the sheet says it has (its <dimension>): refused before parsing when too many rows.
        # Some exporters write a wrong size ("A1"), so the rows are counted as they are read too.
        if sheet.max_row is not None and sheet.max_row - 1 > limits.max_rows:
            raise _too_many_rows(name, sheet.max_row - 1, limits)
        calculation = getattr(book, "calculation", None)
        recalculate = bool(getattr(calculation, "fullCalcOnLoad", False))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cells, uncalculated, errors = _stream_sheet(book, sheet, recalculate, name, limits, header_only)
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile):
        raise _unreadable(f"{name} is a damaged Excel workbook; open it in Excel and save it again") from None
    finally:
        book.close()
    if uncalculated:
        raise _unreadable(
            f"{name}: {_cells_words(uncalculated)} {'holds a formula' if len(uncalculated) == 1 else 'hold formulas'} "
            "with no calculated result saved (the file was written by a program and never opened and saved in "
            "Excel), so what Excel would show there cannot be read; "
            "nothing was read. Open the file in Excel and save it, or replace the formulas by their values "
            "(copy, then Paste Special, Values), and send it again")
    if errors:
        raise _unreadable(
            f"{name}: {_cells_words(errors)} {'shows' if len(errors) == 1 else 'show'} an error from a formula "
            "(such as #REF! or #N/A) instead of a value; nothing was read. Correct or replace them by their values, save, and send it again")
    return cells, title


def _cells_words(coordinates: list[str]) -> str:
    """"cells B2, C2 and D2" / "cell B2" / "cells B2, ..., K2 and 14 more": which cells, in reading order."""
    shown = coordinates[:CELLS_NAMED]
    more = len(coordinates) - len(shown)
    if len(coordinates) == 1:
        return f"cell {shown[0]}"
    if more:
        return f"cells {', '.join(shown)} and {more:,} more"
    return f"cells {', '.join(shown[:-1])} and {shown[-1]}"


def _stream_sheet(book: Any, sheet: Any, recalculate: bool, name: str, limits: ReadLimits,
                  header_only: bool = False) -> tuple[list[list[str]], list[str], list[str]]:
    """The sheet's cells as text, row by row as the XML is parsed (openpyxl's streaming parser, the
    one its read-only mode uses: 3.1's WorkSheetParser and ReadOnlyWorksheet internals, pinned in
    requirements.txt), with the coordinates of formulas that have no calculated result and of
    formulas showing an error. Blank rows are kept only when data follows them (so row numbers stay
    as the spreadsheet shows them, and a sheet formatted a million rows down costs no memory)."""
    from openpyxl.utils.cell import get_column_letter
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    uncalculated: list[str] = []
    errors: list[str] = []

    class Cells(WorkSheetParser):
        def parse_cell(self, element):  # noqa: ANN001, ANN202 - openpyxl's signature
            cell = super().parse_cell(element)  # data_only: a formula's value is its saved result
            if element.find(FORMULA_TAG) is not None:
                saved = element.findtext(VALUE_TAG)
                kind = element.get("t", "n")
                # No <v>, or an empty one where a number belongs (openpyxl writes <v/>), is no result;
                # XlsxWriter writes 0 for every formula and asks Excel to recalculate on opening.
                if saved is None or (kind == "n" and (not saved.strip() or (recalculate and saved.strip() == "0"))):
                    uncalculated.append(f"{get_column_letter(cell['column'])}{cell['row']}")
                    cell["value"] = None
                elif kind == "e":
                    errors.append(f"{get_column_letter(cell['column'])}{cell['row']}")
            return cell

    rows: list[list[str]] = []
    blank = 0  # blank rows seen since the last row with data
    with sheet._get_source() as source:
        parser = Cells(source, sheet._shared_strings, data_only=True, epoch=book.epoch,
                       date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
        for index, parsed in parser.parse():
            blank += index - (len(rows) + blank) - 1  # rows the XML leaves out are blank
            texts: list[str] = []
            for cell in parsed:
                column = cell["column"]
                if column > len(texts):
                    texts.extend([""] * (column - len(texts)))
                texts[column - 1] = cell_text(cell["value"])
            if not any(t.strip() for t in texts):
                blank += 1
                continue
            rows.extend([] for _ in range(blank))
            blank = 0
            rows.append(texts)
            if header_only:
                break
            if len(rows) > limits.max_rows + 1:  # the header and max_rows more
                raise _too_many_rows(name, None, limits)
    return rows, uncalculated, errors


class StreamedRow(NamedTuple):
    """One row as it is read: the sheet (None for a .csv), its number as the spreadsheet shows it,
    its cells as text, and the columns (0-based) whose formula has no saved result or shows an error.
    (A named tuple: one is made per row streamed, and it costs a third of a frozen dataclass.)"""

    sheet: str | None
    number: int
    cells: list[str]
    unreadable: frozenset[int] = frozenset()


def stream_rows(data: bytes, filename: str, what: str = "the file",
                limits: ReadLimits = DEFAULT_LIMITS) -> Iterator[StreamedRow]:
    """Every non-blank row of a .csv, or of every VISIBLE sheet of an .xlsx in workbook order, one
    at a time, for a reader that keeps only some columns of each row (the Annex A extract, whose
    other columns identify children): nothing here keeps a row once the next is read.

    The same checks as read_table_bytes before parsing (suffix, a web page or JSON instead of the file,
    `limits`); rows are counted over all sheets and reading stops at limits.max_rows. Hidden sheets
    are never read. Raises UnreadableTable (one whole-file problem). Blocking: call it off the loop.
    """
    name, suffix = _checked_upload(data, filename, what, limits, "send that")
    if suffix == ".csv":
        yield from _stream_csv(data, name, limits)
        return
    book = _open_book(data, name)
    try:
        titles = [ws.title for ws in book.worksheets if (ws.sheet_state or VISIBLE) == VISIBLE]
        if book.worksheets and not titles:
            raise _unreadable(f"{name} has no visible sheet; nothing was read. Unhide the sheets that hold {what} "
                              "(in Excel: right-click a sheet tab, Unhide), save, and send it again")
        count = 0
        for title in titles:
            try:
                for row in _iter_sheet(book, book[title], name):
                    count += 1
                    if count > limits.max_rows + len(titles):  # a header per sheet and max_rows more
                        raise _too_many_rows(name, None, limits)
                    yield row
            except (KeyError, ValueError, TypeError, zipfile.BadZipFile):
                raise _unreadable(f"{name} is a damaged Excel workbook; open it in Excel and save it again") from None
    finally:
        book.close()


def _stream_csv(data: bytes, name: str, limits: ReadLimits) -> Iterator[StreamedRow]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _unreadable(
            f"{name} is not UTF-8 text (first unreadable character on line {line}); "
            "save it as UTF-8 CSV (in Excel: Save As, 'CSV UTF-8 (Comma delimited)') and send it again") from None
    first, _, rest = text.partition("\n")
    separator = csv_separator(first)
    offset = 1
    if separator is None:
        separator, rest, offset = ",", text, 0
    reader = csv.reader(io.StringIO(rest, newline=""), delimiter=separator, strict=True)
    count = 0
    try:
        for row in reader:
            if not "".join(row).strip():  # blank: every cell empty or spaces
                continue
            count += 1
            if count > limits.max_rows + 1:
                raise _too_many_rows(name, None, limits)
            yield StreamedRow(None, reader.line_num - offset, row)
    except csv.Error as exc:
        raise _unreadable(f"{name} is not a readable CSV file (line {reader.line_num}: {exc})") from None


def _iter_sheet(book: Any, sheet: Any, name: str) -> Iterator[StreamedRow]:
    """The sheet's non-blank rows as they are parsed (the parser _stream_sheet uses), each with the
    columns whose formula has no saved result or shows an error."""
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    calculation = getattr(book, "calculation", None)
    recalculate = bool(getattr(calculation, "fullCalcOnLoad", False))
    bad: set[int] = set()

    class Cells(WorkSheetParser):
        def parse_cell(self, element):  # noqa: ANN001, ANN202 - openpyxl's signature
            cell = super().parse_cell(element)
            if element.find(FORMULA_TAG) is not None:
                saved = element.findtext(VALUE_TAG)
                kind = element.get("t", "n")
                if saved is None or kind == "e" or (
                        kind == "n" and (not saved.strip() or (recalculate and saved.strip() == "0"))):
                    bad.add(cell["column"] - 1)
                    cell["value"] = None
            return cell

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with sheet._get_source() as source:
            parser = Cells(source, sheet._shared_strings, data_only=True, epoch=book.epoch,
                           date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
            for index, parsed in parser.parse():
                texts: list[str] = []
                for cell in parsed:
                    column = cell["column"]
                    if column > len(texts):
                        texts.extend([""] * (column - len(texts)))
                    texts[column - 1] = cell_text(cell["value"])
                unreadable = frozenset(bad)
                bad.clear()
                if any(t.strip() for t in texts) or unreadable:
                    yield StreamedRow(sheet.title, index, texts, unreadable)


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


def repeated_rows(rows: Sequence[int], column: str, what: str) -> list[Problem]:
    """One problem per row in `rows` (spreadsheet rows holding what must appear once) when there is
    more than one: `what` (e.g. "the same case is allocated more than once") and the rows listed."""
    if len(rows) < 2:
        return []
    listed = ", ".join(str(r) for r in rows)
    return [Problem(r, column, f"{what} (rows {listed})") for r in rows]


def clean_cell(value: str | None) -> str:
    return unicodedata.normalize("NFC", (value or "").strip())
