"""`python -m bot purge --before DATE [--dry-run]`: delete (or count) the records the retention rules
would delete as of the start of DATE (local), e.g. to catch up after the bot was off, or to show a DPO
what the next purge will take. QA_RETENTION applies, as for the monthly duty."""
from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from datetime import date, datetime

from capabilities.context import Context
from capabilities.registry import CliCommand, CommandError, RetentionRule
from capabilities.retention import config
from capabilities.retention.purge import purge

VIA = "cli:purge"


def _add(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--before", required=True, metavar="DATE",
                        help="YYYY-MM-DD: purge what is past its retention period at the start of this day")
    parser.add_argument("--dry-run", action="store_true", help="print what would be deleted; delete nothing")


async def _run(args: argparse.Namespace, ctx: Context, rules: Sequence[RetentionRule]) -> int:
    retention = config.from_env()
    try:
        day = date.fromisoformat(args.before)
    except ValueError:
        raise CommandError(f"--before {args.before!r} is not a date such as 2026-01-31") from None
    today = ctx.calendar.local_date(ctx.clock())
    if day > today:
        raise CommandError(f"--before {day.isoformat()} is after today ({today.isoformat()}): records are not "
                           "purged before their retention period has passed")
    as_of = datetime.combine(day, datetime.min.time(), tzinfo=ctx.calendar.tz)
    async with ctx.db.sessions.begin() as session:
        report = await purge(session, retention, as_of, ctx.calendar.tz, rules, via=VIA, dry_run=args.dry_run)
    print(report.describe())
    return 0


def commands(rules_of: Callable[[], Sequence[RetentionRule]]) -> tuple[CliCommand, ...]:
    """`purge`, by the rules `rules_of()` gives (every capability's, in purge order)."""

    async def run(args: argparse.Namespace, ctx: Context) -> int:
        return await _run(args, ctx, rules_of())

    return (CliCommand("purge", "delete the records past their retention period (docs/privacy.md)", _add, run),)
