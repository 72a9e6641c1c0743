"""Induction cards (framework 9.2): the starter's plan with Done per element (their sign-off), their manager's
card to confirm what was signed off (Confirm per element, or every one signed off at once), the nudges about an
element overdue (to the starter, then their manager), and the monthly completion figures per team. Pure: views
in, JSON out.

Buttons carry ids only: `line` "n<starter id>-<element id>" and `starter_id`; the server looks the rest up and
re-checks who may act on every press. Dates and ticks only: nothing about how an element went.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from dialogs.card_kit import action_set, card, container, execute, facts, format_day, heading, subheading, text
from qa.induction import CONFIRMED, OVERDUE, SIGNED

Element = dict[str, Any]
MAX_STARTERS = 10  # starters on one manager's card at most
STARTERS_BYTES = 22_000  # and no more than fit in this much of the card (28 KB in all), the rest counted
MAX_TEAMS = 50  # teams on the monthly figures card; the rest are counted


class Verb:
    DONE = "induction.done"  # the starter signs an element off
    CONFIRM = "induction.confirm"  # their manager confirms one element
    CONFIRM_ALL = "induction.confirm_all"  # their manager confirms every element signed off


_KEY = re.compile(r"^n([1-9][0-9]{0,9})-([a-z][a-z0-9_]{0,39})$")


def element_key(person_id: int, element_id: str) -> str:
    """What an element's buttons carry: "n<starter id>-<element id>"."""
    return f"n{person_id}-{element_id}"


def read_element_key(value: Any) -> tuple[int, str] | None:
    """(starter id, element id) from a button's `line`, or None when it is not one."""
    m = _KEY.match(value) if isinstance(value, str) else None
    return (int(m.group(1)), m.group(2)) if m else None


@dataclass(frozen=True)
class ElementLine:
    """One element of a starter's plan as shown: what it is, its target date and where it stands
    (qa.induction: confirmed, signed, overdue, due), with the days signed off and confirmed."""

    element_id: str
    title: str
    target: date
    standing: str
    signed_on: date | None = None
    confirmed_on: date | None = None
    detail: str = ""


def element_words(line: ElementLine, manager: str = "") -> str:
    """Where an element stands, in a few words (`manager`: who confirms, "" for "your manager")."""
    if line.standing == CONFIRMED and line.confirmed_on is not None:
        return f"Confirmed on {format_day(line.confirmed_on)}"
    if line.standing == SIGNED and line.signed_on is not None:
        return f"Signed off on {format_day(line.signed_on)}; waiting for {manager or 'your manager'} to confirm"
    if line.standing == OVERDUE:
        return f"Overdue: due by {format_day(line.target)}"
    return f"Due by {format_day(line.target)}"


@dataclass(frozen=True)
class PlanView:
    person_id: int
    plan_title: str
    started_on: date
    manager: str  # "" when the roster names no supervisor
    lines: tuple[ElementLine, ...]


def plan_card(view: PlanView) -> Element:
    """The starter's induction plan: each element with its target date and Done until signed off."""
    done = sum(line.standing in (SIGNED, CONFIRMED) for line in view.lines)
    who = f"{view.manager} confirms each one" if view.manager else "your manager confirms each one"
    body: list[Element] = [heading(f"Your induction: {view.plan_title}"), text(
        f"From {format_day(view.started_on)}: {done} of {len(view.lines)} signed off. Press Done as you complete "
        f"each element; {who}.", subtle=True)]
    for line in view.lines:
        items: list[Element] = [subheading(line.title), text(
            element_words(line, view.manager), spacing="None", color="Attention" if line.standing == OVERDUE else
            ("Good" if line.standing == CONFIRMED else None))]
        if line.detail:
            items.append(text(line.detail, subtle=True, spacing="None"))
        if line.standing not in (SIGNED, CONFIRMED):
            items.append(action_set([execute("Done", Verb.DONE, {"line": element_key(view.person_id,
                                                                                       line.element_id)},
                                             style="positive")]))
        body.append(container(items))
    return card(body)


@dataclass(frozen=True)
class StarterLines:
    person_id: int
    name: str
    started_on: date
    lines: tuple[ElementLine, ...]


@dataclass(frozen=True)
class ConfirmView:
    day: date
    starters: tuple[StarterLines, ...]


def _manager_words(line: ElementLine, name: str) -> str:
    if line.standing == SIGNED and line.signed_on is not None:
        return f"Signed off by {name} on {format_day(line.signed_on)}"
    return element_words(line)


