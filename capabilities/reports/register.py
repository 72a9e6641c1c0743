"""The audit register (framework 9.3 "Audit completion" b): the spreadsheet of every audit
activity and its outcome the QA unit keeps, one row per allocation, case references only.

`COLUMNS` are the register's headings and kinds; `values(rows, cal, today)` turns storage's
plain rows (qa.reports.RegisterRow) into cell values, dates as the council's local dates.
`RegisterSheet` writes them into an XlsxWriter worksheet: the register workbook's only sheet
(`stream_register`) and the analysis workbooks' "Register" sheet (workbook.py).

The register workbook uses XlsxWriter's constant_memory mode (one row in memory, the rest in a
temporary file), which cannot add an Excel table: it gets filters on every column (autofilter)
over the whole range instead, a frozen bold header, column widths that fit, dates as dates.
Why not XlsxWriter's normal mode with a real table: it keeps every cell as an object; for 30,000
rows x 28 columns the writer alone peaked at 230 MB (431 MB for 60,000), over the 200 MB target
whatever the machine's load, where constant_memory stays at 30 MB whatever the rows. The time is
the same in both modes: XlsxWriter spends about 6 microseconds of CPU a cell, so the register of
30,000 rows (read + written) takes 5.1 s wall, 4.5 s CPU, against 1.15 s (1.1 s CPU) for the
hand-written writer this replaced: slower, as the house rule accepts (2026-11-30, 2 shared cores,
load average 3.3-3.6; `python -m bench.reports`, docs/performance.md).
"""
from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, time
from typing import IO, Any

import xlsxwriter

from dialogs.workbooks import write_text, xlsx_workbook
from qa.calendar import WorkingCalendar
from qa.forms import FormDefinition
from qa.framework import KEY_AREAS
from qa.reports import LATE, ON_TIME, OVERDUE, RegisterRow, audit_deadline

TEXT, DATE, NUMBER = "text", "date", "number"
DATE_FORMAT = "yyyy-mm-dd"
MIN_WIDTH, MAX_WIDTH = 8, 60  # characters
COLUMNS: tuple[tuple[str, str], ...] = (
    ("Month", TEXT), ("Case ref", TEXT), ("Annex A list", TEXT), ("Service area", TEXT), ("Team", TEXT),
    ("Theme", TEXT), ("Auditor", TEXT), ("Case holder", TEXT), ("State", TEXT),
    ("Allocated", DATE), ("Started", DATE), ("Submitted", DATE), ("Oversight confirmed", DATE), ("Uploaded", DATE),
    ("On time or late", TEXT), ("Grade", TEXT),
    *((area, TEXT) for area in KEY_AREAS),
    ("Discussion held", TEXT), ("Family views asked", TEXT), ("Safeguarding concern raised", TEXT),
    ("Disputed", TEXT), ("Times declined", NUMBER),
    ("Moderation", TEXT), ("Escalation", TEXT), ("Escalation updates", TEXT), ("Re-audit", TEXT),
    ("Dip-sample moderation", TEXT), ("Case holder's reflection received", TEXT),
    ("Imported", TEXT),  # "Yes": an audit done before the bot, from the QA unit's past register
    ("Form", TEXT),  # the audit form and version ("fostering v2"); its answers on the form's own sheet
    ("How chosen", TEXT),  # "uploaded", "sampled, seed 42", "re-audit" (qa/allocations.py)
)
HEADERS = tuple(name for name, _ in COLUMNS)
KINDS = tuple(kind for _, kind in COLUMNS)
STATES = {"allocated": "Allocated", "declined": "Declined", "started": "Started", "submitted": "Submitted",
          "disputed": "Disputed", "oversight_confirmed": "Oversight confirmed", "complete": "Uploaded"}


def _yes_no(flag: bool | None) -> str:
    return "" if flag is None else "Yes" if flag else "No"


def moderation_cell(row: RegisterRow) -> str:
    """"Agreed", "Regraded to Good", "Pending"; "" when the audit was not moderated."""
    if row.moderation == "regraded":
        return f"Regraded to {row.moderated_grade}"
    return (row.moderation or "").capitalize()


def escalation_cells(row: RegisterRow, cal: WorkingCalendar, today: date) -> tuple[str, str]:
    """("Open" / "Closed" / "", its updates: "2 on time, 1 late, 1 overdue"); an owed update is
    overdue on `today` (a local date) when its due instant (the end of its due day) came by the
    start of today (local midnight)."""
    if row.escalation is None:
        return "", ""
    parts = []
    if row.updates_on_time:
        parts.append(f"{row.updates_on_time} on time")
    if row.updates_late:
        parts.append(f"{row.updates_late} late")
    if row.update_owed_due is not None and row.update_owed_due <= datetime.combine(today, time(0), tzinfo=cal.tz):
        parts.append("1 overdue")
    return row.escalation.capitalize(), ", ".join(parts) or "none sent yet"


