"""A QA unit member sends the month's allocation list to the bot in their personal chat.

Registered as the audit cycle's FileIntake: the edge (bot/teams_bot.py) hands over the files of
one message, not downloaded; this decides whether to read them. Only a person whose roster role
is qa_unit may import: anyone else is told so and nothing is downloaded. A name that is not a
.csv or .xlsx is refused before anything is downloaded too. The import is the same as the CLI's
(storage.allocations.import_allocations); the answer is a summary card (what changed, or every
problem with row and column), or a sentence when the file could not be had.
"""
from __future__ import annotations

import logging
import re
from datetime import datetime, tzinfo

from capabilities.registry import CommandReply, FetchError, FileIntake, FileUpload, TooLargeError
from capabilities.settings import case_refs
from dialogs.allocation_cards import (
    ImportOutcome,
    import_summary_card,
    import_summary_text,
    rejected_card,
    rejected_text,
)
from qa.framework import Role
from qa.tabular import UnreadableTable, check_suffix, not_the_file
from storage.allocations import WHAT, AllocationImportReport, AllocationsRejected, import_allocations

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024  # a month's list is a few KB; 5 MB is far beyond any real one
VIA = "teams:allocation upload"
MONTH_IN_TEXT = re.compile(r"(?<!\d)(\d{4})-(0[1-9]|1[0-2])(?!\d)")
# What to do when the link gave something other than the file: Teams on a phone sends a link
# that answers with a sign-in or sharing page; Teams on a computer or the web sends the file.
SEND_AGAIN = ("Nothing was imported. Send the file again from Teams on a computer or on the web "
              "(teams.microsoft.com); Teams on a phone sometimes sends a link to a sign-in page instead of the file.")
NOT_QA_UNIT = ("Only the QA unit can import audit allocations. If you meant to share this file with "
               "someone, send it to them directly; I have not opened it.")
NO_LINK = "I could not find a link to the file in your message; send it again."


def choose_month(text: str | None, file_name: str, now: datetime, tz: tzinfo) -> tuple[str, str]:
    """(YYYY-MM, where it came from): the message, else the file name, else the month now in `tz`."""
    for source, value in (("message", text or ""), ("file name", file_name)):
        match = MONTH_IN_TEXT.search(value)
        if match and 2000 <= int(match.group(1)) <= 2100:
            return match.group(0), source
    return now.astimezone(tz).strftime("%Y-%m"), "current"


def outcome_of(report: AllocationImportReport, month_source: str) -> ImportOutcome:
    counts = [("Added", report.added), ("Updated", report.updated), ("Unchanged", report.unchanged),
              ("Withdrawn", report.withdrawn), ("Kept (already started)", report.kept_started)]
    return ImportOutcome(month=report.month, file_name=report.source_name, month_source=month_source,
                         counts=counts, sections=report.sections(), sheet=report.sheet)


def _why_not_fetched(exc: FetchError) -> str:
    if isinstance(exc, TooLargeError):
        return f"{exc}, far more than an allocation list (a few KB), so it is not the list"
    return str(exc)


async def take_allocation_list(upload: FileUpload) -> CommandReply | str:
    """Import the first file as the month's allocation list for the QA unit; tell anyone else only
    the QA unit can."""
    person = upload.person
    if person is None or not person.active or person.role != Role.QA_UNIT:
        log.info("file upload refused: sender is not in the QA unit (person %s)", person.id if person else None)
        return NOT_QA_UNIT
    if not upload.files:
        return NO_LINK
    sent = upload.files[0]
    month, source = choose_month(upload.text, sent.name, upload.now, upload.ctx.calendar.tz)
    try:
        check_suffix(sent.name, WHAT)  # before downloading anything
    except UnreadableTable as exc:
        problems = [str(p) for p in exc.problems]
        return CommandReply(rejected_card(month, sent.name, source, problems), rejected_text(month, problems))
    try:
        got = await sent.fetch(MAX_BYTES)
    except FetchError as exc:
        log.info("allocation upload by person %s not downloaded: %s", person.id, exc)
        return f"I could not fetch {sent.name}: {_why_not_fetched(exc)}. {SEND_AGAIN}"
    instead = not_the_file(sent.name, got.data, got.content_type)
    if instead:
        # Not the workbook's fault: do not say it is damaged or password-protected.
        log.info("allocation upload by person %s: the link did not give the file", person.id)
        return f"I could not use {sent.name}: what its link gave me is {instead}. {SEND_AGAIN}"
    try:
        report = await import_allocations(upload.ctx.db, (got.data, sent.name), month, upload.now,
                                          actor_id=person.id, via=VIA, case_refs=case_refs(), limits=upload.ctx.files)
    except AllocationsRejected as exc:
        log.info("allocation upload by person %s for %s rejected: %d problems", person.id, month, len(exc.problems))
        problems = [str(p) for p in exc.problems]
        return CommandReply(rejected_card(month, sent.name, source, problems, exc.sheet),
                            rejected_text(month, problems))
    outcome = outcome_of(report, source)
    extra = f" (I read {sent.name} only; send other files one at a time)" if len(upload.files) > 1 else ""
    return CommandReply(import_summary_card(outcome), import_summary_text(outcome) + extra)


# Any file a person sends goes here: a QA unit member sending a PDF is told the list must be a
# .csv or .xlsx, and anyone else that only the QA unit imports, without the file being opened.
INTAKE = FileIntake("allocation list", take_allocation_list)
