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
from capabilities.registry import Capability, CliCommand, CommandError, RetentionRule
from capabilities.settings import case_refs
from qa.retention import AUDIT_RECORDS
from storage.files import ImportInterrupted
from storage.history import HistoryImportReport, HistoryRejected, import_history, past_imported

VIA_CLI = "cli:history import"


# ---------------------------------------------------------------- use case


async def import_past_audits(ctx: Context, path: Path, *, actor_id: int | None, via: str) -> HistoryImportReport:
    """Import the past audits in `path` at the context's clock, case references in the council's
    format (QA_CASE_REF_PATTERN), within the context's file limits. Raises HistoryRejected
    (nothing written) naming every problem by row and column."""
    return await import_history(ctx.db, path, ctx.clock(), ctx.calendar.tz, actor_id=actor_id, via=via,
                                case_refs=case_refs(), limits=ctx.files)


# ---------------------------------------------------------------- CLI


def _add(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    imp = sub.add_parser("import", help="import the QA unit's register of past audits from a .csv or .xlsx file")
    imp.add_argument("file", type=Path)


async def _run(args: argparse.Namespace, ctx: Context) -> int:
    try:
        report = await import_past_audits(ctx, args.file, actor_id=None, via=VIA_CLI)
    except (HistoryRejected, ImportInterrupted) as exc:
        raise CommandError(str(exc)) from None
    print(report.describe())
    return 0


CLI = CliCommand("history", "the QA unit's past audits, imported (import FILE)", _add, _run)


# ---------------------------------------------------------------- registration

CAPABILITY = Capability(
    name="history",
    cli=(CLI,),
    retention=(RetentionRule("imported_audits", AUDIT_RECORDS, past_imported),),
)
