"""The status capability's buttons and its file consent answer: read what Teams sent, call the use
case (flow.py), answer with its Outcome. The only place it reads a Press."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from capabilities.context import Context
from capabilities.press import Press, Reply
from capabilities.registry import FileMade
from capabilities.status import exports, flow
from dialogs.status_cards import CLOSE_VERB, FEEDBACK_VERB, WORKBOOK_VERB
from storage.models import Person


async def send_workbook(press: Press) -> Reply:
    """"Send me the workbook" (data {"status": name}) on a status too long for a card."""
    outcome = await flow.send_workbook(press.ctx, press.actor.id if press.actor else None, press.data.get("status"),
                                       now=press.now, via=f"card:{WORKBOOK_VERB}")
    return Reply(text=outcome.message, deliver_now=outcome.urgent)


async def close_month(press: Press) -> Reply:
    """"Confirm: close <month>" (data {"month": "2026-12"}): the card shows what became of the month."""
    outcome = await flow.close(press.ctx, press.actor.id if press.actor else None, press.data.get("month"),
                               now=press.now, via=f"card:{CLOSE_VERB}")
    if outcome.card is not None:
        return Reply(card=outcome.card, update=True)
    return Reply(text=outcome.message)


async def status_file(ctx: Context, person: Person | None, context: Mapping[str, Any], now: datetime
                      ) -> FileMade | str:
    """The workbook a status's consent card offered, made now for the person who allowed it (re-checked)."""
    outcome = await flow.make_workbook(ctx, person.id if person else None, context.get("status"), now=now,
                                       via="teams:file consent")
    return outcome.file if outcome.file is not None else outcome.message


async def feedback_press(press: Press) -> Reply:
    """A month's button on the `feedback export` card (data {"month": ...})."""
    outcome = await exports.send_feedback_export(press.ctx, press.actor.id if press.actor else None,
                                         press.data.get("month"), now=press.now, via=f"card:{FEEDBACK_VERB}")
    return Reply(text=outcome.message, deliver_now=outcome.urgent)


async def feedback_file(ctx: Context, person: Person | None, context: Mapping[str, Any], now: datetime
                        ) -> FileMade | str:
    outcome = await exports.make_feedback_export(ctx, person.id if person else None, context.get("month"), now=now,
                                         via="teams:file consent")
    return outcome.file if outcome.file is not None else outcome.message
