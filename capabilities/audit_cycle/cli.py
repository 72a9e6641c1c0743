"""The audit cycle's CLI: `allocations import FILE --month`, `cycle status --month`, `cycle close --month
[--yes]` (a month whose deadline has not passed, or with audits not complete, closes only with --yes)."""
from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy import select

from capabilities.audit_cycle import allocation_list, views
from capabilities.context import Context
from capabilities.file_import import cli_import
from capabilities.registry import CliCommand, CommandError
from dialogs.card_kit import format_day
from qa.audit_calendar import cycle_dates, parse_month_key
from storage.allocations import CycleError, close_month
from storage.models import Allocation, AuditMonth

MONTH_HELP = "the audit month, YYYY-MM (e.g. 2026-12)"


def _add_allocations(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    imp = sub.add_parser("import", help="import a month's allocation list from a .csv or .xlsx file")
    imp.add_argument("file", type=Path)
    imp.add_argument("--month", required=True, help=MONTH_HELP)


async def _allocations(args: argparse.Namespace, ctx: Context) -> int:
    await cli_import(ctx, allocation_list.KIND, args.file, via="cli:allocations import", scope=args.month)
    return 0


def _add_cycle(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    close = sub.add_parser("close", help="close a month: it takes no more allocations")
    close.add_argument("--month", required=True, help=MONTH_HELP)
    close.add_argument("--yes", action="store_true",
                       help="close it even though its deadline has not passed or audits are not complete")
    status = sub.add_parser("status", help="a month's audits per service area: allocated, started, ... complete")
    status.add_argument("--month", required=True, help=MONTH_HELP)


async def _cycle(args: argparse.Namespace, ctx: Context) -> int:
    if args.action == "status":
        try:
            parse_month_key(args.month)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        print((await views.cycle_status(ctx.db, args.month, ctx.clock(), ctx.calendar)).describe())
        return 0
    if not args.yes:
        await _check_before_closing(ctx, args.month)
    try:
        closure = await close_month(ctx.db, args.month, ctx.clock(), None, "cli:cycle close")
    except CycleError as exc:
        raise CommandError(str(exc)) from None
    print(closure.describe())
    return 0


async def _check_before_closing(ctx: Context, month: str) -> None:
    """Reads only. Raises CommandError saying what would be closed when the month's audit deadline (as
    the working calendar moves it) has not passed or any of its audits is not complete; an unknown or
    already closed month goes on to close_month, which says so."""
    try:
        year, number = parse_month_key(month)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    async with ctx.db.sessions() as session:
        audit_month = await session.get(AuditMonth, month)
        if audit_month is None or audit_month.closed_at is not None:
            return
        states = list((await session.execute(select(Allocation.state).where(Allocation.month == month))).scalars())
    deadline = cycle_dates(year, number, ctx.calendar).audit_deadline
    not_complete = sum(1 for s in states if s != "complete")
    running = ctx.calendar.local_date(ctx.clock()) <= deadline
    if not running and not not_complete:
        return
    why = [f"its audit deadline, {format_day(deadline)}, has not passed"] if running else []
    why += [f"{not_complete} of its {len(states)} audits are not complete"] if not_complete else []
    raise CommandError(f"Would close {month} ({len(states)} allocations, {not_complete} not complete): it would "
                       f"take no more allocations, though {' and '.join(why)}. Nothing was closed; run again "
                       "with --yes to close it.")


COMMANDS = (
    CliCommand("allocations", "a month's audit allocations", _add_allocations, _allocations),
    CliCommand("cycle", "the monthly audit cycle", _add_cycle, _cycle),
)
