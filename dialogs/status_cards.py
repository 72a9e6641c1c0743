"""The status cards typed in chat (the same figures as the command line's `... status`): escalations,
practice alerts, supervision compliance, observation coverage and delivery as one compact Table each;
the card saying figures are too long for Teams (over 28 KB) with a button that sends the workbook
instead; and `close month`'s confirm card and its answer.

Pure: view data in, card JSON out. A button carries the status's name or the month only; who may see
what is checked on the server when it is pressed.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dialogs.card_kit import card, container, execute, facts, heading, text
from dialogs.card_kit import format_month as month_words

WORKBOOK_VERB = "status.workbook"  # data {"status": name}: send that status's workbook
CLOSE_VERB = "month.close"  # data {"month": "2026-12"}: close the month (the confirm button)
MAX_CARD_BYTES = 28 * 1024  # Teams' limit for a card


def card_bytes(content: Any) -> int:
    """A card's size as Teams counts it: its compact UTF-8 JSON, in bytes."""
    return len(json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode())


@dataclass(frozen=True)
class StatusView:
    """One status's figures: a table (`headers`, then `rows`, then the `total` row if any) for `scope`
    ("the whole service", "North and South") as of `at` (words), and `notes` below it."""

    name: str  # the status's name, as its workbook button carries it ("escalations")
    title: str  # "Escalations"
    scope: str
    at: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    total: tuple[Any, ...] | None = None
    notes: tuple[str, ...] = ()
    empty: str = "Nothing to show."


def _cell(value: Any, *, bold: bool = False) -> dict:
    block: dict = {"type": "TextBlock", "text": "\u2013" if value is None else str(value), "wrap": True}
    if bold:
        block["weight"] = "Bolder"
    return {"type": "TableCell", "items": [block]}


def _table(view: StatusView) -> dict:
    widths = (3, *(1 for _ in view.headers[1:]))
    rows = [{"type": "TableRow", "cells": [_cell(h, bold=True) for h in view.headers]},
            *({"type": "TableRow", "cells": [_cell(v) for v in row]} for row in view.rows)]
    if view.total is not None:
        rows.append({"type": "TableRow", "cells": [_cell(v, bold=True) for v in view.total]})
    return {"type": "Table", "gridStyle": "accent", "firstRowAsHeaders": True, "showGridLines": True,
            "columns": [{"width": w} for w in widths], "rows": rows}


def status_card(view: StatusView) -> dict:
    """The figures as a Table (full width), with the notes below."""
    body: list[dict] = [heading(view.title), text(f"{view.scope[:1].upper()}{view.scope[1:]}, as of {view.at}.",
                                                  subtle=True, spacing="None")]
    body.append(_table(view) if view.rows else text(view.empty))
    body += [text(note, spacing="Small") for note in view.notes]
    result = card(body)
    result["msteams"] = {"width": "Full"}
    return result


def too_long_card(view: StatusView, rows: int | None = None) -> dict:
    """`view`'s card would pass Teams' 28 KB: say so, with a button sending the figures as a workbook.
    `rows`: how many rows the whole table has, when `view` holds only some of them."""
    lines = (len(view.rows) if rows is None else rows) + len(view.notes)
    return card([heading(view.title),
                 text(f"{view.scope[:1].upper()}{view.scope[1:]}, as of {view.at}.", subtle=True, spacing="None"),
                 text(f"These figures have {lines:,} lines: too many to show in Teams (a card holds at most 28 KB). "
                      "I can send them to you here as an Excel workbook instead.")],
                [{"type": "Action.Execute", "title": "Send me the workbook", "verb": WORKBOOK_VERB,
                  "data": {"status": view.name}}])


@dataclass(frozen=True)
class MonthToClose:
    month: str  # "2026-12"
    allocations: int
    not_complete: int


def close_month_card(months: Sequence[MonthToClose], note: str | None = None) -> dict:
    """`close month`: each imported month still open, with its figures and a button to confirm closing
    it (a closed month takes no more allocations, as `cycle close` does)."""
    body: list[dict] = [heading("Close a month")]
    if note:
        body.append(text(note, color="Attention", weight="Bolder"))
    if not months:
        body.append(text("Every month imported so far is closed: there is nothing to close."))
        return card(body)
    body.append(text("Closing a month means it takes no more allocations (an allocation file for it is refused). "
                     "Audits still open go on as before. Please confirm the month to close.", subtle=True))
    for m in months:
        body.append(container([
            text(month_words(m.month), weight="Bolder"),
            facts([("Allocations", f"{m.allocations:,}"), ("Not complete", f"{m.not_complete:,}")]),
            {"type": "ActionSet", "actions": [execute(f"Confirm: close {month_words(m.month)}", CLOSE_VERB,
                                                      {"month": m.month}, style="destructive")]},
        ], separator=True))
    return card(body)


def month_closed_card(month: str, message: str) -> dict:
    """What the confirm card shows once pressed: the month, and what became of it."""
    return card([heading(f"Close a month: {month_words(month)}"), text(message, weight="Bolder")])


def status_notice_card(title: str, message: str) -> dict:
    """Why there are no figures for this person (no service area on the roster, say)."""
    return card([heading(title), text(message)])


FEEDBACK_VERB = "export.feedback"  # data {"month": "2026-11"}: send that month's feedback export


def feedback_export_card(months: Sequence[str]) -> dict:
    """`feedback export`: which month's feedback entries to send as a workbook (each a button)."""
    return card([heading("Feedback export"),
                 text("Which month's feedback entries would you like? I'll send them here as an Excel workbook "
                      "(every entry, and the counts by source, service area and rating)."),
                 {"type": "ActionSet", "actions": [execute(month_words(m), FEEDBACK_VERB, {"month": m})
                                                   for m in months]}])
