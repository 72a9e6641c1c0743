"""Answers to a form defined as data, checked against it (qa/form_answers.py), and form versions kept
whole (storage/audit_forms.py) on both databases."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from qa.form_answers import OVERALL_QUESTION, check_answers, key_area_answers, overall_grade, recommendations
from qa.forms import NOT_APPLICABLE, form_from_data, problems
from storage.audit_forms import FormVersionConflictError, kept_versions, record_version, stored_form

DATA = {
    "name": "fostering", "title": "Fostering audit", "version": 1, "kind": "case",
    "scales": {"ofsted": ["Outstanding", "Good", "Requires Improvement", "Inadequate"]},
    "sections": [
        {"id": "overall", "title": "Overall", "questions": [
            {"id": OVERALL_QUESTION, "type": "grade", "scale": "ofsted", "label": "Overall grade",
             "required": True, "key_area": None}]},
        {"id": "areas", "title": "Areas", "questions": [
            {"id": "plan", "type": "grade", "scale": "ofsted", "label": "Planning", "required": True,
             "not_applicable": True, "key_area": "Planning"},
            {"id": "chronology", "type": "grade", "scale": "ofsted", "label": "Chronology", "required": True,
             "key_area": "Narrative/History"},
            {"id": "visits", "type": "number", "label": "Visits in date", "minimum": 0, "maximum": 20,
             "key_area": None},
            {"id": "concern", "type": "yes_no", "label": "A concern?", "required": True, "key_area": None},
            {"id": "concern_text", "type": "text", "label": "The concern", "max_length": 20,
             "required_when": "concern", "key_area": None},
            {"id": "tools", "type": "several_of", "label": "Tools used", "options": ["Genogram", "Ecomap"],
             "key_area": None},
            {"id": "reviewed", "type": "date", "label": "Plan reviewed on", "key_area": None}]},
    ]}
FORM = form_from_data(DATA)
GOOD = {OVERALL_QUESTION: "Good", "plan": NOT_APPLICABLE, "chronology": "Inadequate", "concern": "no"}



def test_a_complete_submission_has_no_problems():
    assert check_answers(FORM, GOOD) == {}


def test_each_required_question_is_named_when_missing():
    errors = check_answers(FORM, {})
    assert set(errors) == {OVERALL_QUESTION, "plan", "chronology", "concern"}
    assert "Planning" in errors["plan"]


def test_a_draft_may_leave_required_answers_but_not_wrong_ones():
    assert check_answers(FORM, {}, submitting=False) == {}
    assert set(check_answers(FORM, {"plan": "Great"}, submitting=False)) == {"plan"}


def test_required_when_a_yes_no_is_answered_yes():
    assert set(check_answers(FORM, {**GOOD, "concern": "yes"})) == {"concern_text"}
    assert check_answers(FORM, {**GOOD, "concern": "yes", "concern_text": "x" * 21}) == {
        "concern_text": "Please keep \u201cThe concern\u201d under 20 characters."}


@pytest.mark.parametrize(("qid", "value"), [
    ("chronology", NOT_APPLICABLE), (OVERALL_QUESTION, "Great"), ("visits", 21), ("visits", "3"),
    ("visits", True), ("concern", "maybe"), ("tools", ["Genogram", "Tarot"]), ("tools", "Genogram"),
    ("reviewed", "7 Dec 2026"), ("reviewed", "2026-02-30"), ("elsewhere", "x")])
def test_a_value_of_the_wrong_shape_is_refused(qid, value):
    assert qid in check_answers(FORM, {**GOOD, qid: value})


def test_a_page_is_checked_alone():
    assert set(check_answers(FORM, {}, only=["plan", "visits"])) == {"plan"}


def test_overall_grade_and_key_areas_with_not_applicable_apart():
    assert overall_grade(FORM, GOOD) == "Good"
    assert key_area_answers(FORM, GOOD) == [("Planning", NOT_APPLICABLE), ("Narrative/History", "Inadequate")]
    no_overall = form_from_data({**DATA, "sections": DATA["sections"][1:]})
    assert overall_grade(no_overall, GOOD) is None


async def test_a_version_is_kept_whole_and_an_edit_needs_a_new_one(db):
    now = datetime(2026, 12, 7, 9, tzinfo=UTC)
    text = json.dumps(DATA)
    async with db.sessions.begin() as session:
        assert await record_version(session, FORM, text, now) is True
        assert await record_version(session, FORM, json.dumps(DATA, indent=2), now) is False
    edited = {**DATA, "title": "Fostering audit (new)"}
    async with db.sessions() as session:
        with pytest.raises(FormVersionConflictError, match="version 2"):
            await record_version(session, form_from_data(edited), json.dumps(edited), now)
    async with db.sessions.begin() as session:
        await record_version(session, form_from_data({**edited, "version": 2}), json.dumps({**edited, "version": 2}), now)
    async with db.sessions() as session:
        assert (await stored_form(session, "fostering", 1)) == FORM
        assert (await stored_form(session, "fostering", 2)).title == "Fostering audit (new)"
        assert await stored_form(session, "fostering", 3) is None
        assert [(n, v) for n, v, _, _ in await kept_versions(session)] == [("fostering", 1), ("fostering", 2)]


REC_DATA = {**DATA, "sections": [*DATA["sections"], {
    "id": "narrative", "title": "In your own words", "narrative": True, "questions": [
        {"id": "recs", "type": "recommendations", "label": "Recommendations", "rows": 2, "max_length": 30,
         "key_area": None}]}]}


def test_recommendations_are_whole_on_submission_and_may_be_half_written_in_a_draft():
    form = form_from_data(REC_DATA)
    assert problems(REC_DATA) == []
    row = {"action": "Review the plan", "owner": "pam@council.gov.uk", "due": "2027-01-15"}
    assert check_answers(form, {**GOOD, "recs": [row]}) == {}
    assert recommendations(form, {**GOOD, "recs": [row]}) == [("Review the plan", "pam@council.gov.uk", "2027-01-15")]
    half = {**GOOD, "recs": [row, {"action": "Agree contact", "owner": "", "due": ""}]}
    assert check_answers(form, half) == {"recs": "Recommendation 2: give the work email of the person who owns it."}
    assert check_answers(form, half, submitting=False) == {}
    assert check_answers(form, {**GOOD, "recs": [{**row, "due": "soon"}]}) == {
        "recs": "Recommendation 1: give the date it is due by."}
    assert "at most 2" in check_answers(form, {**GOOD, "recs": [row] * 3})["recs"]
    assert "under 30 characters" in check_answers(form, {**GOOD, "recs": [{**row, "action": "x" * 31}]},
                                                  submitting=False)["recs"]
    graded = json.loads(json.dumps(REC_DATA))
    graded["sections"][-1]["questions"][0]["key_area"] = "Planning"
    assert [p.message for p in problems(graded)] == ["question 'recs': recommendations inform no key area; use null"]
