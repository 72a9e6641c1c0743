"""The welcome and whoami cards say true things: the only QA unit member is not told to tell herself,
and a team named by the role is not repeated ("member of the Quality Assurance Unit in Quality
Assurance Unit")."""
from __future__ import annotations

import json

import pytest

from dialogs.common_cards import Profile, welcome_card, welcome_summary, whoami_card, whoami_summary
from qa.framework import Role

MORGAN = Profile("Morgan Ellis", Role.QA_UNIT, "Quality Assurance Unit")
PAT = Profile("Pat Example", Role.PRACTITIONER, "North Team 1")


@pytest.mark.fast
def test_the_qa_contact_is_not_told_to_tell_herself():
    for card in (welcome_card(MORGAN, qa_contact="Morgan Ellis"), whoami_card(MORGAN, qa_contact="Morgan Ellis")):
        shown = json.dumps(card)
        assert "tell Morgan Ellis" not in shown
        assert "please correct your entry in the roster (or ask your IT team)" in shown
    assert "please tell Morgan Ellis in the QA unit" in json.dumps(welcome_card(PAT, qa_contact="Morgan Ellis"))
    assert "please tell Morgan Ellis in the QA unit" in json.dumps(whoami_card(PAT, qa_contact="Morgan Ellis"))


@pytest.mark.fast
def test_a_team_the_role_names_is_not_repeated():
    assert welcome_summary(MORGAN).endswith("a member of the Quality Assurance Unit.")
    assert whoami_summary(MORGAN) == "You are Morgan Ellis, a member of the Quality Assurance Unit."
    assert whoami_summary(PAT) == "You are Pat Example, a practitioner in North Team 1."
