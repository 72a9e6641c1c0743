"""Sample cover cards (fictional people, at their largest realistic size) for `cards dump` and the card tests."""
from __future__ import annotations

from datetime import date
from typing import Any

from dialogs import cover_cards as cc
from dialogs.card_kit import card, heading, text

Card = dict[str, Any]
FIRST, LAST = date(2026, 12, 14), date(2027, 1, 8)


def notice() -> Card:
    """A notice as any capability sends it (the shape the cover line is put on)."""
    return card([heading("Practice alert: case CR-9001"), text("Drift or delay, raised by Ira Example.")])


def samples() -> dict[str, Card]:
    went = tuple((f"Practice alert: case CR-{9000 + i}", "Hana Example") for i in range(45))
    done = tuple(f"Hana Example: alert responded (alert {i}), Monday 14 December 2026" for i in range(45))
    lines = tuple(cc.AwayLine(i, f"Person {i} Example", FIRST, LAST, "Hana Example", i % 2 == 0,
                              ("oversight request x3", "practice alert", "escalation update reminder x2"))
                  for i in range(1, 45))
    leavers = [cc.LeaverLine(f"Leaver {i} Example", "Hana Example", ("oversight request x2", "practice alert"))
               for i in range(45)]
    return {
        "cover_covering_notice": cc.covering(_payload(), "Sam Example").card,
        "cover_handed_over": cc.handed_over(notice(), "Hana Example"),
        "cover_return_summary": cc.return_summary_card(cc.ReturnView("Sam Example", FIRST, LAST, went, done, 3)),
        "cover_return_nothing": cc.return_summary_card(cc.ReturnView("Sam Example", FIRST, LAST, (), (), 0)),
        "who_covers": cc.who_covers_card(cc.WhoCoversView(FIRST, lines, done="Cover changed: Hana Example covers Sam Example.")),
        "who_covers_nobody": cc.who_covers_card(cc.WhoCoversView(FIRST, ())),
        "leaver_work_moved": cc.leaver_work_card(FIRST, leavers),
    }


def _payload():
    from dialogs.payload import Payload
    return Payload.of(notice(), "Practice alert: case CR-9001")
