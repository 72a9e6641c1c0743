"""Supervision's CLI: `supervision import FILE` and `caseload import FILE`."""
from __future__ import annotations

import argparse
from pathlib import Path

from capabilities.context import Context
from capabilities.registry import CliCommand, CommandError
from storage.supervision import SupervisionRejected, import_caseload, import_sessions


def _add_supervision(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    imp = sub.add_parser("import", help="import supervision history from a .csv or .xlsx file (supervisee_email, "
                                        "supervisor_email, kind, held_on, duration_minutes, case_refs)")
    imp.add_argument("file", type=Path)


async def _supervision(args: argparse.Namespace, ctx: Context) -> int:
    try:
        report = await import_sessions(ctx.db, args.file, ctx.clock(), ctx.calendar.tz)
    except SupervisionRejected as exc:
        raise CommandError(str(exc)) from None
    print(report.describe())
    return 0


def _add_caseload(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    imp = sub.add_parser("import", help="replace the caseload with a .csv or .xlsx export (case_ref, "
                                        "case_holder_email, last_case_supervision_on)")
    imp.add_argument("file", type=Path)


async def _caseload(args: argparse.Namespace, ctx: Context) -> int:
    try:
        report = await import_caseload(ctx.db, args.file, ctx.clock(), ctx.calendar.tz)
    except SupervisionRejected as exc:
        raise CommandError(str(exc)) from None
    print(report.describe())
    return 0


COMMANDS = (
    CliCommand("supervision", "supervision records (framework 9.1): import history, compliance status",
               _add_supervision, _supervision),
    CliCommand("caseload", "the practitioners' caseloads, for case supervision", _add_caseload, _caseload),
)
