"""`python -m bot cards dump DIR`: every card the bot can send, as DIR/<name>.json, for checking
with Microsoft's validator (`node tools/validate-cards.js DIR`) or pasting into the Adaptive Cards
Designer.

The cards are dialogs/samples.py's catalogue plus what each capability registers (a sample per
outbox kind, a press answered in place, a polite refusal, a command's short notice, the help
card for each role), each built by the code that sends it from the same fictional data.
Nothing here reads settings or the database.
"""
from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dialogs import samples

Card = dict[str, Any]

class DumpError(Exception):
    """The directory cannot take the cards; the message is one line for the user."""


def every_card() -> dict[str, Card]:
    """dialogs/samples.py's catalogue and what the capabilities register (their outbox kinds' cards,
    answers to presses, command replies, help for each role), by file-safe name."""
    from capabilities.catalogue import registry

    cards = samples.sample_cards()
    edge = registry().samples()
    clash = cards.keys() & edge.keys()
    if clash:
        raise ValueError(f"sample names used twice: {sorted(clash)}")
    return {**cards, **edge}


def dump(directory: Path, cards: Callable[[], dict[str, Card]] = every_card) -> int:
    """Write each card as pretty UTF-8 JSON to directory/<name>.json; the number written.

    Every card is built before anything is written, and each file is written whole (a temporary
    file renamed into place), so a failure never leaves a half-written card.
    """
    rendered = {name: json.dumps(card, indent=2, ensure_ascii=False) + "\n" for name, card in cards().items()}
    if directory.exists() and not directory.is_dir():
        raise DumpError(f"cards dump: {directory} is not a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DumpError(f"cards dump: cannot create {directory}: {exc.strerror or type(exc).__name__}") from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise DumpError(f"cards dump: cannot write to {directory}: permission denied")
    for name, content in rendered.items():
        target = directory / f"{name}.json"
        temporary = directory / f".{name}.json.tmp"
        try:
            temporary.write_text(content, encoding="utf-8")
            os.replace(temporary, target)
        except OSError as exc:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
            raise DumpError(f"cards dump: cannot write {target}: {exc.strerror or type(exc).__name__}") from None
    return len(rendered)


def run(directory: Path) -> int:
    """The CLI command: prints how many cards it wrote; exit status 0."""
    count = dump(directory)
    print(f"wrote {count} cards to {directory}")
    return 0

