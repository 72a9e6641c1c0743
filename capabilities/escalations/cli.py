"""`python -m bot escalations status`: moderations pending, escalations open, updates due and overdue."""
from __future__ import annotations

import argparse

from capabilities.context import Context
from capabilities.escalations.status import escalation_status
from capabilities.registry import CliCommand


def _add(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("status", help="by service area: moderations pending, escalations open, updates due/overdue")


async def _run(args: argparse.Namespace, ctx: Context) -> int:
    print((await escalation_status(ctx.db, ctx.clock())).describe())
    return 0


COMMANDS = (CliCommand("escalations", "Inadequate moderations and urgent reviews", _add, _run),)
