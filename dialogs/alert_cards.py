"""Practice alerts' cards (framework section 14). Pure: views in, Adaptive Card 1.5 JSON out.

Each copy of an alert is updated in place to show the responses so far and who resolved it
(capabilities/copies.py); the card the practice manager and service lead receive also carries a
Universal Actions `refresh`, for a copy the update did not reach (as the escalation cards do).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Literal

from dialogs.card_kit import (
    Element,
    action_set,
    attention,
    card,
    choice_set,
    container,
    excerpt,
    execute,
    facts,
    format_moment,
    heading,
    quote,
    show_card,
    subheading,
    text,
    text_input,
)
from qa.alerts import CASE_REF_MAX, CATEGORIES, DESCRIPTION_MAX, RESPONSE_MAX


class Verb:
    RAISE = "alert.raise"        # no id + inputs alert_case_ref, alert_team, alert_category, alert_description
    RESPOND = "alert.respond"    # alert_id + input alert_response
    RESOLVE = "alert.resolve"    # alert_id
    VIEW = "alert.view"          # alert_id: the card as it stands (refresh)

    ALL = frozenset({RAISE, RESPOND, RESOLVE, VIEW})


CASE_REF = "alert_case_ref"
TEAM = "alert_team"
CATEGORY = "alert_category"
DESCRIPTION = "alert_description"
RESPONSE = "alert_response"
_PRIVACY = "About practice only: no names, dates of birth or addresses."



@dataclass(frozen=True)
class ResponseLine:
    by: str
    at: datetime
    text: str


@dataclass(frozen=True)
class AlertView:
    alert_id: int
    case_ref: str
    team: str
    service_area: str
    category: str
    description: str
    raised_by: str
    raised_by_role: str  # "independent reviewing officer", ...
    raised_at: datetime
    responses: tuple[ResponseLine, ...] = ()
    resolved_by: str | None = None
    resolved_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.resolved_at is None


def alert_form_card(teams: Sequence[str], values: Mapping[str, str] | None = None, error: str | None = None) -> Element:
    """The form `alert` answers with: case reference, team, category, description."""
    values = values or {}
    body: list[Element] = [
        heading("Raise a practice alert"),
        text("The team's practice manager and the service lead will be asked to respond. Case reference only: "
             "never a child's name, date of birth or address.", subtle=True),
        text_input(CASE_REF, "Case reference", max_length=CASE_REF_MAX, required=True, value=values.get(CASE_REF),
                   error_message="Please give the case reference."),
        choice_set(TEAM, "Team", list(teams), value=values.get(TEAM), placeholder="Choose the team"),
        choice_set(CATEGORY, "What is it about?", CATEGORIES, value=values.get(CATEGORY),
                   placeholder="Choose a category"),
        text_input(DESCRIPTION, "The concern", max_length=DESCRIPTION_MAX, multiline=True, required=True,
                   value=values.get(DESCRIPTION), placeholder=_PRIVACY,
                   error_message="Please describe the concern."),
    ]
    if error:
        body.append(container([attention(error)], style="attention"))
    return card(body, [execute("Send alert", Verb.RAISE, {}, inputs="auto", style="positive")])


def _about(view: AlertView, tz: tzinfo) -> list[Element]:
    items: list[Element] = [
        facts([("Case", view.case_ref), ("Team", view.team), ("Service area", view.service_area),
               ("About", view.category), ("Raised by", f"{view.raised_by} ({view.raised_by_role})"),
               ("Raised", format_moment(view.raised_at, tz))]),
        subheading("The concern"),
        quote(excerpt(view.description, DESCRIPTION_MAX)),
    ]
    if view.responses:
        items.append(subheading("Responses"))
        for line in view.responses:
            items += [text(f"{line.by}, {format_moment(line.at, tz)}", weight="Bolder", spacing="Small"),
                      quote(excerpt(line.text, RESPONSE_MAX))]
    if not view.open:
        items.append(text(f"Resolved by {view.resolved_by}, {format_moment(view.resolved_at, tz)}", color="Good",
                          weight="Bolder"))
    return items


Note = Literal["new", "chase", "escalated", "current"]
_NOTES = {
    "new": "Please agree actions with the case's team and respond here; mark it resolved when it is.",
    "chase": "This alert has been open for {days} working days without being resolved.",
    "escalated": "This alert has been open for {days} working days without being resolved. It is brought to "
                 "you, the head of service and the QA unit.",
    "current": "",
}


def alert_card(view: AlertView, tz: tzinfo, note: Note = "current", days: int = 0, error: str | None = None,
               buttons: bool = True) -> Element:
    """For the practice manager and the service lead (with Respond and Resolved), or, `buttons`
    False, for the head of service and the QA unit when it is escalated."""
    ids = {"alert_id": view.alert_id}
    body: list[Element] = [heading(f"Practice alert: case {view.case_ref}")]
    if _NOTES[note]:
        body.append(text(_NOTES[note].format(days=days), color="Attention" if note != "new" else None))
    body += _about(view, tz)
    if view.open and buttons:
        if error:
            body.append(container([attention(error)], style="attention"))
        respond = show_card("Respond", [
            text_input(RESPONSE, "Actions agreed", max_length=RESPONSE_MAX, multiline=True, required=True,
                       placeholder=_PRIVACY, error_message="Please say what actions were agreed."),
        ], [execute("Send response", Verb.RESPOND, ids, inputs="auto")])
        body.append(action_set([respond, execute("Resolved", Verb.RESOLVE, ids, style="positive")]))
    content = card(body)
    if buttons:
        content["refresh"] = {"action": execute("Refresh", Verb.VIEW, ids)}
    return content


def alert_news_card(view: AlertView, tz: tzinfo, what: Literal["response", "resolved"]) -> Element:
    """For whoever raised the alert: a response arrived, or it was resolved."""
    title = (f"Response to your alert: case {view.case_ref}" if what == "response"
             else f"Your alert was resolved: case {view.case_ref}")
    return card([heading(title), *_about(view, tz)])


def alert_raised_card(view: AlertView, tz: tzinfo, recipients: int) -> Element:
    """Replaces the form once the alert is sent."""
    told = (f"Sent to {recipients} {'person' if recipients == 1 else 'people'}: the team's practice manager and "
            "the service lead." if recipients else
            "Nobody on the roster manages this team yet: the QA unit will see it in its open alerts.")
    return card([heading(f"Alert raised: case {view.case_ref}"), text(told, color="Good", weight="Bolder"),
                 *_about(view, tz)])


def _area_table(areas: Sequence[tuple[str, int, int, int]]) -> Element:
    """(service area, open, chased, escalated) rows, then their total, as a compact Table."""
    def cell(value: object, bold: bool = False) -> Element:
        block: Element = {"type": "TextBlock", "text": str(value), "wrap": True}
        if bold:
            block["weight"] = "Bolder"
        return {"type": "TableCell", "items": [block]}

    total = ("Total", *(sum(row[i] for row in areas) for i in (1, 2, 3)))
    rows = [("Service area", "Open", "Chased", "Escalated"), *areas, total]
    return {"type": "Table", "gridStyle": "accent", "firstRowAsHeaders": True, "showGridLines": True,
            "columns": [{"width": 3}, {"width": 1}, {"width": 1}, {"width": 1}],
            "rows": [{"type": "TableRow", "cells": [cell(v, bold=n in (0, len(rows) - 1)) for v in row]}
                     for n, row in enumerate(rows)]}


def open_alerts_card(views: Sequence[AlertView], tz: tzinfo, now: datetime, total: int | None = None,
                     areas: Sequence[tuple[str, int, int, int]] = ()) -> Element:
    """`alerts` for the QA unit: by service area (open, chased, escalated: `alerts status`'s figures),
    then the open alerts, oldest first (at most the first 30 shown)."""
    total = len(views) if total is None else total
    body: list[Element] = [heading("Open practice alerts")]
    if not views:
        body.append(text("No practice alerts are open."))
        return card(body)
    if areas:
        body.append(_area_table(areas))
    body.append(text(f"{total} open, oldest first, as of {format_moment(now, tz)}."
                     + (f" The first {len(views)} are shown." if total > len(views) else "")))
    for view in views:
        last = view.responses[-1] if view.responses else None
        body.append(container([
            text(f"{view.case_ref}: {view.category}", weight="Bolder"),
            facts([("Team", view.team), ("Raised", f"{format_moment(view.raised_at, tz)} by {view.raised_by}"),
                   ("Responses", f"{len(view.responses)}" + (f", last by {last.by}" if last else ""))]),
        ], separator=True))
    return card(body)