def reaudit_cell(row: RegisterRow) -> str:
    """For an original: "2026-09: Requires Improvement" (the re-audit's month and grade, "not
    submitted" before then); for a re-audit: "Re-audit of 2026-08 (Inadequate)"; else ""."""
    if row.reaudit_of is not None:
        return f"Re-audit of {row.reaudit_of} ({row.original_grade or 'no grade'})"
    if row.reaudit_month is not None:
        return f"{row.reaudit_month}: {row.reaudit_grade or 'not submitted'}"
    return ""


def dip_cell(row: RegisterRow) -> str:
    """"Agreed", "Would give Good", "Pending"; "" when not sampled."""
    if row.dip_sample == "disagreed":
        return f"Would give {row.dip_grade}"
    return (row.dip_sample or "").capitalize()


def values(rows: Iterable[RegisterRow], cal: WorkingCalendar, today: date) -> Iterator[list[Any]]:
    """Each row's cells, in COLUMNS order."""
    for row in rows:
        yield row_values(row, cal, today)


def row_values(row: RegisterRow, cal: WorkingCalendar, today: date) -> list[Any]:
    tz = cal.tz  # the datetimes come aware from storage; straight to the council's local date
    allocated, started, submitted, oversight, uploaded = (
        d.astimezone(tz).date() if d is not None else None
        for d in (row.allocated_at, row.started_at, row.submitted_at, row.oversight_at, row.uploaded_at))
    deadline = audit_deadline(row.month, cal)
    when = (ON_TIME if submitted <= deadline else LATE) if submitted is not None \
        else OVERDUE if today > deadline and not row.imported else ""
    judged = row.key_areas or {}
    return [
        row.month, row.case_ref, row.annex_a_list, row.service_area, row.team, row.theme, row.auditor,
        row.case_holder, STATES.get(row.state, row.state), allocated, started, submitted, oversight, uploaded,
        when, row.grade or "",
        *(judged.get(area) or "" for area in KEY_AREAS),
        _yes_no(row.discussion_held), _yes_no(row.family_views), _yes_no(row.safeguarding),
        "" if row.disputed_at is None else "Yes, resolved" if row.resolved_at is not None else "Yes",
        row.declines,
        moderation_cell(row), *escalation_cells(row, cal, today), reaudit_cell(row), dip_cell(row),
        "Yes" if row.reflection_received else "",
        "Yes" if row.imported else "",
        row.form,
        "" if row.imported else row.how_chosen,
    ]


class RegisterSheet:
    """The register's headings and rows written into the XlsxWriter worksheet `ws` of `wb`:
    headings bold in row 1 (frozen), text always as strings (dialogs/workbooks.py `write_text`: a
    value starting with "=" stays text, never a formula), dates as dates (DATE_FORMAT), numbers as numbers,
    empty values ("" or None) left empty. Works in constant_memory mode: rows go in order, and
    the column widths (the longest value seen, MIN_WIDTH..MAX_WIDTH characters) are set at
    `finish`, which XlsxWriter allows in that mode as it writes the columns when it closes."""

    def __init__(self, wb: xlsxwriter.Workbook, ws: Any) -> None:
        self.ws = ws
        self.date = wb.add_format({"num_format": DATE_FORMAT})
        self.widths = [len(h) + 3 for h in HEADERS]  # room for the filter button
        self.columns = list(enumerate(KINDS))
        self.count = 0
        bold = wb.add_format({"bold": True})
        for col, heading in enumerate(HEADERS):
            ws.write_string(0, col, heading, bold)

    def add(self, values: list[Any]) -> None:
        """One row, in COLUMNS order (see `row_values`)."""
        self.count += 1
        r, ws, widths = self.count, self.ws, self.widths
        for col, kind in self.columns:
            value = values[col]
            if value is None or value == "":
                continue
            if kind == TEXT:
                value = str(value)
                write_text(ws, r, col, value)
                if len(value) > widths[col]:
                    widths[col] = len(value)
            elif kind == DATE:
                ws.write_datetime(r, col, value, self.date)
                if widths[col] < 10:
                    widths[col] = 10
            else:
                ws.write_number(r, col, value)
                if len(str(value)) > widths[col]:
                    widths[col] = len(str(value))

    def finish(self, table: str | None = None) -> int:
        """Widths, the frozen header, and filters on every column: an Excel table named `table`
        (normal mode only), or an autofilter over the whole range. Returns the number of rows."""
        ws, last_col = self.ws, len(HEADERS) - 1
        for col, width in enumerate(self.widths):
            ws.set_column(col, col, min(max(width + 2, MIN_WIDTH), MAX_WIDTH))
        if table is None:
            ws.autofilter(0, 0, self.count, last_col)
        else:  # a table needs a data row, even an empty one
            ws.add_table(0, 0, max(self.count, 1), last_col, {
                "name": table, "style": "Table Style Medium 2", "columns": [{"header": h} for h in HEADERS]})
        ws.freeze_panes(1, 0)
        return self.count


