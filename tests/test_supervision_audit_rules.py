"""Supervision audits' rules (qa/supervision_audit.py, through qa/allocations.py): a supervisee's supervision
file allocated by person, never a child's case; the auditor neither the supervisee nor their supervisor; a month
off 9.3's schedule allowed and said (framework 9.1, 9.3)."""
from __future__ import annotations

import json
from datetime import date

import pytest

from capabilities.audit_cycle.config import from_env
from capabilities.audit_forms import config
from capabilities.registry import ConfigurationError
from capabilities.supervision.audit_facts import fact_lines
from qa import supervision_audit as sup
from qa.allocations import COLUMNS, AllocationProblems, PersonInfo, parse_allocations
from qa.calendar import WorkingCalendar
from qa.forms import form_from_data
from qa.supervision import AGREEMENT, ONE_TO_ONE, CaseFacts, SuperviseeFacts
from storage.supervision import SupervisionFile

pytestmark = pytest.mark.fast

DEFAULT = json.loads((config.DEFAULT_DIR / "default.json").read_text(encoding="utf-8"))
SUPERVISION = json.loads((config.DEFAULT_DIR / "supervision.json").read_text(encoding="utf-8"))
FORMS = (form_from_data(DEFAULT), form_from_data(SUPERVISION))
PEOPLE = {p.email: p for p in (
    PersonInfo(1, "qa@council.gov.uk", "qa_unit", ("Children in Need",), team="QA Unit"),
    PersonInfo(2, "pm@council.gov.uk", "practice_manager", ("Children in Need",), team="CIN 1"),
    PersonInfo(3, "sw@council.gov.uk", "practitioner", ("Children in Need",), team="CIN 1",
               supervisor_email="pm@council.gov.uk"),
    PersonInfo(4, "lone@council.gov.uk", "practitioner", ("Children in Need",), team="CIN 1"),
    PersonInfo(5, "pm2@council.gov.uk", "practice_manager", ("Children in Need",), team="CIN 2"),
)}
HEADER = [*COLUMNS, "form", "audit_kind"]


def listed(auditor: str = "qa@council.gov.uk", supervisee: str = "sw@council.gov.uk", case_ref: str = "",
           **more: str) -> dict[str, str]:
    cells = {"case_ref": case_ref, "annex_a_list": "", "service_area": "", "team": "", "auditor_email": auditor,
             "case_holder_email": supervisee, "theme": "", "form": "", "audit_kind": "supervision"}
    return {**cells, **more}


def parse(*rows: dict[str, str], month: str = "2026-12"):
    return parse_allocations(HEADER, rows, PEOPLE, month, forms=FORMS)


def test_a_supervision_file_is_named_by_the_supervisees_roster_id_and_read_back():
    assert sup.file_ref(42) == "SUP-42" and sup.supervisee_of("sup-42") == 42
    assert sup.supervisee_of("CR-1001") is None and sup.supervisee_of("SUP-") is None


def test_a_supervision_row_takes_the_file_the_roster_and_the_supervision_form():
    (entry,) = parse(listed())
    assert (entry.case_ref, entry.kind, entry.form_name, entry.case_holder_id, entry.auditor_id) == (
        "SUP-3", "supervision", "supervision", 3, 1)
    assert (entry.annex_a_list, entry.service_area, entry.team) == (sup.FILE_LIST, "Children in Need", "CIN 1")
    # the file's own reference may be written; the kind may come from the form named
    (again,) = parse(listed(case_ref="sup-3", audit_kind="", form="Supervision", team="Given"))
    assert (again.case_ref, again.kind, again.team) == ("SUP-3", "supervision", "Given")


@pytest.mark.parametrize(("row", "expected"), [
    (listed(auditor="pm@council.gov.uk"),
     "row 2, column auditor_email: is sw@council.gov.uk's supervisor; a supervision file is audited by someone "
     "other than the supervisor"),
    (listed(auditor="pm2@council.gov.uk", supervisee="pm2@council.gov.uk"),
     "row 2, column case_holder_email: pm2@council.gov.uk has no supervisor on the roster"),
    (listed(supervisee="lone@council.gov.uk"),
     "row 2, column case_holder_email: lone@council.gov.uk has no supervisor on the roster"),
    (listed(supervisee=""), "row 2, column case_holder_email: is empty; a supervision audit names the supervisee"),
    (listed(case_ref="CR-1001"), "row 2, column case_ref: 'CR-1001' is not this supervision file's reference"),
])
def test_a_refused_supervision_row_names_row_and_column(row, expected):
    with pytest.raises(AllocationProblems) as caught:
        parse(row)
    assert str(caught.value.problems[0]).startswith(expected)


