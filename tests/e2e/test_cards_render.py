"""Every audit-cycle card (dialogs/samples.py, at its largest realistic size) sent into a
Microsoft 365 Agents Playground chat through its Bot Connector, as the bot sends it: each must
render with all of its text, and the Playground must not flag anything it cannot show.

The Playground drops an element it does not know without a word, so the controls at the end
check that the checks catch that, and an attachment type it does not support.
"""
from __future__ import annotations

import pytest

from dialogs.samples import audit_card_samples
from tests.e2e.chat import Chat, missing_texts, post_card

pytestmark = pytest.mark.e2e

# playground/auditor/.m365agentsplayground.yml: personalChat.id
CONVERSATION = "a:demo-personal-chat-daniel-kowalski"


@pytest.fixture(scope="module")
def chat(demo_stack, browser, shots) -> Chat:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    chat = Chat(page, "cards", demo_stack.auditor.url, shots)
    chat.open()
    chat.card("Welcome to the QA bot")
    return chat


def show(chat: Chat, demo_stack, content: dict, content_type: str = "application/vnd.microsoft.card.adaptive"):
    """Post one attachment into the chat; the new message's card once it is on the page."""
    before = chat.cards().count()
    post_card(demo_stack.auditor.service_url, CONVERSATION, content, content_type)
    chat.page.wait_for_function("([selector, n]) => document.querySelectorAll(selector).length > n",
                                arg=[".ac-preview-panel > .ac-adaptiveCard", before], timeout=30_000)
    return chat.cards().nth(before)


def test_every_audit_card_renders_whole(chat, demo_stack):
    samples = list(audit_card_samples().items())
    assert len(samples) >= 20
    for name, content in samples:
        card = show(chat, demo_stack, content)
        assert missing_texts(card, content) == [], f"{name}: the Playground did not show all of it"
        chat.assert_no_render_errors()
    chat.shot("every-card-rendered", chat.cards().last)


def test_the_checks_catch_what_the_playground_cannot_show(chat, demo_stack):
    # An element type the renderer does not know: dropped silently, so its text is missing.
    unknown = {"type": "AdaptiveCard", "version": "1.5", "body": [
        {"type": "TextBlock", "text": "Shown"},
        {"type": "Frobnicator", "items": [{"type": "TextBlock", "text": "Dropped with its container"}]}]}
    card = show(chat, demo_stack, unknown)
    assert missing_texts(card, unknown) == ["Dropped with its container"]
    # An attachment the Playground does not support: it says so, and the check fails.
    post_card(demo_stack.auditor.service_url, CONVERSATION, {"title": "Connector card"},
              "application/vnd.microsoft.teams.card.o365connector")
    chat.page.get_by_text("is not supported yet").first.wait_for(timeout=30_000)
    with pytest.raises(AssertionError, match="could not show"):
        chat.assert_no_render_errors()
