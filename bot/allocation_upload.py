"""A QA unit member sends the month's allocation list to the bot in their personal chat.

Teams delivers a file sent to a bot in a 1:1 chat as an attachment of type
application/vnd.microsoft.teams.file.download.info: `name` is the file name, `content` has a
short-lived, pre-authorised `downloadUrl` (a plain GET, no bearer token: the bot's token must
never go there), `uniqueId` and `fileType`. The manifest's `supportsFiles: true` enables it.

Only a person whose roster role is qa_unit may import; anyone else is told so and nothing is
downloaded. The import is the same as the CLI's (storage.allocations.import_allocations); the
reply is a summary card (what changed, or every problem with row and column).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import PurePath
from urllib.parse import urljoin, urlsplit

import aiohttp
from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity

from bot.services import Services
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
from storage.models import Person

log = logging.getLogger(__name__)

FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
MAX_BYTES = 5 * 1024 * 1024  # a month's list is a few KB; 5 MB is far beyond any real one
DOWNLOAD_TIMEOUT = 30.0  # seconds for the whole download
MAX_REDIRECTS = 3
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})  # plain http only for local testing
VIA = "teams:allocation upload"
MONTH_IN_TEXT = re.compile(r"(?<!\d)(\d{4})-(0[1-9]|1[0-2])(?!\d)")
# What to do when the link gave something other than the file: Teams on a phone sends a link
# that answers with a sign-in or sharing page; Teams on a computer or the web sends the file.
SEND_AGAIN = ("Nothing was imported. Send the file again from Teams on a computer or on the web "
              "(teams.microsoft.com); Teams on a phone sometimes sends a link to a sign-in page instead of the file.")
NOT_QA_UNIT = ("Only the QA unit can import audit allocations. If you meant to share this file with "
               "someone, send it to them directly; I have not opened it.")


@dataclass(frozen=True)
class UploadedFile:
    name: str
    download_url: str
    file_type: str
    unique_id: str


class DownloadError(Exception):
    """The file could not be fetched; str() says why, for the person who sent it."""


@dataclass(frozen=True)
class Downloaded:
    data: bytes
    content_type: str | None  # as the host labelled it (e.g. "text/html" for a sign-in page)


def uploaded_files(activity: Activity) -> list[UploadedFile]:
    """The files attached to a Teams message (file.download.info attachments)."""
    found = []
    for attachment in activity.attachments or []:
        if getattr(attachment, "content_type", None) != FILE_DOWNLOAD_INFO:
            continue
        content = attachment.content if isinstance(attachment.content, dict) else {}
        url = content.get("downloadUrl")
        if isinstance(url, str) and url:
            found.append(UploadedFile(
                name=PurePath(str(attachment.name or "upload")).name, download_url=url,
                file_type=str(content.get("fileType") or ""), unique_id=str(content.get("uniqueId") or "")))
    return found


def has_uploaded_file(activity: Activity) -> bool:
    return any(getattr(a, "content_type", None) == FILE_DOWNLOAD_INFO for a in activity.attachments or [])


def choose_month(text: str | None, file_name: str, now: datetime, tz: tzinfo) -> tuple[str, str]:
    """(YYYY-MM, where it came from): the message, else the file name, else the month now in `tz`."""
    for source, value in (("message", text or ""), ("file name", file_name)):
        match = MONTH_IN_TEXT.search(value)
        if match and 2000 <= int(match.group(1)) <= 2100:
            return match.group(0), source
    return now.astimezone(tz).strftime("%Y-%m"), "current"


def _allowed_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and parts.hostname in LOCAL_HOSTS


async def download(session: aiohttp.ClientSession, url: str, *, max_bytes: int = MAX_BYTES,
                   timeout: float | None = None) -> Downloaded:
    """The file's bytes and content type, over https only, at most `max_bytes`; DownloadError otherwise."""
    timeout = DOWNLOAD_TIMEOUT if timeout is None else timeout
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    try:
        for _ in range(MAX_REDIRECTS + 1):
            if not _allowed_url(url):
                raise DownloadError("the file's link is not a secure (https) address")
            # Redirects are followed by hand so that each hop is checked as https.
            async with session.get(url, timeout=client_timeout, allow_redirects=False) as resp:
                if resp.status in (301, 302, 303, 307, 308) and resp.headers.get("Location"):
                    url = urljoin(url, resp.headers["Location"])
                    continue
                if resp.status != 200:
                    raise DownloadError(f"the file's link answered {resp.status} instead of the file")
                if resp.content_length is not None and resp.content_length > max_bytes:
                    raise DownloadError(_too_large(max_bytes))
                data = bytearray()
                async for chunk in resp.content.iter_chunked(64 * 1024):
                    data += chunk
                    if len(data) > max_bytes:
                        raise DownloadError(_too_large(max_bytes))
                return Downloaded(bytes(data), resp.headers.get("Content-Type"))
        raise DownloadError("the file's link redirected too many times")
    except TimeoutError:
        raise DownloadError(f"the download did not finish within {timeout:g} seconds") from None
    except aiohttp.ClientError as exc:
        raise DownloadError(f"the download failed ({type(exc).__name__})") from None


