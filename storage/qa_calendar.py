"""The QA calendar in the database: the import (whole file or nothing, idempotent) and the plain
queries other capabilities read (`practice_weeks`, `events_between`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from qa.qa_calendar import SHEET_WORDS, CalendarEntry, CalendarProblems, parse_calendar
from qa.tabular import DEFAULT_LIMITS, Problem, ReadLimits, UnreadableTable, source_words
from storage import files
from storage.db import Database
from storage.models import CalendarEvent, TrailEvent


class CalendarRejected(Exception):  # noqa: N818 - reads better at the raise site
    """The calendar file was refused whole; str() says every problem, one a line."""

    def __init__(self, path: Path, problems: list[Problem], sheet: str | None = None) -> None:
        self.problems = problems
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        lines = [f"{source_words(Path(path).name, sheet)} was not imported ({count}; nothing was changed):"]
        lines += [f"  {p}" for p in problems]
        super().__init__("\n".join(lines))


@dataclass
class CalendarImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def describe(self) -> str:
        return f"calendar imported: {self.added} added, {self.updated} updated, {self.unchanged} unchanged"


FIELDS = ("ends_on", "audience", "details")


async def import_calendar(db: Database, path: Path, now: datetime, *, via: str = "cli:calendar import",
                          actor_id: int | None = None, limits: ReadLimits = DEFAULT_LIMITS) -> CalendarImportReport:
    """Check `path` whole, then add new events and update changed ones (matched by kind, start and
    title), in one transaction. Events not in the file are kept. The file is read and checked off the
    event loop (storage/files.py), within `limits`. Raises CalendarRejected."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    try:
        table = await files.read_source(Path(path), "a calendar", SHEET_WORDS, limits)
    except UnreadableTable as exc:
        raise CalendarRejected(path, exc.problems) from None
    try:
        entries = await files.off_loop(parse_calendar, table.rows, table.header)
    except CalendarProblems as exc:
        raise CalendarRejected(path, exc.problems, table.sheet) from None
    report = CalendarImportReport()
    async with db.sessions.begin() as session:
        existing = {(e.kind, e.starts_on, e.title): e for e in (await session.scalars(select(CalendarEvent))).all()}
        for entry in entries:
            event = existing.get(entry.key)
            if event is None:
                session.add(_new(entry, now))
                report.added += 1
                continue
            changed = False
            for name in FIELDS:
                if getattr(event, name) != getattr(entry, name):
                    setattr(event, name, getattr(entry, name))
                    changed = True
            if changed:
                event.updated_at = now
                report.updated += 1
            else:
                report.unchanged += 1
        if report.added or report.updated:
            session.add(TrailEvent(subject_type="calendar", subject_id=None, actor_id=actor_id,
                                   action="calendar_imported", via=via, at=now,
                                   detail={"added": report.added, "updated": report.updated,
                                           "unchanged": report.unchanged}))
    return report


def _new(entry: CalendarEntry, now: datetime) -> CalendarEvent:
    return CalendarEvent(kind=entry.kind, starts_on=entry.starts_on, ends_on=entry.ends_on, title=entry.title,
                         audience=entry.audience, details=entry.details, imported_at=now, updated_at=now)


async def events_between(session: AsyncSession, between: tuple[date, date], *, kind: str | None = None
                         ) -> list[CalendarEvent]:
    """Events overlapping the days `between` (inclusive), by start date."""
    query = select(CalendarEvent).where(CalendarEvent.starts_on <= between[1], CalendarEvent.ends_on >= between[0])
    if kind is not None:
        query = query.where(CalendarEvent.kind == kind)
    return list((await session.scalars(query.order_by(CalendarEvent.starts_on, CalendarEvent.ends_on,
                                                       CalendarEvent.title))).all())


async def practice_weeks(session: AsyncSession, between: tuple[date, date]) -> list[tuple[date, date]]:
    """The practice weeks overlapping `between` (inclusive): (starts_on, ends_on), earliest first.
    The plain query the supervision and observation capabilities read."""
    return [(e.starts_on, e.ends_on) for e in await events_between(session, between, kind="practice_week")]
