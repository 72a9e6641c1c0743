"""The month's proposed audit sample in chat (framework 9.3, "Selection and distribution"): the QA unit
types `sample` and sees the proposal (counts per service area, list and auditor; what the rules could
not satisfy) with **Use this sample**, which makes it the month's allocations. Pure: data in, card out.
Case references and staff names only."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dialogs.card_kit import action_set, card, container, execute, facts, format_month, heading, text

USE_VERB = "sample.use"  # data {"month": "2027-01", "proposal_id": 7}: confirm that proposal
SHOWN = 40  # rows of a count or of the unmet list shown before "and N more": keeps the card under 28 KB


@dataclass(frozen=True)
class ProposalView:
    """A proposal as the card shows it: its id, month, seed (text: a card's numbers are doubles), the file it
    came from, counts (name, n) per area, list and auditor, the unmet sentences, and when it was used."""

    proposal_id: int
    month: str
    seed: str
    source_name: str
    cases: int
    reaudits: int
    per_area: Sequence[tuple[str, int]]
    per_list: Sequence[tuple[str, int]]
    per_auditor: Sequence[tuple[str, int]]
    unmet: Sequence[str]
    used: str = ""  # "used by Quinn Example, 7 December 2026" once confirmed


def _counts(title: str, pairs: Sequence[tuple[str, int]]) -> list[dict]:
    shown = [(name or "(none)", f"{n:,}") for name, n in pairs[:SHOWN]]
    if len(pairs) > SHOWN:
        shown.append((f"and {len(pairs) - SHOWN:,} more", ""))
    return [text(title, weight="Bolder"), facts(shown)] if shown else []


def proposal_card(view: ProposalView) -> dict:
    """The proposal, with **Use this sample** unless it was used."""
    body: list[dict] = [heading(f"Audit sample for {format_month(view.month)}"),
                        text(f"{view.cases:,} cases from {view.source_name}"
                             + (f", {view.reaudits:,} of them re-audits" if view.reaudits else "")
                             + f". Drawn with seed {view.seed}: the same file and seed draw it again.", subtle=True)]
    body += _counts("Per service area", view.per_area)
    body += _counts("Per Annex A list", view.per_list)
    body += _counts("Per auditor", view.per_auditor)
    if view.unmet:
        lines = list(view.unmet[:SHOWN]) + ([f"and {len(view.unmet) - SHOWN:,} more"] if len(view.unmet) > SHOWN else [])
        body.append(container([text("Could not be satisfied", weight="Bolder", color="Attention")]
                              + [text(f"• {line}") for line in lines], separator=True))
    if view.used:
        body.append(text(f"This sample was {view.used}: it is the month's allocations.", weight="Bolder"))
        return card(body)
    body.append(text("Use this sample to make it the month's allocations, as an allocation list would: the "
                     "auditors are told on the 3rd (at once when the 3rd has passed).", subtle=True))
    body.append(action_set([execute("Use this sample", USE_VERB, {"month": view.month, "proposal_id": view.proposal_id})]))
    return card(body)


def sample_used_card(month: str, message: str) -> dict:
    """What the proposal card shows once **Use this sample** was pressed: what became of it."""
    return card([heading(f"Audit sample for {format_month(month)}"), text(message, weight="Bolder")])


def no_sample_card(message: str) -> dict:
    """`sample` with nothing proposed: how to propose one."""
    return card([heading("Audit sample"), text(message)])
