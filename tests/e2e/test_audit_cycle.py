"""A month of the audit cycle in Microsoft 365 Agents Playground, as the auditor and the service
lead see it: install and welcome, help, the allocation notice on the 3rd, the audit form filled in
and submitted, the oversight request confirmed, the upload recorded.

Screenshots of each step: build/e2e/. The demo data: playground/demo-roster.csv and
demo-allocations.csv (Daniel Kowalski audits CP-204817; Sunita Rao leads its service area).
"""
from __future__ import annotations

import pytest

from dialogs.card_kit import format_month
from playground import run as demo
from tests.e2e.chat import Chat

pytestmark = pytest.mark.e2e

CASE = "CP-204817"
VIEWPORT = {"width": 1400, "height": 1000}


def chat_for(browser, instance: demo.Instance, name: str, shots) -> Chat:
    return Chat(browser.new_page(viewport=VIEWPORT), name, instance.url, shots)


def deliver_queued(demo_stack) -> str:
    """Messages that people's actions queue go at the next send moment (working hours) by the
    served bot's clock, the real one. The demo month's allocation moment is later than any such
    moment (conftest.DEMO_NOW), so a tick there delivers them whatever the day and time of the run;
    the moment's own duties ran at the allocation notice, so only the outbox moves."""
    return demo.tick(demo.allocation_moment(demo_stack.month, demo_stack.cal), demo_stack.database_url)


def case_section(card, case_ref: str, other_ref: str):
    """The part of a card listing several cases that is about `case_ref`."""
    return card.locator(".ac-container").filter(has_text=f"Case {case_ref}").filter(
        has_not_text=f"Case {other_ref}").first


def test_a_month_in_the_playground(demo_stack, browser, shots):
    auditor = chat_for(browser, demo_stack.auditor, "auditor", shots)
    lead = chat_for(browser, demo_stack.service_lead, "service-lead", shots)

    # Installed: each page load installs the app; the bot links the chat to the roster and welcomes.
    auditor.open()
    welcome = auditor.expect_card("Welcome to the QA bot", "Daniel Kowalski", "practice manager", "Northfield Team",
                                  "Sunita Rao", "Morgan Ellis")
    auditor.shot("welcome", welcome)
    lead.open()
    lead.shot("welcome", lead.expect_card("Welcome to the QA bot", "Sunita Rao", "service lead",
                                          "Family Help & Protection"))

    # Chat basics.
    auditor.say("help")
    auditor.shot("help", auditor.expect_card("What I can do", "practice manager", "whoami"))

    # The 3rd: the allocation notice.
    month_label = format_month(demo_stack.month)
    report = demo.tick(demo.allocation_moment(demo_stack.month, demo_stack.cal), demo_stack.database_url)
    assert "allocation-notice" in report
    notice = auditor.expect_card(f"Your audit allocation for {month_label}", "Daniel Kowalski", "2 cases",
                                 CASE, "CIN-311052", "Aisha Rahman", "Start audit", "I can't do this audit")
    auditor.shot("allocation-notice", notice)

    # Start audit: the notice's section says so in place; the form comes as a new message.
    cards_before = auditor.cards().count()
    auditor.press(case_section(notice, CASE, "CIN-311052"), "Start audit")
    form = auditor.expect_card(f"Audit: case {CASE}", "Overall grade", "Narrative/History", "Submit audit")
    assert auditor.cards().count() == cards_before + 1
    auditor.expect_card(f"Your audit allocation for {month_label}", "Audit started by Daniel Kowalski",
                        "Continue audit", "CIN-311052")
    auditor.shot("audit-form", form.get_by_role("heading").first)

    # Fill in and submit: the form is replaced in place by what was done.
    auditor.choose(form, "Overall grade", "Good")
    grades = {"Narrative/History": "Good", "Assessment and Analysis": "Requires Improvement", "Planning": "Good",
              "Relationship": "Outstanding", "Outcomes": "Good", "Supervision": "Requires Improvement",
              "Management oversight": "Good"}
    for area, grade in grades.items():
        auditor.choose(form, area, grade)
    form.get_by_role("textbox", name="Strengths").fill("Plan reviewed on time; the child's wishes recorded.")
    form.get_by_role("textbox", name="Areas for improvement").fill("Chronology needs updating.")
    form.get_by_role("checkbox", name="The discussion with the case holder took place").check()
    auditor.shot("audit-form-filled", form.get_by_role("button", name="Submit audit"))
    cards_before = auditor.cards().count()
    auditor.press(form, "Submit audit")
    submitted = auditor.expect_card(f"Audit: case {CASE}", "Audit submitted by Daniel Kowalski", "Good",
                                    "Oversight by the service lead")
    assert auditor.cards().count() == cards_before, "the form was not updated in place"
    assert submitted.get_by_role("button").count() == 0
    auditor.shot("audit-submitted", submitted)

    # The service lead gets the oversight request and confirms it.
    deliver_queued(demo_stack)
    request = lead.expect_card(f"Oversight needed: case {CASE}", "Daniel Kowalski", "Aisha Rahman", "Good",
                               "Requires Improvement", "Chronology needs updating.", "Confirm oversight", "Dispute")
    lead.shot("oversight-request", request)
    cards_before = lead.cards().count()
    lead.press(request, "Confirm oversight")  # opens the comment box (Action.ShowCard)
    request.get_by_role("textbox", name="Comment (optional)").fill("Agree with the grade.")
    lead.shot("oversight-comment", request.get_by_role("textbox", name="Comment (optional)"))
    request.get_by_role("button", name="Confirm oversight", exact=True).last.click()
    confirmed = lead.expect_card(f"Oversight needed: case {CASE}", "Oversight confirmed by Sunita Rao",
                                 "The auditor uploads the audit to Care Director")
    assert lead.cards().count() == cards_before, "the oversight request was not updated in place"
    lead.shot("oversight-confirmed", confirmed)

    # The auditor is asked to upload the audit, and says it is done: the audit is complete.
    deliver_queued(demo_stack)
    upload = auditor.expect_card(f"Upload the audit: case {CASE}", "Sunita Rao", "Agree with the grade.",
                                 "Uploaded to Care Director")
    auditor.press(upload, "Uploaded to Care Director")
    done = auditor.expect_card(f"Upload the audit: case {CASE}", "Uploaded to Care Director by Daniel Kowalski",
                               "Complete")
    auditor.shot("audit-complete", done)

    auditor.assert_no_render_errors()
    lead.assert_no_render_errors()
    assert not demo_stack.stack.exited()
