"""The audit cycle's chat commands: `my audits` (anyone on the roster), `oversight` (service leads),
`cycle` and `reallocate <case ref>` (the QA unit), and the cycle card's Refresh button. Each command takes the typed command (capabilities.registry.Said: the roster
person behind the message, None when not on the roster, and `now`), reads the database, and
returns the card to reply with and its one-line text.
"""
from __future__ import annotations

from datetime import datetime

from capabilities.audit_cycle import kinds, reallocation, safeguarding, views
from capabilities.context import Context
from capabilities.registry import CommandReply, Said
from dialogs.audit_cards import cycle_status_card, my_audits_card, oversight_digest_card
from dialogs.card_kit import card, format_month, heading, text
from dialogs.reallocation_cards import reallocation_card
from dialogs.safeguarding_cards import concerns_card
from qa.audit_calendar import month_key
from qa.framework import Role
from storage import cycle
from storage.escalations import escalation_counts


def _notice(title: str, message: str) -> CommandReply:
    return CommandReply(card([heading(title), text(message)]), message)


def _not_on_roster(title: str) -> CommandReply:
    return _notice(title, "I can't find you on the staff roster, so I don't know your audits. "
                          "Please ask the QA unit to add you.")


async def my_audits(said: Said) -> CommandReply:
    """The person's audits still to submit, with Start/Continue buttons."""
    person = said.person
    if person is None:
        return _not_on_roster("Your audits")
    async with said.ctx.db.sessions() as session:
        found = await views.open_allocations_for(session, person.id, said.ctx.calendar)
    summary = (f"You have {len(found)} open audit{'s' if len(found) != 1 else ''}: "
               + ", ".join(v.case_ref for v in found)) if found else "You have no open audits."
    return CommandReply(my_audits_card(found), summary)


async def oversight(said: Said) -> CommandReply:
    """For a service lead: the audits in their service areas awaiting oversight."""
    person = said.person
    if person is None:
        return _not_on_roster("Oversight")
    if person.role != Role.SERVICE_LEAD:
        return _notice("Oversight", "This is for service leads: it lists the audits awaiting their oversight. "
                                    "Type \"my audits\" for the audits allocated to you.")
    cal = said.ctx.calendar
    async with said.ctx.db.sessions() as session:
        queue = await views.awaiting_oversight_for(session, person, cal)
    if queue.oversight_due is None:
        return CommandReply(oversight_digest_card(person.display_name, [], cal.local_date(said.now)),
                            "Nothing is waiting for your oversight.")
    count = len(queue.items)
    return CommandReply(oversight_digest_card(person.display_name, queue.items, queue.oversight_due),
                        f"{count} audit{'s' if count != 1 else ''} awaiting your oversight")


def not_qa_unit() -> CommandReply:
    return _notice("Audit cycle", "The audit cycle's figures are for the QA unit. "
                                  "Type \"my audits\" for the audits allocated to you.")


async def figures(ctx: Context, month: str, now: datetime) -> CommandReply:
    """`month`'s figures per service area, as of `now`, with a Refresh button."""
    status = await views.cycle_status(ctx.db, month, now, ctx.calendar)
    total = status.total
    summary = (f"Audit cycle {format_month(month)}: {total.allocated} allocated, {total.submitted} submitted, "
               f"{total.overdue} overdue, {total.awaiting_oversight} awaiting oversight"
               if status.rows else f"Audit cycle {format_month(month)}: no allocations yet")
    async with ctx.db.sessions() as session:
        open_escalations = await escalation_counts(session, now)
        chased = [ref for _, ref in await cycle.chased_not_uploaded(session, month, kinds.UPLOAD_CHASE)]
    card = cycle_status_card(format_month(month), status.rows, month=month, as_of=now, tz=ctx.calendar.tz,
                             escalations=open_escalations, chased_uploads=chased)
    return CommandReply(card, summary)


async def cycle_status(said: Said) -> CommandReply:
    """For the QA unit: the latest month's figures per service area (the current month, or the
    latest imported before it, e.g. December's while January's list is not in yet)."""
    person = said.person
    if person is None or person.role != Role.QA_UNIT:
        return not_qa_unit()
    today = said.ctx.calendar.local_date(said.now)
    async with said.ctx.db.sessions() as session:
        month = await cycle.latest_month(session, month_key(today.year, today.month)) \
            or month_key(today.year, today.month)
    return await figures(said.ctx, month, said.now)


async def concerns(said: Said) -> CommandReply:
    """`concerns` (QA unit): the last 90 days' safeguarding concerns, time to owner and to the action note.
    Anyone else is told it is the QA unit's (the list names cases across every service area)."""
    person = said.person
    if person is None or person.role != Role.QA_UNIT:
        return _notice("Safeguarding concerns", "The list of safeguarding concerns is for the QA unit. A concern "
                                                "sent to you is in your chat with the bot, with I'm taking this.")
    lines = await safeguarding.concern_lines(said.ctx, said.now)
    return CommandReply(concerns_card(lines, said.ctx.calendar.tz), "Safeguarding concerns: ownership")


async def reallocate(said: Said) -> CommandReply:
    """`reallocate <case ref>` (QA unit): the case in the latest month, not yet started, with Reallocate
    and who may take it over (capabilities/audit_cycle/reallocation.py). Anyone else is refused there too."""
    person = said.person
    if person is None:
        return _not_on_roster("Reallocate")
    outcome = await reallocation.reallocation_for(said.ctx, person.id, said.argument, now=said.now,
                                                  via="command:reallocate")
    if outcome.view is None:
        return _notice(f"Reallocate case {outcome.case_ref}" if outcome.case_ref else "Reallocate", outcome.message)
    return CommandReply(reallocation_card(outcome.view), f"Reallocate case {outcome.case_ref}")
