"""The card a QA unit member gets back after sending a month's allocation list. Pure.

Data in (what was imported, or every problem), Adaptive Card 1.5 JSON out. Problems and case
references came from a person's file, so they are shown as RichTextBlock text runs, which
Teams shows literally (a TextBlock would render markdown from the file).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qa.tabular import source_words

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
# Teams takes a card up to 28 KB: long lists are cut, with a count of the rest.
MAX_PROBLEMS = 40
MAX_PROBLEM_CHARS = 300
CASE_LIST_BUDGET = 12_000  # characters of case references across all sections

# Where the month came from -> how to say it.
MONTH_SOURCES = {
    "message": "the month in your message",
    "file name": "the month in the file name",
    "current": "this month (put YYYY-MM in your message, or in the file name, to choose another)",
}

Element = dict[str, Any]


@dataclass(frozen=True)
class ImportOutcome:
    """What the card shows for an import that went through."""

    month: str
    file_name: str
    month_source: str  # a key of MONTH_SOURCES
    counts: Sequence[tuple[str, int]]  # ("Added", 3), ...
    sections: Sequence[tuple[str, Sequence[str]]]  # ("added", ["CR1", ...]), ...
    sheet: str | None = None  # the workbook sheet read (never a hidden one); None for a .csv


def month_words(month: str) -> str:
    """"2026-12" -> "December 2026" (anything else is returned as it is)."""
    try:
        return f"{MONTHS[int(month[5:7]) - 1]} {int(month[:4])}" if len(month) == 7 and month[4] == "-" else month
    except (ValueError, IndexError):
        return month


def _card(body: list[Element]) -> Element:
    return {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}


def _heading(value: str) -> Element:
    return {"type": "TextBlock", "text": value, "size": "Large", "weight": "Bolder", "wrap": True, "style": "heading"}


def _text(value: str, **extra: Any) -> Element:
    return {"type": "TextBlock", "text": value, "wrap": True, **extra}


def _literal(value: str, **extra: Any) -> Element:
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": value}], **extra}


def _month_line(month: str, month_source: str) -> Element:
    source = MONTH_SOURCES.get(month_source, month_source)
    return _text(f"Month: {month_words(month)} ({month}), taken from {source}.", isSubtle=True, spacing="Small")


def import_summary_card(outcome: ImportOutcome) -> Element:
    body: list[Element] = [
        _heading(f"Allocations for {month_words(outcome.month)} imported"),
        _literal(f"From {source_words(outcome.file_name, outcome.sheet)}"),
        _month_line(outcome.month, outcome.month_source),
        {"type": "FactSet", "facts": [{"title": label, "value": str(count)} for label, count in outcome.counts]},
    ]
    budget = CASE_LIST_BUDGET
    for label, cases in outcome.sections:
        shown = []
        for case in cases:
            if budget < len(case) + 2:
                break
            shown.append(case)
            budget -= len(case) + 2
        more = len(cases) - len(shown)
        body.append(_text(label[:1].upper() + label[1:], weight="Bolder", separator=True, spacing="Medium"))
        listed = ", ".join(shown)
        body.append(_literal(f"{listed} and {more} more" if listed and more else listed or f"{more} cases"))
    if not outcome.sections:
        body.append(_text("The file had no cases.", isSubtle=True))
    return _card(body)


def rejected_card(month: str, file_name: str, month_source: str, problems: Sequence[str],
                  sheet: str | None = None) -> Element:
    shown = list(problems[:MAX_PROBLEMS])
    more = len(problems) - len(shown)
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    body: list[Element] = [
        _heading(f"Allocations for {month_words(month)} not imported"),
        _literal(f"From {source_words(file_name, sheet)}"),
        _month_line(month, month_source),
        _text(f"Nothing was changed. {count} to fix (row 1 is the header), then send the file again:",
              color="Attention", weight="Bolder", separator=True, spacing="Medium"),
    ]
    body.extend(_literal(f"• {_cut(p)}", spacing="Small") for p in shown)
    if more:
        body.append(_text(f"…and {more} more.", isSubtle=True))
    return _card(body)


def _cut(problem: str) -> str:
    return problem if len(problem) <= MAX_PROBLEM_CHARS else problem[: MAX_PROBLEM_CHARS - 1] + "…"
