"""`python -m bot escalations status`: moderations pending, escalations open, updates due and overdue."""
from __future__ import annotations

import argparse

from capabilities.context import Context
from capabilities.escalations import config
from capabilities.escalations.status import alert_status, escalation_status
from capabilities.registry import CliCommand


def _add(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("status", help="by service area: moderations pending, escalations open, updates due/overdue")


async def _run(args: argparse.Namespace, ctx: Context) -> int:
    print((await escalation_status(ctx.db, ctx.clock())).describe())
    return 0


COMMANDS = (CliCommand("escalations", "Inadequate moderations and urgent reviews", _add, _run),)


def _add_alerts(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("status", help="open practice alerts by service area: open, chased, escalated")


async def _alerts(args: argparse.Namespace, ctx: Context) -> int:
    print((await alert_status(ctx.db, ctx.clock(), ctx.calendar, config.settings().chase_days)).describe())
    return 0


COMMANDS = (*COMMANDS, CliCommand("alerts", "practice alerts (section 14)", _add_alerts, _alerts))
