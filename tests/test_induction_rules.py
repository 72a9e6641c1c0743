"""Induction's rules (framework 9.2; qa/induction.py) with the dates passed in, the plan's definition file
(capabilities/workforce/induction_file.py) and its settings. England and Wales' bank holidays: Christmas 2026
falls on a Friday, Boxing Day's substitute is Monday 28 December; New Year's Day 2027 is a Friday."""
from __future__ import annotations

import json
from datetime import date

import pytest

from capabilities.registry import ConfigurationError
from capabilities.workforce import config
from capabilities.workforce.induction_file import DEFAULT_FILE, check_file, check_text
from qa.calendar import WorkingCalendar
from qa.induction import (
    CONFIRMED,
    DUE,
    OVERDUE,
    SIGNED,
    ElementState,
    PlanElement,
    complete_on,
    first_day,
    is_new_starter,
    manager_nudge_day,
    manager_nudges,
    plan_targets,
    standing,
    starter_nudges,
    target_date,
    team_figures,
)

CAL = WorkingCalendar()
pytestmark = pytest.mark.fast


def test_a_start_on_a_saturday_begins_on_the_next_working_day():
    # Saturday 2 January 2027: the Monday after (New Year's Day was the Friday).
    assert first_day(date(2027, 1, 2), CAL) == date(2027, 1, 4)
    # Week 1 ends on Sunday 10 January: due by Friday 8 January; week 2 by Friday 15 January.
    assert target_date(date(2027, 1, 2), 1, CAL) == date(2027, 1, 8)
    assert target_date(date(2027, 1, 2), 2, CAL) == date(2027, 1, 15)


def test_a_week_ending_on_bank_holidays_is_due_the_working_day_before():
    # Started Tuesday 22 December 2026: week 1 runs to Monday 28 December (Boxing Day's substitute), and
    # Christmas Day is the Friday before it: due by Thursday 24 December.
    assert target_date(date(2026, 12, 22), 1, CAL) == date(2026, 12, 24)
    # A start on a working Wednesday: week 1 ends on the next Tuesday, a working day.
    assert target_date(date(2027, 1, 6), 1, CAL) == date(2027, 1, 12)


def test_the_target_is_never_before_the_first_day():
    # Started Thursday 24 December 2026: week 1 ends Wednesday 30 December, a working day after the holidays.
    assert target_date(date(2026, 12, 24), 1, CAL) == date(2026, 12, 30)
    closed = WorkingCalendar(extra_closed_days=frozenset(date(2027, 2, d) for d in range(2, 13)))
    # Started Monday 1 February with the office closed the rest of that week and the next: nothing before day one.
    assert target_date(date(2027, 2, 1), 1, closed) == date(2027, 2, 1)


def test_targets_follow_the_plan_and_weeks_are_checked():
    plan = [PlanElement("organisation", "The organisation", 1), PlanElement("shadowing", "Shadowing", 4)]
    assert plan_targets(date(2027, 1, 4), plan, CAL) == {"organisation": date(2027, 1, 8),
                                                          "shadowing": date(2027, 1, 29)}
    with pytest.raises(ValueError, match="week must be from 1 to 52"):
        target_date(date(2027, 1, 4), 0, CAL)


def test_a_new_starter_is_within_the_last_months_up_to_today():
    today = date(2027, 3, 15)
    assert is_new_starter(date(2026, 12, 15), today, 3)
    assert not is_new_starter(date(2026, 12, 14), today, 3)
    assert not is_new_starter(date(2027, 3, 16), today, 3)  # not started yet
    assert not is_new_starter(date(2027, 3, 1), today, 0)  # 0 months: only those marked
    assert not is_new_starter(None, today, 3)


def test_standing_of_an_element():
    e = ElementState("policies", date(2027, 1, 8))
    assert standing(e, date(2027, 1, 8)) == DUE
    assert standing(e, date(2027, 1, 11)) == OVERDUE
    assert standing(ElementState("policies", date(2027, 1, 8), date(2027, 1, 12)), date(2027, 1, 20)) == SIGNED
    assert standing(ElementState("policies", date(2027, 1, 8), date(2027, 1, 12), date(2027, 1, 13)),
                    date(2027, 1, 20)) == CONFIRMED


