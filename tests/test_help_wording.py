"""The help card says what is true: audits are due by the month's deadline as the bot computes it
(December 2026's is Thursday 24 December, not the 28th), the QA unit is not sent to the server's
command line, and the allocation notice does not claim every case holder was reached."""
from __future__ import annotations

import json

import pytest

from capabilities.catalogue import registry
from dialogs.common_cards import help_card
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


@pytest.mark.fast
@pytest.mark.parametrize("role", list(Role))
def test_help_names_no_fixed_oversight_day(role):
    # The oversight deadline is the last working day on or before the 6th (Wednesday 6 January 2027 for
    # December 2026, Friday 5 February for January, whose 6th is a Saturday), later for an audit reaching
    # its service lead late: help points to the date on the card.
    lines = " ".join(registry().help_lines(role))
    assert "by the 6th" not in lines
    if role == Role.SERVICE_LEAD:
        assert "by the oversight deadline on the card" in lines


@pytest.mark.fast
def test_the_help_for_someone_not_on_the_roster_names_no_fixed_day():
    shown = json.dumps(help_card(None))
    assert "by the 6th" not in shown and "before the 28th" not in shown
    assert "each card gives its own date" in shown


@pytest.mark.fast
def test_help_says_the_analysis_day_moves_and_reads_as_sentences():
    for role in (Role.QA_UNIT, Role.PRINCIPAL_SOCIAL_WORKER, Role.SERVICE_LEAD):
        lines = registry().help_lines(role)
        assert not any(". For the whole service." in line for line in lines), role
    qa = " ".join(registry().help_lines(Role.QA_UNIT))
    assert "on the 7th (the next working day when the 7th is not one)" in qa
    assert "supervision compliance per team, for the whole service," in qa
