"""Microsoft's Adaptive Cards library (npm adaptivecards, through tools/validate-cards.js) for tests:
the one way tests check cards, so every test holds them to the same rules (parse targeting 1.5
with no warnings, validateProperties clean, no unknown properties)."""
from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = ROOT / "tools" / "validate-cards.js"
MAX_CARD_BYTES = 28 * 1024  # Teams' limit for a card


def run_validator(payload: Any = None, *args: str) -> tuple[int, dict[str, Any] | None, str]:
    """Run the validator on `payload` (a list of {name, card}) on stdin, or on `args` (a directory):
    (exit status, its JSON report or None, stderr). Fails the test when Node or the library is missing."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: the card checks need Node.js 20")
    if not (ROOT / "tools" / "node_modules" / "adaptivecards").is_dir():
        pytest.fail("tools/node_modules is missing: run `npm ci --prefix tools`")
    stdin = json.dumps(payload, ensure_ascii=False) if payload is not None else ""
    done = subprocess.run([node, str(VALIDATOR), *args], input=stdin, capture_output=True, text=True,
                          encoding="utf-8", timeout=60, check=False)
    report = json.loads(done.stdout) if done.stdout.strip() else None
    return done.returncode, report, done.stderr


def validate(named_cards: Iterable[tuple[str, dict]]) -> tuple[int, dict[str, Any]]:
    """The validator's exit status and report for (name, card) pairs, in order."""
    rc, report, stderr = run_validator([{"name": name, "card": card} for name, card in named_cards])
    assert report is not None, stderr
    return rc, report


def card_problems(cards: list[dict]) -> list[list[str]]:
    """What the validator says is wrong with each card, in order ([] for a clean card)."""
    _, report = validate((f"#{i}", card) for i, card in enumerate(cards))
    return [[problem["message"] for problem in result["problems"]] for result in report["cards"]]
