"""The typed status commands: Said -> the figures (figures.py) for the sender's scope (access.py) ->
a card. The edge lets only the roles each is registered for type it; the scope is checked here again."""
from __future__ import annotations

from capabilities.registry import CommandReply, Said
from capabilities.status import access
from capabilities.status.figures import TITLES, figures
from dialogs import status_cards as sc
from storage.allocations import open_months


async def _status(said: Said, name: str) -> CommandReply:
    scope = access.scope_of(said.person, name)
    if isinstance(scope, str):
        return CommandReply(sc.status_notice_card(TITLES[name], scope), scope)
    found = await figures(said.ctx, name, scope, said.now, card_only=True)
    return CommandReply(found.card, found.summary)


async def escalations(said: Said) -> CommandReply:
    """`escalations`: moderations pending, escalations open, updates due and overdue, by service area."""
    return await _status(said, access.ESCALATIONS)


async def supervision_status(said: Said) -> CommandReply:
    """`supervision status`: last month's supervision compliance per team (framework 9.1)."""
    return await _status(said, access.SUPERVISION)


async def observations_status(said: Said) -> CommandReply:
    """`observations status`: observed in the last twelve months, by service area and team."""
    return await _status(said, access.OBSERVATIONS)


async def delivery(said: Said) -> CommandReply:
    """`delivery`: the outbox: waiting, retrying, sent, undeliverable by reason (the QA unit)."""
    return await _status(said, access.DELIVERY)


async def close_month(said: Said) -> CommandReply:
    """`close month`: the months still open, each with a button to confirm closing it (the QA unit)."""
    if not access.may_close(said.person):
        return CommandReply(sc.status_notice_card("Close a month", access.NOT_A_CLOSER), access.NOT_A_CLOSER)
    async with said.ctx.db.sessions() as session:
        months = [sc.MonthToClose(*row) for row in await open_months(session)]
    return CommandReply(sc.close_month_card(months), f"{len(months)} month{'s' if len(months) != 1 else ''} open")
