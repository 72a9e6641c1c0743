"""The QA unit's reallocation cards (framework 9.3: the QA unit reallocates a case an auditor cannot
do, or moves one before it is started). Pure: views in, card JSON out. The decline notice's own
Reallocate is `audit_cards.reallocate_button`, the same form as here; a card acted on is
`card_update.acted_card`."""
from __future__ import annotations

from dataclasses import dataclass

from dialogs.audit_cards import reallocate_button
from dialogs.card_kit import Element, action_set, card, facts, heading, text


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
