"""Reading the month's Annex A extract for the audit sample (framework 9.3: "Cases for the monthly
audit will be selected by Quality Assurance Unit, using the Ofsted Annex A case list"). Pure: rows in
(qa.tabular.stream_rows), the cases the sample needs out.

What an extract is (../shared/reference/annex-a.md): Ofsted's workbook as councils produce it, one
sheet per list ("List 6 - Children in Need"), a title row or two above the header, guidance and
hidden lookup sheets; or a flat .csv/.xlsx with list, case reference, team and case holder columns.

Rules decided here:
- Only these columns are read, found by name (ignoring case, spaces and punctuation; see COLUMNS):
  the case reference ("Child Unique ID"), the list (a column, else the sheet's name), the team
  ("Allocated Team"), the case holder ("Allocated Worker": a roster email or name, turned into a
  roster id here and never kept as text), and a closure date when there is one. Every other cell
  (names, dates of birth, gender, ethnicity, disability, addresses, ages, placements) is dropped as
  its row is read: never stored, logged or repeated. The summary names the IGNORED COLUMNS (their
  headings only) so the QA unit sees what the bot left alone.
- A sheet's header is the first of its first HEADER_SEARCH rows holding a case reference heading;
  the rows above are titles, never read back. A visible sheet with none (guidance) is skipped and
  named; hidden sheets are never read (qa.tabular).
- A row whose case reference is not in the council's format (qa.identifiers.case_ref_problem), whose
  team or list holds an identifier (qa.identifiers.cell_problem), whose closure date is not a date,
  or whose cells the bot needs hold a formula with no result is skipped, named by sheet and row (the
  cell's text never repeated). A child on several lists is one case (the last list read).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple
from unicodedata import normalize

from qa.identifiers import DEFAULT_CASE_REFS, CaseRefFormat, case_ref_problem, cell_problem
from qa.tabular import StreamedRow

WHAT = "an Annex A extract"
HEADER_SEARCH = 10  # rows of a sheet looked through for its header (titles sit above it)
SKIPPED_SHOWN = 20  # skipped rows named in a summary before "and N more"

# Field -> headings that mean it, normalised (lower case, words joined by "_").
COLUMNS: dict[str, tuple[str, ...]] = {
    "case_ref": ("child_unique_id", "child_unique_identifier", "unique_id", "child_id", "case_ref",
                 "case_reference", "case_number", "case_id", "lcs_id", "person_id", "child_reference"),
    "list": ("list", "annex_a_list", "annex_list"),
    "team": ("allocated_team", "team", "allocated_team_name", "team_name"),
    "case_holder": ("allocated_worker", "case_holder", "case_holder_email", "allocated_social_worker",
                    "allocated_worker_name", "worker", "social_worker", "key_worker"),
    "closed_on": ("case_closure_date", "closure_date", "date_closed", "date_case_closed", "closed_date",
                  "case_closed_date", "date_of_closure"),
}
_HEADING = {h: f for f, names in COLUMNS.items() for h in names}
_LIST_NUMBER = re.compile(r"\blist\s*(\d{1,2})\b", re.IGNORECASE)
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def normal(heading: str) -> str:
    """"Child Unique ID" -> child_unique_id; "Allocated Team:" -> allocated_team."""
    return "_".join(re.findall(r"[a-z0-9]+", heading.casefold()))


def list_name(sheet_or_cell: str) -> str:
    """"List 6 - Children in Need" -> "List 6"; "6" -> "List 6"; anything else as written (trimmed)."""
    text = " ".join(sheet_or_cell.split())
    found = _LIST_NUMBER.search(text)
    if found:
        return f"List {int(found.group(1))}"
    return f"List {int(text)}" if text.isdigit() else text


def parse_day(text: str) -> date | None:
    """A closure date as the reader gives it (YYYY-MM-DD from a date cell) or typed dd/mm/yyyy.
    Raises ValueError for anything else."""
    m = _DMY.match(text)
    if m:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    return date.fromisoformat(text[:10])


class ExtractCase(NamedTuple):
    """What the sample keeps of one row: case reference, list, team, the case holder's roster id.
    (A named tuple: made once per row of a 60,000-row extract, it costs a third of a frozen dataclass.)"""

    case_ref: str
    annex_a_list: str
    team: str
    case_holder_id: int | None
    closed_on: date | None


@dataclass
class Extract:
    """The cases read, and what the summary says about the file: sheets read and skipped, the
    headings ignored, rows skipped (sheet, row, why), case holders the roster does not know."""

    cases: list[ExtractCase] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    sheets_skipped: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    rows: int = 0
    holders_unknown: int = 0

    def describe(self) -> str:
        """Lines for a person: no cell of the file, only headings, sheet names and row numbers."""
        lines = [f"{self.rows:,} rows read, {len(self.cases):,} cases"
                 + (f" from {', '.join(repr(s) for s in self.sheets)}" if self.sheets else "")]
        if self.sheets_skipped:
            lines.append(f"sheets with no case reference column, not read: {', '.join(repr(s) for s in self.sheets_skipped)}")
        if self.ignored_columns:
            lines.append(f"columns ignored (never read or kept): {', '.join(self.ignored_columns)}")
        if self.holders_unknown:
            lines.append(f"{self.holders_unknown:,} cases have a case holder the roster does not know "
                         "(their line manager cannot be checked; their team still is)")
        if self.skipped:
            shown = self.skipped[:SKIPPED_SHOWN]
            more = len(self.skipped) - len(shown)
            lines.append(f"{len(self.skipped):,} rows skipped: " + "; ".join(shown) + (f"; and {more:,} more" if more else ""))
        return "\n".join(lines)


class ExtractRejected(Exception):  # noqa: N818 - the name the CLI and the bot say
    """The file holds no sheet with a case reference column: str() says which headings are looked for."""


def parse_extract(rows: Iterable[StreamedRow], holder_of: Callable[[str], int | None], *,
                  case_refs: CaseRefFormat = DEFAULT_CASE_REFS) -> Extract:
    """The cases in an Annex A extract's rows (see the module's rules). `holder_of(text)` is the
    roster id of an "Allocated Worker" cell (email or name), or None. Raises ExtractRejected when no
    sheet has a case reference column. Each row's cells are let go as soon as its fields are taken."""
    out = Extract()
    by_ref: dict[str, ExtractCase] = {}
    ignored: dict[str, None] = {}
    # A team's or list's cell is screened once per distinct text (an extract repeats a few hundred
    # teams over tens of thousands of rows).
    screened: dict[str, bool] = {}
    lists: dict[str, str] = {}  # a list's cell or sheet name -> "List N", once per distinct text
    known: dict[str, int | None] = {}

    def holder(text: str) -> int | None:  # once per distinct worker, as the teams
        if text not in known:
            known[text] = holder_of(text)
        return known[text]
    sheet: str | None = None
    picked: dict[str, int] | None = None
    fields: tuple[tuple[str, int], ...] = ()
    searched = 0
    started = False
    for row in rows:
        if not started or row.sheet != sheet:
            if started and picked is None:
                out.sheets_skipped.append(sheet or "")
            sheet, picked, searched, started = row.sheet, None, 0, True
        if picked is None:
            searched += 1
            found = _header(row.cells) if searched <= HEADER_SEARCH else None
            if found is not None:
                picked = found
                fields = tuple(found.items())
                out.sheets.append(sheet or "")
                for index, heading in enumerate(row.cells):
                    if heading.strip() and index not in picked.values():
                        ignored[" ".join(heading.split())] = None
            continue
        out.rows += 1
        cells = row.cells
        width = len(cells)
        # clean_cell inlined: four cells of every row of a 60,000-row extract
        taken = {f: normalize("NFC", cells[i].strip()) if i < width else "" for f, i in fields}
        if row.unreadable and any(i in row.unreadable for i in picked.values()):
            out.skipped.append(f"{_where(sheet, row.number)}: a formula with no saved value")
            continue
        case = _case(taken, sheet, holder, case_refs, screened, lists)
        if isinstance(case, str):
            out.skipped.append(f"{_where(sheet, row.number)}: {case}")
            continue
        if taken.get("case_holder") and case.case_holder_id is None:
            out.holders_unknown += 1
        by_ref[case.case_ref] = case
    if started and picked is None:
        out.sheets_skipped.append(sheet or "")
    if not out.sheets:
        raise ExtractRejected(
            "no sheet of the file has a case reference column (such as 'Child Unique ID' or 'case_ref') in its "
            f"first {HEADER_SEARCH} rows; nothing was read")
    out.cases = list(by_ref.values())
    out.ignored_columns = list(ignored)
    return out


