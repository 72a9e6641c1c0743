"""The card the QA unit gets when messages are stuck on their way to Teams. Pure."""
from __future__ import annotations

from datetime import datetime, tzinfo

from dialogs.card_kit import Element, attention, card, facts, format_moment, heading, text


def delivery_backlog_card(waiting: int, oldest_due: datetime, tz: tzinfo, *, age: str) -> Element:
    """`waiting` messages are due and not delivered, the oldest since `oldest_due` (`age` ago)."""
    return card([
        heading("Messages are waiting to reach Teams"),
        attention(f"{waiting:,} message{'s' if waiting != 1 else ''} due to people have not been delivered; "
                  f"the oldest has waited {age}."),
        facts([("Oldest due", format_moment(oldest_due, tz)), ("Waiting", f"{waiting:,}")]),
        text("The bot keeps retrying for a day. If Teams or the network is down, allocations, reminders and "
             "alerts arrive when it is back; tell staff to check `my audits` meanwhile. Type `delivery` to see what "
             "is waiting, retrying or undeliverable; if it lasts, ask IT to check the bot's service.", subtle=True),
    ])
