"""One observation of practice recorded in Microsoft 365 Agents Playground (issue 12): the demo
practice manager, Daniel Kowalski, types `observe`, answers each question as its hero card's
buttons send it (Tom Fletcher, today, an area of practice, what went well, what to develop, one
action, Done), checks the summary and saves; `observations status` then counts Tom observed.

Screenshots of each step: build/e2e/. The demo roster: playground/demo-roster.csv.
"""
from __future__ import annotations

import re

import pytest

from capabilities.observations import flow, observe
from playground import run as demo
from tests.e2e.chat import Chat

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1400, "height": 1000}


def wait_for(chat: Chat, text: str) -> None:
    chat.wait_for_log("(" + re.escape(text) + ")")


def test_an_observation_in_the_playground(demo_stack, browser, shots):
    manager = Chat(browser.new_page(viewport=VIEWPORT), "observer", demo_stack.auditor.url, shots)
    manager.open()
    manager.say("observe")
    wait_for(manager, observe.WHOM_Q)
    manager.shot("observe-whom")
    manager.say("Tom Fletcher")  # as the hero card's button sends it (imBack)
    wait_for(manager, observe.WHEN_Q)
    manager.say("Today")
    wait_for(manager, observe.AREA_Q)
    manager.say("Interview with parents or carers")
    wait_for(manager, "What went well?")
    manager.say("Clear, warm explanation of the plan")
    wait_for(manager, "What to develop?")
    manager.say("Check understanding before closing")
    wait_for(manager, "The action plan: type the first action.")
    manager.say("Use the family's own words in the plan")
    wait_for(manager, "Action 2: type another action, or tap Done.")
    manager.say("Done")
    wait_for(manager, "Observed: Tom Fletcher")
    manager.shot("observe-summary")
    manager.say("Save")
    wait_for(manager, flow.OBSERVATION_SAVED.format(name="Tom Fletcher"))
    manager.shot("observe-saved")
    manager.assert_no_render_errors()
    status = demo.bot_cli(["observations", "status"], demo_stack.database_url)
    assert "Northfield Team: 1 of 3 (33%)" in status, status  # Daniel, Tom and Liam have supervisors
