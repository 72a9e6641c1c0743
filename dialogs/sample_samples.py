"""The audit sample's cards from fictional data at their largest realistic size: 600 managers'
proposal (the counts cut at dialogs.sample_cards.SHOWN), with the longest names and unmet lines.
Staff names and case references only. dialogs/samples.py adds these to the catalogue."""
from __future__ import annotations

from typing import Any

from dialogs import sample_cards as sc

Card = dict[str, Any]
_NAMES = ("Oluwaseun Adebayo-Richardson", "Siobhán O’Donnell-McAllister", "Krzysztof Wiśniewski",
          "Małgorzata Kowalczyk-Henderson", "Aoife Ní Bhriain", "Chiamaka Okonkwo-Bamidele")


def view(used: str = "", note: str = "") -> sc.ProposalView:
    areas = [(f"Children's Social Care {n}: Locality Safeguarding and Family Help", 100 - n) for n in range(8)]
    lists = [(f"List {n}", 60 - n) for n in range(1, 12)]
    auditors = [(f"{_NAMES[n % 6]} {n}", 1 + n % 2) for n in range(600)]
    unmet = [f"{_NAMES[n % 6]} {n} has no case: none left that they may audit" for n in range(60)]
    return sc.ProposalView(2_147_483_647, "2027-01", "9223372036854775806", "Annex A extract January 2027 (all lists).xlsx",
                           620, 20, areas, lists, auditors, unmet, used, note=note)


def small_view() -> sc.ProposalView:
    """A council of 40 auditors: every case listed, the case and the auditor chosen from drop-downs."""
    refs = [f"CR-{9_000_000 + n}" for n in range(40)]
    names = [(n + 1, f"{_NAMES[n % 6]} {n}") for n in range(60)]
    cases = [(ref, f"List {6 + n % 3}, Children's Social Care {n % 8}: Locality Safeguarding: {names[n][1]}")
             for n, ref in enumerate(refs)]
    return sc.ProposalView(2_147_483_647, "2027-01", "9223372036854775806", "Annex A January 2027.xlsx", 40, 2,
                           [("North Area", 20), ("South Area", 20)], [("List 6", 14), ("List 7", 13), ("List 8", 13)],
                           [(name, 1) for _, name in names[:40]], [f"{names[n][1]} has no case: none left that they may "
                                                                     "audit" for n in range(40, 60)],
                           cases_listed=cases, case_refs=refs, auditors=names,
                           note=f"Swapped {refs[0]} for {refs[1]} (List 6, North Area), still {names[0][1]}'s.")


def samples() -> dict[str, Card]:
    return {
        "sample_proposal": sc.proposal_card(view()),
        "sample_proposal_changed": sc.proposal_card(view(note="Moved CR-9000001 to " + _NAMES[1] + " 1.")),
        "sample_proposal_small": sc.proposal_card(small_view()),
        "sample_proposal_used": sc.proposal_card(view("used by Aoife Ní Bhriain, Thursday 7 January 2027, 09:05")),
        "sample_used": sc.sample_used_card("2027-01", "Used by Aoife Ní Bhriain, Thursday 7 January 2027, 09:05: 620 "
                                           "allocated, 0 updated, 0 withdrawn. The auditors are told on the 3rd."),
        "sample_none": sc.no_sample_card("No audit sample has been proposed yet."),
    }