def _where(sheet: str | None, number: int) -> str:
    return f"{sheet!r} row {number}" if sheet else f"row {number}"


# Headings an Annex A never has: a file with one is the allocation list (or another file the bot takes).
NOT_ANNEX_A = frozenset({"auditor_email", "auditor", "grade", "display_name"})


def looks_like_extract(rows: Iterable[StreamedRow]) -> bool:
    """Whether the rows (qa.tabular.stream_rows: every visible sheet) are an Annex A extract: some
    sheet has, in its first HEADER_SEARCH rows, a header naming a case reference column and either a
    list column, a list's sheet name ("List 6 - Children in Need") or the allocated team or worker,
    and no column an Annex A never has (NOT_ANNEX_A: an auditor, a grade). Stops at the first such
    header; no cell is kept."""
    sheet: object = object()  # no sheet yet (a .csv's rows have sheet None)
    searched = 0
    for row in rows:
        if row.sheet != sheet:
            sheet, searched = row.sheet, 0
        searched += 1
        if searched > HEADER_SEARCH:
            if sheet is None:  # a .csv has one table: no header near its top, no extract
                return False
            continue
        found = _header(row.cells)
        if found is None:
            continue
        if {normal(c) for c in row.cells} & NOT_ANNEX_A:
            return False
        on_list = isinstance(sheet, str) and _LIST_NUMBER.search(sheet) is not None
        if "list" in found or on_list or "team" in found or "case_holder" in found:
            return True
    return False