def _too_large(max_bytes: int) -> str:
    return (f"what the link gave is larger than {max_bytes // (1024 * 1024)} MB, far more than an allocation list "
            "(a few KB), so it is not the list")


def outcome_of(report: AllocationImportReport, month_source: str) -> ImportOutcome:
    counts = [("Added", report.added), ("Updated", report.updated), ("Unchanged", report.unchanged),
              ("Withdrawn", report.withdrawn), ("Kept (already started)", report.kept_started)]
    return ImportOutcome(month=report.month, file_name=report.source_name, month_source=month_source,
                         counts=counts, sections=report.sections(), sheet=report.sheet)


async def _send_card(turn_context: TurnContext, card: dict, summary: str) -> None:
    activity = MessageFactory.attachment(CardFactory.adaptive_card(card), text=summary)
    activity.summary = summary
    await turn_context.send_activity(activity)


async def handle_file_upload(services: Services, turn_context: TurnContext, person: Person | None) -> None:
    """Import the attached allocation list for the QA unit; tell anyone else only the QA unit can."""
    activity = turn_context.activity
    if person is None or not person.active or person.role != Role.QA_UNIT:
        log.info("file upload refused: sender is not in the QA unit (person %s)", person.id if person else None)
        await turn_context.send_activity(NOT_QA_UNIT)
        return
    files = uploaded_files(activity)
    if not files:
        await turn_context.send_activity("I could not find a link to the file in your message; send it again.")
        return
    upload = files[0]
    month, source = choose_month(activity.text, upload.name, services.clock(), services.settings.tz)
    try:
        check_suffix(upload.name, WHAT)  # before downloading anything
    except UnreadableTable as exc:
        problems = [str(p) for p in exc.problems]
        await _send_card(turn_context, rejected_card(month, upload.name, source, problems),
                         rejected_text(month, problems))
        return
    try:
        got = await download(services.connector.session, upload.download_url)
    except DownloadError as exc:
        log.info("allocation upload by person %s not downloaded: %s", person.id, exc)
        await turn_context.send_activity(f"I could not fetch {upload.name}: {exc}. {SEND_AGAIN}")
        return
    instead = not_the_file(upload.name, got.data, got.content_type)
    if instead:
        # Not the workbook's fault: do not say it is damaged or password-protected.
        log.info("allocation upload by person %s: the link did not give the file", person.id)
        await turn_context.send_activity(
            f"I could not use {upload.name}: what its link gave me is {instead}. {SEND_AGAIN}")
        return
    try:
        report = await import_allocations(services.db, (got.data, upload.name), month, services.clock(),
                                          actor_id=person.id, via=VIA)
    except AllocationsRejected as exc:
        log.info("allocation upload by person %s for %s rejected: %d problems", person.id, month, len(exc.problems))
        problems = [str(p) for p in exc.problems]
        await _send_card(turn_context, rejected_card(month, upload.name, source, problems, exc.sheet),
                         rejected_text(month, problems))
        return
    outcome = outcome_of(report, source)
    extra = f" (I read {upload.name} only; send other files one at a time)" if len(files) > 1 else ""
    await _send_card(turn_context, import_summary_card(outcome), import_summary_text(outcome) + extra)
