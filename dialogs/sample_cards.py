"""The month's proposed audit sample in chat (framework 9.3, "Selection and distribution"): the QA unit
sends the month's Annex A extract (or types `sample`) and sees the proposal (counts per service area,
list and auditor; what the rules could not satisfy; the cases themselves when few), changes one case
(swap it for another eligible one, move it to another auditor, remove it: the case and the auditor
chosen, or typed when the lists are too long for a card), draws it again, asks for the full list as a
workbook, and presses **Use this sample**, which makes it the month's allocations. Pure: data in,
card out. Case references and staff names only."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dialogs.card_kit import (
    action_set,
    card,
    choice_set,
    container,
    execute,
    facts,
    format_month,
    heading,
    subheading,
    text,
    text_input,
)

USE_VERB = "sample.use"  # data {"month": "2027-01", "proposal_id": 7}: confirm that proposal
# The changes, each with the same data and the card's inputs CASE_INPUT (and AUDITOR_INPUT for a move).
SWAP_VERB = "sample.swap"
MOVE_VERB = "sample.move"
REMOVE_VERB = "sample.remove"
REDRAW_VERB = "sample.redraw"
WORKBOOK_VERB = "sample.workbook"  # the full list, offered through the file consent card
CASE_INPUT = "case_ref"
AUDITOR_INPUT = "auditor"
SHOWN = 40  # rows of a count or of the unmet list shown before "and N more": keeps the card under 28 KB
CASES_LISTED = 40  # a sample this size or smaller lists its cases on the card
CHOICES = 60  # cases or auditors offered as a drop-down; more are typed (a drop-down of 600 is too long)


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
    cases_listed: Sequence[tuple[str, str]] = ()  # (case ref, "List 6, North Area: PM North"), all of them or none
    case_refs: Sequence[str] = ()  # the sample's references, for the drop-down (when CHOICES or fewer)
    auditors: Sequence[tuple[int, str]] = ()  # (roster id, name) who may audit, for the drop-down (CHOICES or fewer)
    note: str = ""  # what the last change did, or the file it came from


def _counts(title: str, pairs: Sequence[tuple[str, int]]) -> list[dict]:
    shown = [(name or "(none)", f"{n:,}") for name, n in pairs[:SHOWN]]
    if len(pairs) > SHOWN:
        shown.append((f"and {len(pairs) - SHOWN:,} more", ""))
    return [text(title, weight="Bolder"), facts(shown)] if shown else []


def proposal_card(view: ProposalView) -> dict:
    """The proposal, with **Use this sample** unless it was used."""
    body: list[dict] = [heading(f"Audit sample for {format_month(view.month)}")]
    if view.note:
        body.append(text(view.note, weight="Bolder"))
    body += [text(f"{view.cases:,} cases from {view.source_name}"
                             + (f", {view.reaudits:,} of them re-audits" if view.reaudits else "")
                             + f". Drawn with seed {view.seed}: the same file and seed draw it again.", subtle=True)]
    body += _counts("Per service area", view.per_area)
    body += _counts("Per Annex A list", view.per_list)
    body += _counts("Per auditor", view.per_auditor)
    if view.unmet:
        lines = list(view.unmet[:SHOWN]) + ([f"and {len(view.unmet) - SHOWN:,} more"] if len(view.unmet) > SHOWN else [])
        body.append(container([text("Could not be satisfied", weight="Bolder", color="Attention")]
                              + [text(f"• {line}") for line in lines], separator=True))
    if view.cases_listed:
        body += [text("The cases", weight="Bolder"), facts(view.cases_listed)]
    ids = {"month": view.month, "proposal_id": view.proposal_id}
    if view.used:
        body.append(text(f"This sample was {view.used}: it is the month's allocations.", weight="Bolder"))
        return card(body)
    body += _changes(view, ids)
    body.append(text("Use this sample to make it the month's allocations, as an allocation list would: the "
                     "auditors are told on the 3rd (at once when the 3rd has passed).", subtle=True))
    body.append(action_set([execute("Use this sample", USE_VERB, ids, style="positive"),
                            execute("Draw again", REDRAW_VERB, ids),
                            execute("Send me the list", WORKBOOK_VERB, ids)]))
    return card(body)


def _changes(view: ProposalView, ids: dict) -> list[dict]:
    """One case changed at a time: which case, to whom (a move), and the three buttons."""
    if view.case_refs and len(view.case_refs) <= CHOICES:
        case_box = choice_set(CASE_INPUT, "Case", list(view.case_refs), placeholder="Choose a case")
    else:
        case_box = text_input(CASE_INPUT, "Case reference", max_length=50, placeholder="as the list gives it, e.g. CR-1001")
    if view.auditors and len(view.auditors) <= CHOICES:
        auditor_box = choice_set(AUDITOR_INPUT, "Auditor (for a move)", [], placeholder="Choose an auditor")
        auditor_box["choices"] = [{"title": name, "value": str(pid)} for pid, name in view.auditors]
    else:
        auditor_box = text_input(AUDITOR_INPUT, "Auditor (for a move)", max_length=254,
                                 placeholder="their email, or their name as the roster has it")
    return [subheading("Change one case"),
            text("Swap takes another eligible case from the same list and service area, for the same auditor. "
                 "Move gives the case to the auditor you name. Remove takes it out. A change the rules do not allow "
                 "says which rule, and nothing is changed.", subtle=True, spacing="Small"),
            case_box, auditor_box,
            action_set([execute("Swap for another case", SWAP_VERB, ids, inputs="auto"),
                        execute("Move to this auditor", MOVE_VERB, ids, inputs="auto"),
                        execute("Remove from the sample", REMOVE_VERB, ids, inputs="auto")])]


def sample_used_card(month: str, message: str) -> dict:
    """What the proposal card shows once **Use this sample** was pressed: what became of it."""
    return card([heading(f"Audit sample for {format_month(month)}"), text(message, weight="Bolder")])


def no_sample_card(message: str) -> dict:
    """`sample` with nothing proposed: how to propose one."""
    return card([heading("Audit sample"), text(message)])
