"""Reports' buttons and the file consent answer: read what Teams sent, call the use case (flow.py),
answer with its Outcome."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from capabilities.context import Context
from capabilities.press import UNREADABLE, Press, Reply
from capabilities.registry import FileMade
from capabilities.reports import flow
from dialogs import report_cards as rc
from storage.models import Person


async def send_report(press: Press) -> Reply:
    """A report menu button (verb report.send, data {"report": kind, "period": ...}): the chosen
    report's card and its file consent card, written to the outbox due now and delivered at once."""
    kind, period = press.data.get("report"), press.data.get("period")
    if not isinstance(kind, str) or not isinstance(period, str):
        return Reply(text=UNREADABLE)
    outcome = await flow.send_report(press.ctx, press.actor.id if press.actor else None, kind, period,
                                     now=press.now, via=f"card:{rc.SEND_VERB}")
    return Reply(text=outcome.message, deliver_now=outcome.urgent)


async def report_file(ctx: Context, person: Person | None, context: Mapping[str, Any], now: datetime) -> FileMade | str:
    """The workbook a consent card offered, made now for the person who accepted it (re-checked)."""
    outcome = await flow.make_report_file(ctx, person.id if person else None, context.get("report"),
                                          context.get("period"), now=now, via="teams:file consent")
    return outcome.file if outcome.file is not None else outcome.message
