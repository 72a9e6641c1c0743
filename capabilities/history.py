"""Audit history: the QA unit's register of past audits, brought in at go-live (framework 9.3: the
analysis compares "performance across previous quarters", so the first reports need the quarters
before the bot).

`python -m bot history import FILE` checks the whole file (qa/history.py) and imports its rows as
completed audits flagged imported (storage/history.py); the analysis counts them in its trends, and
the register shows them with "Imported: Yes". Nothing of the live cycle acts on them. A small
capability: one module, in section 5's order (use case, CLI, registration).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from capabilities.context import Context
from capabilities.file_import import cli_import
from capabilities.registry import (
    Capability,
    CliCommand,
    FileKind,
    ImportRequest,
    KindRefused,
    KindReport,
    RetentionRule,
)
from capabilities.settings import case_refs
from qa.history import SHEET_WORDS
from qa.retention import AUDIT_RECORDS
from storage.files import Source
from storage.history import HistoryRejected, import_history, past_imported

VIA_CLI = "cli:history import"


# ---------------------------------------------------------------- use case


async def run(ctx: Context, source: Source, request: ImportRequest) -> KindReport:
    """Import (or, with request.dry_run, preview) the past audits in `source` (a path, or an upload's
    (bytes, name)), case references in the council's format (QA_CASE_REF_PATTERN), within the
    context's file limits. Raises KindRefused (nothing written) naming every problem by row and column."""
    try:
        report = await import_history(ctx.db, source, request.now, ctx.calendar.tz, actor_id=request.actor_id,
                                      via=request.via, case_refs=case_refs(), limits=ctx.files,
                                      dry_run=request.dry_run)
    except HistoryRejected as exc:
        raise KindRefused(str(exc), [str(p) for p in exc.problems], exc.sheet) from None
    span = f"{report.months[0]} to {report.months[-1]}" if report.months else ""
    return KindReport(summary=report.describe(), counts=(("Past audits added", report.added),
                      ("Updated", report.updated), ("Unchanged", report.unchanged)),
                      scope_words=span, sheet=report.sheet)


KIND = FileKind("history", "the register of past audits", frozenset({"month", "case_ref", "grade"}), run,
                sheet_words=SHEET_WORDS)


# ---------------------------------------------------------------- CLI


def _add(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    imp = sub.add_parser("import", help="import the QA unit's register of past audits from a .csv or .xlsx file")
    imp.add_argument("file", type=Path)


async def _run(args: argparse.Namespace, ctx: Context) -> int:
    await cli_import(ctx, KIND, args.file, via=VIA_CLI)
    return 0


CLI = CliCommand("history", "the QA unit's past audits, imported (import FILE)", _add, _run)


# ---------------------------------------------------------------- registration

CAPABILITY = Capability(
    name="history",
    cli=(CLI,),
    file_kinds=(KIND,),
    retention=(RetentionRule("imported_audits", AUDIT_RECORDS, past_imported),),
)
