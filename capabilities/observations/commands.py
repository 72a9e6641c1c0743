"""`observations`: a manager's supervisees and the date each was last observed by them, most
overdue first, each with an Observe button (framework section 11: at least once a year)."""
from __future__ import annotations

from capabilities.observations import access
from capabilities.registry import CommandReply, Said
from dialogs import observation_cards as oc
from qa.observations import Supervisee, most_overdue_first, observation_due
from storage.observations import last_observed, supervisees_of

TITLE = "Observations of your supervisees"


async def observations(said: Said) -> CommandReply:
    person = said.person
    if person is None or not access.observes(person):
        message = ("This is for managers who observe practice: it lists their supervisees' last observation. "
                   "Type feedback to record feedback.")
        return CommandReply(oc.polite_message_card(TITLE, message), message)
    today = said.ctx.calendar.local_date(said.now)
    async with said.ctx.db.sessions() as session:
        people = await supervisees_of(session, person)
        last = await last_observed(session, [p.id for p in people], observer_id=person.id)
    teams = {p.id: p.team for p in people}
    ordered = most_overdue_first(Supervisee(p.id, p.display_name, last.get(p.id)) for p in people)
    rows = [oc.DueRow(s.name, teams[s.id], s.last_observed) for s in ordered]
    due = sum(observation_due(s.last_observed, today) for s in ordered)
    summary = f"{len(rows)} supervisees, {due} not observed by you in the last twelve months"
    return CommandReply(oc.observations_card(person.display_name, rows, today), summary)
