"""The QA calendar in the database: the import (whole file or nothing up to QA_IMPORT_BATCH_ROWS rows, in
batches beyond; idempotent), the plain queries other
capabilities read (`practice_weeks`, `events_between`), and the answers to reminded events and their
attendance (`answer`, `mark_attendance`, `responses_for`, `attendance_of`)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from qa import emails
from qa.qa_calendar import SHEET_WORDS, CalendarProblems, parse_calendar
from qa.tabular import DEFAULT_LIMITS, WHOLE_FILE, Problem, ReadLimits, UnreadableTable, source_words
from storage import files
from storage.db import Database
from storage.models import CalendarEvent, CalendarResponse, Person, TrailEvent
from storage.retention import Purge


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


FIELDS = ("ends_on", "audience", "details", "starts_at", "ends_at", "organiser_id")


async def import_calendar(db: Database, path: files.Source, now: datetime, *, via: str = "cli:calendar import",
                          actor_id: int | None = None, limits: ReadLimits = DEFAULT_LIMITS,
                          dry_run: bool = False) -> CalendarImportReport:
    """Check `path` whole, then add new events and update changed ones (matched by kind, start and
    title), in one transaction (a file longer than limits.batch_rows in batches: storage/files.py
    write_in_batches). Events not in the file are kept. The file is read and checked off the event
    loop (storage/files.py), within `limits`. Raises CalendarRejected (nothing written), or
    files.ImportInterrupted when a long file stopped part-way (importing it again finishes it)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    try:
        table = await files.read_source(path, "a calendar", SHEET_WORDS, limits)
    except UnreadableTable as exc:
        raise CalendarRejected(Path(files.source_name(path)), exc.problems) from None
    path = Path(files.source_name(path))
    report = CalendarImportReport()

    async def plan(session: AsyncSession) -> files.Plan:
        people = {emails.key(email) or email.lower(): person_id for person_id, email in (await session.execute(
            select(Person.id, Person.email).where(Person.left_at.is_(None)))).all()}
        entries = await files.off_loop(parse_calendar, table.rows, table.header, people)
        existing = {(e.kind, e.starts_on, e.title): e for e in (await session.execute(
            select(CalendarEvent.id, CalendarEvent.kind, CalendarEvent.starts_on, CalendarEvent.title,
                   *(getattr(CalendarEvent, name) for name in FIELDS)))).all()}
        inserts: list[dict] = []
        updates: list[dict] = []
        for entry in entries:
            event = existing.get(entry.key)
            values = {"ends_on": entry.ends_on, "audience": entry.audience, "details": entry.details,
                      "starts_at": entry.starts_at, "ends_at": entry.ends_at,
                      "organiser_id": people.get(entry.organiser) if entry.organiser else None}
            if event is None:
                inserts.append({"kind": entry.kind, "starts_on": entry.starts_on, "title": entry.title,
                                "imported_at": now, "updated_at": now, **values})
                report.added += 1
            elif any(getattr(event, name) != values[name] for name in FIELDS):
                updates.append({"id": event.id, **values, "updated_at": now})
                report.updated += 1
            else:
                report.unchanged += 1

        async def finish(session: AsyncSession) -> None:
            if report.added or report.updated:
                session.add(TrailEvent(subject_type="calendar", subject_id=None, actor_id=actor_id,
                                       action="calendar_imported", via=via, at=now,
                                       detail={"added": report.added, "updated": report.updated,
                                               "unchanged": report.unchanged}))

        return files.Plan([
            files.Write(inserts, lambda session, rows: session.execute(insert(CalendarEvent), rows)),
            files.Write(updates, lambda session, rows: session.execute(update(CalendarEvent), rows)),
        ], finish)

    try:
        await files.write_in_batches(db, len(table.rows), plan, source=source_words(Path(path).name, table.sheet),
                                     limits=limits, dry_run=dry_run)
    except CalendarProblems as exc:
        raise CalendarRejected(path, exc.problems, table.sheet) from None
    except IntegrityError:
        raise CalendarRejected(path, [Problem(WHOLE_FILE, None, (
            "someone else imported the calendar at the same time; run the import again"))], table.sheet) from None
    return report


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


