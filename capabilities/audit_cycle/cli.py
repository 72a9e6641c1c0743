"""The audit cycle's CLI: `allocations import FILE --month`, `cycle status --month`, `cycle close --month`."""
from __future__ import annotations

import argparse
from pathlib import Path

from capabilities.audit_cycle import allocation_list, views
from capabilities.context import Context
from capabilities.file_import import cli_import
from capabilities.registry import CliCommand, CommandError
from qa.audit_calendar import parse_month_key
from storage.allocations import CycleError, close_month

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
    try:
        closure = await close_month(ctx.db, args.month, ctx.clock(), None, "cli:cycle close")
    except CycleError as exc:
        raise CommandError(str(exc)) from None
    print(closure.describe())
    return 0


COMMANDS = (
    CliCommand("allocations", "a month's audit allocations", _add_allocations, _allocations),
    CliCommand("cycle", "the monthly audit cycle", _add_cycle, _cycle),
)
