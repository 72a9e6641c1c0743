"""The audit register (framework 9.3 "Audit completion" b): the spreadsheet of every audit
activity and its outcome the QA unit keeps, one row per allocation, case references only.

`columns()` are the register's headings and kinds; `values(rows, cal, today)` turns storage's
plain rows (qa.reports.RegisterRow) into cell values, dates as the council's local dates.
`write_register` writes the workbook (capabilities/reports/xlsx_table.py).
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import date
from typing import IO, Any

from capabilities.reports.xlsx_table import DATE, NUMBER, TEXT, TableWriter
from qa.calendar import WorkingCalendar
from qa.framework import KEY_AREAS
from qa.reports import LATE, ON_TIME, OVERDUE, RegisterRow, audit_deadline

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
        else OVERDUE if today > deadline else ""
    judged = row.key_areas or {}
    return [
        row.month, row.case_ref, row.annex_a_list, row.service_area, row.team, row.theme, row.auditor,
        row.case_holder, STATES.get(row.state, row.state), allocated, started, submitted, oversight, uploaded,
        when, row.grade or "",
        *(judged.get(area) or "" for area in KEY_AREAS),
        _yes_no(row.discussion_held), _yes_no(row.family_views), _yes_no(row.safeguarding),
        "" if row.disputed_at is None else "Yes, resolved" if row.resolved_at is not None else "Yes",
        row.declines,
    ]


def register_writer(out: str | IO[bytes], title: str = "Audit register") -> TableWriter:
    """The register workbook: one sheet "Register" with the Excel table "AuditRegister"."""
    return TableWriter(out, sheet="Register", table="AuditRegister", headers=HEADERS, kinds=KINDS, title=title)


def write_register(out: str | IO[bytes], rows: Iterable[RegisterRow], cal: WorkingCalendar, today: date,
                   title: str = "Audit register") -> int:
    writer = register_writer(out, title)
    for row in rows:
        writer.add(row_values(row, cal, today))
    return writer.close()


async def stream_register(out: str | IO[bytes], rows: AsyncIterator[RegisterRow], cal: WorkingCalendar,
                          today: date, title: str = "Audit register", keep: Callable[[RegisterRow], bool] | None = None
                          ) -> int:
    """`write_register` from rows read a chunk at a time (storage.reports.stream_register_rows);
    `keep` picks rows (a service lead's areas)."""
    writer = register_writer(out, title)
    async for row in rows:
        if keep is None or keep(row):
            writer.add(row_values(row, cal, today))
    return writer.close()
