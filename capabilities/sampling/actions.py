"""The audit sample's buttons: **Use this sample**, the changes (swap, move, remove: data {"month",
"proposal_id"} and the card's inputs `case_ref` and `auditor`), **Draw again**, **Send me the list**,
and the file consent answer for that list. The only place a Press is read."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from capabilities.context import Context
from capabilities.press import Press, Reply
from capabilities.registry import FileMade
from capabilities.sampling import changes, flow
from dialogs.sample_cards import AUDITOR_INPUT, CASE_INPUT, USE_VERB, WORKBOOK_VERB
from storage.models import Person


async def use(press: Press) -> Reply:
    """The proposal card changes in place to what became of the sample; a refusal leaves it as it is."""
    outcome = await flow.use_sample(press.ctx, press.actor.id if press.actor else None, press.data.get("month"),
                                    press.data.get("proposal_id"), now=press.now, via=f"card:{USE_VERB}")
    if outcome.card is not None:
        return Reply(card=outcome.card, update=True)
    return Reply(text=outcome.message)


def _change(how: str):  # noqa: ANN202
    async def handle(press: Press) -> Reply:
        """The proposal card shows the sample as it now is; a change the rules refuse leaves it as it is."""
        outcome = await changes.change(press.ctx, press.actor.id if press.actor else None, how,
                                       press.data.get("month"), press.data.get("proposal_id"),
                                       press.data.get(CASE_INPUT), press.data.get(AUDITOR_INPUT), now=press.now,
                                       via=f"card:{press.verb}")
        if outcome.card is not None:
            return Reply(card=outcome.card, update=True)
        return Reply(text=outcome.message)

    return handle


swap, move, remove, redraw = (_change(how) for how in (changes.SWAP, changes.MOVE, changes.REMOVE, changes.REDRAW))


async def workbook(press: Press) -> Reply:
    """**Send me the list**: the file consent card follows as its own message."""
    outcome = await changes.offer_workbook(press.ctx, press.actor.id if press.actor else None, press.data.get("month"),
                                           press.data.get("proposal_id"), now=press.now, via=f"card:{WORKBOOK_VERB}")
    return Reply(text=outcome.message, deliver_now=outcome.urgent)


async def sample_file(ctx: Context, person: Person | None, context: Mapping[str, Any], now: datetime) -> FileMade | str:
    """The list a consent card offered, made now for the person who allowed it (re-checked)."""
    outcome = await changes.make_workbook(ctx, person.id if person else None, context.get("month"), now=now,
                                          via="teams:file consent")
    return outcome.file if outcome.file is not None else outcome.message
