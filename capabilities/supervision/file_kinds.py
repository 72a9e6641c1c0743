"""Supervision history and the caseload (framework 9.1) as kinds of file: `python -m bot
supervision import FILE` and `caseload import FILE`, or sent in chat by the QA unit
(capabilities/intake: preview, then Confirm). Both run the functions here, storage.supervision's
import_sessions and import_caseload: the same checks and messages.

The caseload is the QA unit's to send: no role or setting names anyone else for it yet.
"""
from __future__ import annotations

from capabilities.context import Context
from capabilities.registry import FileKind, ImportRequest, KindRefused, KindReport
from capabilities.settings import case_refs
from qa.supervision_files import CASELOAD_COLUMNS
from storage.files import Source
from storage.supervision import SupervisionRejected, import_caseload, import_sessions


async def run_sessions(ctx: Context, source: Source, request: ImportRequest) -> KindReport:
    """Import (or preview) supervision history: the sessions not yet on record. Raises KindRefused."""
    try:
        report = await import_sessions(ctx.db, source, request.now, ctx.calendar.tz, actor_id=request.actor_id,
                                       via=request.via, case_refs=case_refs(), limits=ctx.files,
                                       dry_run=request.dry_run)
    except SupervisionRejected as exc:
        raise KindRefused(str(exc), [str(p) for p in exc.problems]) from None
    counts = (("Sessions added", report.added), ("Cases' last case supervision moved forward", report.cases_moved),
              ("Already on record", report.unchanged))
    return KindReport(summary=report.describe(), counts=counts)


async def run_caseload(ctx: Context, source: Source, request: ImportRequest) -> KindReport:
    """Import (or preview) the caseload, which replaces the one on record. Raises KindRefused."""
    try:
        report = await import_caseload(ctx.db, source, request.now, ctx.calendar.tz, actor_id=request.actor_id,
                                       via=request.via, case_refs=case_refs(), limits=ctx.files,
                                       dry_run=request.dry_run)
    except SupervisionRejected as exc:
        raise KindRefused(str(exc), [str(p) for p in exc.problems]) from None
    counts = (("Cases added", report.added), ("Cases updated", report.updated),
              ("Removed (no longer on the caseload)", report.removed), ("Unchanged", report.unchanged))
    return KindReport(summary=report.describe(), counts=counts)


SESSIONS = FileKind("supervision-history", "supervision history",
                    frozenset({"supervisee_email", "supervisor_email", "held_on"}), run_sessions,
                    sheet_words=("supervision",))
CASELOAD = FileKind("caseload", "the caseload", frozenset(CASELOAD_COLUMNS), run_caseload,
                    sheet_words=("caseload",))
KINDS = (SESSIONS, CASELOAD)