def _header(cells: list[str]) -> dict[str, int] | None:
    """{field: column index} when `cells` is a header (it names a case reference column), else None.
    The first column meaning a field wins."""
    found: dict[str, int] = {}
    for index, heading in enumerate(cells):
        name = _HEADING.get(normal(heading))
        if name and name not in found:
            found[name] = index
    return found if "case_ref" in found else None


def _case(taken: Mapping[str, str], sheet: str | None, holder_of: Callable[[str], int | None],
          case_refs: CaseRefFormat, screened: dict[str, bool], lists: dict[str, str]) -> ExtractCase | str:
    """The row's case, or why it is skipped (never the cell's text)."""
    ref = taken["case_ref"]
    if not ref:
        return "no case reference"
    problem = case_ref_problem(ref, case_refs)
    if problem:
        return "the case reference is not one in the council's format"
    written = taken.get("list") or sheet or ""
    annex = lists.get(written)
    if annex is None:
        annex = lists[written] = list_name(written)
    if not annex:
        return "no Annex A list (no list column, and not on a list's sheet)"
    for column in ("list", "team"):
        value = taken.get(column)
        if value:
            if value not in screened:
                screened[value] = cell_problem(value) is not None
            if screened[value]:
                return f"the {column} column holds something other than a {column} name"
    closed = None
    if taken.get("closed_on"):
        try:
            closed = parse_day(taken["closed_on"])
        except ValueError:
            return "the closure date is not a date"
    holder = holder_of(taken["case_holder"]) if taken.get("case_holder") else None
    return ExtractCase(ref, annex[:100], taken.get("team", "")[:200], holder, closed)
