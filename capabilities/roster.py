"""The staff roster (who works here, their role, team, service area and supervisor): a kind of
file the QA unit keeps. `python -m bot roster import FILE`, or the file sent in chat (capabilities/
intake: preview, then Confirm); both run `run` below, storage.roster.import_roster, so the checks
and messages are the same. A small capability: one module (file kind, CLI, registration).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from capabilities.context import Context
from capabilities.file_import import cli_import
from capabilities.registry import Capability, CliCommand, FileKind, ImportRequest, KindRefused, KindReport
from qa.roster import SHEET_WORDS
from storage.files import Source
from storage.roster import RosterRejected, import_roster

SIGNATURE = frozenset({"email", "display_name", "role"})


async def run(ctx: Context, source: Source, request: ImportRequest) -> KindReport:
    """Import (or, with request.dry_run, preview) the roster in `source`. Raises KindRefused."""
    try:
        report = await import_roster(ctx.db, source, request.now, limits=ctx.files, dry_run=request.dry_run)
    except RosterRejected as exc:
        raise KindRefused(str(exc), [str(p) for p in exc.problems], exc.sheet) from None
    counts = (("Added", report.added), ("Updated", report.updated), ("Marked as left", report.left),
              ("Re-activated", report.reactivated), ("Unchanged", report.unchanged))
    return KindReport(summary=report.describe(), counts=counts, sheet=report.sheet)


KIND = FileKind("roster", "the staff roster", SIGNATURE, run, sheet_words=SHEET_WORDS)


def _add(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    imp = sub.add_parser("import", help="import the roster from a .csv or .xlsx file")
    imp.add_argument("file", type=Path)


async def _run(args: argparse.Namespace, ctx: Context) -> int:
    await cli_import(ctx, KIND, args.file, via="cli:roster import")
    return 0


CAPABILITY = Capability(
    name="roster",
    cli=(CliCommand("roster", "the staff roster", _add, _run),),
    file_kinds=(KIND,),
)
