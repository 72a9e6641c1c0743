"""Files in chat, one way for all: a file the QA unit keeps (the roster, a month's allocations, the
QA calendar, the caseload, supervision history, past audits), sent in the bot's personal chat,
is held server-side (storage/previews.py) and previewed; nothing is written until Confirm.

- `receive`: the file's kind is recognised from its columns (each capability registers a FileKind
  whose signature columns tell it apart); one kind: a preview; two or more: the sender chooses.
- `preview`: the kind's own import run as a dry run (the same checks and messages as the command
  line: capabilities.file_import), so the card says exactly what Confirm would change, or every
  problem, row and column.
- `confirm`: re-checks on the server who may import (the preview's sender, still in a role the
  kind names), refuses a preview older than EXPIRES or made stale by a later import of the same
  kind, then runs the import (its own transaction) and records it with one trail row.
- `cancel`, `choose`: write nothing but the preview's state and one trail row.
Framework 9.3 (allocations, the calendar, the register) and 9.1 (supervision, the caseload).
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from capabilities.context import Context
from capabilities.kit import Outcome, Status, already, not_found, refuse, unit, use_case
from capabilities.registry import FileKind, ImportRequest, KindRefused, KindReport
from dialogs import intake_cards as ic
from dialogs.card_kit import format_moment
from storage import previews
from storage.files import ImportInterrupted
from storage.models import FilePreview

log = logging.getLogger(__name__)

EXPIRES = timedelta(hours=1)
VIA = "teams:file preview"
TITLE = "Files"
GONE = "I no longer have this file; send it again to see a fresh preview. Nothing was changed."
NOT_YOURS = "This preview is for the person who sent the file; only they can confirm or cancel it. Nothing was changed."
NOT_ALLOWED = "Only {who} can import {title}. Nothing was changed."
EXPIRED = ("This preview is more than an hour old, so it may no longer say what importing the file would "
           "change. Send the file again to see a fresh preview. Nothing was changed.")
STALE = ("{title} was imported again since this preview, so it no longer says what importing this file would "
         "change. Send the file again to see a fresh preview. Nothing was changed.")
DONE_ALREADY = {"confirmed": "This file was confirmed already; nothing more was changed.",
                "cancelled": "This preview was cancelled; nothing was imported. Send the file again to import it.",
                "refused": "This file was not imported (see the problems above); send a corrected file.",
                "interrupted": "This file was imported only in part; send the same file again to finish.",
                "expired": EXPIRED}
BUSY = "This file is being imported now; wait a moment. Nothing more was changed."


@dataclass
class IntakeOutcome(Outcome):
    """An Outcome whose card is the one to show in place of the pressed one."""


def _title(kind: FileKind) -> str:
    return kind.title[0].upper() + kind.title[1:]


def who_may(kind: FileKind) -> str:
    from capabilities.registry import role_plural

    return " and ".join(role_plural(r) for r in sorted(kind.roles))


def may_import(person, kind: FileKind) -> bool:
    return person is not None and person.left_at is None and person.role in kind.roles


async def preview(ctx: Context, kinds: Mapping[str, FileKind], row: FilePreview, *, now: datetime) -> IntakeOutcome:
    """Run `row`'s kind's import as a dry run on the held bytes: the preview card (Confirm, Cancel),
    or the refusal card naming every problem (the preview is then refused: nothing to confirm)."""
    kind = kinds[row.kind]
    try:
        report = await kind.run(ctx, (row.data, row.file_name), ImportRequest(
            now=now, actor_id=row.person_id, via=VIA, dry_run=True, text=row.text))
    except KindRefused as exc:
        async with ctx.db.sessions.begin() as session:
            await previews.decide(session, row.id, "refused", now)
        return IntakeOutcome(Status.INVALID, str(exc), card=ic.refused_card(row.file_name, kind.title, exc.problems,
                                                                            exc.sheet))
    async with ctx.db.sessions.begin() as session:
        held = await previews.locked(session, row.id)
        if held is not None:
            held.scope = report.scope
    until = format_moment(row.created_at + EXPIRES, ctx.calendar.tz)
    view = ic.PreviewView(preview_id=row.id, file_name=row.file_name, kind_title=kind.title, sheet=report.sheet,
                          scope_words=report.scope_words, counts=report.counts, sections=report.sections,
                          changes=report.changes, expires_words=until,
                          scope_choices=report.scope_choices, scope=report.scope)
    return IntakeOutcome(Status.DONE, _summary(kind, row.file_name, report), card=ic.preview_card(view))


def _summary(kind: FileKind, file_name: str, report: KindReport) -> str:
    counts = ", ".join(f"{n} {label.lower()}" for label, n in report.counts)
    return f"Preview of {file_name} as {kind.title}: {counts}. Nothing is written until you confirm."


async def receive(ctx: Context, kinds: Mapping[str, FileKind], person_id: int, file_name: str, data: bytes,
                  fitting: list[FileKind], text: str | None, *, now: datetime) -> IntakeOutcome:
    """Hold the upload (`data`, already checked as a spreadsheet whose columns fit `fitting`) for
    `person_id`; answer the preview when one kind fits, else the card asking which."""
    async with unit(ctx, person_id, now=now, via=VIA) as act:
        row = await previews.hold(act.session, person_id=person_id, file_name=file_name, data=data,
                                  kinds=[k.name for k in fitting], text=text, now=now)
        act.trail("file_preview", row.id, "file_previewed", kinds=[k.name for k in fitting], bytes=len(data))
    if len(fitting) > 1:
        return IntakeOutcome(Status.DONE, f"Which file is {file_name}? Choose one; nothing is written yet.",
                             card=ic.choose_kind_card(row.id, file_name, [k.title for k in fitting]))
    return await preview(ctx, kinds, row, now=now)


async def _held(act, preview_id: int) -> FilePreview:
    row = await previews.locked(act.session, preview_id)
    if row is None:
        not_found(GONE, title=TITLE)
    if row.person_id != act.actor.id:
        refuse(NOT_YOURS, title=TITLE)
    return row


@use_case(IntakeOutcome)
async def choose(ctx: Context, kinds: Mapping[str, FileKind], actor_id: int | None, preview_id: int, choice: int, *,
                 now: datetime) -> IntakeOutcome:
    """The sender says which kind a file is (`choice`: 1-based, among the kinds that fit): its preview."""
    async with unit(ctx, actor_id, now=now, via=VIA) as act:
        row = await _held(act, preview_id)
        if row.state != "waiting":
            already(DONE_ALREADY.get(row.state, "This file's kind was chosen already. Nothing more was changed."),
                    title=TITLE)
        names = list(row.candidates.get("kinds", []))
        if not 1 <= choice <= len(names) or names[choice - 1] not in kinds:
            refuse("I couldn't read this choice. Nothing was changed.", title=TITLE)
        kind = kinds[names[choice - 1]]
        if not may_import(act.actor, kind):
            refuse(NOT_ALLOWED.format(who=who_may(kind), title=kind.title), title=TITLE)
        row.kind, row.state = kind.name, "previewed"
        act.trail("file_preview", row.id, "file_kind_chosen", kind=kind.name)
    return await preview(ctx, kinds, row, now=now)


@use_case(IntakeOutcome)
async def cancel(ctx: Context, actor_id: int | None, preview_id: int, *, now: datetime) -> IntakeOutcome:
    """The sender cancels: nothing is imported, the upload is dropped, one trail row."""
    async with unit(ctx, actor_id, now=now, via=VIA) as act:
        row = await _held(act, preview_id)
        if row.state not in ("previewed", "waiting"):
            already(DONE_ALREADY.get(row.state, BUSY), title=TITLE)
        await previews.decide(act.session, row.id, "cancelled", now)
        act.trail("file_preview", row.id, "file_import_cancelled", kind=row.kind)
    return IntakeOutcome(Status.DONE, f"Cancelled: {row.file_name} was not imported.",
                         card=ic.decided_card("Cancelled", f"{row.file_name} was not imported; nothing was changed."))


@use_case(IntakeOutcome)
async def confirm(ctx: Context, kinds: Mapping[str, FileKind], actor_id: int | None, preview_id: int, *,
                  now: datetime, chosen: object = None) -> IntakeOutcome:
    """Import the previewed file: who may (the sender, still in a role the kind names), whether the
    preview still holds (under EXPIRES old, no import of the kind since), then the kind's import
    (its own transaction: SQLite has one writer, so the claim is committed first), and one trail row.
    `chosen`: what the sender chose on the preview card (untrusted; the kind checks it)."""
    async with unit(ctx, actor_id, now=now, via=VIA) as act:
        row = await _held(act, preview_id)
        if row.state != "previewed" or row.kind not in kinds:
            already(DONE_ALREADY.get(row.state, BUSY), title=TITLE)
        kind = kinds[row.kind]
        if not may_import(act.actor, kind):
            refuse(NOT_ALLOWED.format(who=who_may(kind), title=kind.title), title=TITLE)
        if now - row.created_at > EXPIRES:
            await previews.decide(act.session, row.id, "expired", now)
            act.trail("file_preview", row.id, "file_preview_expired", kind=kind.name)
            stale = EXPIRED
        elif await previews.imported_since(act.session, kind.name, row.created_at, other_than=row.id):
            await previews.decide(act.session, row.id, "expired", now)
            act.trail("file_preview", row.id, "file_preview_stale", kind=kind.name)
            stale = STALE.format(title=_title(kind))
        else:
            stale = ""
            row.state = "confirming"
            data, name, scope, person_id = row.data, row.file_name, row.scope, act.actor.id
    if stale:
        return IntakeOutcome(Status.ALREADY, stale, card=ic.decided_card("Preview out of date", stale))
    try:
        report = await kind.run(ctx, (data, name), ImportRequest(
            now=now, actor_id=person_id, via=VIA, scope=scope,
            chosen=chosen[:20] if isinstance(chosen, str) and chosen else None))
    except KindRefused as exc:
        async with ctx.db.sessions.begin() as session:
            await previews.decide(session, preview_id, "refused", now)
        return IntakeOutcome(Status.INVALID, str(exc), card=ic.refused_card(name, kind.title, exc.problems, exc.sheet))
    except ImportInterrupted as exc:
        return await _interrupted(ctx, actor_id, preview_id, kind, exc, now=now)
    except BaseException:
        async with ctx.db.sessions.begin() as session:  # not imported: the preview may be confirmed again
            held = await previews.locked(session, preview_id)
            if held is not None and held.state == "confirming":
                held.state = "previewed"
        raise
    async with unit(ctx, actor_id, now=now, via=VIA) as act:
        await previews.decide(act.session, preview_id, "confirmed", now)
        act.trail("file_preview", preview_id, "file_imported", kind=kind.name, scope=scope,
                  **{label: n for label, n in report.counts})
    message = f"{name} was imported as {kind.title}" + (f" for {report.scope_words}" if report.scope_words else "") + "."
    return IntakeOutcome(Status.DONE, message, urgent=report.urgent,
                         card=report.card or ic.decided_card(f"Imported: {kind.title}", message, report.counts))


async def _interrupted(ctx: Context, actor_id: int | None, preview_id: int, kind: FileKind, exc: ImportInterrupted,
                       *, now: datetime) -> IntakeOutcome:
    """A long import stopped part-way after Confirm (storage/files.py write_in_batches): some batches
    were written and are as the file says. The preview is closed as interrupted (its counts no longer
    hold, and other previews of the kind are now stale) with one trail row; the person is told how far
    it got and to send the same file again, whose fresh preview shows only what is still missing.
    Best effort when the database is why it stopped: the message is given all the same."""
    try:
        async with unit(ctx, actor_id, now=now, via=VIA) as act:
            await previews.decide(act.session, preview_id, "interrupted", now)
            act.trail("file_preview", preview_id, "file_import_interrupted", kind=kind.name, written=exc.written,
                      rows=exc.total)
    except Exception as failed:  # noqa: BLE001 - the part-way message matters more than the record
        log.warning("preview %s: import stopped part-way and could not be recorded: %s", preview_id,
                    type(failed).__name__)
    message = f"{exc} Send the same file here again: its preview will show only what is still to import."
    return IntakeOutcome(Status.DONE, message, card=ic.decided_card(f"Imported in part: {kind.title}", message))
