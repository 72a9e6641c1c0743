"""Reading and answering the cards the bot sends: the buttons on a card, the cards that replaced a
message in place (as the fake Bot Connector recorded them), and the audit form's data as Teams
sends it when the form is submitted."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dialogs import audit_cards as ac
from dialogs import card_tree
from storage.models import KEY_AREAS


def form(allocation_id: int, **changes) -> dict:
    """The audit form's data as Teams sends it: the ids plus every input."""
    data = {"allocation_id": allocation_id, ac.OVERALL_GRADE: "Good",
            **{ac.key_area_input_id(a): "Good" for a in KEY_AREAS},
            ac.STRENGTHS: "The plan was clear", ac.IMPROVEMENTS: "Visits could be timelier",
            ac.DISCUSSION_HELD: "true", ac.SEEK_FAMILY_VIEWS: "false", ac.SAFEGUARDING_CONCERN: "false",
            ac.SAFEGUARDING_DESCRIPTION: ""}
    data.update(changes)
    return data


def executes(node: Any) -> Iterator[dict]:
    """Every Action.Execute in a card, shown cards included, in order."""
    return card_tree.actions(node)


def buttons(card: Any) -> list[tuple[str, str, dict]]:
    """(title, verb, data) of every Action.Execute in a card, shown cards included; data as the
    button acts on it (the bot's signature, bot/card_signing.py, left out: `signatures` checks it)."""
    return [(a["title"], a["verb"], {k: v for k, v in a["data"].items() if k not in ("_s", "_sig")})
            for a in executes(card)]


def put_cards(fake, activity_id: str) -> list[dict]:
    """The cards of every update (PUT) the fake connector took for the message `activity_id`, in order."""
    return [c for call in fake.updates() if call.activity_id == activity_id for c in call.cards]


def signatures(card: Any) -> list[bool]:
    """For every Action.Execute in a card: whether its data carries a valid signature."""
    from tests.support.activities import TEST_SIGNER

    return [TEST_SIGNER.verify(a["verb"], a.get("data") or {}) for a in executes(card)]
