"""The QA unit asked for the coming month's Annex A extract (framework 9.3 "Selection and distribution"),
a configurable number of working days before the 3rd when the month has no allocations and no
sample used (qa/sample_reminder.py). Pure: data in, card out. No case and no person is named."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dialogs.card_kit import card, format_day, format_month, heading, text


@dataclass(frozen=True)
class ExtractReminderView:
    """The coming month ("YYYY-MM"), its allocation day (local), and whether a sample is proposed, not used."""

    month: str
    allocation_day: date
    proposed: bool = False


def extract_reminder_card(view: ExtractReminderView) -> dict:
    """What is missing, by when, and the two ways to give the month its allocations."""
    month = format_month(view.month)
    body = [heading(f"Annex A extract for {month}"),
            text(f"{month} has no allocations yet and no audit sample has been used. The auditors are told "
                 f"their cases on {format_day(view.allocation_day)}.")]
    if view.proposed:
        body.append(text(f"A sample for {month} is proposed but not used: type \"sample\" here to see it and "
                         "press Use this sample.", weight="Bolder"))
    else:
        body.append(text(f"Run {month}'s Annex A extract from the case-management system and send it to me "
                         "here: I propose the sample from it, you change it case by case if need be, then press "
                         "Use this sample."))
    body.append(text("Or send me the month's allocation list here, as before.", subtle=True))
    return card(body)


def extract_reminder_summary(view: ExtractReminderView) -> str:
    """The one line the notification shows."""
    return f"Annex A extract needed: {format_month(view.month)} has no allocations yet"


SAMPLE = ExtractReminderView("2027-01", date(2027, 1, 4))


def samples() -> dict[str, dict]:
    """The card's samples for the catalogue (dialogs/samples.py): asked, and asked with a sample proposed."""
    return {"sample_extract_reminder": extract_reminder_card(SAMPLE),
            "sample_extract_reminder_proposed": extract_reminder_card(ExtractReminderView("2027-05", date(2027, 5, 4),
                                                                                          proposed=True))}