FORM_LEAD = ("Month", "Case ref", "Service area", "Team", "Auditor", "Submitted")  # before the questions


def answer_cell(value: Any) -> Any:
    """An answer as a cell: several chosen joined by "; ", a number as a number, the rest as text
    (an ISO date, "Not applicable", a grade, free text)."""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return value


class FormSheets:
    """The answers of audits on forms other than the default: one sheet per form and version, a column
    per question (its label), made when the first such audit comes (constant_memory allows it: each
    sheet keeps its own rows in order). `forms`: (name, version) -> the kept definition."""

    def __init__(self, wb: xlsxwriter.Workbook, forms: Mapping[tuple[str, int], FormDefinition]) -> None:
        self.wb, self.forms = wb, forms
        self.sheets: dict[str, tuple[Any, tuple[str, ...], list[int]]] = {}
        self.bold = wb.add_format({"bold": True})

    def add(self, row: RegisterRow, cal: WorkingCalendar) -> None:
        if not row.answers:
            return
        if row.form not in self.sheets:
            name, _, version = row.form.rpartition(" v")
            form = self.forms.get((name, int(version)))
            if form is None:
                return
            ws = self.wb.add_worksheet(_sheet_name(f"Form {row.form}", {*self.sheets, "Register"}))
            questions = tuple(q.id for q in form.questions())
            headers = (*FORM_LEAD, *(q.label for q in form.questions()))
            for col, heading in enumerate(headers):
                ws.write_string(0, col, heading, self.bold)
            ws.freeze_panes(1, 2)
            self.sheets[row.form] = (ws, questions, [1])
        ws, questions, at = self.sheets[row.form]
        submitted = row.submitted_at.astimezone(cal.tz).date().isoformat() if row.submitted_at else ""
        cells = [row.month, row.case_ref, row.service_area, row.team, row.auditor, submitted,
                 *(answer_cell(row.answers.get(q)) for q in questions)]
        for col, value in enumerate(cells):
            if isinstance(value, int | float) and not isinstance(value, bool):
                ws.write_number(at[0], col, value)
            elif value not in (None, ""):
                write_text(ws, at[0], col, str(value))
        at[0] += 1


def _sheet_name(wanted: str, taken: set[str]) -> str:
    """Excel's sheet names: at most 31 characters, none of []:*?/\\, unique."""
    base = "".join("-" if c in "[]:*?/\\" else c for c in wanted)[:31]
    name, n = base, 2
    while name in taken:
        name, n = f"{base[:27]} ({n})", n + 1
    return name


class RegisterWorkbook:
    """The register workbook: the sheet "Register", then a sheet per audit form other than the default
    with its questions' answers, written in constant_memory mode (see the module's docstring). `out` is
    a path or a binary file (io.BytesIO)."""

    def __init__(self, out: str | os.PathLike[str] | IO[bytes], title: str = "Audit register",
                 made_for: date | None = None,
                 forms: Mapping[tuple[str, int], FormDefinition] | None = None) -> None:
        self.wb = xlsx_workbook(out, {"constant_memory": True})
        # "created" is the day the register was made for, not the wall clock (same day, same bytes).
        created = {"created": datetime.combine(made_for, time())} if made_for else {}
        self.wb.set_properties({"title": title, **created})
        self.sheet = RegisterSheet(self.wb, self.wb.add_worksheet("Register"))
        self.answers = FormSheets(self.wb, forms or {})

    def add(self, values: list[Any]) -> None:
        self.sheet.add(values)

    def close(self) -> int:
        """Write the workbook; returns the number of data rows."""
        count = self.sheet.finish()
        self.wb.close()
        return count


async def stream_register(out: str | os.PathLike[str] | IO[bytes], rows: AsyncIterator[RegisterRow],
                          cal: WorkingCalendar, today: date, title: str = "Audit register",
                          keep: Callable[[RegisterRow], bool] | None = None,
                          forms: Mapping[tuple[str, int], FormDefinition] | None = None) -> int:
    """The register workbook from rows read a chunk at a time (storage.reports.stream_register_rows);
    `keep` picks rows (a service lead's areas); `forms` (storage.reports.kept_forms) names the
    questions of the forms-as-data sheets."""
    writer = RegisterWorkbook(out, title, made_for=today, forms=forms)
    async for row in rows:
        if keep is None or keep(row):
            writer.add(row_values(row, cal, today))
            writer.answers.add(row, cal)
    return writer.close()