# -- answers to reminded events, and attendance ------------------------------------------------

COMING, NOT_COMING = "coming", "not_coming"
ANSWERS = (COMING, NOT_COMING)


async def answer(session: AsyncSession, event_id: int, person_id: int, value: str, now: datetime) -> bool:
    """Record a person's answer (COMING or NOT_COMING) to an event, in the caller's transaction; True when it
    changed. Raises ValueError for another answer."""
    if value not in ANSWERS:
        raise ValueError(f"an answer is one of {ANSWERS}, not {value!r}")
    row = (await session.execute(select(CalendarResponse).where(
        CalendarResponse.event_id == event_id, CalendarResponse.person_id == person_id)
        .with_for_update())).scalar_one_or_none()
    if row is None:
        session.add(CalendarResponse(event_id=event_id, person_id=person_id, answer=value, answered_at=now))
        await session.flush()
        return True
    if row.answer == value:
        return False
    row.answer, row.answered_at = value, now
    return True


@dataclass(frozen=True)
class Response:
    person_id: int
    name: str
    answer: str | None
    attended: bool | None


async def responses_for(session: AsyncSession, event_ids: Sequence[int]) -> dict[int, list[Response]]:
    """Each event's answers and attendance, by name."""
    out: dict[int, list[Response]] = {event_id: [] for event_id in event_ids}
    if not event_ids:
        return out
    for r in (await session.execute(
            select(CalendarResponse.event_id, CalendarResponse.person_id, Person.display_name,
                   CalendarResponse.answer, CalendarResponse.attended)
            .join(Person, Person.id == CalendarResponse.person_id)
            .where(CalendarResponse.event_id.in_(list(event_ids)))
            .order_by(Person.display_name, Person.id))).all():
        out[r.event_id].append(Response(r.person_id, r.display_name, r.answer, r.attended))
    return out


async def mark_attendance(session: AsyncSession, event_id: int, attended: Iterable[int], marked_by_id: int | None,
                          now: datetime) -> tuple[int, int]:
    """Mark who attended an event, in the caller's transaction: everyone in `attended` attended (a row is added
    for someone who never answered), everyone else who answered did not. (attended, not attended)."""
    came = set(attended)
    rows = {r.person_id: r for r in (await session.execute(select(CalendarResponse).where(
        CalendarResponse.event_id == event_id).with_for_update())).scalars().all()}
    for person_id in came - set(rows):
        row = CalendarResponse(event_id=event_id, person_id=person_id)
        session.add(row)
        rows[person_id] = row
    for person_id, row in rows.items():
        row.attended = person_id in came
        row.attendance_marked_by_id, row.attendance_marked_at = marked_by_id, now
    await session.flush()
    return len(came), len(rows) - len(came)


async def attendance_of(session: AsyncSession, person_id: int) -> list[tuple[date, str, str]]:
    """The events a person attended, as the organisers marked it: (first day, kind, title), oldest first. The
    plain query a learning record reads."""
    return [tuple(r) for r in (await session.execute(
        select(CalendarEvent.starts_on, CalendarEvent.kind, CalendarEvent.title)
        .join(CalendarResponse, CalendarResponse.event_id == CalendarEvent.id)
        .where(CalendarResponse.person_id == person_id, CalendarResponse.attended.is_(True))
        .order_by(CalendarEvent.starts_on, CalendarEvent.title))).all()]


def past_responses(p: Purge, kind: str):
    """Answers and attendance go with their event (storage.retention.calendar_events), before it."""
    return CalendarResponse.event_id.in_(select(CalendarEvent.id).where(
        CalendarEvent.ends_on < p.first_kept_day(kind)))
