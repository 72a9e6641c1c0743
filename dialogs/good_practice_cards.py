"""The learning list of audits graded Good or Outstanding (framework 9.3, "Good or Outstanding
cases": for practice forums and learning workshops). Pure: views in, Adaptive Card 1.5 JSON out."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dialogs.card_kit import Element, card, container, excerpt, heading, quote, subheading, text

STRENGTHS_SHOWN = 240  # characters of each audit's strengths


@dataclass(frozen=True)
class GoodPracticeItem:
    case_ref: str
    month_label: str  # "December 2026"
    service_area: str
    team: str
    grade: str  # Good | Outstanding
    auditor_name: str
    strengths: str
    forum_agreed: bool = False  # the case holder agreed to its use in a practice forum (case ref only)


def good_practice_card(period: str, items: Sequence[GoodPracticeItem], total: int | None = None) -> Element:
    """`period` ("October to December 2026"); `items` by service area (as given), at most the first
    ones when `total` says there are more."""
    total = len(items) if total is None else total
    body: list[Element] = [heading(f"Good practice: {period}")]
    if not items:
        body.append(text("No audit was graded Good or Outstanding in this period yet."))
        return card(body)
    outstanding = sum(i.grade == "Outstanding" for i in items)
    body.append(text(f"{total} audit{'s' if total != 1 else ''} graded Good or Outstanding, for practice forums and "
                     f"learning workshops." + (f" The first {len(items)} are shown." if total > len(items) else "")
                     + (f" {outstanding} Outstanding." if outstanding else ""), subtle=True))
    area = None
    for item in items:
        if item.service_area != area:
            area = item.service_area
            body.append(subheading(area))
        body.append(container([
            text(f"**{item.case_ref}** · {item.grade} · {item.team} · {item.month_label} · audited by "
                 f"{item.auditor_name}", spacing="None"),
            quote(excerpt(item.strengths, STRENGTHS_SHOWN) or "No strengths recorded.", italic=not item.strengths),
            *([text("Case holder agreed: may be used in a practice forum (by its case reference only)",
                    color="Good", size="Small", spacing="None")] if item.forum_agreed else []),
        ], spacing="Small"))
    return card(body)
