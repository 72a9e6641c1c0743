"""Files sent to a personal chat through Teams' file consent card (docs: "Send and receive files
using bots"): the bot sends an attachment of type application/vnd.microsoft.teams.card.file.consent;
the person's Allow or Decline comes back as a `fileConsent/invoke` (botbuilder's
TeamsActivityHandler routes it to on_teams_file_consent_accept / _decline). On Allow, its value's
uploadInfo gives an upload URL in their OneDrive: the bot PUTs the bytes there (with
Content-Range), then sends a file info card pointing at contentUrl. The invoke is answered 200.

Which file: the card's context names the capability's FileOffer (capabilities.registry), which
makes the file for the person who accepted, checking again that they may have it. The bot's
token never goes to the upload URL; plain http is allowed only to this machine (tests).
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.schema import Activity, Attachment
from botbuilder.schema.teams import FileConsentCardResponse

from bot.services import Services
from capabilities.registry import FileMade, Registry
from dialogs.report_cards import FILE_INFO, file_info_attachment
from storage.conversations import actor_for_chat

log = logging.getLogger(__name__)

UPLOAD_TIMEOUT = 60.0  # seconds for the whole upload
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
UNKNOWN = "I couldn't tell which file this was. Type \"report\" to choose a report again."
UPLOAD_FAILED = "I couldn't save the file to your OneDrive just now. Type \"report\" to ask for it again."
DECLINED = "All right, I haven't saved it. Type \"report\" whenever you want a report."


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
    context = _context(response)
    offer = registry.files.get(context.get("offer")) if isinstance(context.get("offer"), str) else None
    info = response.upload_info
    if offer is None or info is None or not upload_allowed(info.upload_url):
        log.info("file consent accepted for an unknown offer or without a usable upload URL")
        await turn_context.send_activity(UNKNOWN)
        return
    activity = turn_context.activity
    person = await actor_for_chat(services.db, activity.conversation.id if activity.conversation else "",
                                  activity.from_property.id if activity.from_property else None)
    made = await offer.make(services.context, person, context, services.clock())
    if not isinstance(made, FileMade):
        await turn_context.send_activity(made)
        return
    if not await _upload(services, info.upload_url, made.data):
        await turn_context.send_activity(UPLOAD_FAILED)
        return
    attachment = file_info_attachment(info.name or made.name, info.content_url, info.unique_id,
                                      info.file_type or made.file_type)
    await turn_context.send_activity(Activity(type="message", attachments=[Attachment(
        content_type=FILE_INFO, name=attachment["name"], content_url=attachment["contentUrl"],
        content=attachment["content"])]))
    log.info("file sent through consent: %s bytes", len(made.data))


async def _upload(services: Services, url: str, data: bytes) -> bool:
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
