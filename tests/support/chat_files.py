"""Files sent to the bot in chat, in tests: a stand-in file host (SharePoint/OneDrive) on 127.0.0.1,
the Teams message carrying a file, and the staff the allocation files name (tests/support/allocation_files.py)."""
from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from bot.file_download import FILE_DOWNLOAD_INFO
from tests.support import activities as act


@dataclass
class FileHost:
    """Stands in for SharePoint/OneDrive: serves bytes at /files/{name}, records each fetch."""

    files: dict[str, bytes] = field(default_factory=dict)
    fetched: list[str] = field(default_factory=list)
    base: str = ""
    content_types: dict[str, str] = field(default_factory=dict)  # name -> Content-Type (default octet-stream)
    redirects: dict[str, str] = field(default_factory=dict)  # name -> another name it redirects to
    held: set[str] = field(default_factory=set)  # names whose answer never comes (until the test ends)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, name: str) -> str:
        return f"{self.base}/files/{name}"


@pytest.fixture
async def file_host(aiohttp_server) -> AsyncIterator[FileHost]:
    host = FileHost()

    async def serve(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        host.fetched.append(name)
        if request.headers.get("Authorization"):
            return web.Response(status=400, text="a pre-authorised link takes no bearer token")
        if name in host.held:
            await host.release.wait()
        if name in host.redirects:
            raise web.HTTPFound(host.url(host.redirects[name]))
        if name not in host.files:
            return web.Response(status=404)
        return web.Response(body=host.files[name],
                            headers={"Content-Type": host.content_types.get(name, "application/octet-stream")})

    app = web.Application()
    app.router.add_get("/files/{name}", serve)
    server = await aiohttp_server(app, host="127.0.0.1")
    host.base = str(server.make_url("")).rstrip("/")
    yield host
    host.release.set()


def staff() -> list:
    """Fresh rows each time (ORM objects cannot be added to a second database)."""
    return [
        act.roster_person("quinn@council.gov.uk", "Quinn QA", "qa_unit", aad="aad-quinn", team="QA Unit",
                          service_area=""),
        act.roster_person("pm.cin@council.gov.uk", "Pat Manager", "practice_manager", service_area="Children in Need"),
        act.roster_person("pm.lac@council.gov.uk", "Lee Manager", "practice_manager",
                          service_area="Looked After Children"),
        act.roster_person("sl.cin@council.gov.uk", "Sam Lead", "service_lead", service_area="Children in Need"),
        act.roster_person("sw1@council.gov.uk", "Sol Worker", "practitioner", aad="aad-sol",
                          service_area="Children in Need"),
        act.roster_person("sw2@council.gov.uk", "Sky Worker", "practitioner", service_area="Looked After Children"),
    ]


def file_message(key: str, aad: str | None, *, service_url: str, name: str, url: str, text: str = "") -> dict:
    """A message with a file, as Teams posts it from a personal chat (text often empty)."""
    activity = act.message(key, text, service_url=service_url, aad=aad)
    activity["attachments"] = [
        {"contentType": FILE_DOWNLOAD_INFO, "contentUrl": f"https://council-my.sharepoint.com/personal/{name}",
         "name": name, "content": {"downloadUrl": url, "uniqueId": "1F7A2B3C-0000-4000-8000-000000000001",
                                   "fileType": name.rsplit(".", 1)[-1]}},
        {"contentType": "text/html", "content": f"<p>{text}</p>"},
    ]
    return activity


async def post(bot_client, activity: dict) -> None:
    resp = await bot_client.post("/api/messages", json=activity)
    assert resp.status in (200, 201), await resp.text()


def button(card: dict, title: str) -> dict:
    for node in card_nodes(card):
        if node.get("type") == "Action.Execute" and node.get("title") == title:
            return node
    raise AssertionError(f"no {title!r} button on {json.dumps(card)[:400]}")


def card_nodes(tree):
    if isinstance(tree, dict):
        yield tree
        for value in tree.values():
            yield from card_nodes(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from card_nodes(value)


async def press(bot_client, fake, card: dict, title: str, who: str = "quinn", aad: str | None = "aad-quinn") -> str:
    """`who` presses `title` on `card`; the text of the card the bot answers with."""
    action = button(card, title)
    data = {k: v for k, v in action["data"].items() if not k.startswith("_")}
    resp = await bot_client.post("/api/messages", json=act.card_action(who, action["verb"], data,
                                                                        service_url=fake.url, aad=aad))
    assert resp.status == 200, await resp.text()
    return json.dumps(await resp.json(), ensure_ascii=False)
