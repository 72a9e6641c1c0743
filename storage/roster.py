"""Importing the staff roster: check the whole file first, then apply it (in one transaction; a
roster longer than QA_IMPORT_BATCH_ROWS in batches, storage/files.py write_in_batches).

The file is the truth about who works here. Re-importing the same file changes nothing;
people missing from it are marked as left (kept for history, their queued messages
withdrawn); people who come back are re-activated.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from qa import emails
from qa.roster import SHEET_WORDS, WHAT, WHOLE_FILE, Problem, RosterEntry, RosterProblems, parse_roster
from qa.tabular import DEFAULT_LIMITS, ReadLimits, UnreadableTable, source_words
from storage import files
from storage.db import Database
from storage.models import OutboxMessage, Person
from storage.people import link_conversations

log = logging.getLogger(__name__)

# The Person columns the roster sets (email is the key).
FIELDS = ("display_name", "role", "team", "service_area", "supervisor_email",
          "asye_start_date", "registered", "aad_object_id")
# Set only when the file has the (optional) column: a file without it leaves what is stored as it is.
START_DATE = "start_date"
OPTIONAL_FIELDS = (START_DATE, "registration_number")
# Queued messages that have not started sending; a leaver's are withdrawn.
WITHDRAWABLE_STATES = ("pending", "retrying")
LEFT_REASON = "person_left"


class RosterRejected(Exception):  # noqa: N818 - the name the CLI and the design use
    """The roster was refused whole; str() is the message for a person, one problem a line."""

    def __init__(self, path: Path, problems: list[Problem], sheet: str | None = None) -> None:
        self.path = path
        self.problems = problems
        self.sheet = sheet
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        lines = [f"{source_words(path.name, sheet)} was not imported ({count}; nothing was changed):"]
        lines += [f"  {p}" for p in problems]
        super().__init__("\n".join(lines))


@dataclass
class RosterImportReport:
    source_name: str = ""
    sheet: str | None = None  # the workbook sheet read; None for a .csv
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    left: int = 0
    reactivated: int = 0
    chats_linked: int = 0
    messages_withdrawn: int = 0

    def describe(self) -> str:
        source = f" from {source_words(self.source_name, self.sheet)}" if self.source_name else ""
        lines = [
            f"roster imported{source}: {self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.left} marked as left, {self.reactivated} re-activated",
            f"{self.chats_linked} Teams chat{'s' if self.chats_linked != 1 else ''} linked to their person",
        ]
        if self.messages_withdrawn:
            lines.append(f"{self.messages_withdrawn} queued message{'s' if self.messages_withdrawn != 1 else ''} "
                         "to people who left withdrawn")
        return "\n".join(lines)


async def import_roster(db: Database, path: files.Source, now: datetime, *,
                        limits: ReadLimits = DEFAULT_LIMITS, dry_run: bool = False) -> RosterImportReport:
    """Check `path` whole, then add, update, mark as left and re-activate people in one go.
    The file is read and checked off the event loop (storage/files.py) within `limits`. A roster of
    at most limits.batch_rows people is written in one transaction; a longer one in transactions of
    that many rows (new people, then changed ones, then leavers, each leaver with their queued
    messages withdrawn in the same transaction; chats linked last), so the sender and the sweep are
    not locked out of SQLite meanwhile.

    Raises RosterRejected (nothing written) when any row, the header or the file is wrong;
    files.ImportInterrupted when a long import stopped part-way (what it wrote is as the file says;
    importing the same file again finishes it).
    `path` may be an upload's (bytes, file name); `dry_run` (a preview in chat): the same checks and
    statements in one transaction rolled back, whatever the file's length: nothing written.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    source, path = path, Path(files.source_name(path))
    try:
        table = await files.read_source(source, WHAT, SHEET_WORDS, limits)
    except UnreadableTable as exc:
        raise RosterRejected(path, exc.problems) from None
    try:
        entries = await files.off_loop(parse_roster, table.rows, table.header)
    except RosterProblems as exc:
        raise RosterRejected(path, exc.problems, table.sheet) from None
    present = {h.strip().lower() for h in table.header}
    fields = FIELDS + tuple(f for f in OPTIONAL_FIELDS if f in present)
    report = RosterImportReport()

    async def plan(session: AsyncSession) -> files.Plan:
        return await _plan(session, entries, now, fields, report)

    try:
        await files.write_in_batches(db, len(entries), plan, source=source_words(path.name, table.sheet),
                                     limits=limits, dry_run=dry_run)
    except IntegrityError:
        # Only a second import (or an install) writing the same people at the same moment.
        raise RosterRejected(path, [Problem(WHOLE_FILE, None, (
            "someone else changed the people at the same time; run the import again"))], table.sheet) from None
    report.source_name, report.sheet = Path(path).name, table.sheet
    log.info("roster %s added=%d updated=%d unchanged=%d left=%d reactivated=%d chats_linked=%d",
             "previewed" if dry_run else "imported",
             report.added, report.updated, report.unchanged, report.left, report.reactivated, report.chats_linked)
    return report


