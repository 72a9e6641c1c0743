"""Remedial actions' cards (framework 9.3: Requires Improvement and Inadequate, after oversight).
Pure: views in, Adaptive Card 1.5 JSON out. Every copy of the plan card is updated in place to show
the actions recorded and done so far (capabilities/copies.py); it also carries a Universal Actions
`refresh`, for a copy the update did not reach."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Literal

from dialogs.card_kit import (
    Element,
    action_set,
    attention,
    card,
    container,
    execute,
    facts,
    format_day,
    format_moment,
    format_month,
    heading,
    quote,
    show_card,
    subheading,
    text,
    text_input,
)
from qa.escalations import ACTION_MAX


class Verb:
    ADD = "remedial.add"    # plan_id + inputs remedial_text, remedial_target, remedial_responsible (optional)
    DONE = "remedial.done"  # action_id: one press
    VIEW = "remedial.view"  # plan_id: the card as it stands (refresh)

    ALL = frozenset({ADD, DONE, VIEW})


TEXT = "remedial_text"
TARGET = "remedial_target"
RESPONSIBLE = "remedial_responsible"
_PRIVACY = "About practice only: no names, dates of birth or addresses."



@dataclass(frozen=True)
class ActionLine:
    action_id: int
    text: str
    target_on: date
    responsible: str | None
    done_by: str | None = None
    done_at: datetime | None = None


@dataclass(frozen=True)
class PlanView:
    plan_id: int
    case_ref: str
    month: str
    team: str
    service_area: str
    grade: str
    actions: tuple[ActionLine, ...] = ()


Note = Literal["new", "due", "overdue", "current"]
_NOTES = {
    "new": "Oversight is confirmed on this audit graded {grade}. Please record the remedial actions: each with a "
           "target date and, if you wish, the person responsible.",
    "due": "A remedial action on this case reaches its target date today.",
    "overdue": "A remedial action on this case passed its target date and is not marked done.",
    "current": "",
}


def remedial_plan_card(view: PlanView, tz: tzinfo, people: Sequence[tuple[int, str]] = (), note: Note = "current",
                       error: str | None = None) -> Element:
    """For the service lead (and, when chased, the head of service): the actions so far, Done on each
    open one, and a form to add another (`people`: (person id, name) to choose the responsible from)."""
    ids = {"plan_id": view.plan_id}
    body: list[Element] = [heading(f"Remedial actions: case {view.case_ref}")]
    if _NOTES[note]:
        body.append(text(_NOTES[note].format(grade=view.grade), color="Attention" if note == "overdue" else None))
    body.append(facts([("Case", view.case_ref), ("Audited", format_month(view.month)), ("Team", view.team),
                       ("Service area", view.service_area), ("Grade", view.grade)]))
    body.append(subheading("Actions"))
    if not view.actions:
        body.append(text("None recorded yet.", subtle=True))
    for line in view.actions:
        who = f"; {line.responsible} responsible" if line.responsible else ""
        items: list[Element] = [quote(line.text), text(f"Target {format_day(line.target_on)}{who}", subtle=True,
                                                        spacing="Small")]
        if line.done_at is not None:
            items.append(text(f"Done: {line.done_by}, {format_moment(line.done_at, tz)}", color="Good",
                              weight="Bolder", spacing="Small"))
        else:
            items.append(action_set([execute("Mark done", Verb.DONE, {"action_id": line.action_id},
                                              style="positive")]))
        body.append(container(items, separator=True))
    if error:
        body.append(container([attention(error)], style="attention"))
    form: list[Element] = [
        text_input(TEXT, "Action", max_length=ACTION_MAX, multiline=True, required=True, placeholder=_PRIVACY,
                   error_message="Please describe the action."),
        {"type": "Input.Date", "id": TARGET, "label": "Target date", "isRequired": True,
         "errorMessage": "Please pick the target date."},
    ]
    if people:
        form.append({"type": "Input.ChoiceSet", "id": RESPONSIBLE, "label": "Responsible (optional)",
                     "style": "compact", "placeholder": "Choose from the roster",
                     "choices": [{"title": name, "value": str(pid)} for pid, name in people]})
    add = show_card("Add an action", form, [execute("Add action", Verb.ADD, ids, inputs="auto")])
    content = card(body, [add])
    content["refresh"] = {"action": execute("Refresh", Verb.VIEW, ids)}
    return content


__all__ = ["ActionLine", "PlanView", "Verb", "remedial_plan_card"]
