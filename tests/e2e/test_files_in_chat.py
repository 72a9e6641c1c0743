"""Files in chat in Microsoft 365 Agents Playground: the QA unit (Morgan Ellis) sends the staff roster
with a new starter in the bot's chat, sees the preview card (nothing written yet), presses Confirm
on it and sees the import done; the starter is then on the roster.

How the file is sent: Teams sends a file in a personal chat as a message carrying a
`file.download.info` attachment whose `downloadUrl` the bot fetches (bot/file_download.py). The
Playground (0.2.28) has no way to attach a file from its message box: no upload button, no file
input (its send box offers only Send and message extensions). So the message is sent through the
Playground's own API for custom activities, the one its "Mock an Activity > Custom activity" menu
uses (`GET /_internal/v1/customActivities/template` for this chat, then `POST
/_internal/v1/customActivities`): the Playground sends it to the bot as Morgan, from her chat, as it
sends a typed message, and shows the bot's answer in the page. The attachment is Teams' own shape;
its link points at a file host on 127.0.0.1 in this test (plain http is accepted only for local
hosts). Everything after that (the preview card, the Confirm press, the answer) is the Playground's
page in Chromium.

Screenshots: build/e2e/.
"""
from __future__ import annotations

import asyncio
import functools
import http.server
import json
import shutil
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from playground import run as demo
from storage.db import Database
from storage.models import Person
from tests.e2e.chat import Chat

pytestmark = pytest.mark.e2e

DEMO_NOW = datetime(2099, 12, 1, 9, 0, tzinfo=UTC)  # as tests/e2e/conftest.py: a month far ahead
VIEWPORT = {"width": 1400, "height": 1000}
CHAT_ID = "a:demo-personal-chat-morgan-ellis"  # the QA unit's personal chat in playground/qa-unit
FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
STARTER = "nia.starter@demo-council.example.gov.uk"


@pytest.fixture(scope="module")
def files_stack(e2e_ready, shots, request, tmp_path_factory) -> Iterator[tuple]:
    cal = demo.WorkingCalendar()
    month = demo.demo_month(DEMO_NOW, cal)
    folder = tmp_path_factory.mktemp("playground-files")
    url = demo.prepare_database(folder / "demo.sqlite3", month)
    qa = demo.Instance(demo.QA_UNIT.folder, demo.free_port(), demo.QA_UNIT.who)
    stack = demo.Stack(url, folder / "logs", bot_port=demo.free_port(), instances=[qa])
    with stack:
        yield stack, qa, folder
        for log in (folder / "logs").glob("*.log"):
            shutil.copy(log, shots / f"test_files_in_chat-{log.name}")


@pytest.fixture
def file_host(files_stack) -> Iterator[tuple[Path, int]]:
    """A folder served on 127.0.0.1 (stands in for SharePoint/OneDrive): (folder, port)."""
    folder = files_stack[2] / "shared"
    folder.mkdir(exist_ok=True)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield folder, server.server_port
    finally:
        server.shutdown()
        thread.join()


def send_file(instance: demo.Instance, name: str, download_url: str, text: str) -> None:
    """The message Teams sends when a file is shared in the chat, sent as Morgan by the Playground
    (its custom-activity API: the template for her chat, then the activity)."""
    query = urllib.parse.urlencode({"conversationId": CHAT_ID})
    with urllib.request.urlopen(f"{instance.url}_internal/v1/customActivities/template?{query}") as resp:
        activity = json.loads(resp.read())
    activity.update(type="message", text=text, textFormat="plain", attachments=[
        {"contentType": FILE_DOWNLOAD_INFO, "name": name,
         "contentUrl": f"https://demo-council.sharepoint.com/personal/morgan_ellis/Documents/{name}",
         "content": {"downloadUrl": download_url, "uniqueId": "1F7A2B3C-0000-4000-8000-000000000001",
                     "fileType": name.rsplit(".", 1)[-1]}}])
    sent = urllib.request.Request(f"{instance.url}_internal/v1/customActivities", data=json.dumps(activity).encode(),
                                  headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(sent) as resp:
        assert resp.status == 200


def people_named(database_url: str, email: str) -> int:
    async def run() -> int:
        db = Database(database_url)
        try:
            async with db.sessions() as session:
                return await session.scalar(select(func.count()).select_from(Person).where(
                    Person.email == email, Person.left_at.is_(None)))
        finally:
            await db.dispose()

    # Playwright's sync API keeps an event loop on this thread: the read runs on its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


def test_the_qa_unit_sends_the_roster_in_chat_previews_it_and_confirms_it(files_stack, file_host, browser, shots):
    stack, instance, _ = files_stack
    folder, port = file_host
    qa = Chat(browser.new_page(viewport=VIEWPORT), "qa-unit", instance.url, shots)
    qa.open()
    qa.expect_card("Welcome to the QA bot", "Morgan Ellis")

    (folder / "roster.csv").write_text(
        demo.DEMO_ROSTER.read_text(encoding="utf-8")
        + f"{STARTER},Nia Starter,practitioner,Riverside Team,Family Help & Protection,"
          "sunita.rao@demo-council.example.gov.uk,,yes,\n", encoding="utf-8")
    send_file(instance, "roster.csv", f"http://127.0.0.1:{port}/roster.csv", "This month's roster")
    preview = qa.expect_card("Preview: the staff roster", "roster.csv", "What would change", "Added",
                             "Nothing is written until you press Confirm", "Confirm", "Cancel")
    qa.shot("roster-preview", preview)
    assert people_named(stack.database_url, STARTER) == 0  # a preview writes nothing

    cards_before = qa.cards().count()
    qa.press(preview, "Confirm")
    done = qa.expect_card("Imported: the staff roster", "roster.csv was imported as the staff roster", "Added")
    assert qa.cards().count() == cards_before, "the preview was not replaced by what became of it"
    qa.shot("roster-imported", done)
    assert people_named(stack.database_url, STARTER) == 1

    qa.assert_no_render_errors()
    assert not stack.exited()
