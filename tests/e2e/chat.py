"""One person's Microsoft 365 Agents Playground page, driven through Playwright (sync API).

Selectors that hold in Playground 0.2.28: the message box `[role=textbox][data-lexical-editor=true]`,
a message's card `.ac-preview-panel > .ac-adaptiveCard` (a ShowCard's card nests deeper), buttons
and inputs by their accessible names. The log panel lists each exchange with the bot
("... installationUpdate 201") and the Playground's own warnings ("(!) Warning: ...").

What the Playground does with a card it cannot show, and what `assert_no_render_errors` looks for:
- an attachment type it does not support: a "<type> is not supported yet" bubble and a log warning;
- a card its Web Chat cannot parse or render: "Adaptive Card parse error" / "... render error";
- an element type it does not know, or content that is no card: NOTHING (the element is dropped, an
  empty box is drawn). Hence `expect_card` also checks the card shows the text it should.
"""
from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dialogs import card_tree

if TYPE_CHECKING:  # imported when used: without playwright, conftest skips (or fails on CI) clearly
    from playwright.sync_api import Locator, Page

CARD = ".ac-preview-panel > .ac-adaptiveCard"
MESSAGE_BOX = "[role=textbox][data-lexical-editor=true]"
# Text the Playground (and its Web Chat) shows when it cannot show something.
RENDER_ERRORS = (
    "Adaptive Card parse error", "Adaptive Card render error", "Render error", "Invalid message",
    "is not supported yet", "unknown attachment type", "Unknown action type", "(!) Warning", "(x) Error",
)
TIMEOUT_MS = 30_000


class Chat:
    def __init__(self, page: Page, name: str, url: str, shots: Path) -> None:
        self.page, self.name, self.url, self.shots = page, name, url, shots

    # -- the page --------------------------------------------------------------------------
    def open(self) -> None:
        """Load the page: the Playground sends installationUpdate and conversationUpdate, and the
        bot must accept both (2xx) before anything proactive can reach this person."""
        self.page.goto(self.url)
        self.page.locator(MESSAGE_BOX).wait_for(timeout=TIMEOUT_MS)
        for event in ("installationUpdate", "conversationUpdate"):
            status = self.wait_for_log(rf"{event} (\d{{3}})")
            assert status.startswith("2"), f"{self.name}: the bot answered {event} with {status}"

    def wait_for_log(self, pattern: str) -> str:
        """The first group of `pattern` once the page's text (log panel included) matches it."""
        handle = self.page.wait_for_function(
            "pattern => { const m = document.body.innerText.match(new RegExp(pattern)); return m && m[1]; }",
            arg=pattern, timeout=TIMEOUT_MS)
        return handle.json_value()

    def text(self) -> str:
        return self.page.inner_text("body")

    def say(self, words: str) -> None:
        box = self.page.locator(MESSAGE_BOX)
        box.click()
        box.type(words)
        self.page.keyboard.press("Enter")

    def shot(self, step: str, focus: Locator | None = None) -> Path:
        """build/e2e/<nn>-<person>-<step>.png, with `focus` scrolled into view."""
        if focus is not None:
            focus.scroll_into_view_if_needed()
        number = len(list(self.shots.glob("*.png"))) + 1  # one sequence across both people's pages
        path = self.shots / f"{number:02d}-{self.name}-{step}.png"
        self.page.screenshot(path=str(path))
        return path

    # -- cards -----------------------------------------------------------------------------
    def cards(self) -> Locator:
        return self.page.locator(CARD)

    def card(self, heading: str) -> Locator:
        """The latest card showing `heading`, once there is one."""
        found = self.cards().filter(has_text=heading).last
        found.wait_for(timeout=TIMEOUT_MS)
        return found

    def expect_card(self, heading: str, *texts: str) -> Locator:
        """The latest card with `heading`, showing every one of `texts`; nothing failed to render."""
        from playwright.sync_api import expect

        found = self.card(heading)
        for text in texts:
            expect(found).to_contain_text(text, timeout=TIMEOUT_MS)
        self.assert_no_render_errors()
        return found

    def assert_no_render_errors(self) -> None:
        page_text = self.text()
        shown = [marker for marker in RENDER_ERRORS if marker in page_text]
        assert not shown, f"{self.name}: the Playground could not show something: {shown}"
        errors = self.page.locator(".webchat__toast--error, .webchat__toaster--error")
        assert errors.count() == 0 or not errors.first.is_visible(), f"{self.name}: {errors.first.inner_text()}"

    def press(self, card: Locator, button: str) -> None:
        card.get_by_role("button", name=button, exact=True).first.click()

    def choose(self, card: Locator, label: str, option: str) -> None:
        """A compact ChoiceSet is a combobox: open it, pick the option from its list."""
        card.get_by_role("combobox", name=label).first.click()
        self.page.get_by_role("option", name=option, exact=True).click()


# -- what a card should show ------------------------------------------------------------------

_NOT_SHOWN = ("selectAction", "fallback", "choices")  # shown only on hover, on failure, or opened


def card_texts(card: dict[str, Any]) -> list[str]:
    """The text an Adaptive Card shows before anything is pressed, wherever it sits in the tree:
    text blocks and runs, facts, input labels and toggle titles, button titles. Not hidden
    elements, nor what sits behind a ShowCard button or in a ChoiceSet's closed list."""
    found: list[str] = []
    for node in card_tree.nodes(card, _not_shown):
        if node.get("isVisible") is False:
            continue
        kind = str(node.get("type", ""))
        if kind in ("TextBlock", "TextRun"):
            found.append(node.get("text", ""))
        elif kind == "FactSet":
            for fact in node.get("facts", []):
                found.extend((fact.get("title", ""), fact.get("value", "")))
        elif kind.startswith("Action."):
            found.append(node.get("title", ""))
        elif kind.startswith("Input."):
            found.extend((node.get("label", ""), node.get("title", "") if kind == "Input.Toggle" else ""))
    return [plain(text) for text in found if plain(text)]


def _not_shown(node: dict[str, Any], key: str) -> bool:
    return node.get("isVisible") is False or key in _NOT_SHOWN or card_tree.skip_shown_cards(node, key)


def plain(text: str) -> str:
    """Markdown as shown: no ** or _ markers, runs of white space as one space."""
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"(?<!\w)_(.+?)_(?!\w)", r"\1", text)
    return " ".join(text.split())


def missing_texts(card: Locator, content: dict[str, Any]) -> list[str]:
    """What `content` should show that the rendered `card` does not (a dropped element)."""
    shown = " ".join(card.inner_text().split())
    return [text for text in card_texts(content) if text not in shown]


# -- the Playground's mock Bot Connector --------------------------------------------------------

def post_card(service_url: str, conversation_id: str, content: dict[str, Any],
              content_type: str = "application/vnd.microsoft.card.adaptive") -> str:
    """Send a card into a chat as the bot would (POST v3/conversations/{id}/activities); its id."""
    activity = {"type": "message", "from": {"id": "28:e2e", "name": "QA Bot"},
                "attachments": [{"contentType": content_type, "content": content}]}
    request = urllib.request.Request(f"{service_url}/v3/conversations/{conversation_id}/activities",
                                     data=json.dumps(activity).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer).get("id", "")
