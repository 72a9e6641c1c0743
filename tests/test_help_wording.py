"""The help card says what is true: audits are due by the month's deadline as the bot computes it
(December 2026's is Thursday 24 December, not the 28th), the QA unit is not sent to the server's
command line, and the allocation notice does not claim every case holder was reached."""
from __future__ import annotations

import json

import pytest

from capabilities.catalogue import registry
from dialogs.samples import audit_card_samples
from qa.framework import Role


@pytest.mark.fast
@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.PRACTICE_MANAGER, Role.SERVICE_LEAD, Role.QA_UNIT])
def test_help_names_no_fixed_due_day_nor_the_command_line(role):
    lines = " ".join(registry().help_lines(role))
    assert "due on the 28th" not in lines and "on the 28th" not in lines
    assert "command line" not in lines


@pytest.mark.fast
def test_the_allocation_notice_says_case_holders_on_the_roster_are_told():
    shown = json.dumps(audit_card_samples()["allocation_notice"])
    assert "Each case holder has been told" not in shown
    assert "Each case holder on the roster is told" in shown
