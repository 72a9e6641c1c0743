"""dialogs/card_tree.py: the one walker over an Adaptive Card's tree."""
from __future__ import annotations

from typing import Any

from dialogs import card_tree

SHOWN = {"type": "AdaptiveCard", "body": [{"type": "Input.Text", "id": "inner", "label": "Why"}],
         "actions": [{"type": "Action.Execute", "title": "Send", "verb": "x.send", "data": {"n": 2}}]}
CARD: dict[str, Any] = {
    "type": "AdaptiveCard",
    "body": [
        {"type": "TextBlock", "text": "Title", "style": "heading"},
        {"type": "Container", "id": "box", "items": [
            {"type": "TextBlock", "text": "inside", "id": "note"},
            {"type": "ActionSet", "actions": [
                {"type": "Action.Execute", "title": "Go", "verb": "x.go", "data": {"n": 1}},
                {"type": "Action.ShowCard", "title": "More", "card": SHOWN},
            ]},
        ]},
        {"type": "ColumnSet", "columns": [{"type": "Column", "items": [{"type": "Input.Text", "id": "col"}]}]},
    ],
    "actions": [{"type": "Action.Execute", "title": "Done", "verb": "x.done", "data": {"n": 3}}],
}


def test_nodes_are_every_object_in_document_order():
    types = [n.get("type") for n in card_tree.nodes(CARD) if "type" in n]
    assert types == ["AdaptiveCard", "TextBlock", "Container", "TextBlock", "ActionSet", "Action.Execute",
                     "Action.ShowCard", "AdaptiveCard", "Input.Text", "Action.Execute", "ColumnSet", "Column",
                     "Input.Text", "Action.Execute"]
    assert {"n": 1} in list(card_tree.nodes(CARD))  # action data too
    assert list(card_tree.nodes([{"a": 1}, "text", [{"b": 2}]])) == [{"a": 1}, {"b": 2}]


def test_a_skip_leaves_what_a_shown_card_holds_unvisited():
    ids = [n["id"] for n in card_tree.nodes(CARD, card_tree.skip_shown_cards) if n.get("type", "").startswith("Input.")]
    assert ids == ["col"]
    assert [n["id"] for n in card_tree.nodes(CARD) if n.get("type", "").startswith("Input.")] == ["inner", "col"]


def test_elements_are_the_layout_only():
    assert [n.get("id") or n["type"] for n in card_tree.elements(CARD["body"])] == [
        "TextBlock", "box", "note", "ActionSet", "ColumnSet", "Column", "col"]


def test_actions_of_a_kind_anywhere():
    assert [a["verb"] for a in card_tree.actions(CARD)] == ["x.go", "x.send", "x.done"]
    assert [a["title"] for a in card_tree.actions(CARD, "Action.ShowCard")] == ["More"]


def test_strings_are_every_string_value():
    assert card_tree.strings({"text": "a", "list": ["b", {"c": "d", "n": 1}], "none": None}) == ["a", "b", "d"]


def test_replace_swaps_an_element_by_id_in_a_copy():
    new = card_tree.replace(CARD, "note", [{"type": "TextBlock", "text": "done"}])
    assert new is not None and new["body"][1]["items"][0] == {"type": "TextBlock", "text": "done"}
    assert CARD["body"][1]["items"][0]["text"] == "inside"  # the original is untouched
    column = card_tree.replace(CARD, "col", [])
    assert column is not None and column["body"][2]["columns"][0]["items"] == []
    assert card_tree.replace(CARD, "inner", []) is None  # not in the layout: behind a ShowCard button
    assert card_tree.replace(CARD, "nowhere", []) is None


def test_splice_keeps_what_change_leaves_and_looks_inside_it():
    seen: list[str] = []

    def change(element: dict) -> list[dict] | None:
        seen.append(element.get("id") or element["type"])
        return [] if element["type"] == "ActionSet" else None

    new = card_tree.splice(CARD, change)
    assert [i.get("id") or i["type"] for i in new["body"][1]["items"]] == ["note"]
    assert seen == ["TextBlock", "box", "note", "ActionSet", "ColumnSet", "Column", "col"]
    assert new["actions"] == CARD["actions"]
