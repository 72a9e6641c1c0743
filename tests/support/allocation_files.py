"""Allocation lists as the QA unit sends them: rows, and the CSV or .xlsx bytes of a list.

GOOD is a valid list for staff both allocation test modules put on the roster: pm.cin, pm.lac
and sl.cin audit; sw1 and sw2 hold the cases (all @council.gov.uk).
"""
from __future__ import annotations

import csv
import io

import openpyxl

from qa.allocations import COLUMNS


def row(case_ref: str, auditor: str = "pm.cin@council.gov.uk", holder: str = "sw1@council.gov.uk", *,
        area: str = "Children in Need", team: str = "CIN Team 1", annex: str = "List 6", theme: str = "") -> dict:
    return {"case_ref": case_ref, "annex_a_list": annex, "service_area": area, "team": team,
            "auditor_email": auditor, "case_holder_email": holder, "theme": theme}


GOOD = [
    row("CR-1001"),
    row("CR-1002", "pm.lac@council.gov.uk", "sw2@council.gov.uk", area="Looked After Children", team="LAC 2",
        annex="List 8", theme="Stability"),
    row("CR-1003", "sl.cin@council.gov.uk", ""),
]


def csv_bytes(rows: list[dict], header: list[str] | None = None, *, bom: bool = False) -> bytes:
    header = list(header or COLUMNS)
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(h, "") for h in header])
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[dict], header: list[str] | None = None) -> bytes:
    header = list(header or COLUMNS)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for r in rows:
        sheet.append([r.get(h) or None for h in header])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
