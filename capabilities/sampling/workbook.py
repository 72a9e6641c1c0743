"""The proposed sample as an Excel workbook: one row per case (case reference, list, service area,
team, case holder, auditor, re-audit), then a sheet of what the rules could not satisfy and the
file's summary. Case references and staff names only; text written as text (dialogs/workbooks.py)."""
from __future__ import annotations

import io

from dialogs import workbooks
from qa.sampling import Proposal

HEADERS = ("Case reference", "Annex A list", "Service area", "Team", "Case holder", "Auditor", "Re-audit")


def sample_workbook(proposal: Proposal, names: dict[int, str], notes: list[str]) -> bytes:
    """`proposal` as .xlsx bytes (`names`: roster id -> name; `notes`: the summary's lines)."""
    book = workbooks.openpyxl_workbook()
    sheet = book.active
    sheet.title = f"Sample {proposal.month}"
    workbooks.append(sheet, HEADERS)
    for p in proposal.picks:
        workbooks.append(sheet, (p.case.case_ref, p.case.annex_a_list, p.case.service_area, p.case.team,
                                 names.get(p.case.case_holder_id, "") if p.case.case_holder_id else "",
                                 names.get(p.auditor_id, "") if p.auditor_id else "(nobody eligible)",
                                 "yes" if p.reaudit else ""))
    about = book.create_sheet("Summary")
    for line in notes:
        workbooks.append(about, (line,))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def file_name(month: str) -> str:
    return f"sample-{month}.xlsx"
