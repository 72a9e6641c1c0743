"""The QA calendar's CLI: `python -m bot calendar import FILE`."""
from __future__ import annotations

import argparse
from pathlib import Path

from capabilities.context import Context
from capabilities.registry import CliCommand, CommandError
from storage.qa_calendar import CalendarRejected, import_calendar


def _add(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    imp = sub.add_parser("import", help="import the QA calendar (starts_on, ends_on, kind, title, audience, details) "
                                        "from a .csv or .xlsx file")
    imp.add_argument("file", type=Path)


async def _run(args: argparse.Namespace, ctx: Context) -> int:
    try:
        report = await import_calendar(ctx.db, args.file, ctx.clock(), limits=ctx.files)
    except CalendarRejected as exc:
        raise CommandError(str(exc)) from None
    print(report.describe())
    return 0


CLI = CliCommand("calendar", "the QA calendar (framework 9.3's schedule)", _add, _run)
