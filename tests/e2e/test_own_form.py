"""An audit on one of the council's own forms in Microsoft 365 Agents Playground: the auditor's allocation names
a two-page form; Start audit brings its first page, Next the second (the first kept as the draft), Submit with
a recommendation sends it for oversight, and the service lead's request shows the answers and the
recommendation. Screenshots: build/e2e/."""
from __future__ import annotations

import json
import os
import sqlite3
from datetime import date, timedelta

import pytest

from capabilities.audit_forms import config
from playground import run as demo
from tests.e2e.chat import Chat

pytestmark = pytest.mark.e2e

CASE = "CP-204817"
VIEWPORT = {"width": 1400, "height": 1400}
FORM = {
    "name": "child_protection_review", "title": "Child protection review", "version": 1, "kind": "case",
    "scales": {"ofsted": ["Outstanding", "Good", "Requires Improvement", "Inadequate"]},
    "sections": [
        {"id": "judgement", "title": "Judgement", "questions": [
            {"id": "overall_grade", "type": "grade", "scale": "ofsted", "label": "Overall grade", "required": True,
             "key_area": None},
            {"id": "planning", "type": "grade", "scale": "ofsted", "label": "Planning", "required": True,
             "not_applicable": True, "key_area": "Planning"}]},
        {"id": "narrative", "title": "In your own words", "narrative": True, "questions": [
            {"id": "lived_experience", "type": "text", "label": "The child's lived experience", "max_length": 2000,
             "required": True, "key_area": None},
            {"id": "recommendations", "type": "recommendations", "label": "Recommendations", "rows": 2,
             "max_length": 500, "key_area": None}]},
    ]}


@pytest.fixture(scope="module")
def forms_env(tmp_path_factory):
    """The served bot reads QA_FORMS_DIR from the environment it inherits: the default form and the one above."""
    folder = tmp_path_factory.mktemp("forms")
    (folder / "default.json").write_text((config.DEFAULT_DIR / "default.json").read_text(encoding="utf-8"),
                                         encoding="utf-8")
    (folder / "child_protection_review.json").write_text(json.dumps(FORM), encoding="utf-8")
    before = os.environ.get("QA_FORMS_DIR")
    os.environ["QA_FORMS_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("QA_FORMS_DIR", None)
    else:
        os.environ["QA_FORMS_DIR"] = before


def test_a_two_page_form_filled_in_the_playground(forms_env, demo_stack, browser, shots):
    assert os.environ["QA_FORMS_DIR"] == str(forms_env)  # set before the stack started: the bot reads it
    path = demo_stack.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:  # as the allocation import would set it from the list's form column
        db.execute("UPDATE allocations SET form_name = ? WHERE case_ref = ?", (FORM["name"], CASE))
    auditor = Chat(browser.new_page(viewport=VIEWPORT), "own-form-auditor", demo_stack.auditor.url, shots)
    lead = Chat(browser.new_page(viewport=VIEWPORT), "own-form-lead", demo_stack.service_lead.url, shots)
    auditor.open()
    auditor.card("Welcome to the QA bot")
    lead.open()
    lead.card("Welcome to the QA bot")

    demo.tick(demo.allocation_moment(demo_stack.month, demo_stack.cal), demo_stack.database_url)
    notice = auditor.expect_card("Your audit allocation", CASE, "Start audit")
    notice.locator(".ac-container").filter(has_text=f"Case {CASE}").filter(
        has_not_text="Case CIN-311052").first.get_by_role("button", name="Start audit", exact=True).first.click()

    first = auditor.expect_card(f"Audit: case {CASE}", "Child protection review (version 1)", "Page 1 of 2: Judgement",
                                "Overall grade (required)", "Next", "Save draft")
    auditor.shot("own-form-page-1", first)
    auditor.choose(first, "Overall grade (required)", "Good")
    auditor.choose(first, "Planning (required)", "Not applicable")
    auditor.press(first, "Next")
    second = auditor.expect_card("Page 2 of 2: In your own words", "The child's lived experience (required)",
                                 "Recommendation 1: what is to be done", "Submit audit")
    second.get_by_role("textbox", name="The child's lived experience (required)").fill(
        "The child says visits feel safe; their wishes are recorded in their own words.")
    second.get_by_role("textbox", name="Recommendation 1: what is to be done").first.fill(
        "Review the safety plan with the family")
    second.get_by_role("textbox", name="Who owns it (their work email)").first.fill(
        "grace.mbeki@demo-council.example.gov.uk")
    second.get_by_label("Due by").first.fill((date.today() + timedelta(days=30)).isoformat())
    auditor.shot("own-form-page-2", second)
    auditor.press(second, "Submit audit")
    auditor.expect_card(f"Audit: case {CASE}", "Audit submitted by Daniel Kowalski", "Good")

    demo.tick(demo.allocation_moment(demo_stack.month, demo_stack.cal), demo_stack.database_url)
    request = lead.expect_card(f"Oversight needed: case {CASE}", "Answers: Child protection review",
                               "The child says visits feel safe", "Recommendations, as remedial actions",
                               "Review the safety plan with the family", "Grace Mbeki", "Confirm oversight")
    lead.shot("own-form-oversight", request)
    auditor.assert_no_render_errors()
    lead.assert_no_render_errors()
    assert not demo_stack.stack.exited()
