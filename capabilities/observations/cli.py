"""`python -m bot observations status [--area A] [--on DATE]`: observation coverage (observed in the last twelve
months) by service area and team; `python -m bot feedback export --month YYYY-MM --out FILE.xlsx`:
the month's feedback entries for the principal social work team (framework 9.4: they collate it)."""
from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from capabilities.context import Context
from capabilities.observations.duties import coverage_rows
from capabilities.observations.export import feedback_workbook
from capabilities.registry import CliCommand, CommandError, output_file
from qa.audit_calendar import parse_month_key
from storage.observations import service_areas


def _add_observations(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    status = sub.add_parser("status", help="coverage by service area and team: observed in the last twelve months")
    status.add_argument("--area", help="one service area, as the roster names it")
    status.add_argument("--on", metavar="YYYY-MM-DD", help="coverage as of this day (default: today)")


async def _run_observations(args: argparse.Namespace, ctx: Context) -> int:
    today = ctx.calendar.local_date(ctx.clock())
    if args.on is not None:
        try:
            today = date.fromisoformat(args.on)
        except ValueError:
            raise CommandError(f"--on {args.on!r} is not a date such as 2027-03-05") from None
    async with ctx.db.sessions() as session:
        if args.area is not None and args.area not in await service_areas(session):
            known = ", ".join(await service_areas(session)) or "none"
            raise CommandError(f"--area {args.area!r} is not a service area on the roster (they are: {known})")
        rows = await coverage_rows(session, today, args.area)
    print(f"Observed in the twelve months to {today.isoformat()} (people with a supervisor on the roster):")
    if not rows:
        print("  nobody on the roster has a supervisor")
    area = None
    for row in rows:
        if row.service_area != area:
            area = row.service_area
            print(area or "(no service area)")
        share = row.observed * 100 // row.people if row.people else 0
        print(f"  {row.team or '(no team)'}: {row.observed} of {row.people} ({share}%)")
    total, seen = sum(r.people for r in rows), sum(r.observed for r in rows)
    print(f"Total: {seen} of {total}")
    return 0


def _add_feedback(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    export = sub.add_parser("export", help="write a month's feedback entries to an .xlsx workbook")
    export.add_argument("--month", required=True, metavar="YYYY-MM")
    export.add_argument("--out", metavar="FILE.xlsx", help="default: feedback-YYYY-MM.xlsx in QA_OUTPUT_DIR")


async def _run_feedback(args: argparse.Namespace, ctx: Context) -> int:
    try:
        parse_month_key(args.month)
    except ValueError:
        raise CommandError(f"--month {args.month!r} is not a month such as 2027-03") from None
    out = Path(args.out) if args.out else output_file(args, f"feedback-{args.month}.xlsx")
    if out.suffix.lower() != ".xlsx":
        raise CommandError(f"--out {args.out!r}: the file name must end in .xlsx")
    if not out.parent.is_dir():
        raise CommandError(f"--out {args.out!r}: the folder {str(out.parent)!r} does not exist")
    async with ctx.db.sessions() as session:
        data, entries = await feedback_workbook(session, args.month, ctx.calendar.tz)
    out.write_bytes(data)
    print(f"{entries} feedback entries for {args.month} written to {out}")
    return 0


COMMANDS = (
    CliCommand("observations", "observation coverage by service area and team (status [--area A])",
               _add_observations, _run_observations),
    CliCommand("feedback", "the month's feedback entries for the principal social work team (export)",
               _add_feedback, _run_feedback),
)
