"""`python -m bot cards dump DIR`: every card the bot can send, as DIR/<name>.json, for checking
with Microsoft's validator (`node tools/validate-cards.js DIR`) or pasting into the Adaptive Cards
Designer.

The cards are dialogs/samples.py's catalogue plus the few the Teams edge makes from them (a press
answered in place, a polite refusal, a command's short notice), each built by the code that
sends it from the same fictional data. Nothing here reads settings or the database.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dialogs import samples

Card = dict[str, Any]

# Functions at the edge that make or change a card themselves (rather than calling a dialogs
# builder), as "module.qualname". tests/test_cards_dump.py finds every such function in bot/,
# scheduler/, storage/ and qa/ and fails when one is missing here, or listed but not called by
# edge_cards().
EDGE_BUILDERS = (
    "bot.audit_actions.reply_for",
    "bot.audit_actions.polite_card",
    "bot.audit_actions.keep_for",
    "bot.audit_actions.Acted.apply",
    "bot.cycle_commands._notice",
)


class DumpError(Exception):
    """The directory cannot take the cards; the message is one line for the user."""


def edge_cards() -> dict[str, Card]:
    """Cards the edge makes: answers to button presses on sent messages, and command notices."""
    from bot import audit_actions as aa
    from bot import cycle_commands
    from dialogs.audit_cards import Verb
    from storage import audit_flow as flow
    from storage.models import OutboxMessage, Person

    def row(kind: str, card: Card, summary: str) -> OutboxMessage:
        return OutboxMessage(kind=kind, payload=samples.payload(card, summary))

    tz, at = samples.LONDON, samples.AT
    six = samples.allocations(6)
    first = six[0]
    sent = samples.audit_card_samples()
    notice = row("allocation_notice", sent["allocation_notice"], "Your audit allocation")
    digest = row("service_lead_digest", sent["oversight_digest"], "40 audits awaiting oversight")
    upload = row("upload_request", sent["upload_request"], "Upload the audit: case CD-4810037")
    dispute = row("dispute", sent["dispute"], "Audit disputed: case CD-4810037")
    by_allocation = {"allocation_id": first.allocation_id}
    reviewed = {"audit_id": 200_003}
    started = f"This audit was started by {first.case_holder_name} on Thursday 10 December 2026 at 10:00 and has " \
              "not been submitted yet. Nothing was changed."

    def press(verb: str, outcome: flow.Outcome, rows: list[OutboxMessage], ids: dict[str, int]) -> Card:
        reply = aa.reply_for(verb, outcome, rows, ids, tz)
        if reply.card is None:
            raise ValueError(f"{verb}: the edge answered with text, not a card")
        return reply.card

    cards = {
        "pressed_start_on_notice": press(Verb.AUDIT_START, flow.Outcome(
            flow.DONE, allocation_id=first.allocation_id, case_ref=first.case_ref, actor_name="Oluwaseun "
            "Adebayo-Richardson", at=at, view=first, draft={}), [notice], by_allocation),
        "pressed_declined_on_notice": press(Verb.ALLOCATION_DECLINE, flow.Outcome(
            flow.DONE, allocation_id=first.allocation_id, case_ref=first.case_ref,
            actor_name="Oluwaseun Adebayo-Richardson", at=at), [notice], by_allocation),
        "pressed_uploaded_in_digest": press(Verb.AUDIT_UPLOADED, flow.Outcome(
            flow.DONE, audit_id=200_001, case_ref="CD-4810037", actor_name="Oluwaseun Adebayo-Richardson", at=at),
            [upload, dispute, notice], {"audit_id": 200_001}),
        "pressed_submit_on_form": press(Verb.AUDIT_SUBMIT, flow.Outcome(
            flow.DONE, allocation_id=first.allocation_id, case_ref=first.case_ref,
            actor_name="Oluwaseun Adebayo-Richardson", at=at, grade="Requires Improvement", safeguarding=True),
            [], by_allocation),
        "draft_saved": press(Verb.AUDIT_SAVE_DRAFT, flow.Outcome(
            flow.DONE, allocation_id=first.allocation_id, case_ref=first.case_ref, at=at, view=first,
            draft=samples.full_draft()), [], by_allocation),
        "refused_on_notice": press(Verb.AUDIT_START, flow.Outcome(
            flow.ALREADY, started, allocation_id=first.allocation_id, case_ref=first.case_ref), [notice],
            by_allocation),
        "refused_in_oversight_digest": press(Verb.OVERSIGHT_OPEN, flow.Outcome(
            flow.ALREADY, "Oversight of this audit was already confirmed by Sam Lee on Monday 4 January 2027 at "
            "09:30. Nothing was changed.", audit_id=reviewed["audit_id"], case_ref=samples.case_ref(3)),
            [digest], reviewed),
        "refused_on_its_own": press(Verb.AUDIT_SUBMIT, flow.Outcome(flow.REFUSED, flow.NOT_ON_ROSTER), [],
                                    by_allocation),
    }
    cards.update(_command_notices(cycle_commands, Person))
    return cards


def _command_notices(cycle_commands: Any, person_type: type) -> dict[str, Card]:
    """The chat commands' short answers to someone they are not for (these never read the database)."""
    now = samples.AT
    auditor = person_type(display_name="Oluwaseun Adebayo-Richardson", role="practice_manager")

    async def replies() -> dict[str, Card]:
        return {
            "command_my_audits_not_on_roster": (await cycle_commands.my_audits(None, None, now)).card,
            "command_oversight_not_service_lead": (await cycle_commands.oversight(None, auditor, now)).card,
            "command_cycle_not_qa_unit": (await cycle_commands.cycle_status(None, auditor, now)).card,
        }

    return asyncio.run(replies())


def every_card() -> dict[str, Card]:
    """dialogs/samples.py's catalogue and the edge's cards, by file-safe name."""
    cards = samples.sample_cards()
    edge = edge_cards()
    clash = cards.keys() & edge.keys()
    if clash:
        raise ValueError(f"sample names used twice: {sorted(clash)}")
    return {**cards, **edge}


def dump(directory: Path, cards: Callable[[], dict[str, Card]] = every_card) -> int:
    """Write each card as pretty UTF-8 JSON to directory/<name>.json; the number written.

    Every card is built before anything is written, and each file is written whole (a temporary
    file renamed into place), so a failure never leaves a half-written card.
    """
    rendered = {name: json.dumps(card, indent=2, ensure_ascii=False) + "\n" for name, card in cards().items()}
    if directory.exists() and not directory.is_dir():
        raise DumpError(f"cards dump: {directory} is not a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DumpError(f"cards dump: cannot create {directory}: {exc.strerror or type(exc).__name__}") from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise DumpError(f"cards dump: cannot write to {directory}: permission denied")
    for name, content in rendered.items():
        target = directory / f"{name}.json"
        temporary = directory / f".{name}.json.tmp"
        try:
            temporary.write_text(content, encoding="utf-8")
            os.replace(temporary, target)
        except OSError as exc:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
            raise DumpError(f"cards dump: cannot write {target}: {exc.strerror or type(exc).__name__}") from None
    return len(rendered)


def run(directory: Path) -> int:
    """The CLI command: prints how many cards it wrote; exit status 0."""
    count = dump(directory)
    print(f"wrote {count} cards to {directory}")
    return 0

