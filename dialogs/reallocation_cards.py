"""The QA unit's reallocation cards (framework 9.3: the QA unit reallocates a case an auditor cannot
do, or moves one before it is started). Pure: views in, card JSON out. The decline notice's own
Reallocate is `audit_cards.reallocate_button`, the same form as here; a card acted on is
`card_update.acted_card`."""
from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, tzinfo

from dialogs import card_tree
from dialogs.audit_cards import reallocate_button
from dialogs.card_kit import Element, action_set, card, facts, format_moment, heading, text
from dialogs.card_update import keep_none, mark_section, mentions


@dataclass(frozen=True)
class ReallocationView:
    """One allocation not yet started, as the QA unit sees it when moving it."""

    allocation_id: int
    case_ref: str
    month_label: str
    team: str
    service_area: str
    auditor_name: str
    state: str  # "allocated" or "declined"
    choices: tuple[tuple[int, str], ...]  # (person id, "name · n audits this month"), fewest first
    more: int = 0  # eligible people left off the list (qa.reallocation.CHOICES_SHOWN)


def reallocation_card(view: ReallocationView) -> Element:
    """`reallocate <case ref>`'s answer: the case, its auditor now, and Reallocate with who may take it."""
    now = "Declined by" if view.state == "declined" else "Auditor"
    body: list[Element] = [
        heading(f"Reallocate case {view.case_ref}"),
        facts([("Month", view.month_label), ("Team", view.team), ("Service area", view.service_area),
               (now, view.auditor_name)]),
    ]
    if not view.choices:
        body.append(text("Nobody on the roster can take this case over: everyone who audits is its auditor, its "
                         "case holder or the case holder's line manager.", weight="Bolder"))
        return card(body)
    if view.more:
        body.append(text(f"The {len(view.choices)} with fewest audits this month are listed; {view.more} more "
                         "could take it (give one in the month's allocation file).", subtle=True))
    body.append(action_set([reallocate_button(view.allocation_id, view.choices)]))
    return card(body)


def moved_words(to_name: str, actor_name: str, at: datetime, tz: tzinfo) -> str:
    """What the old auditor's notice says of a case the QA unit moved."""
    return (f"This case has moved to {to_name} (reallocated by {actor_name}, {format_moment(at, tz)}): nothing "
            "more for you to do on it.")


def shows_case(content: Element, allocation_id: int, case_ref: str) -> bool:
    """A notice's card has this case's section: a button on the allocation, or its "Case <ref>" heading."""
    return mentions(content, {"allocation_id": allocation_id}) or _container(content, case_ref) is not None \
        or _acted_on(content, case_ref)


def _container(content: Element, case_ref: str) -> Element | None:
    """The section of a notice about several cases headed "Case <ref>"."""
    return next((node for node in card_tree.nodes(content) if node.get("type") == "Container"
                 and isinstance((node.get("items") or [None])[0], dict)
                 and node["items"][0].get("text") == f"Case {case_ref}"), None)


def _acted_on(content: Element, case_ref: str) -> bool:
    """A notice about one case, already acted on (card_update.acted_card: its facts name the case)."""
    return any(node.get("type") == "FactSet" and {"title": "Case", "value": case_ref} in (node.get("facts") or [])
               for node in card_tree.nodes(content))


def moved_section(content: Element, allocation_id: int, case_ref: str, words: str) -> Element:
    """The old auditor's allocation notice (`content`, one case or several) with case `case_ref`'s section
    saying `words` and no button left on it (Start, I can't do this audit, the conversation's); every
    other case as it was. A section already without buttons (declined) keeps what it says and adds `words`."""
    ids = {"allocation_id": allocation_id}
    status = text(words, color="Accent", weight="Bolder", spacing="Small")
    if mentions(content, ids):
        return mark_section(content, ids, status, keep_none)
    new = copy.deepcopy(content)
    box = _container(new, case_ref)
    items = box["items"] if box is not None else new.get("body") if _acted_on(new, case_ref) else None
    if not isinstance(items, list):
        return content
    if status not in items:
        items.append(status)
    return new
