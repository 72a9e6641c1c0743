"""Nothing on record is never "in date" (framework 9.1, qa.supervision.in_date): a supervisee with no
1:1 or agreement review recorded is not counted until their first falls due, and is not in date from
that day; with one recorded, in date while the next is not overdue."""
from __future__ import annotations

from datetime import date

import pytest

from qa.calendar import WorkingCalendar
from qa.supervision import AGREEMENT, ONE_TO_ONE, Asye, SuperviseeFacts, in_date

CAL = WorkingCalendar()
ON_RECORD = date(2026, 11, 2)  # the roster first imported: established staff's first 1:1 due 30 November


@pytest.mark.fast
def test_an_established_person_with_no_one_to_one_is_not_counted_then_out_of_date():
    facts = SuperviseeFacts(1, None, {}, on_record_from=ON_RECORD)
    assert in_date(facts, ONE_TO_ONE, date(2026, 11, 29), CAL) is None  # first not yet due: not counted
    assert in_date(facts, ONE_TO_ONE, date(2026, 11, 30), CAL) is False  # due that day, none recorded
    assert in_date(facts, ONE_TO_ONE, date(2026, 12, 7), CAL) is False
    assert in_date(facts, AGREEMENT, date(2026, 12, 7), CAL) is None  # six months: not due yet
    held = SuperviseeFacts(1, None, {ONE_TO_ONE: date(2026, 11, 20)}, on_record_from=ON_RECORD)
    assert in_date(held, ONE_TO_ONE, date(2026, 12, 7), CAL) is True


@pytest.mark.fast
def test_an_asye_with_no_sessions_is_out_of_date_once_the_first_weekly_one_is_due():
    facts = SuperviseeFacts(2, None, {}, asye=Asye(date(2026, 9, 1)), on_record_from=ON_RECORD)
    assert in_date(facts, ONE_TO_ONE, date(2026, 12, 7), CAL) is False  # fortnightly by then: due 16 November
    assert in_date(facts, ONE_TO_ONE, date(2026, 11, 3), CAL) is None


@pytest.mark.fast
def test_a_new_starter_with_no_one_to_one_counts_from_their_first_due_day():
    facts = SuperviseeFacts(3, date(2026, 12, 1), {}, on_record_from=ON_RECORD)  # first 1:1 due 8 December
    assert in_date(facts, ONE_TO_ONE, date(2026, 12, 7), CAL) is None
    assert in_date(facts, ONE_TO_ONE, date(2026, 12, 8), CAL) is False