def test_the_auditor_may_not_be_the_supervisee():
    people = dict(PEOPLE)
    people["pm2@council.gov.uk"] = PersonInfo(5, "pm2@council.gov.uk", "practice_manager", ("Children in Need",),
                                              supervisor_email="qa@council.gov.uk")
    with pytest.raises(AllocationProblems) as caught:
        parse_allocations(HEADER, [listed(auditor="pm2@council.gov.uk", supervisee="pm2@council.gov.uk")], people,
                          "2026-12", forms=FORMS)
    assert "nobody audits their own supervision file" in str(caught.value)


def test_one_supervision_file_once_a_month():
    with pytest.raises(AllocationProblems) as caught:
        parse(listed(), listed(case_ref="SUP-3"))
    assert "the same case is allocated more than once" in str(caught.value)


def test_the_schedule_months_and_a_month_off_them():
    assert sup.parse_months("") == sup.SCHEDULE
    assert sup.parse_months(" 3, 9 3") == (3, 9)
    with pytest.raises(ValueError, match="'13' is not a month number"):
        sup.parse_months("1,13")
    assert sup.off_schedule_line("2026-12", sup.SCHEDULE, 2) is None
    assert sup.off_schedule_line("2026-11", sup.SCHEDULE, 0) is None
    assert sup.off_schedule_line("2026-11", sup.SCHEDULE, 1) == (
        "1 supervision audit allocated in 2026-11, a month the schedule does not mark for supervision audits "
        "(months 2, 4, 6, 8, 10, 12); allowed")
    assert from_env({"QA_SUPERVISION_AUDIT_MONTHS": "1,7"}).supervision_months == (1, 7)
    with pytest.raises(ConfigurationError, match="QA_SUPERVISION_AUDIT_MONTHS"):
        from_env({"QA_SUPERVISION_AUDIT_MONTHS": "May"})


def test_the_shipped_supervision_form_asks_no_child_details():
    labels = " ".join(q.label + " " + q.help for q in FORMS[1].questions()).casefold()
    assert FORMS[1].kind == "supervision"
    assert "child's name" not in labels and "date of birth" not in labels and "address" not in labels


def test_the_auditor_sees_the_registers_facts_judged_by_the_supervision_rules():
    today = date(2026, 12, 8)
    facts = SuperviseeFacts(3, None, {ONE_TO_ONE: date(2026, 11, 17), AGREEMENT: date(2026, 3, 2)},
                            cases=(CaseFacts("CR-1", date(2026, 9, 1), date(2026, 1, 5)),
                                   CaseFacts("CR-2", date(2026, 11, 30), date(2026, 1, 5))),
                            last_one_to_one_minutes=95, on_record_from=date(2026, 1, 5))
    lines = dict(fact_lines(SupervisionFile(facts, (date(2026, 10, 20), date(2026, 11, 17)), "Pam Example"),
                            today, WorkingCalendar()))
    assert lines["Supervisor"] == "Pam Example"
    assert lines["1:1 cadence kept"].startswith("Yes: next due ")
    assert lines["1:1s in the last 3 months"] == "2: 20 Oct 2026, 17 Nov 2026"
    assert lines["Last 1:1 length"] == "At least 90 minutes"
    assert lines["Agreement last reviewed"].startswith("Monday 2 March 2026; overdue since ")
    assert lines["Case supervision"] == "Not in date: 1 of 2 cases overdue"
    assert "CR-1" not in str(lines)  # counts, never the cases themselves
    none = dict(fact_lines(SupervisionFile(SuperviseeFacts(3, None, {}, on_record_from=today), (), "Pam Example"),
                           today, WorkingCalendar()))
    assert none["1:1s in the last 3 months"] == "None recorded" and none["Case supervision"] == "No caseload on record"
    assert none["1:1 cadence kept"].startswith("First 1:1 not yet due")