def _starter_block(s: StarterLines) -> Element:
    """One starter on the manager's card: each element signed off (Confirm) or overdue, the rest counted."""
    signed = [line for line in s.lines if line.standing == SIGNED]
    confirmed = sum(line.standing == CONFIRMED for line in s.lines)
    later = sum(line.standing not in (SIGNED, CONFIRMED, OVERDUE) for line in s.lines)
    items: list[Element] = [subheading(f"{s.name}, from {format_day(s.started_on)}"), text(
        f"{confirmed} of {len(s.lines)} confirmed; {later} not yet due.", subtle=True, spacing="None")]
    for line in s.lines:
        if line.standing not in (SIGNED, OVERDUE):
            continue
        items.append(text(f"**{line.title}**: {_manager_words(line, s.name)}", spacing="Small",
                          color="Attention" if line.standing == OVERDUE else None))
        if line.standing == SIGNED:
            items.append(action_set([execute("Confirm", Verb.CONFIRM, {
                "line": element_key(s.person_id, line.element_id), "starter_id": s.person_id})]))
    if len(signed) > 1:
        items.append(action_set([execute(f"Confirm all {len(signed)} signed off", Verb.CONFIRM_ALL,
                                         {"starter_id": s.person_id}, style="positive")]))
    return container(items)


def confirm_card(view: ConfirmView) -> Element:
    """To a starter's manager: each starter's elements signed off, with Confirm on each and Confirm all signed off
    when there are two or more, and those overdue; as many starters as fit (MAX_STARTERS, STARTERS_BYTES)."""
    waiting = sum(line.standing == SIGNED for s in view.starters for line in s.lines)
    body: list[Element] = [heading("Induction to confirm"), text(
        f"{format_day(view.day)}: {waiting} element{'s' if waiting != 1 else ''} signed off and waiting for you "
        "to confirm.", subtle=True)]
    used, shown = 0, 0
    for s in view.starters[:MAX_STARTERS]:
        block = _starter_block(s)
        size = len(json.dumps(block, ensure_ascii=False).encode())
        if shown and used + size > STARTERS_BYTES:
            break
        body.append(block)
        used, shown = used + size, shown + 1
    if len(view.starters) > shown:
        body.append(text(f"And {len(view.starters) - shown} more starters, not listed here (the card's size "
                         "is limited): type induction again once these are confirmed.", subtle=True))
    return card(body)


@dataclass(frozen=True)
class OverdueView:
    person_id: int
    element_id: str
    title: str
    target: date
    manager: str


def starter_overdue_card(view: OverdueView) -> Element:
    """To the starter: an element of their induction not signed off by its target date, with Done."""
    who = view.manager or "your manager"
    return card([heading(f"Induction: {view.title}"), text(
        f"{view.title} was due by {format_day(view.target)} and is not signed off. If it is done, press Done "
        f"({who} then confirms it); if something is in the way, talk to {who}.")], [
        execute("Done", Verb.DONE, {"line": element_key(view.person_id, view.element_id)}, style="positive")])


@dataclass(frozen=True)
class ManagerOverdueView:
    starter: str
    title: str
    target: date
    reminded_on: date


def manager_overdue_card(view: ManagerOverdueView) -> Element:
    """To the starter's manager: an element still not signed off after the starter was reminded."""
    return card([heading(f"Induction overdue: {view.starter}"), text(
        f"{view.starter} has not signed off {view.title}, due by {format_day(view.target)}; they were reminded on "
        f"{format_day(view.reminded_on)}. Please check what is in the way (framework 9.2: practice managers "
        "implement induction).")])


@dataclass(frozen=True)
class FiguresRow:
    team: str
    starters: int
    confirmed: int
    elements: int
    waiting: int
    overdue: int
    completed: int


@dataclass(frozen=True)
class FiguresView:
    month: str  # the month just ended, "November 2026"
    day: date
    rows: tuple[FiguresRow, ...]


def figures_card(view: FiguresView) -> Element:
    """To the service leads (their service areas' teams) and the QA unit: induction completion per team."""
    starters = sum(r.starters for r in view.rows)
    body: list[Element] = [heading(f"Induction: {view.month}"), text(
        f"{format_day(view.day)}: {starters} new starter{'s' if starters != 1 else ''} in induction or completed "
        f"in {view.month}, {sum(r.completed for r in view.rows)} completed, "
        f"{sum(r.overdue for r in view.rows)} element{'s' if sum(r.overdue for r in view.rows) != 1 else ''} "
        "overdue.", subtle=True)]
    for r in view.rows[:MAX_TEAMS]:
        share = f"{round(100 * r.confirmed / r.elements)}%" if r.elements else "-"
        body.append(container([subheading(r.team), facts([
            ("Starters", str(r.starters)), ("Confirmed", f"{share} ({r.confirmed} of {r.elements} elements)"),
            ("Waiting to confirm", str(r.waiting)), ("Overdue", str(r.overdue)),
            ("Completed", str(r.completed))])]))
    if len(view.rows) > MAX_TEAMS:
        body.append(text(f"And {len(view.rows) - MAX_TEAMS} more teams, not listed here (the card's size is limited).",
                         subtle=True))
    return card(body)


def induction_notice_card(title: str, message: str, *, good: bool = False) -> Element:
    """A short answer: a heading and one line (a plan made, a refusal, nothing to confirm)."""
    return card([heading(title), text(message, color="Good" if good else None, weight="Bolder" if good else None)])
