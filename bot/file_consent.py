"""Files sent to a personal chat through Teams' file consent card (docs: "Send and receive files
using bots"): the bot sends an attachment of type application/vnd.microsoft.teams.card.file.consent;
the person's Allow or Decline comes back as a `fileConsent/invoke` (botbuilder's
TeamsActivityHandler routes it to on_teams_file_consent_accept / _decline). On Allow, its value's
uploadInfo gives an upload URL in their OneDrive: the bot PUTs the bytes there (with
Content-Range), then sends a file info card pointing at contentUrl.

Answered at once, uploaded in the background: Teams shows "Something went wrong" when an invoke
takes more than about ten seconds, and making a workbook and uploading it over a slow link takes
longer. So `on_accept` checks the card's signed context, records the consent
(capabilities/files.py `accept`: the consent card's message is changed in place, so there is
nothing left to press) and returns, and the invoke is answered 200; a background task then makes
the file, uploads it (retried, `RETRY_DELAYS`), and queues the file info card or, when it could
not, a message saying so. A second Allow, or Teams replaying the invoke after the upload, finds
the consent recorded and changes nothing.

Which file: the card's context names the capability's FileOffer (capabilities.registry), which
makes the file for the person who accepted, checking again that they may have it. The context is
signed by the bot (bot/card_signing.py); a forged or unsigned one is refused with 400, nothing
uploaded. The bot's token never goes to the upload URL; plain http is allowed only to this
machine (tests).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.core.activity_handler import _InvokeResponseException
from botbuilder.schema.teams import FileConsentCardResponse

from bot.services import Services
from capabilities import files
from capabilities.registry import FileMade, FileOffer, Registry
from dialogs.report_cards import file_info_attachment
from storage.conversations import actor_for_chat
from storage.models import Person
from storage.outbox import sent_rows

log = logging.getLogger(__name__)

UPLOAD_TIMEOUT = 60.0  # seconds for one upload attempt
# Seconds to wait before each retry of a failed upload (so three attempts in all); a test sets 0.
RETRY_DELAYS: tuple[float, ...] = (5.0, 30.0)
SHUTDOWN_WAIT = 20.0  # seconds the app's shutdown waits for uploads still running
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
UNKNOWN = "I couldn't tell which file this was. Type \"report\" to choose a report again."
UNSIGNED = "this file consent card was not sent by this bot (its context is not signed); nothing was uploaded"
UPLOAD_FAILED = ("I couldn't save the file to your OneDrive: it failed {attempts} times. "
                 "Type \"report\" to ask for it again.")
DECLINED = "All right, I haven't saved it. Type \"report\" whenever you want a report."

# The uploads running in the background, held so they are not garbage-collected mid-way.
_running: set[asyncio.Task[None]] = set()


@dataclass(frozen=True)
class _Upload:
    """What the background task needs, read from the invoke before it is answered."""

    offer: FileOffer
    consent: files.Consent
    person: Person | None
    context: Mapping[str, Any]
    url: str
    content_url: str
    unique_id: str
    file_type: str | None


def _context(response: FileConsentCardResponse) -> Mapping[str, Any]:
    context = response.context
    return context if isinstance(context, dict) else {}


def upload_allowed(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOCAL_HOSTS)


async def on_accept(services: Services, registry: Registry, turn_context: TurnContext,
                    response: FileConsentCardResponse) -> None:
    """The person pressed Allow: check the context, record the consent and start the upload in the
    background; returns at once (the invoke is answered 200). Raises botbuilder's invoke-response
    exception (answered 400) when the context is not one this bot signed: nothing is uploaded."""
    context = _context(response)
    if not services.signer.verify_consent(context):
        log.info("file consent refused: its context is not signed by this bot")
        raise _InvokeResponseException(HTTPStatus.BAD_REQUEST, {"error": UNSIGNED})
    offer = registry.files.get(context.get("offer")) if isinstance(context.get("offer"), str) else None
    info = response.upload_info
    if offer is None or info is None or not upload_allowed(info.upload_url):
        log.info("file consent accepted for an unknown offer or without a usable upload URL")
        await turn_context.send_activity(UNKNOWN)
        return
    activity = turn_context.activity
    conversation_id = activity.conversation.id if activity.conversation else ""
    person = await actor_for_chat(services.db, conversation_id,
                                  activity.from_property.id if activity.from_property else None)
    # The consent card's message: Teams names it in replyToId; else the upload's own id.
    consent_id = activity.reply_to_id or info.unique_id or ""
    consent = files.Consent(conversation_id, consent_id, person.id if person else None, info.name or "the file")
    rows = (await sent_rows(services.db, activity.reply_to_id, conversation_id, consent.person_id)
            if activity.reply_to_id else [])
    shown = rows[0].payload.get("card") if rows and isinstance(rows[0].payload, dict) else None
    if not await files.accept(services.context, consent, shown, replaces=activity.reply_to_id or None,
                              now=services.clock()):
        log.info("file consent already taken: a second Allow or a replay changes nothing")
        return
    upload = _Upload(offer, consent, person, dict(context), info.upload_url, info.content_url or "",
                     info.unique_id or "", info.file_type)
    task = asyncio.create_task(_upload_in_background(services, upload))
    _running.add(task)
    task.add_done_callback(_running.discard)


async def settled() -> None:
    """Wait for every upload running in the background (tests; the app's shutdown)."""
    while _running:
        await asyncio.gather(*list(_running), return_exceptions=True)


async def finish(timeout: float = SHUTDOWN_WAIT) -> None:
    """The app is stopping: give running uploads up to `timeout` seconds to finish, then leave
    them (their people were told nothing; they can ask for the report again)."""
    if not _running:
        return
    _, pending = await asyncio.wait(list(_running), timeout=timeout)
    if pending:
        log.warning("stopping with %s file upload(s) unfinished", len(pending))


async def _upload_in_background(services: Services, upload: _Upload) -> None:
    consent = upload.consent
    try:
        await _deliver_now(services)  # the consent card changed in place first: nothing left to press
        made = await upload.offer.make(services.context, upload.person, upload.context, services.clock())
        if not isinstance(made, FileMade):  # the offer refused (no longer theirs to have): say why
            await files.not_saved(services.context, consent, made, now=services.clock())
        elif await _upload(services, upload.url, made.data):
            info = file_info_attachment(consent.name, upload.content_url, upload.unique_id,
                                        upload.file_type or made.file_type)
            await files.saved(services.context, consent, info, now=services.clock())
            log.info("file sent through consent: %s bytes", len(made.data))
        else:
            await files.not_saved(services.context, consent, UPLOAD_FAILED.format(attempts=1 + len(RETRY_DELAYS)),
                                  now=services.clock())
    except Exception as exc:  # noqa: BLE001 - a background task: log it, tell the person if we can
        log.error("file consent upload failed: %s", type(exc).__name__, exc_info=(type(exc), exc, exc.__traceback__))
        try:
            await files.not_saved(services.context, consent, UPLOAD_FAILED.format(attempts=1), now=services.clock())
        except Exception as again:  # noqa: BLE001 - the database is gone too: the log has it
            log.error("could not tell the person the upload failed: %s", type(again).__name__)
    await _deliver_now(services)


async def _deliver_now(services: Services) -> None:
    try:
        await services.deliver.now()
    except Exception as exc:  # noqa: BLE001 - the rows stay due; the app's sender will send them
        log.error("immediate delivery failed: %s", type(exc).__name__)


async def _upload(services: Services, url: str, data: bytes) -> bool:
    """PUT `data` to `url`, retried after each of RETRY_DELAYS; True once an attempt succeeds."""
    for delay in (None, *RETRY_DELAYS):
        if delay is not None:
            await asyncio.sleep(delay)
        if await _put(services, url, data):
            return True
    return False


async def _put(services: Services, url: str, data: bytes) -> bool:
    headers = {"Content-Length": str(len(data)), "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"}
    try:
        async with services.connector.session.put(url, data=data, headers=headers,
                                                  timeout=aiohttp.ClientTimeout(total=UPLOAD_TIMEOUT)) as resp:
            if resp.status < 300:
                return True
            log.warning("file upload answered %s", resp.status)
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("file upload failed: %s", type(exc).__name__)
    return False


async def on_decline(turn_context: TurnContext) -> None:
    await turn_context.send_activity(DECLINED)
