"""Personal development plan and training needs cards from fictional data at their largest realistic size: a PDP
form with the most topics a list may hold (80) all chosen and the note full, the form saved and refused, and the
training needs card. Staff names only. dialogs/samples.py adds these to the catalogue (`cards dump`)."""
from __future__ import annotations

from datetime import date
from typing import Any

from dialogs import pdp_cards as pc

Card = dict[str, Any]
DAY = date(2026, 12, 7)
_NAME = "Siobhán O’Donnell-McAllister"
_LABEL = "Strengthening Families for child protection conferences – advanced practice"  # 77 characters
_GROUP = "Making the Difference practice framework: components"


def _choices(count: int = 80) -> tuple[pc.TopicChoice, ...]:
    return tuple(pc.TopicChoice(f"topic_{i:02d}", f"{_LABEL} {i:02d}"[:80], _GROUP) for i in range(count))


def pdp_view(message: str | None = None, good: bool = False) -> pc.PdpView:
    choices = _choices()
    return pc.PdpView(4321, _NAME, DAY, choices, tuple(c.id for c in choices), "é" * pc.NOTE_MAX, message, good)


def training_needs_view(offer_button: bool = True) -> pc.TrainingNeedsView:
    asked = tuple(pc.NeedLine(f"{_LABEL} {i:02d}"[:80], 400 - i) for i in range(80))
    weakest = tuple(pc.WeakArea(area, 31, 97, tuple(f"{_LABEL} {i:02d}"[:80] for i in range(12)))
                    for area in ("Management oversight", "Narrative/History", "Planning"))
    return pc.TrainingNeedsView(DAY, "September to November 2026", 1234, 1500, asked, weakest, offer_button)


def samples() -> dict[str, Card]:
    return {
        "pdp_form": pc.pdp_card(pdp_view()),
        "pdp_saved": pc.pdp_card(pdp_view(pc.pdp_saved_words(_NAME, [c.label for c in _choices()], True), True)),
        "pdp_refused": pc.pdp_card(pdp_view("The other learning need contains a postcode. Please remove it.")),
        "pdp_notice": pc.pdp_notice_card("Only Siobhán O’Donnell-McAllister's manager (their supervisor, or someone "
                                         "above them) can record their personal development plan. Nothing was saved."),
        "training_needs": pc.training_needs_card(training_needs_view()),
        "training_needs_quarterly": pc.training_needs_card(training_needs_view(offer_button=False)),
        "training_needs_empty": pc.training_needs_card(pc.TrainingNeedsView(DAY, "2026 Q3", 0, 12, (), ())),
    }
