"""Workforce cards (framework 9.2 and 9.1's ASYE year): an ASYE review point's line in the supervisor's
supervision digest (with "Held today"), the notice to the supervisor's own supervisor when a point is overdue,
and the principal social worker's monthly ASYE cohort. Pure: views in, JSON out.

Buttons carry ids only (`line`: "y<person id>-<point>"); the server looks the rest up and re-checks who may
act on every press. Nothing here holds what a review said: date only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from dialogs.card_kit import card, container, format_day, heading, subheading, text
from dialogs.supervision_cards import STANDING_WORDS, Line, LineButton, LineKey

Element = dict[str, Any]
MAX_COHORT = 40  # ASYEs listed on one cohort card (within 28 KB); the rest are counted (the command line lists all)


class Verb:
    ASYE_HELD = "workforce.asye_held"  # an ASYE review point held today (date only)


ASYE_TITLES = {"asye_review_3": "ASYE three-month review", "asye_review_6": "ASYE six-month review",
               "asye_review_12": "ASYE twelve-month review", "asye_final": "ASYE final assessment"}
SHORT_TITLES = {"asye_review_3": "3-month", "asye_review_6": "6-month", "asye_review_12": "12-month",
                "asye_final": "final"}


@dataclass(frozen=True)
class AsyeLineKey(LineKey):
    """The key of an ASYE review point's digest line ("y<person id>-<point>")."""

    point: str = ""

    _KEY = re.compile(r"^y([1-9][0-9]{0,9})-(" + "|".join(ASYE_TITLES) + ")$")

    @property
    def recordable(self) -> bool:
        return False  # not a supervision session: its own button, "Held today"

    def __str__(self) -> str:
        return f"y{self.person_id}-{self.point}"

    @classmethod
    def read(cls, value: Any) -> AsyeLineKey | None:
        """The key a card carried, or None when it is not one."""
        m = cls._KEY.match(value) if isinstance(value, str) else None
        return cls(int(m.group(1)), "asye_review", None, m.group(2)) if m else None


def asye_line_words(point: str, due: date, standing: str) -> str:
    when = "due today" if standing == "today" else f"{STANDING_WORDS.get(standing, 'due')} {format_day(due)}"
    return f"{ASYE_TITLES[point]}: {when}"


def asye_line(person_id: int, point: str, due: date, standing: str) -> Line:
    """An ASYE review point's line in the supervisor's digest, with "Held today"."""
    key = AsyeLineKey(person_id, "asye_review", None, point)
    return Line(key, point, due, standing, recordable=False, words=asye_line_words(point, due, standing),
                button=LineButton("Held today", Verb.ASYE_HELD, {"line": str(key)}))


def asye_held_words(point: str, held_on: date) -> str:
    """What the line says once recorded."""
    return f"{ASYE_TITLES[point]} held on {format_day(held_on)}: recorded."


@dataclass(frozen=True)
class AsyeOverdueView:
    asye: str
    supervisor: str
    point: str
    due: date


def asye_overdue_card(view: AsyeOverdueView) -> Element:
    """To an ASYE's supervisor's own supervisor: a review point still not held five working days after it was
    due."""
    return card([heading(f"ASYE review overdue: {view.asye}"), text(
        f"{ASYE_TITLES[view.point]} for {view.asye} was due on {format_day(view.due)} and is not recorded as held. "
        f"{view.supervisor} supervises them; they can record it from their supervision digest with Held today.")])


@dataclass(frozen=True)
class CohortRow:
    name: str
    team: str
    start: date
    supervisor: str  # "" when the roster names none
    points: tuple[tuple[str, str], ...]  # (point, words: "held 2 Feb 2027", "overdue since ...", "due ...")


@dataclass(frozen=True)
class CohortView:
    day: date
    rows: tuple[CohortRow, ...]
    overdue: int  # review points overdue across the cohort


def cohort_line(row: CohortRow) -> str:
    points = "; ".join(f"{SHORT_TITLES[p]} {words}" for p, words in row.points)
    by = f", supervised by {row.supervisor}" if row.supervisor else ", no supervisor on the roster"
    return f"Started {format_day(row.start)}{by}. {points}"


def asye_cohort_card(view: CohortView) -> Element:
    """The principal social worker's monthly ASYE cohort: each ASYE's review points, held or due."""
    body: list[Element] = [heading("ASYE cohort"), text(
        f"{format_day(view.day)}: {len(view.rows)} ASYE{'s' if len(view.rows) != 1 else ''} in their year, "
        f"{view.overdue} review point{'s' if view.overdue != 1 else ''} overdue.", subtle=True)]
    for row in view.rows[:MAX_COHORT]:
        body.append(container([subheading(f"{row.name} ({row.team})"),
                               text(cohort_line(row), spacing="None",
                                    color="Attention" if any(w.startswith("overdue") for _p, w in row.points)
                                    else None)]))
    if len(view.rows) > MAX_COHORT:
        body.append(text(f"And {len(view.rows) - MAX_COHORT} more: `python -m bot workforce status` lists them all.",
                         subtle=True))
    return card(body)
