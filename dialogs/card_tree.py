"""Walking an Adaptive Card's tree, in one place for every card reader and rewriter.

A card is JSON: objects (elements, actions, facts, choices, the cards Action.ShowCard shows)
nested in lists and objects. `nodes` yields every object, in document order; `elements` only
the layout (body, containers' items, column sets' columns); `actions` the buttons of one type;
`splice` rebuilds a card's body with some elements replaced; `replace` swaps the element with an
id. Pure: JSON in, JSON out; nothing here knows what a card is for.
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from typing import Any

Element = dict[str, Any]
# Which of a node's keys not to go into: skip(node, key) -> True leaves node[key] unvisited.
Skip = Callable[[Element, str], bool]
LAYOUT = ("body", "items", "columns")


def nodes(tree: Any, skip: Skip | None = None) -> Iterator[Element]:
    """Every object in `tree` (a card, an element, or a list of them), each before what it holds."""
    if isinstance(tree, dict):
        yield tree
        for key, value in list(tree.items()):
            if skip is None or not skip(tree, key):
                yield from nodes(value, skip)
    elif isinstance(tree, list):
        for item in tree:
            yield from nodes(item, skip)


def skip_shown_cards(node: Element, key: str) -> bool:
    """A Skip: not into the card an Action.ShowCard shows (what the card shows before a press)."""
    return key == "card" and node.get("type") == "Action.ShowCard"


def elements(tree: Any) -> Iterator[Element]:
    """The layout: the card's body, containers' and columns' items, column sets' columns; not
    actions, nor the cards they show."""
    return nodes(tree, lambda _node, key: key not in LAYOUT)


def actions(tree: Any, kind: str = "Action.Execute") -> Iterator[Element]:
    """Every button of type `kind` anywhere in `tree` (in action sets and shown cards too)."""
    return (node for node in nodes(tree) if node.get("type") == kind)


def strings(tree: Any) -> list[str]:
    """Every string value in `tree`, in document order (texts, titles, ids, verbs, data)."""
    found: list[str] = []

    def visit(value: Any) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict | list):
            for item in value.values() if isinstance(value, dict) else value:
                visit(item)

    visit(tree)
    return found


def splice(content: Element, change: Callable[[Element], Sequence[Element] | None]) -> Element:
    """A copy of the card `content` whose body elements, and those inside them (containers' and
    columns' items, column sets' columns), `change` may replace: it returns what goes in an
    element's place (nothing removes it), or None to keep the element and look inside it."""
    def rework(items: list[Any]) -> list[Any]:
        out: list[Any] = []
        for item in items:
            new = change(item) if isinstance(item, dict) else None
            if new is not None:
                out.extend(new)
                continue
            if isinstance(item, dict):
                item = {**item, **{key: rework(item[key]) for key in ("items", "columns")
                                   if isinstance(item.get(key), list)}}
            out.append(item)
        return out

    result = copy.deepcopy(content)
    result["body"] = rework(result.get("body") or [])
    return result


def replace(content: Element, element_id: str, new: Sequence[Element]) -> Element | None:
    """`content` with the element whose id is `element_id` replaced by `new`; None when it has none."""
    found = [False]

    def change(element: Element) -> Sequence[Element] | None:
        if element.get("id") != element_id:
            return None
        found[0] = True
        return new

    result = splice(content, change)
    return result if found[0] else None
