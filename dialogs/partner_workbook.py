"""The partnership audit workbook (framework 9.3: audits with partners who are not on the council's
Teams): the audit form as one table a partner fills in, read back by qa/partner_audit.py. Pure.

The sheet is protected (no password: it guards against slips, not people) with only the answer cells
open; grades, yes/no and one-of questions get a drop-down of their answers. Nothing about the child is
in it: the case reference only.
"""
from __future__ import annotations

import io
from datetime import date, datetime, time

from dialogs.workbooks import xlsx_workbook
from qa.forms import GRADE, NOT_APPLICABLE, ONE_OF, YES_NO, FormDefinition
from qa.partner_audit import (
    ABOUT,
    CASE_REF,
    FORM,
    HEADINGS,
    MONTH,
    ORGANISATION,
    ORGANISATIONS,
    SHEET,
    VERSION,
    template_rows,
)

LIST_LIMIT = 255  # characters Excel allows in a drop-down's list written into the validation
WIDTHS = (22, 24, 60, 40, 50, 10)


def partner_workbook(form: FormDefinition, month: str, case_ref: str, made_on: date) -> bytes:
    """The workbook for a partner to audit case `case_ref` of `month` ("YYYY-MM") on `form` (its
    current version); `made_on` is its "created" date (the same request gives the same bytes)."""
    out = io.BytesIO()
    wb = xlsx_workbook(out, {"in_memory": True})
    wb.set_properties({"title": f"{form.title}: partnership audit of {case_ref}",
                       "created": datetime.combine(made_on, time())})
    ws = wb.add_worksheet(SHEET)
    bold = wb.add_format({"bold": True, "locked": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    answer = wb.add_format({"locked": False, "text_wrap": True, "valign": "top", "bg_color": "#FFF9DB"})
    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width, wrap)
    ws.write_row(0, 0, HEADINGS, bold)
    filled = {FORM, VERSION, MONTH, CASE_REF}
    for r, row in enumerate(template_rows(form, month, case_ref), start=1):
        key = row[0]
        ws.write_row(r, 0, row)
        if key not in filled:  # the partner's cells: open, and a drop-down where the answers are few
            ws.write_string(r, 3, row[3], answer)
            choices = _choices(form, key)
            if choices and len(",".join(choices)) <= LIST_LIMIT:
                ws.data_validation(r, 3, r, 3, {"validate": "list", "source": list(choices),
                                                "error_type": "warning"})
    ws.freeze_panes(1, 3)
    ws.protect("", {"format_columns": True, "format_rows": True})
    ws.activate()
    readme = wb.add_worksheet("How to fill it in")
    readme.set_column(0, 0, 100, wrap)
    for r, line in enumerate((
            f"{form.title}: a partnership audit of case {case_ref}, {month}.",
            f"Fill in the yellow cells on the sheet \u201c{SHEET}\u201d: first {ABOUT[4][1].lower()} and "
            f"{ABOUT[5][1].lower()}, then an answer to each question. Required questions say \u201cyes\u201d.",
            "Write the case reference only: no child's or family member's name, date of birth or address.",
            "Leave the question ids, the form, version, month and case reference as they are, and send the "
            "workbook back to the council's Quality Assurance Unit.")):
        readme.write_string(r, 0, line)
    wb.close()
    return out.getvalue()


def _choices(form: FormDefinition, key: str) -> tuple[str, ...]:
    if key == ORGANISATION:
        return ORGANISATIONS
    q = next((q for q in form.questions() if q.id == key), None)
    if q is None:
        return ()
    if q.type == GRADE and q.scale in form.scales:
        return (*form.scales[q.scale].levels, *((NOT_APPLICABLE,) if q.not_applicable else ()))
    if q.type == ONE_OF:
        return q.options
    return ("yes", "no") if q.type == YES_NO else ()
