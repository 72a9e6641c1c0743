"""The reports' cards (framework 9.3): the analysis's headline figures as a compact Adaptive Card
Table, the `report` command's menu, and the Teams file consent attachment that offers a workbook.

Pure: view data in, card JSON out. A workbook cannot be attached to a personal chat directly:
the bot sends a file consent card (`file_consent_attachment`); when the person allows it, Teams
gives an upload URL in their OneDrive, the bot uploads the file and sends a file info card
(`file_info_attachment`). The consent card's context carries the report's kind and period only;
who may have it is checked again on the server when it is accepted.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dialogs.card_kit import card, heading, subheading, text

FILE_CONSENT = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO = "application/vnd.microsoft.teams.card.file.info"
SEND_VERB = "report.send"
ACCEPT_HINT = "Press Allow below to save the workbook to your OneDrive; it opens in Excel."


@dataclass(frozen=True)
class FigureLine:
    label: str
    value: int
    previous: tuple[int | None, ...]  # the three months before, oldest first
    arrow: str
    reading: str = ""  # "better", "worse", "no change", or "" (qa/reports.py reading)


@dataclass(frozen=True)
class AreaLine:
    area: str
    allocated: int
    completed: int
    on_time: int
    late: int
    outstanding: int


@dataclass(frozen=True)
class ReportCardView:
    title: str  # "Monthly audit analysis"
    period: str  # "November 2026"
    scope: str  # "Whole service", or a service lead's areas
    before: tuple[str, ...]  # the three months before, as column headings ("Aug 2026")
    lines: tuple[FigureLine, ...]
    areas: tuple[AreaLine, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()  # (label, value) rows later sections add
    file_name: str | None = None  # the workbook offered below the card


# A trend's colour by what it means, so an arrow up for more Inadequate grades never reads as good news.
_READING_COLOURS = {"better": "Good", "worse": "Attention"}


@dataclass(frozen=True)
class Coloured:
    """A cell's text in a colour."""

    text: str
    color: str | None = None


def _cell(value: Any, *, bold: bool = False) -> dict:
    shown = value.text if isinstance(value, Coloured) else value
    block: dict = {"type": "TextBlock", "text": "\u2013" if shown is None else str(shown), "wrap": True}
    if bold:
        block["weight"] = "Bolder"
    if isinstance(value, Coloured) and value.color:
        block["color"] = value.color
    return {"type": "TableCell", "items": [block]}


def _trend(line: FigureLine) -> Coloured:
    return Coloured(f"{line.arrow} {line.reading}" if line.reading else line.arrow,
                    _READING_COLOURS.get(line.reading))


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[int]) -> dict:
    return {"type": "Table", "gridStyle": "accent", "firstRowAsHeaders": True, "showGridLines": True,
            "columns": [{"width": w} for w in widths],
            "rows": [{"type": "TableRow", "cells": [_cell(h, bold=True) for h in headers]},
                     *({"type": "TableRow", "cells": [_cell(v) for v in row]} for row in rows)]}


def report_card(view: ReportCardView) -> dict:
    """The headline figures, each against the three months before with a trend arrow and whether that
    is better or worse for the figure (coloured), and (whole service) each service area's completion;
    the workbook follows as a file consent card."""
    body = [heading(f"{view.title}: {view.period}"), text(view.scope, subtle=True, spacing="None")]
    body.append(_table(("Figure", "Now", *view.before, "Trend"),
                       [(line.label, line.value, *line.previous, _trend(line)) for line in view.lines],
                       (3, 1, *(1 for _ in view.before), 1)))
    if view.areas:
        body.append(subheading("By service area"))
        body.append(_table(("Service area", "Allocated", "Completed", "On time", "Late", "Not yet submitted"),
                           [(a.area, a.allocated, a.completed, a.on_time, a.late, a.outstanding) for a in view.areas],
                           (3, 1, 1, 1, 1, 1)))
    if view.extra:
        body.append(_table(("Also", ""), view.extra, (3, 2)))
    if view.file_name:
        body.append(text(f"The workbook ({view.file_name}) has every figure by month and service area, the "
                         f"key areas, the themes, the register and charts. {ACCEPT_HINT}", spacing="Medium"))
    result = card(body)
    result["msteams"] = {"width": "Full"}
    return result


@dataclass(frozen=True)
class ReportChoice:
    title: str  # "Monthly analysis, November 2026"
    kind: str  # "monthly" | "quarterly" | "annual" | "register"
    period: str  # "2026-11", "2026-Q4", "2026", "2025-12..2026-11"


def report_menu_card(scope: str, choices: Sequence[ReportChoice]) -> dict:
    """The `report` command's answer: which report to send (each a button)."""
    actions = [{"type": "Action.Execute", "title": c.title, "verb": SEND_VERB,
                "data": {"report": c.kind, "period": c.period}} for c in choices]
    body = [heading("Reports"),
            text(f"Which report would you like? I'll send it here as an Excel workbook ({scope})."),
            {"type": "ActionSet", "actions": actions}]
    return card(body)


def file_offer_card(title: str, description: str) -> dict:
    """A workbook without figures on the card (the register): what it is; the consent card follows."""
    return card([heading(title), text(description), text(ACCEPT_HINT, subtle=True)])


def report_refused_card(message: str) -> dict:
    return card([heading("Reports"), text(message)])


def file_consent_attachment(name: str, description: str, size: int, context: dict[str, str]) -> dict:
    """The attachment asking to save `name` (`size` bytes) in the person's OneDrive; `context`
    (report kind and period only) comes back with their answer."""
    return {"contentType": FILE_CONSENT, "name": name,
            "content": {"description": description, "sizeInBytes": size,
                        "acceptContext": dict(context), "declineContext": dict(context)}}


def file_info_attachment(name: str, content_url: str, unique_id: str, file_type: str) -> dict:
    """The file info card sent once the file is uploaded (it opens the file in Teams)."""
    return {"contentType": FILE_INFO, "name": name, "contentUrl": content_url,
            "content": {"uniqueId": unique_id, "fileType": file_type}}


def file_saving_card(name: str, shown: dict | None = None) -> dict:
    """What the message that offered `name` shows once the person has pressed Allow: the card it
    carried (`shown`, e.g. the report's figures) without the consent card, and a line saying the
    file is on its way; a small card of its own when the offer's card is not known. A second
    press has nothing left to press."""
    line = text(f"Saving {name} to your OneDrive. It will appear here in a moment.", subtle=True)
    if shown is None:
        return card([heading("Saving to your OneDrive"), line])
    return {**shown, "body": [*shown.get("body", []), line]}


def file_saved_card(name: str) -> dict:
    """Sent with the file info card once `name` is in the person's OneDrive."""
    return card([text(f"Saved {name} to your OneDrive. Open it below.")])


def file_not_saved_card(name: str, reason: str) -> dict:
    """`name` could not be saved to the person's OneDrive: why, and how to ask again."""
    return card([heading("The file was not saved"), text(f"{name}: {reason}")])
