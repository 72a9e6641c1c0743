"""The QA calendar (framework 9.3's schedule: practice weeks, forums, clinics) as a kind of file:
`python -m bot calendar import FILE`, or sent in chat by the QA unit (capabilities/intake: preview,
then Confirm). Both run `run`, storage.qa_calendar.import_calendar: the same checks and messages."""
from __future__ import annotations

from capabilities.context import Context
from capabilities.registry import FileKind, ImportRequest, KindRefused, KindReport
from qa.qa_calendar import SHEET_WORDS
from storage.files import Source
from storage.qa_calendar import CalendarRejected, import_calendar

SIGNATURE = frozenset({"starts_on", "ends_on", "kind", "title"})


async def run(ctx: Context, source: Source, request: ImportRequest) -> KindReport:
    """Import (or, with request.dry_run, preview) the calendar in `source`. Raises KindRefused."""
    try:
        report = await import_calendar(ctx.db, source, request.now, via=request.via, actor_id=request.actor_id,
                                       limits=ctx.files, dry_run=request.dry_run)
    except CalendarRejected as exc:
        raise KindRefused(str(exc), [str(p) for p in exc.problems]) from None
    counts = (("Events added", report.added), ("Events updated", report.updated),
              ("Unchanged", report.unchanged))
    return KindReport(summary=report.describe(), counts=counts)


KIND = FileKind("calendar", "the QA calendar", SIGNATURE, run, sheet_words=SHEET_WORDS)
