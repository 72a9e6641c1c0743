"""The audit register (framework 9.3 "Audit completion" b): the spreadsheet of every audit
activity and its outcome the QA unit keeps, one row per allocation, case references only.

`columns()` are the register's headings and kinds; `values(rows, cal, today)` turns storage's
plain rows (qa.reports.RegisterRow) into cell values, dates as the council's local dates.
`write_register` writes the workbook (capabilities/reports/xlsx_table.py).
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import IO, Any

from capabilities.reports.xlsx_table import DATE, NUMBER, TEXT, write_table
from qa.calendar import WorkingCalendar
from qa.framework import KEY_AREAS
from qa.reports import RegisterRow, timeliness

COLUMNS: tuple[tuple[str, str], ...] = (
    ("Month", TEXT), ("Case ref", TEXT), ("Annex A list", TEXT), ("Service area", TEXT), ("Team", TEXT),
    ("Theme", TEXT), ("Auditor", TEXT), ("Case holder", TEXT), ("State", TEXT),
    ("Allocated", DATE), ("Started", DATE), ("Submitted", DATE), ("Oversight confirmed", DATE), ("Uploaded", DATE),
    ("On time or late", TEXT), ("Grade", TEXT),
    *((area, TEXT) for area in KEY_AREAS),
    ("Discussion held", TEXT), ("Family views asked", TEXT), ("Safeguarding concern raised", TEXT),
    ("Disputed", TEXT), ("Times declined", NUMBER),
)
HEADERS = tuple(name for name, _ in COLUMNS)
KINDS = tuple(kind for _, kind in COLUMNS)
STATES = {"allocated": "Allocated", "declined": "Declined", "started": "Started", "submitted": "Submitted",
          "disputed": "Disputed", "oversight_confirmed": "Oversight confirmed", "complete": "Uploaded"}


def _yes_no(flag: bool | None) -> str:
    return "" if flag is None else "Yes" if flag else "No"


def values(rows: Sequence[RegisterRow], cal: WorkingCalendar, today: date) -> Iterator[list[Any]]:
    """Each row's cells, in COLUMNS order."""
    local = cal.local_date
    for row in rows:
        judged = row.key_areas or {}
        yield [
            row.month, row.case_ref, row.annex_a_list, row.service_area, row.team, row.theme, row.auditor,
            row.case_holder, STATES.get(row.state, row.state),
            *(local(d) if d is not None else None for d in (row.allocated_at, row.started_at, row.submitted_at,
                                                              row.oversight_at, row.uploaded_at)),
            timeliness(row, cal, today), row.grade or "",
            *(judged.get(area) or "" for area in KEY_AREAS),
            _yes_no(row.discussion_held), _yes_no(row.family_views), _yes_no(row.safeguarding),
            "" if row.disputed_at is None else "Yes, resolved" if row.resolved_at is not None else "Yes",
            row.declines,
        ]


def write_register(out: str | IO[bytes], rows: Sequence[RegisterRow], cal: WorkingCalendar, today: date,
                   title: str = "Audit register") -> int:
    """The register workbook: one sheet "Register" with the Excel table "AuditRegister"."""
    return write_table(out, sheet="Register", table="AuditRegister", headers=HEADERS, kinds=KINDS,
                       rows=values(rows, cal, today), title=title)