def test_nudges_go_to_the_starter_then_the_manager_once_each():
    # Due by Thursday 24 December 2026: the starter on Tuesday 29 December (Christmas and Boxing Day's substitute
    # skipped), the manager five working days later, Wednesday 6 January (New Year's Day skipped).
    e = ElementState("policies", date(2026, 12, 24))
    assert [x.element_id for x in starter_nudges([e], date(2026, 12, 29), CAL)] == ["policies"]
    assert starter_nudges([e], date(2026, 12, 24), CAL) == []
    assert manager_nudge_day(e.target, CAL, 5) == date(2027, 1, 6)
    assert manager_nudges([e], date(2027, 1, 5), CAL, 5) == []
    assert [x.element_id for x in manager_nudges([e], date(2027, 1, 6), CAL, 5)] == ["policies"]
    # Signed off: no nudge; due before the bot held the record (go-live): none either; after 30 days: none.
    signed = ElementState("policies", date(2026, 12, 24), date(2027, 1, 4))
    assert manager_nudges([signed], date(2027, 1, 6), CAL, 5) == []
    assert starter_nudges([e], date(2026, 12, 29), CAL, on_record_from=date(2027, 1, 4)) == []
    assert starter_nudges([e], date(2027, 1, 28), CAL) == []


def test_completion_and_team_figures():
    done = [ElementState("a", date(2027, 1, 8), date(2027, 1, 7), date(2027, 1, 8)),
            ElementState("b", date(2027, 1, 15), date(2027, 1, 14), date(2027, 1, 20))]
    going = [ElementState("a", date(2027, 1, 8), date(2027, 1, 7)), ElementState("b", date(2027, 1, 15))]
    old = [ElementState("a", date(2026, 6, 5), date(2026, 6, 5), date(2026, 6, 8))]
    assert complete_on(done) == date(2027, 1, 20) and complete_on(going) is None
    rows = team_figures([("North 1", done), ("north 2", going), ("North 1", old)], date(2027, 2, 1),
                        date(2027, 1, 1))
    assert [(r.team, r.starters, r.confirmed, r.elements, r.waiting, r.overdue, r.completed) for r in rows] == [
        ("North 1", 1, 2, 2, 0, 0, 1), ("north 2", 1, 0, 2, 1, 1, 0)]


def test_the_default_plan_is_sound_and_has_the_common_elements():
    checked = check_file(DEFAULT_FILE)
    assert checked.problems == ()
    assert checked.plan is not None
    assert {"organisation", "policies", "case_recording", "safeguarding", "shadowing", "practice_framework",
            "supervision_agreement"} <= {e.id for e in checked.plan.elements}


def test_a_bad_plan_names_each_problem_at_its_line():
    text = ('{"name": "ours", "title": "Our induction", "version": 1,\n'
            ' "elements": [\n'
            '  {"id": "organisation", "title": "The organisation", "week": 1},\n'
            '  {"id": "organisation", "title": "Policies", "week": 2}\n'
            ' ]}')
    assert check_text(text).problems == ("line 4: the element id 'organisation' is used twice (at elements[1].id)",)
    bad = text.replace('"week": 2', '"week": 53').replace('"title": "Policies"', '"titel": "Policies"')
    problems = check_text(bad).problems
    assert any(p.startswith("line 4: 'titel' is not expected here") for p in problems)
    assert any(p.startswith("line 4: 53 is greater than the maximum of 52") for p in problems)
    assert check_text("{").problems[0].startswith("line 1, column 2: not valid JSON")


def test_the_settings(tmp_path):
    assert config.new_starter_months({}) == 3 and config.manager_after({}) == 5
    assert config.induction_plan({}).name == "induction"
    with pytest.raises(ConfigurationError, match="QA_INDUCTION_NEW_STARTER_MONTHS"):
        config.new_starter_months({"QA_INDUCTION_NEW_STARTER_MONTHS": "13"})
    with pytest.raises(ConfigurationError, match="QA_INDUCTION_MANAGER_AFTER"):
        config.manager_after({"QA_INDUCTION_MANAGER_AFTER": "0"})
    ours = tmp_path / "ours.json"
    ours.write_text(json.dumps({"name": "ours", "title": "Ours", "version": 2,
                                "elements": [{"id": "welcome", "title": "Welcome", "week": 1}]}))
    assert [e.id for e in config.induction_plan({"QA_INDUCTION_PLAN_FILE": str(ours)}).elements] == ["welcome"]
    ours.write_text("{}")
    with pytest.raises(ConfigurationError, match=r"QA_INDUCTION_PLAN_FILE .*\nours.json line 1: 'elements' is a"):
        config.induction_plan({"QA_INDUCTION_PLAN_FILE": str(ours)})
