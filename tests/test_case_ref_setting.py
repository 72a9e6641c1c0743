"""QA_CASE_REF_PATTERN: the council's case-reference format, parsed once by capabilities/settings.py
(one line naming the variable for a bad value) and used by every place a case reference is typed
or imported (qa.identifiers.case_ref_problem)."""
from __future__ import annotations

from datetime import date

import pytest

from capabilities.registry import ConfigurationError
from capabilities.settings import CASE_REF_ENV, case_ref_format
from qa.allocations import AllocationProblems, PersonInfo, parse_allocations
from qa.identifiers import DEFAULT_CASE_REFS, case_ref_problem
from qa.supervision_files import SupervisionFileProblems, parse_caseload


def test_unset_or_blank_is_the_default():
    assert case_ref_format({}) == DEFAULT_CASE_REFS
    assert case_ref_format({CASE_REF_ENV: "  "}) == DEFAULT_CASE_REFS


@pytest.mark.parametrize("value, said", [("[A-Z", "is not a regular expression"), ("\\d*", "must not match an empty")])
def test_a_bad_pattern_is_one_line_naming_the_variable(value, said):
    with pytest.raises(ConfigurationError) as err:
        case_ref_format({CASE_REF_ENV: value})
    assert str(err.value).startswith(CASE_REF_ENV) and said in str(err.value) and "\n" not in str(err.value)


def test_the_councils_pattern_is_used_by_the_imports():
    mosaic = case_ref_format({CASE_REF_ENV: r"\d{7}"})
    assert case_ref_problem("1234567", mosaic) is None and case_ref_problem("CD-4810037", mosaic) is not None
    known = {"pm@council.gov.uk": PersonInfo(1, "pm@council.gov.uk", "practice_manager", ("CIN",)),
             "sw@council.gov.uk": PersonInfo(2, "sw@council.gov.uk", "practitioner", ("CIN",))}
    header = ["case_ref", "annex_a_list", "service_area", "team", "auditor_email", "case_holder_email", "theme"]
    rows = [dict(zip(header, ("CD-4810037", "List 6", "CIN", "T1", "pm@council.gov.uk", "", ""), strict=True))]
    assert parse_allocations(header, rows, known, "2026-12")  # the default format takes it
    with pytest.raises(AllocationProblems) as err:
        parse_allocations(header, rows, known, "2026-12", mosaic)
    assert "row 2, column case_ref: is not a case reference in this council's format" in str(err.value)
    caseload = [{"case_ref": "CD-4810037", "case_holder_email": "sw@council.gov.uk", "last_case_supervision_on": ""}]
    with pytest.raises(SupervisionFileProblems):
        parse_caseload(caseload, list(caseload[0]), known, date(2026, 12, 1), mosaic)
