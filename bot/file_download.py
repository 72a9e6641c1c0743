"""Files people send the bot in chat, at the Teams edge: finding them in a message and
downloading them. What a file is for, and whether to read it at all, is the capability's
(a FileIntake in the registry; the audit cycle's allocation list is one).

Teams delivers a file sent to a bot in a 1:1 chat as an attachment of type
application/vnd.microsoft.teams.file.download.info: `name` is the file name, `content` has a
short-lived, pre-authorised `downloadUrl` (a plain GET, no bearer token: the bot's token must
never go there), `uniqueId` and `fileType`. The manifest's `supportsFiles: true` enables it.
"""
from __future__ import annotations

from pathlib import PurePath
from urllib.parse import urljoin, urlsplit

import aiohttp
from botbuilder.schema import Activity

from capabilities.registry import Fetched, FetchError, SentFile, TooLargeError

FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
DOWNLOAD_TIMEOUT = 30.0  # seconds for the whole download
MAX_REDIRECTS = 3
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})  # plain http only for local testing


def has_files(activity: Activity) -> bool:
    """The message carries a file (whether or not Teams gave a link to it)."""
    return any(getattr(a, "content_type", None) == FILE_DOWNLOAD_INFO for a in activity.attachments or [])


def sent_files(activity: Activity, session: aiohttp.ClientSession) -> tuple[SentFile, ...]:
    """The files attached to a Teams message that come with a link, each fetched through
    `session` only when the capability asks."""
    found = []
    for attachment in activity.attachments or []:
        if getattr(attachment, "content_type", None) != FILE_DOWNLOAD_INFO:
            continue
        content = attachment.content if isinstance(attachment.content, dict) else {}
        url = content.get("downloadUrl")
        if isinstance(url, str) and url:
            found.append(SentFile(name=PurePath(str(attachment.name or "upload")).name,
                                  file_type=str(content.get("fileType") or ""),
                                  fetch=_fetcher(session, url)))
    return tuple(found)


def _fetcher(session: aiohttp.ClientSession, url: str):
    async def fetch(max_bytes: int) -> Fetched:
        return await download(session, url, max_bytes=max_bytes)
    return fetch


def _allowed_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and parts.hostname in LOCAL_HOSTS


async def download(session: aiohttp.ClientSession, url: str, *, max_bytes: int,
                   timeout: float | None = None) -> Fetched:
    """The file's bytes and content type, over https only, at most `max_bytes`; FetchError otherwise."""
    timeout = DOWNLOAD_TIMEOUT if timeout is None else timeout
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    try:
        for _ in range(MAX_REDIRECTS + 1):
            if not _allowed_url(url):
                raise FetchError("the file's link is not a secure (https) address")
            # Redirects are followed by hand so that each hop is checked as https.
            async with session.get(url, timeout=client_timeout, allow_redirects=False) as resp:
                if resp.status in (301, 302, 303, 307, 308) and resp.headers.get("Location"):
                    url = urljoin(url, resp.headers["Location"])
                    continue
                if resp.status != 200:
                    raise FetchError(f"the file's link answered {resp.status} instead of the file")
                if resp.content_length is not None and resp.content_length > max_bytes:
                    raise TooLargeError(max_bytes)
                data = bytearray()
                async for chunk in resp.content.iter_chunked(64 * 1024):
                    data += chunk
                    if len(data) > max_bytes:
                        raise TooLargeError(max_bytes)
                return Fetched(bytes(data), resp.headers.get("Content-Type"))
        raise FetchError("the file's link redirected too many times")
    except TimeoutError:
        raise FetchError(f"the download did not finish within {timeout:g} seconds") from None
    except aiohttp.ClientError as exc:
        raise FetchError(f"the download failed ({type(exc).__name__})") from None
