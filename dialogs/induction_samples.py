"""Induction cards from fictional data at their largest realistic size: a 30-element plan, a manager's card with
ten starters, the nudges, the monthly figures for 90 teams. Staff names only. dialogs/samples.py adds these to the
catalogue (`cards dump`)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from dialogs import induction_cards as ic
from qa.calendar import WorkingCalendar
from qa.induction import CONFIRMED, DUE, OVERDUE, SIGNED

Card = dict[str, Any]
TODAY = date(2026, 12, 1)
START = date(2026, 10, 5)
_NAME = "Siobhán O’Donnell-McAllister"
_TEAM = "Children in Care and Care Leavers Team North"
MANAGER = "Pia Marsh-Worthington"
CAL = WorkingCalendar()
_TITLE = "Safeguarding procedures: the partnership’s procedures, thresholds and escalation – element"
_DETAIL = ("The safeguarding partnership’s procedures, thresholds and how to escalate a concern; the local "
           "authority designated officer; recording a concern in the case recording system; who to call out of hours. "
           "Agreed with your supervisor and signed off here once done.")


def _working(d: date) -> date:
    """Every day a sample card names is a working day (tests/test_sample_data.py)."""
    return CAL.next_working_day(d, include_self=True)


def _lines(count: int = 30) -> tuple[ic.ElementLine, ...]:
    marks = (CONFIRMED, SIGNED, OVERDUE, DUE)
    out = []
    for i in range(count):
        target = _working(START + timedelta(days=7 * (i % 12) + 4))
        mark = marks[i % 4]
        out.append(ic.ElementLine(f"element_{i}", f"{_TITLE} {i}"[:120], target, mark,
                                  _working(target - timedelta(days=1)) if mark in (SIGNED, CONFIRMED) else None,
                                  _working(target + timedelta(days=1)) if mark == CONFIRMED else None, _DETAIL))
    return tuple(out)


def plan_view(count: int = 30) -> ic.PlanView:
    return ic.PlanView(100_001, "Induction for children’s social care", START, MANAGER, _lines(count))


def confirm_view(starters: int = ic.MAX_STARTERS + 2) -> ic.ConfirmView:
    return ic.ConfirmView(TODAY, tuple(ic.StarterLines(100_000 + i, f"{_NAME} {i}", START, _lines())
                                       for i in range(starters)))


def figures_view(teams: int = 90) -> ic.FiguresView:
    return ic.FiguresView("November 2026", TODAY, tuple(
        ic.FiguresRow(f"{_TEAM} {i}", 12, 200 + i, 360, 40, 25, 3) for i in range(teams)))


def samples() -> dict[str, Card]:
    return {
        "induction_plan": ic.plan_card(plan_view()),
        "induction_plan_small": ic.plan_card(plan_view(8)),
        "induction_confirm": ic.confirm_card(confirm_view()),
        "induction_confirm_one": ic.confirm_card(confirm_view(1)),
        "induction_overdue": ic.starter_overdue_card(ic.OverdueView(100_001, "element_3", _TITLE,
                                                                    _working(date(2026, 11, 27)), MANAGER)),
        "induction_overdue_manager": ic.manager_overdue_card(ic.ManagerOverdueView(
            _NAME, _TITLE, _working(date(2026, 11, 20)), _working(date(2026, 11, 23)))),
        "induction_figures": ic.figures_card(figures_view()),
        "induction_notice": ic.induction_notice_card("Induction", f"{_NAME} is marked as a new starter: their "
                                                     "induction plan (8 elements from Monday 5 October 2026) is on its "
                                                     "way to them.", good=True),
    }
