"""Supervision's chat commands: `supervision` (a supervisor's supervisees: each kind's next due date and
what is overdue), `my supervision` (a supervisee's own) and `away` (the form to mark yourself or a
supervisee away), and for service leads `exempt <case ref> <reason>` and `lift exemption <case ref>`
(case supervision exemptions, framework 9.1)."""
from __future__ import annotations

from datetime import date

from capabilities.context import Context
from capabilities.kit import NOT_ON_ROSTER, Status
from capabilities.registry import CommandReply, Said
from capabilities.supervision import config, exemptions, flow
from capabilities.supervision.plan import is_away
from dialogs import supervision_cards as sc
from qa.supervision import CASE, Cadences, due_items, standing
from storage.supervision import Board, Staff, load_board


def person_due(board: Board, s: Staff, today: date, ctx: Context, cadences: Cadences) -> sc.PersonDue:
    rows = []
    for item in due_items(board.facts[s.id], today, ctx.calendar, cadences, horizon=date.max):
        rows.append(sc.DueRow(item.kind, item.due, standing(item.due, today, ctx.calendar, cadences.soon_working_days),
                              item.asye, len(item.case_refs) if item.kind == CASE else 0))
    return sc.PersonDue(s.id, s.name, tuple(rows), is_away(board, s.id, today))


def _notice(title: str, message: str) -> CommandReply:
    return CommandReply(sc.supervision_notice_card(title, message), message)


async def supervision(said: Said) -> CommandReply:
    if said.person is None:
        return _notice("Supervision", NOT_ON_ROSTER)
    cadences = config.cadences()
    today = said.ctx.calendar.local_date(said.now)
    async with said.ctx.db.sessions() as session:
        board = await load_board(session, today, said.ctx.calendar.tz)
    people = [person_due(board, s, today, said.ctx, cadences) for s in board.supervisees_of(said.person.id)]
    overdue = sum(1 for p in people for r in p.rows if r.standing == "overdue")
    return CommandReply(sc.supervision_overview_card(today, people),
                        f"{len(people)} supervisees, {overdue} overdue")


async def my_supervision(said: Said) -> CommandReply:
    if said.person is None:
        return _notice("Your supervision", NOT_ON_ROSTER)
    cadences = config.cadences()
    today = said.ctx.calendar.local_date(said.now)
    async with said.ctx.db.sessions() as session:
        board = await load_board(session, today, said.ctx.calendar.tz)
    me = board.staff.get(said.person.id)
    if me is None or me.id not in board.facts:
        return CommandReply(sc.my_supervision_card(today, None, None), "No supervisor on the roster")
    mine = person_due(board, me, today, said.ctx, cadences)
    return CommandReply(sc.my_supervision_card(today, mine, board.staff[me.supervisor_id].name),
                        "Your supervision: next due dates")


async def away(said: Said) -> CommandReply:
    outcome = await flow.away_view(said.ctx, said.person.id if said.person else None, now=said.now,
                                   via="command:away")
    if outcome.away is None:
        return _notice("Away from supervision", outcome.message)
    return CommandReply(sc.supervision_away_card(outcome.away), "Mark someone away from supervision")


def _exemption_reply(outcome: exemptions.ExemptionOutcome, title: str) -> CommandReply:
    words = outcome.message
    if outcome.status == Status.DONE:
        words += (f". Today's supervision digest showing it is updated ({outcome.digests})." if outcome.digests
                  else ".")
    return _notice(title, words)


async def exempt(said: Said) -> CommandReply:
    """`exempt <case ref> <reason>` (service leads, framework 9.1): the case exempted from eight-weekly case
    supervision (capabilities/supervision/exemptions.py checks who, the case and the reason)."""
    if said.person is None:
        return _notice("Exempt a case", NOT_ON_ROSTER)
    ref, _, reason = said.argument.strip().partition(" ")
    outcome = await exemptions.exempt(said.ctx, said.person.id, ref, reason, now=said.now, via="command:exempt",
                                      cadences=config.cadences())
    return _exemption_reply(outcome, f"Exempt case {outcome.case_ref or ref}".strip())


async def lift_exemption(said: Said) -> CommandReply:
    """`lift exemption <case ref>` (service leads): case supervision every eight weeks again for the case."""
    if said.person is None:
        return _notice("Lift an exemption", NOT_ON_ROSTER)
    ref, _, reason = said.argument.strip().partition(" ")
    outcome = await exemptions.exempt(said.ctx, said.person.id, ref, reason, lift=True, now=said.now,
                                      via="command:lift exemption", cadences=config.cadences())
    return _exemption_reply(outcome, f"Lift the exemption of case {outcome.case_ref or ref}".strip())
