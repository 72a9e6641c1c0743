"""Induction's cards (dialogs/induction_cards.py): within Teams' 28 KB at their largest, buttons carrying ids only,
Done until signed off, Confirm on what was signed off, and the manager's card cut to what fits."""
from __future__ import annotations

import json
from datetime import date

import pytest

from dialogs import induction_cards as ic
from dialogs import induction_samples
from qa.induction import DUE, OVERDUE, SIGNED
from tests.support.cards import buttons

pytestmark = pytest.mark.fast
LIMIT = 28 * 1024


def test_every_sample_is_within_28_kb_and_version_1_5():
    for name, card in induction_samples.samples().items():
        assert card["version"] == "1.5", name
        assert len(json.dumps(card).encode()) < LIMIT, name


def test_the_plan_has_done_on_each_element_not_yet_signed_off():
    lines = (ic.ElementLine("organisation", "The organisation", date(2027, 1, 8), OVERDUE),
             ic.ElementLine("policies", "Policies", date(2027, 1, 8), SIGNED, date(2027, 1, 7)),
             ic.ElementLine("shadowing", "Shadowing", date(2027, 1, 29), DUE))
    card = ic.plan_card(ic.PlanView(7, "Induction", date(2027, 1, 4), "Pia Marsh", lines))
    assert buttons(card) == [("Done", ic.Verb.DONE, {"line": "n7-organisation"}),
                             ("Done", ic.Verb.DONE, {"line": "n7-shadowing"})]
    text = json.dumps(card)
    assert "Overdue: due by Friday 8 January 2027" in text
    assert "Signed off on Thursday 7 January 2027; waiting for Pia Marsh to confirm" in text
    assert "1 of 3 signed off" in text


def test_the_manager_confirms_each_or_all_and_the_card_keeps_to_its_size():
    card = ic.confirm_card(induction_samples.confirm_view())
    assert len(json.dumps(card).encode()) < LIMIT
    assert "more starters, not listed here" in json.dumps(card)
    one = ic.confirm_card(induction_samples.confirm_view(1))
    confirms = [b for b in buttons(one) if b[1] == ic.Verb.CONFIRM]
    assert confirms and all(b[2]["starter_id"] == 100_000 for b in confirms)
    assert (f"Confirm all {len(confirms)} signed off", ic.Verb.CONFIRM_ALL, {"starter_id": 100_000}) in buttons(one)


def test_an_element_key_reads_back_and_refuses_anything_else():
    assert ic.read_element_key(ic.element_key(12, "case_recording")) == (12, "case_recording")
    for bad in ("n0-a", "n12-", "n12-Case", "12-a", None, 12, "n12-a-b"):
        assert ic.read_element_key(bad) is None
