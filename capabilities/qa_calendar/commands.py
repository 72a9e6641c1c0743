"""`calendar` in chat: what is coming in the next 8 weeks that concerns the person asking, and
`python -m bot calendar import FILE`."""
from __future__ import annotations

import argparse
from pathlib import Path

from capabilities.context import Context
from capabilities.registry import CliCommand, CommandError, CommandReply, Said
from dialogs.calendar_cards import EventView, calendar_card, calendar_summary
from qa.audience import AudienceError, parse_audience_cell, selects
from qa.framework import Role
from qa.qa_calendar import upcoming_window
from storage.qa_calendar import CalendarRejected, events_between, import_calendar


async def calendar(said: Said) -> CommandReply:
    """Events in the next 8 weeks whose audience includes the person (the QA unit, who run the
    calendar, see every event; someone not on the roster sees everyone's)."""
    start, end = upcoming_window(said.ctx.calendar.local_date(said.now))
    async with said.ctx.db.sessions() as session:
        events = await events_between(session, (start, end))
    person = said.person
    shown = []
    for event in events:
        try:
            audience = parse_audience_cell(event.audience)
        except AudienceError:
            continue
        if person is None:
            if not audience.everyone:
                continue
        elif person.role != Role.QA_UNIT and not selects(audience, role=person.role, areas=person.service_areas, team=person.team):
            continue
        shown.append(EventView(event.kind, event.title, event.starts_on, event.ends_on, event.details))
    return CommandReply(calendar_card(shown, start=start, end=end), calendar_summary(len(shown)))


def _add(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    imp = sub.add_parser("import", help="import the QA calendar (starts_on, ends_on, kind, title, audience, details) "
                                        "from a .csv or .xlsx file")
    imp.add_argument("file", type=Path)


async def _run(args: argparse.Namespace, ctx: Context) -> int:
    try:
        report = await import_calendar(ctx.db, args.file, ctx.clock())
    except CalendarRejected as exc:
        raise CommandError(str(exc)) from None
    print(report.describe())
    return 0


CLI = CliCommand("calendar", "the QA calendar (framework 9.3's schedule)", _add, _run)