async def _plan(session: AsyncSession, entries: list[RosterEntry], now: datetime, fields: tuple[str, ...],
                report: RosterImportReport) -> files.Plan:
    """The roster's writes against the people on record (counted into `report`): new people,
    changed or returning people, leavers (with their messages withdrawn); chats linked at the end.
    Each is what the file says whatever was written before, so a rerun after a stop completes it."""
    # Everyone on record in one query; the rest is set arithmetic, then bulk statements.
    on_record = {
        (emails.key(row.email) or row.email.lower()): row
        for row in await session.execute(select(Person.id, Person.email, Person.left_at,
                                                *(getattr(Person, f) for f in fields)))
    }
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for entry in entries:
        values = {f: getattr(entry, f) for f in fields}
        old = on_record.pop(entry.email, None)
        if old is None:
            inserts.append({"email": entry.email, **values, "left_at": None, "created_at": now, "updated_at": now})
            report.added += 1
            continue
        if old.left_at is not None:
            report.reactivated += 1
        elif old.email != entry.email or any(getattr(old, f) != v for f, v in values.items()):
            report.updated += 1
        else:
            report.unchanged += 1
            continue
        updates.append({"id": old.id, "email": entry.email, **values, "left_at": None, "updated_at": now})
    leavers = [row.id for row in on_record.values() if row.left_at is None]
    report.left = len(leavers)

    async def mark_left(session: AsyncSession, ids: list[int]) -> None:
        # A leaver and their withdrawn messages in one transaction: a rerun no longer sees them as leaving.
        await session.execute(update(Person), [{"id": i, "left_at": now, "updated_at": now} for i in ids])
        report.messages_withdrawn += await _withdraw_messages(session, ids)

    async def link(session: AsyncSession) -> None:
        report.chats_linked = await link_conversations(session)

    return files.Plan([
        files.Write(inserts, lambda session, rows: session.execute(insert(Person), rows)),
        files.Write(updates, lambda session, rows: session.execute(update(Person), rows)),  # bulk UPDATE by key
        files.Write(leavers, mark_left),
    ], link)


async def _withdraw_messages(session: AsyncSession, person_ids: list[int]) -> int:
    """People who left are sent nothing more: their queued, unsent messages are withdrawn."""
    withdrawn = 0
    for start in range(0, len(person_ids), 500):  # keep IN lists well inside driver limits
        result = await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.person_id.in_(person_ids[start:start + 500]),
                   OutboxMessage.state.in_(WITHDRAWABLE_STATES))
            .values(state="undeliverable", undeliverable_reason=LEFT_REASON, claimed_by=None, claimed_until=None)
            .execution_options(synchronize_session=False)
        )
        withdrawn += result.rowcount or 0
    return withdrawn
