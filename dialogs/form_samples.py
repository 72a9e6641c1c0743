"""Samples of an audit on a form of the council's own (dialogs/form_cards.py), for `cards dump` and the card
checks: every page of the largest example tool (docs/forms/fostering.json) filled in, a page with what to put
right, and the service lead's oversight request and whole audit with its answers and recommendations."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from dialogs import audit_cards as ac
from dialogs import form_cards
from qa.form_answers import ACTION, DUE, OWNER
from qa.forms import FormDefinition, form_from_data

Card = dict[str, Any]
EXAMPLE_FORM = Path(__file__).parents[1] / "docs" / "forms" / "fostering.json"  # checked by tests/test_audit_forms.py
# The shipped supervision audit form (framework 9.1), checked with the folder it is in use from.
SUPERVISION_FORM = Path(__file__).parents[1] / "capabilities" / "audit_forms" / "definitions" / "supervision.json"
# The supervision register's facts as the auditor sees them (capabilities/supervision/audit_facts.py).
REGISTER_FACTS = (
    ("Supervisor", "Priya Ramaswamy-Oyelaran"), ("1:1 cadence kept", "No: overdue since Tuesday 1 December 2026"),
    ("1:1s in the last 3 months", "3: 8 Sep 2026, 6 Oct 2026, 3 Nov 2026"),
    ("Last 1:1 length", "Short: 60 minutes (standard 90)"),
    ("Agreement last reviewed", "Monday 1 June 2026; overdue since Tuesday 1 December 2026"),
    ("Case supervision", "Not in date: 2 of 14 cases overdue"))


def example_form() -> FormDefinition:
    return form_from_data(json.loads(EXAMPLE_FORM.read_text(encoding="utf-8")))


def example_answers(form: FormDefinition) -> dict[str, Any]:
    """Every question answered, the narrative long."""
    answers: dict[str, Any] = {}
    for q in form.questions():
        if q.type == "grade":
            answers[q.id] = form.scales[q.scale].levels[1]
        elif q.type == "one_of":
            answers[q.id] = q.options[0]
        elif q.type == "several_of":
            answers[q.id] = list(q.options[:2])
        elif q.type == "yes_no":
            answers[q.id] = "yes"
        elif q.type == "number":
            answers[q.id] = 2
        elif q.type == "date":
            answers[q.id] = "2026-11-30"
        elif q.type == "text":
            answers[q.id] = ("Visits are on time and the child's wishes are recorded in their own words. "
                             * 60)[:q.max_length]
        else:
            answers[q.id] = [{ACTION: "Review the placement plan with the carers", OWNER: "pam.example@council.gov.uk",
                              DUE: "2027-01-15"}]
    return answers


def samples(first: ac.AllocationView, summary: ac.AuditSummary) -> dict[str, Card]:
    """`first`: an allocation as the auditor sees it; `summary`: a submitted audit (the default form's)."""
    form = example_form()
    answers = example_answers(form)
    cards = {f"own_form_page_{p.number}": form_cards.form_page_card(first, form, p.number, answers)
             for p in form_cards.pages(form)}
    cards["own_form_put_right"] = form_cards.form_page_card(
        first, form, 1, {}, {"overall_grade": "Answer \u201cOverall grade\u201d."}, elsewhere=(4,))
    # The header's grade is the form's overall grade, as the audit holds it: the two never differ.
    own = replace(summary, grade=answers["overall_grade"], form_title=form.title,
                  answers=tuple(form_cards.answer_lines(form, answers)),
                  recommendations=(("Review the placement plan with the carers", "Pam Example",
                                    "Friday 15 January 2027"),))
    cards["oversight_request_own_form"] = ac.oversight_request_card(own)
    supervision = form_from_data(json.loads(SUPERVISION_FORM.read_text(encoding="utf-8")))
    file = replace(first, allocation_id=first.allocation_id + 900, case_ref="SUP-300042", annex_a_list="Supervision file", theme="", kind="supervision",
                   facts=REGISTER_FACTS)
    cards["allocation_notice_supervision"] = ac.allocation_notice_card("Ann Example", "December 2026", [first, file])
    cards["oversight_request_supervision"] = ac.oversight_request_card(
        replace(own, case_ref="SUP-300042", kind="supervision", form_title=supervision.title,
                answers=tuple(form_cards.answer_lines(supervision, example_answers(supervision)))))
    cards["upload_request_supervision"] = ac.upload_request_card(
        own.audit_id, "SUP-300042", "Sam Example", datetime(2026, 12, 8, 10, tzinfo=UTC), UTC, date(2026, 12, 10),
        "Please talk the findings through at the next 1:1.", supervision=True)
    cards["supervision_form_page_1"] = form_cards.form_page_card(file, supervision, 1,
                                                                 example_answers(supervision))
    for n, page in enumerate(ac.whole_audit_pages(own), start=1):
        cards[f"whole_audit_own_form_page_{n}"] = page
    return cards
