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
    return rows_workbook(proposal.month, [(p.case.case_ref, p.case.annex_a_list, p.case.service_area, p.case.team,
                                           p.case.case_holder_id, p.auditor_id, p.reaudit) for p in proposal.picks],
                         names, notes)


def rows_workbook(month: str, rows: list[tuple[str, str, str, str, int | None, int | None, bool]],
                  names: dict[int, str], notes: list[str]) -> bytes:
    """The sample's rows (case ref, list, service area, team, case holder id, auditor id, re-audit)
    as .xlsx bytes, as it stands (after the QA unit's changes, when offered in chat)."""
    book = workbooks.openpyxl_workbook()
    sheet = book.active
    sheet.title = f"Sample {month}"
    workbooks.append(sheet, HEADERS)
    for ref, listed, area, team, holder, auditor, reaudit in rows:
        workbooks.append(sheet, (ref, listed, area, team, names.get(holder, "") if holder else "",
                                 names.get(auditor, "") if auditor else "(nobody eligible)", "yes" if reaudit else ""))
    about = book.create_sheet("Summary")
    for line in notes:
        workbooks.append(about, (line,))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def file_name(month: str) -> str:
    return f"sample-{month}.xlsx"
