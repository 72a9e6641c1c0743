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
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from playground import run as demo
from storage.db import Database
from storage.models import Person
from tests.e2e.chat import Chat
from tests.e2e.files import STARTER, VIEWPORT, send_file

pytestmark = pytest.mark.e2e

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
