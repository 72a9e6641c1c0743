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

from dialogs.card_kit import card, container, execute, facts, format_day, heading, subheading, text
from dialogs.supervision_cards import STANDING_WORDS, Line, LineButton, LineKey

Element = dict[str, Any]
MAX_COHORT = 40  # ASYEs listed on one cohort card (within 28 KB); the rest are counted (`workforce status` lists all)


class Verb:
    ASYE_HELD = "workforce.asye_held"  # an ASYE review point held today (date only)
    APPRAISAL_HELD = "workforce.appraisal_held"  # an annual appraisal held today (date only)
    SWE_CONFIRMED = "workforce.swe_confirmed"  # renewed with Social Work England, CPD recorded


ASYE_TITLES = {"asye_review_3": "ASYE three-month review", "asye_review_6": "ASYE six-month review",
               "asye_review_12": "ASYE twelve-month review", "asye_final": "ASYE final assessment"}
TITLES = {**ASYE_TITLES, "appraisal": "Annual appraisal"}
SHORT_TITLES = {"asye_review_3": "3-month", "asye_review_6": "6-month", "asye_review_12": "12-month",
                "asye_final": "final"}


@dataclass(frozen=True)
class AsyeLineKey(LineKey):
    """The key of a workforce digest line ("y<person id>-<point>"): an ASYE review point, or "appraisal"."""

    point: str = ""

    _KEY = re.compile(r"^y([1-9][0-9]{0,9})-(" + "|".join(TITLES) + ")$")

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
    return f"{TITLES[point]}: {when}"


def asye_line(person_id: int, point: str, due: date, standing: str) -> Line:
    """An ASYE review point's line in the supervisor's digest, with "Held today"."""
    key = AsyeLineKey(person_id, "asye_review", None, point)
    return Line(key, point, due, standing, recordable=False, words=asye_line_words(point, due, standing),
                button=LineButton("Held today", Verb.ASYE_HELD, {"line": str(key)}))


def appraisal_line(person_id: int, due: date, standing: str) -> Line:
    """A supervisee's annual appraisal line in their manager's digest, with "Held today"."""
    key = AsyeLineKey(person_id, "appraisal", None, "appraisal")
    return Line(key, "appraisal", due, standing, recordable=False, words=asye_line_words("appraisal", due, standing),
                button=LineButton("Held today", Verb.APPRAISAL_HELD, {"line": str(key)}))


def asye_held_words(point: str, held_on: date) -> str:
    """What the line says once recorded."""
    return f"{TITLES[point]} held on {format_day(held_on)}: recorded."


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
        body.append(text(f"And {len(view.rows) - MAX_COHORT} more ASYEs, not listed here (the card's size is limited).",
                         subtle=True))
    return card(body)


# ---------------------------------------------------------------- Social Work England renewal


@dataclass(frozen=True)
class RenewalReminderView:
    year: int
    confirm_by: date
    closes: date


def swe_renewal_reminder_card(view: RenewalReminderView) -> Element:
    """To a registered social worker in Social Work England's renewal period: renew, record the CPD, press once."""
    return card([heading(f"Social Work England renewal {view.year}"), text(
        f"Social Work England's renewal period closes on {format_day(view.closes)}. Renew your registration and "
        f"record your CPD with Social Work England, then press the button below by {format_day(view.confirm_by)}, "
        "so your manager is not asked to chase it.")], [
        execute("Renewed, CPD recorded", Verb.SWE_CONFIRMED, {"line": renewal_key(view.year)}, style="positive")])


def renewal_key(year: int) -> str:
    """What the renewal button carries: "swe-<year>" (the person is the sender)."""
    return f"swe-{year}"


def read_renewal_key(value: Any) -> int | None:
    m = re.fullmatch(r"swe-(20[0-9]{2})", value) if isinstance(value, str) else None
    return int(m.group(1)) if m else None


def swe_confirmed_words(year: int, day: date) -> str:
    return f"Renewal {year} and CPD confirmed on {format_day(day)}. Thank you."


@dataclass(frozen=True)
class RenewalManagerView:
    year: int
    confirm_by: date
    closed: bool  # the period has closed
    names: tuple[str, ...]  # supervisees not yet confirmed


def swe_manager_card(view: RenewalManagerView) -> Element:
    """To a manager: their registered supervisees who have not confirmed renewal and CPD."""
    when = ("Social Work England's renewal period has closed" if view.closed
            else f"Renewal is to be confirmed by {format_day(view.confirm_by)}")
    return card([heading(f"Social Work England renewal {view.year}: not yet confirmed"), text(
        f"{when}. {len(view.names)} of your supervisees ha{'s' if len(view.names) == 1 else 've'} not confirmed "
        "that they renewed and recorded their CPD: please check with them."),
        text("\n".join(f"- {n}" for n in view.names[:MAX_COHORT * 2])
             + (f"\n- and {len(view.names) - MAX_COHORT * 2} more" if len(view.names) > MAX_COHORT * 2 else ""))])


@dataclass(frozen=True)
class RenewalComplianceView:
    year: int
    day: date
    teams: tuple[tuple[str, int, int], ...]  # (team, confirmed, registered staff)


def swe_compliance_card(view: RenewalComplianceView) -> Element:
    """To the principal social worker: each team's registered staff who confirmed renewal and CPD."""
    done, of = sum(t[1] for t in view.teams), sum(t[2] for t in view.teams)
    pairs = [(team, f"{confirmed} of {total} renewed, CPD recorded; {total - confirmed} not yet")
             for team, confirmed, total in view.teams[:MAX_COHORT * 2]]
    body: list[Element] = [heading(f"Social Work England renewal {view.year}: by team"), text(
        f"{format_day(view.day)}: {done} of {of} registered staff confirmed renewal and CPD.", subtle=True),
        facts(pairs)]
    if len(view.teams) > MAX_COHORT * 2:
        body.append(text(f"And {len(view.teams) - MAX_COHORT * 2} more teams, not listed here (the card's size is limited).",
                         subtle=True))
    return card(body)
