"""A broadcast in Microsoft 365 Agents Playground (issue 13): the QA unit sends a notice to
practice managers asking for an acknowledgement (from the command line, as the Playground's
people are an auditor and a service lead, not the QA unit); the auditor, a practice manager, sees
it in Teams, presses "I've read this", and the card says so in place; the report counts it.

The notice is sent at the demo's allocation moment (`--at`), the moment the tick then plays: sent
"now" by the real clock, it would be decades older than the demo month, and that tick's monthly
retention duty would purge it (broadcasts are kept 400 days from sending) before it was pressed.

Screenshots: build/e2e/."""
from __future__ import annotations

import re

import pytest

from playground import run as demo
from tests.e2e.chat import Chat

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1400, "height": 1000}
TITLE = "Winter practice week"


def test_a_broadcast_is_read_and_acknowledged(demo_stack, browser, shots, tmp_path):
    auditor = Chat(browser.new_page(viewport=VIEWPORT), "auditor", demo_stack.auditor.url, shots)
    auditor.open()
    auditor.expect_card("Welcome to the QA bot", "Daniel Kowalski")

    notice = tmp_path / "notice.md"
    notice.write_text("Practice week starts **Monday**. Please book your observations with the QA unit.",
                      encoding="utf-8")
    moment = demo.allocation_moment(demo_stack.month, demo_stack.cal)
    said = demo.bot_cli(["broadcast", "send", "--title", TITLE, "--message-file", str(notice),
                         "--audience", "role=practice_manager", "--ack", "--at", moment.isoformat()],
                        demo_stack.database_url)
    broadcast_id = re.search(r"broadcast (\d+) queued", said).group(1)
    demo.tick(moment, demo_stack.database_url)

    card = auditor.expect_card(TITLE, "book your observations", "From The QA unit", "I've read this")
    auditor.shot("broadcast", card)
    cards_before = auditor.cards().count()
    auditor.press(card, "I've read this")
    done = auditor.expect_card(TITLE, "Acknowledged on")
    assert auditor.cards().count() == cards_before, "the notice was not updated in place"
    assert done.get_by_role("button", name="I've read this").count() == 0
    auditor.shot("broadcast-acknowledged", done)

    report = demo.bot_cli(["broadcast", "report", broadcast_id], demo_stack.database_url)
    assert re.search(r"\b1 acknowledged\b", report), report
    auditor.assert_no_render_errors()
    assert not demo_stack.stack.exited()
