"""Every sample card (dialogs/samples.py) through Microsoft's Adaptive Cards library (tools/validate-cards.js),
and the validator catching what it must."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from dialogs.samples import sample_cards
from tests.support.card_validator import MAX_CARD_BYTES, run_validator

SAMPLES = list(sample_cards().items())
NAMES = [name for name, _ in SAMPLES]


@pytest.fixture(scope="module")
def sample_report() -> tuple[int, dict[str, Any]]:
    rc, report, stderr = run_validator([{"name": name, "card": card} for name, card in SAMPLES])
    assert report is not None, stderr
    return rc, report


def test_validator_passes_every_sample(sample_report: tuple[int, dict[str, Any]]) -> None:
    rc, report = sample_report
    failing = {c["name"]: c["problems"] for c in report["cards"] if c["problems"]}
    assert failing == {}
    assert rc == 0 and report["ok"] is True
    assert [c["name"] for c in report["cards"]] == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_sample_is_clean_small_and_at_most_1_5(name: str, sample_report: tuple[int, dict[str, Any]]) -> None:
    _, report = sample_report
    (result,) = [c for c in report["cards"] if c["name"] == name]
    assert result["problems"] == []
    major, minor = (int(part) for part in result["version"].split("."))
    assert (major, minor) <= (1, 5)
    card = dict(SAMPLES)[name]
    size = len(json.dumps(card, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    assert size < MAX_CARD_BYTES and result["size_bytes"] < MAX_CARD_BYTES


def broken_variants() -> dict[str, tuple[dict[str, Any], str]]:
    """A clean card spoiled one way at a time, with the event the validator must report."""
    base = dict(SAMPLES)["audit_form_full_draft"]

    def spoil(change: Any) -> dict[str, Any]:
        card = copy.deepcopy(base)
        change(card)
        return card

    def first(card: dict[str, Any], type_name: str) -> dict[str, Any]:
        return next(b for b in card["body"] if b.get("type") == type_name)

    return {
        "unknown_element": (spoil(lambda c: c["body"].append({"type": "Input.Signature", "id": "sig"})),
                            "UnknownElementType"),
        "bad_enum": (spoil(lambda c: first(c, "TextBlock").update(size="Enormous")), "InvalidPropertyValue"),
        "duplicate_input_id": (spoil(lambda c: c["body"].append(copy.deepcopy(first(c, "Input.ChoiceSet")))),
                               "DuplicateId"),
        "misspelt_property": (spoil(lambda c: first(c, "Input.Text").update(isMultiLine=True)), "UnknownProperty"),
        "version_1_6": (spoil(lambda c: c.update(version="1.6")), "UnsupportedCardVersion"),
        "property_newer_than_1_5": (spoil(lambda c: first(c, "Input.Text").update(labelPosition="Inline")),
                                    "UnsupportedProperty"),
        "unknown_action": (spoil(lambda c: c["actions"].append({"type": "Action.Teleport", "title": "Go"})),
                           "UnknownActionType"),
        "required_without_error_message": (
            spoil(lambda c: first(c, "Input.Text").update(isRequired=True)), "RequiredInputsShouldHaveErrorMessage"),
    }


def test_validator_reports_broken_cards() -> None:
    variants = broken_variants()
    rc, report, stderr = run_validator([{"name": name, "card": card} for name, (card, _) in variants.items()])
    assert report is not None, stderr
    assert rc == 1 and report["ok"] is False
    events = {c["name"]: {p["event"] for p in c["problems"]} for c in report["cards"]}
    for name, (_, expected) in variants.items():
        assert expected in events[name], f"{name}: expected {expected}, got {events[name]}"


def test_validator_reads_a_directory(tmp_path: Path) -> None:
    (tmp_path / "good.json").write_text(json.dumps(dict(SAMPLES)["dispute"]), encoding="utf-8")
    rc, report, _ = run_validator(None, str(tmp_path))
    assert rc == 0 and [c["name"] for c in report["cards"]] == ["good.json"]

    card, _ = broken_variants()["duplicate_input_id"]
    (tmp_path / "worse.json").write_text(json.dumps(card), encoding="utf-8")
    rc, report, _ = run_validator(None, str(tmp_path))
    assert rc == 1
    assert [bool(c["problems"]) for c in report["cards"]] == [False, True]


def test_validator_refuses_unreadable_input() -> None:
    rc, report, stderr = run_validator({"name": "not a list"})
    assert rc == 2 and report is None and "array" in stderr
