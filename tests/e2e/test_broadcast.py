"""A broadcast in Microsoft 365 Agents Playground (issue 13): the QA unit (Morgan Ellis) composes a
notice to practice managers in Teams, one question at a time through the `broadcast` dialog, sees the
preview and confirms it; the auditor (Daniel Kowalski, a practice manager) receives it, presses
"I've read this", and the card says so in place; the QA unit's report counts the acknowledgement.

The notice is composed to go "now": the served bot reads the real clock, so it is due at once and
the served bot's own outbox sender delivers it; no tick is run. (A tick at a moment of the demo
month, December 2099, would run the monthly retention duty, which would purge a broadcast sent by
the real clock decades earlier: broadcasts are kept 400 days from sending.)

Screenshots: build/e2e/."""
from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from playground import run as demo
from tests.e2e.chat import Chat as BaseChat

pytestmark = pytest.mark.e2e

DEMO_NOW = datetime(2099, 12, 1, 9, 0, tzinfo=UTC)  # as tests/e2e/conftest.py: a month far ahead
VIEWPORT = {"width": 1400, "height": 1000}
TITLE = "Winter practice week"
MESSAGE = "Practice week starts **Monday**. Please book your observations with the QA unit."


@pytest.fixture(scope="module")
def broadcast_stack(e2e_ready, shots, tmp_path_factory) -> Iterator[tuple]:
    """The demo roster and month on a fresh database; the bot, the QA unit's and the auditor's Playgrounds."""
    cal = demo.WorkingCalendar()
    month = demo.demo_month(DEMO_NOW, cal)
    folder = tmp_path_factory.mktemp("playground-broadcast")
    url = demo.prepare_database(folder / "demo.sqlite3", month)
    qa = demo.Instance(demo.QA_UNIT.folder, demo.free_port(), demo.QA_UNIT.who)
    auditor = demo.Instance(demo.AUDITOR.folder, demo.free_port(), demo.AUDITOR.who)
    stack = demo.Stack(url, folder / "logs", bot_port=demo.free_port(), instances=[qa, auditor])
    with stack:
        yield stack, qa, auditor
        for log in (folder / "logs").glob("*.log"):
            shutil.copy(log, shots / f"test_broadcast-{log.name}")


# The dialog's Yes/No and Send/Don't send steps are choice prompts: Teams shows them as a hero card
# whose buttons are imBack actions. The Playground does not do imBack and says so on the page and in
# its log; the test types the choice (the prompt recognises it as the button's text). Anything else it
# cannot show still fails the test.
NO_IM_BACK = "Action type imBack is not supported yet in Microsoft 365 Agents playground"


class Chat(BaseChat):
    def text(self) -> str:
        return "\n".join(line for line in super().text().splitlines() if NO_IM_BACK not in line)


def answer(chat: Chat, question: str, words: str) -> None:
    """Wait for the dialog's `question` (its latest copy on the page), then type `words`."""
    from playwright.sync_api import expect

    expect(chat.page.get_by_text(question, exact=False).last).to_be_visible(timeout=30_000)
    chat.say(words)


def test_the_qa_unit_composes_a_broadcast_and_the_auditor_acknowledges_it(broadcast_stack, browser, shots):
    from playwright.sync_api import expect

    stack, qa_instance, auditor_instance = broadcast_stack
    qa = Chat(browser.new_page(viewport=VIEWPORT), "qa-unit", qa_instance.url, shots)
    auditor = Chat(browser.new_page(viewport=VIEWPORT), "auditor", auditor_instance.url, shots)
    qa.open()
    qa.expect_card("Welcome to the QA bot", "Morgan Ellis")
    auditor.open()
    auditor.expect_card("Welcome to the QA bot", "Daniel Kowalski")

    # The QA unit composes the notice, one answer a step (dialogs/broadcast_compose.py).
    qa.say("broadcast")
    answer(qa, "What is the notice's title?", TITLE)
    answer(qa, "What is the message?", MESSAGE)
    answer(qa, "A link to show as a button?", "none")
    answer(qa, "Who is it for?", "role=practice_manager")
    answer(qa, "Ask people to acknowledge it", "Yes")
    answer(qa, "When should it go?", "now")

    # The preview shows the notice as people will see it; the confirm step states the recipients.
    preview = qa.expect_card(TITLE, "book your observations")
    confirm = qa.page.get_by_text(re.compile(r"Send this to \d+ recipients?\?")).last
    expect(confirm).to_be_visible(timeout=30_000)
    recipients = int(re.search(r"Send this to (\d+)", confirm.inner_text()).group(1))
    assert recipients >= 1, confirm.inner_text()
    qa.shot("broadcast-preview", preview)
    qa.say("Send")
    sent = qa.page.get_by_text(re.compile(r"Broadcast \d+ is on its way to \d+ recipient")).last
    expect(sent).to_be_visible(timeout=30_000)
    said = sent.inner_text()
    assert f"to {recipients} recipient" in said, said
    broadcast_id = re.search(r"Broadcast (\d+) is on its way", said).group(1)

    # Due now by the real clock: the served bot's sender delivers it, with no tick.
    card = auditor.expect_card(TITLE, "book your observations", "From The QA unit", "I've read this")
    auditor.shot("broadcast", card)
    cards_before = auditor.cards().count()
    auditor.press(card, "I've read this")
    done = auditor.expect_card(TITLE, "Acknowledged on")
    assert auditor.cards().count() == cards_before, "the notice was not updated in place"
    assert done.get_by_role("button", name="I've read this").count() == 0
    auditor.shot("broadcast-acknowledged", done)

    # The QA unit's report, in chat and from the command line, counts the acknowledgement.
    qa.say("broadcast report")
    recent = qa.expect_card("Recent broadcasts", TITLE)
    qa.press(recent, "Report")
    report_card = qa.expect_card(f"Broadcast: {TITLE}", "Acknowledged", "1 (100% of sent)")
    qa.shot("broadcast-report", report_card)
    report = demo.bot_cli(["broadcast", "report", broadcast_id], stack.database_url)
    assert re.search(r"\b1 acknowledged\b", report), report

    qa.assert_no_render_errors()
    auditor.assert_no_render_errors()
    assert not stack.exited()
