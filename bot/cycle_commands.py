"""The audit cycle's chat commands: `my audits` (auditors), `oversight` (service leads) and
`cycle` (the QA unit). Each takes the roster person behind the message (None when not on the
roster) and `now`, reads the database, and returns the card to reply with and its one-line text.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.services import Services
from dialogs.audit_cards import cycle_status_card, my_audits_card, oversight_digest_card
from dialogs.card_kit import card, format_month, heading, text
from qa.audit_calendar import month_key
from qa.calendar import WorkingCalendar
from storage import cycle
from storage.models import Person

QA_UNIT = "qa_unit"
SERVICE_LEAD = "service_lead"


@dataclass(frozen=True)
class CommandReply:
    card: dict[str, Any]
    summary: str  # the text fallback and notification line


def _calendar(services: Services) -> WorkingCalendar:
    return WorkingCalendar(tz=services.settings.tz)


def _notice(title: str, message: str) -> CommandReply:
    return CommandReply(card([heading(title), text(message)]), message)


def _not_on_roster(title: str) -> CommandReply:
    return _notice(title, "I can't find you on the staff roster, so I don't know your audits. "
                          "Please ask the QA unit to add you.")


async def my_audits(services: Services, person: Person | None, now: datetime) -> CommandReply:
    """The person's audits still to submit, with Start/Continue buttons."""
    if person is None:
        return _not_on_roster("Your audits")
    async with services.db.sessions() as session:
        views = await cycle.open_allocations_for(session, person.id, _calendar(services))
    summary = (f"You have {len(views)} open audit{'s' if len(views) != 1 else ''}: "
               + ", ".join(v.case_ref for v in views)) if views else "You have no open audits."
    return CommandReply(my_audits_card(views), summary)


async def oversight(services: Services, person: Person | None, now: datetime) -> CommandReply:
    """For a service lead: the audits in their service areas awaiting oversight."""
    if person is None:
        return _not_on_roster("Oversight")
    if person.role != SERVICE_LEAD:
        return _notice("Oversight", "This is for service leads: it lists the audits awaiting their oversight. "
                                    "Type \"my audits\" for the audits allocated to you.")
    cal = _calendar(services)
    async with services.db.sessions() as session:
        queue = await cycle.awaiting_oversight_for(session, person, cal)
    if queue.oversight_due is None:
        return CommandReply(oversight_digest_card(person.display_name, [], cal.local_date(now)),
                            "Nothing is waiting for your oversight.")
    count = len(queue.items)
    return CommandReply(oversight_digest_card(person.display_name, queue.items, queue.oversight_due),
                        f"{count} audit{'s' if count != 1 else ''} awaiting your oversight")


async def cycle_status(services: Services, person: Person | None, now: datetime) -> CommandReply:
    """For the QA unit: the latest month's figures per service area (the current month, or the
    latest imported before it, e.g. December's while January's list is not in yet)."""
    if person is None or person.role != QA_UNIT:
        return _notice("Audit cycle", "The audit cycle's figures are for the QA unit. "
                                      "Type \"my audits\" for the audits allocated to you.")
    cal = _calendar(services)
    today = cal.local_date(now)
    async with services.db.sessions() as session:
        month = await cycle.latest_month(session, month_key(today.year, today.month)) \
            or month_key(today.year, today.month)
    status = await cycle.cycle_status(services.db, month, now, cal)
    total = status.total
    summary = (f"Audit cycle {format_month(month)}: {total.allocated} allocated, {total.submitted} submitted, "
               f"{total.overdue} overdue, {total.awaiting_oversight} awaiting oversight"
               if status.rows else f"Audit cycle {format_month(month)}: no allocations yet")
    return CommandReply(cycle_status_card(format_month(month), status.rows, as_of=now, tz=cal.tz), summary)


# What the Teams handler dispatches: command -> reply builder.
COMMANDS: dict[str, Callable[[Services, Person | None, datetime], Awaitable[CommandReply]]] = {
    "my audits": my_audits,
    "oversight": oversight,
    "cycle": cycle_status,
}
# What people type (after bot.teams_bot.command_text) -> command.
COMMAND_WORDS = {
    "my audits": "my audits", "audits": "my audits", "my audit": "my audits",
    "oversight": "oversight", "my oversight": "oversight",
    "cycle": "cycle", "cycle status": "cycle", "audit cycle": "cycle",
}
