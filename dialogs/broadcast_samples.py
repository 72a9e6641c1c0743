"""Fictional data, at its largest realistic size, for the QA calendar's and broadcasts' cards
(issue 13): `cards dump` and the card checks render every builder from here."""
from __future__ import annotations

from datetime import date

from dialogs import calendar_cards as cc

Card = dict


def broadcast_card_samples() -> dict[str, Card]:
    events = [cc.EventView("practice_week", "Winter practice week", date(2027, 1, 11), date(2027, 1, 15),
                           "Audits, observations and a themed forum each day. " * 6),
              cc.EventView("learning_forum", "Learning and Improvement Forum", date(2027, 1, 20), date(2027, 1, 20)),
              cc.EventView("survey", "Staff survey window", date(2027, 1, 25), date(2027, 2, 5),
                           "Ten minutes, anonymous."),
              cc.EventView("thematic_audit", "Neglect thematic audit", date(2027, 2, 1), date(2027, 2, 26)),
              cc.EventView("assurance_clinic", "Assurance clinic", date(2027, 2, 10), date(2027, 2, 10))]
    return {"qa_calendar": cc.calendar_card(events, start=date(2027, 1, 4), end=date(2027, 3, 1)),
            "qa_calendar_empty": cc.calendar_card([], start=date(2027, 1, 4), end=date(2027, 3, 1))}
