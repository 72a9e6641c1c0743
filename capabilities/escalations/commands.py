"""The escalations' typed commands: `alert` (the practice alert form), `alerts` (the QA unit's list
of open alerts) and `good practice` (the learning list). Each reads, checks who asks
(access.py) and answers with a card; raising an alert is the form's press (actions.py)."""
from __future__ import annotations

from capabilities.escalations import config
from capabilities.escalations.access import (
    good_practice_areas,
    may_list_alerts,
    may_raise_alert,
    may_see_good_practice,
)
from capabilities.escalations.alerts import ONLY_RAISERS, alert_view, open_alerts
from capabilities.escalations.good_practice import SHOWN, good_practice, last_three, period
from capabilities.escalations.status import alert_status
from capabilities.kit import NOTHING_CHANGED
from capabilities.registry import CommandReply, Said
from dialogs import alert_cards as alc
from dialogs import good_practice_cards as gp
from dialogs.escalation_cards import plain_card
from storage.people import team_areas

LIST_LIMIT = 30  # open alerts on the QA unit's card


def _notice(title: str, message: str) -> CommandReply:
    return CommandReply(plain_card(title, message), message)


async def alert_command(said: Said) -> CommandReply:
    """`alert`: the form, for those who may raise one."""
    if not may_raise_alert(said.person):
        return _notice("Practice alert", ONLY_RAISERS.replace(" " + NOTHING_CHANGED, ""))
    async with said.ctx.db.sessions() as session:
        teams = list(await team_areas(session))
    if not teams:
        return _notice("Practice alert", "No team on the roster has a practice manager yet, so an alert has "
                                         "nowhere to go. Please ask the QA unit to check the roster.")
    return CommandReply(alc.alert_form_card(teams), "Raise a practice alert")


async def alerts_command(said: Said) -> CommandReply:
    """`alerts`: the open practice alerts, for the QA unit."""
    if not may_list_alerts(said.person):
        return _notice("Practice alerts", "The list of open practice alerts is for the QA unit.")
    async with said.ctx.db.sessions() as session:
        found = await open_alerts(session)
        views = [await alert_view(session, a) for a in found[:LIST_LIMIT]]
    # By service area, as `alerts status` counts them (open, past the chase, past escalation).
    status = await alert_status(said.ctx.db, said.now, said.ctx.calendar, config.settings().chase_days)
    areas = [(area, c.open, c.chased, c.escalated) for area, c in sorted(status.areas.items())]
    summary = f"{len(found)} open practice alert{'s' if len(found) != 1 else ''}"
    return CommandReply(alc.open_alerts_card(views, said.ctx.calendar.tz, said.now, len(found), areas), summary)


async def good_practice_command(said: Said) -> CommandReply:
    """`good practice`: the last three audit months' Good and Outstanding audits, for learning."""
    if not may_see_good_practice(said.person):
        message = ("The good practice list is for the QA unit and the principal social worker, and for heads of "
                   "service, service leads and practice managers for their service areas.")
        return _notice("Good practice", message)
    areas = good_practice_areas(said.person)
    if areas is not None and not areas:
        return _notice("Good practice", "The roster gives you no service area, so there is no good practice list "
                                        "for you. Please ask the QA unit to check the roster.")
    months = last_three(said.ctx.calendar.local_date(said.now))
    async with said.ctx.db.sessions() as session:
        items = await good_practice(session, months, areas)
    label = period(months) if areas is None else f"{period(months)}, {', '.join(areas)}"
    summary = f"Good practice, {label}: {len(items)} audit{'s' if len(items) != 1 else ''}"
    return CommandReply(gp.good_practice_card(label, items[:SHOWN], len(items)), summary)
