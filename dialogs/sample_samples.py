"""The audit sample's cards from fictional data at their largest realistic size: 600 managers'
proposal (the counts cut at dialogs.sample_cards.SHOWN), with the longest names and unmet lines.
Staff names and case references only. dialogs/samples.py adds these to the catalogue."""
from __future__ import annotations

from typing import Any

from dialogs import sample_cards as sc

Card = dict[str, Any]
_NAMES = ("Oluwaseun Adebayo-Richardson", "Siobhán O’Donnell-McAllister", "Krzysztof Wiśniewski",
          "Małgorzata Kowalczyk-Henderson", "Aoife Ní Bhriain", "Chiamaka Okonkwo-Bamidele")


def view(used: str = "") -> sc.ProposalView:
    areas = [(f"Children's Social Care {n}: Locality Safeguarding and Family Help", 100 - n) for n in range(8)]
    lists = [(f"List {n}", 60 - n) for n in range(1, 12)]
    auditors = [(f"{_NAMES[n % 6]} {n}", 1 + n % 2) for n in range(600)]
    unmet = [f"{_NAMES[n % 6]} {n} has no case: none left that they may audit" for n in range(60)]
    return sc.ProposalView(2_147_483_647, "2027-01", "9223372036854775806", "Annex A extract January 2027 (all lists).xlsx",
                           620, 20, areas, lists, auditors, unmet, used)


def samples() -> dict[str, Card]:
    return {
        "sample_proposal": sc.proposal_card(view()),
        "sample_proposal_used": sc.proposal_card(view("used by Aoife Ní Bhriain, Thursday 7 January 2027, 09:05")),
        "sample_used": sc.sample_used_card("2027-01", "Used by Aoife Ní Bhriain, Thursday 7 January 2027, 09:05: 620 "
                                           "allocated, 0 updated, 0 withdrawn. The auditors are told on the 3rd."),
        "sample_none": sc.no_sample_card("No audit sample has been proposed yet."),
    }
