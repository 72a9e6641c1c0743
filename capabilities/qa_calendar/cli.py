"""The QA calendar's CLI: `python -m bot calendar import FILE`, `python -m bot calendar attended EMAIL` (the
events someone attended, as their organisers marked it: what a learning record reads)."""
from __future__ import annotations

import argparse
from pathlib import Path

from capabilities.context import Context
from capabilities.file_import import cli_import
from capabilities.qa_calendar import file_kind
from capabilities.registry import CliCommand, CommandError
from dialogs.calendar_cards import KIND_WORDS
from dialogs.card_kit import format_day
from storage.people import person_by_email
from storage.qa_calendar import attendance_of


def _add(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    imp = sub.add_parser("import", help="import the QA calendar (starts_on, ends_on, kind, title, audience, details; "
                                        "optional starts_at, ends_at, organiser) from a .csv or .xlsx file")
    imp.add_argument("file", type=Path)
    attended = sub.add_parser("attended", help="the forums, reflective groups and clinics someone attended")
    attended.add_argument("email")


async def _run(args: argparse.Namespace, ctx: Context) -> int:
    if args.action == "attended":
        async with ctx.db.sessions() as session:
            person = await person_by_email(session, args.email)
            if person is None:
                raise CommandError(f"{args.email} is not on the roster")
            events = await attendance_of(session, person.id)
        print(f"{person.display_name} attended {len(events)} event(s)")
        for day, kind, title in events:
            print(f"  {format_day(day)}: {KIND_WORDS.get(kind, kind)}: {title}")
        return 0
    await cli_import(ctx, file_kind.KIND, args.file, via="cli:calendar import")
    return 0


CLI = CliCommand("calendar", "the QA calendar (framework 9.3's schedule)", _add, _run)
