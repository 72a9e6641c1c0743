"""A status's figures as an Excel workbook (the one sheet of its table, then its notes): what the chat
offers when the card would pass Teams' 28 KB. Text is written as text (dialogs/workbooks.py)."""
from __future__ import annotations

import io

from dialogs import workbooks
from dialogs.status_cards import StatusView


def status_workbook(view: StatusView) -> bytes:
    """`view` as .xlsx bytes: a title row, the headers, every row, the total, a blank row and the notes."""
    book = workbooks.openpyxl_workbook()
    sheet = book.active
    sheet.title = view.title[:31]
    workbooks.append(sheet, (f"{view.title}, {view.scope}, as of {view.at}",))
    workbooks.append(sheet, view.headers)
    for row in view.rows:
        workbooks.append(sheet, row)
    if view.total is not None:
        workbooks.append(sheet, view.total)
    if view.notes:
        workbooks.append(sheet, ())
        for note in view.notes:
            workbooks.append(sheet, (note,))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def file_name(name: str, scope_areas: tuple[str, ...] | None, day: str) -> str:
    """"escalations-status-2026-12-07.xlsx", with "-areas" for a service lead's own areas."""
    return f"{name}-status-{day}{'' if scope_areas is None else '-your-areas'}.xlsx"
