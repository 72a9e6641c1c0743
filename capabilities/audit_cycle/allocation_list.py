"""A month's allocation list as a kind of file (framework 9.3: the QA unit distributes the list on
the 3rd): sent in chat by the QA unit (capabilities/intake: preview, then Confirm) or imported with
`python -m bot allocations import FILE --month YYYY-MM`. Both run `run` below, which is
storage.allocations.import_allocations: the same checks and the same messages.

In chat the month is the one named in the message (YYYY-MM), else in the file name, else the
month now in the council's time zone; the preview says which, and Confirm imports for that month.
"""
from __future__ import annotations

import re
from datetime import datetime, tzinfo

from capabilities.audit_cycle.config import settings
from capabilities.audit_forms import config as forms_config
from capabilities.context import Context
from capabilities.registry import FileKind, ImportRequest, KindRefused, KindReport
from capabilities.settings import case_refs
from dialogs.allocation_cards import MONTH_SOURCES, month_words
from qa.allocations import SHEET_WORDS
from storage.allocations import AllocationsRejected, import_allocations
from storage.files import Source, source_name

MONTH_IN_TEXT = re.compile(r"(?<!\d)(\d{4})-(0[1-9]|1[0-2])(?!\d)")
VIA = "teams:allocation upload"
SIGNATURE = frozenset({"case_ref", "annex_a_list", "auditor_email"})


def choose_month(text: str | None, file_name: str, now: datetime, tz: tzinfo) -> tuple[str, str]:
    """(YYYY-MM, where it came from): the message, else the file name, else the month now in `tz`."""
    for source, value in (("message", text or ""), ("file name", file_name)):
        match = MONTH_IN_TEXT.search(value)
        if match and 2000 <= int(match.group(1)) <= 2100:
            return match.group(0), source
    return now.astimezone(tz).strftime("%Y-%m"), "current"


async def run(ctx: Context, source: Source, request: ImportRequest) -> KindReport:
    """Import (or, with request.dry_run, preview) `source` as the allocations of request.scope, or
    the month chosen from the message and file name. Raises KindRefused (nothing written)."""
    if request.scope is not None:
        month, where = request.scope, "given"
    else:
        month, where = choose_month(request.text, source_name(source), request.now, ctx.calendar.tz)
    try:
        report = await import_allocations(ctx.db, source, month, request.now, actor_id=request.actor_id,
                                          via=request.via, calendar=ctx.calendar, case_refs=case_refs(),
                                          limits=ctx.files, dry_run=request.dry_run,
                                          forms=forms_config.forms_in_use(),
                                          supervision_months=settings().supervision_months)
    except AllocationsRejected as exc:
        raise KindRefused(str(exc), [str(p) for p in exc.problems], exc.sheet) from None
    counts = (("Added", report.added), ("Updated", report.updated), ("Withdrawn", report.withdrawn),
              ("Unchanged", report.unchanged), ("Kept (already started)", report.kept_started))
    areas = tuple(f"{area}: {n} case{'s' if n != 1 else ''}" for area, n in sorted(report.per_area.items()))
    sections = ((("Allocations per service area", areas),) if areas else ()) + tuple(
        (label[0].upper() + label[1:], tuple(cases)) for label, cases in report.sections())
    if report.forms_worth_saying():
        sections += (("Audit forms", tuple(report.form_lines())),)
    if report.form_fallbacks:
        sections += (("On the default form (no form of their own)", tuple(report.form_fallbacks)),)
    if report.schedule_notes:
        sections += (("Supervision audits outside the schedule", tuple(report.schedule_notes)),)
    words = month_words(month)
    if where in MONTH_SOURCES:
        words += f" ({MONTH_SOURCES[where]})"
    return KindReport(summary=report.describe(), counts=counts, sections=sections, scope=month,
                      scope_words=words, sheet=report.sheet)


KIND = FileKind("allocations", "a month's allocation list", SIGNATURE, run, sheet_words=SHEET_WORDS)
