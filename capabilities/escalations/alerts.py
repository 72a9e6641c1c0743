"""Practice alerts (framework section 14): use cases and chat commands. Each press or command is
one transaction that re-checks who may act, writes a TrailEvent (subject "alert"; detail: counts,
lengths and the category, never typed text) and the outbox rows it causes.

- `alert` (IROs, child protection conference chairs, the QA unit) answers with the form; its
  Send raises the alert to the team's practice manager(s) and the area's service lead(s), and
  owes two follow-ups: the chase after QA_ALERT_CHASE_DAYS working days and the escalation to the
  head of service and the QA unit after twice as many.
- Respond (actions agreed) and Resolved: the team's practice manager or the area's service lead;
  whoever raised the alert is told of each, and every other copy of the alert (the notice, its
  chase, its escalation) is updated in place to show it (capabilities/copies.py).
- `alerts` (the QA unit): the open alerts, oldest first.
"""
from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.copies import pressed as pressed_rows
from capabilities.copies import update_copies
from capabilities.escalations import kinds
from capabilities.escalations.actions import card_name, with_message
from capabilities.escalations.config import chase_days
from capabilities.escalations.flow import (
    ALREADY,
    DONE,
    INVALID,
    NOT_FOUND,
    NOT_ON_ROSTER,
    NOTHING_CHANGED,
    REFUSED,
    UNCHANGED,
    Result,
    event,
    send,
)
from capabilities.escalations.people import covers
from capabilities.press import UNREADABLE, Press, Reply, positive_id
from capabilities.registry import CommandReply, Said
from dialogs import alert_cards as alc
from dialogs.card_kit import format_moment
from dialogs.card_update import polite_card
from dialogs.common_cards import role_words
from dialogs.escalation_cards import plain_card
from qa.alerts import RAISERS, AlertError, chase_dates, check_alert, check_response
from qa.calendar import WorkingCalendar
from qa.identifiers import first_refusal
from storage import follow_ups
from storage.cycle import area_key
from storage.db import Database
from storage.models import Alert, AlertResponse, Person
from storage.people import active

RAISED, RESPONDED, RESOLVED = "alert_raised", "alert_responded", "alert_resolved"
CHASED, ESCALATED = "alert_chased", "alert_escalated"
ONLY_RAISERS = ("Practice alerts are raised by independent reviewing officers, child protection conference chairs "
                "and the QA unit. " + NOTHING_CHANGED)
ONLY_TEAM = ("Only the team's practice manager or the service lead for its area can respond to this alert. "
             + NOTHING_CHANGED)
LIST_LIMIT = 30


# -- who ------------------------------------------------------------------------------------------

async def team_areas(session: AsyncSession) -> dict[str, str]:
    """Team -> its service area, from the roster's active practice managers (the first found)."""
    found: dict[str, str] = {}
    for person in await active(session, ["practice_manager"]):
        if person.team.strip() and person.service_areas:
            found.setdefault(person.team.strip(), person.service_areas[0])
    return dict(sorted(found.items(), key=lambda kv: kv[0].casefold()))


def may_answer(person: Person, alert: Alert) -> bool:
    if not person.active:
        return False
    if person.role == "practice_manager":
        return area_key(person.team) == area_key(alert.team)
    return person.role == "service_lead" and covers(person, alert.service_area)


async def answerers(session: AsyncSession, alert: Alert) -> list[Person]:
    return [p for p in await active(session, ["practice_manager", "service_lead"]) if may_answer(p, alert)]


async def heads_of_service(session: AsyncSession, alert: Alert) -> list[Person]:
    return [p for p in await active(session, ["head_of_service"]) if covers(p, alert.service_area)]


# -- views ----------------------------------------------------------------------------------------

async def alert_view(session: AsyncSession, alert: Alert) -> alc.AlertView:
    async def name(person_id: int | None) -> str:
        person = await session.get(Person, person_id) if person_id else None
        return person.display_name if person else "someone"

    raiser = await session.get(Person, alert.raised_by_id)
    responses = (await session.execute(select(AlertResponse).where(AlertResponse.alert_id == alert.id)
                                       .order_by(AlertResponse.at, AlertResponse.id))).scalars()
    return alc.AlertView(
        alert_id=alert.id, case_ref=alert.case_ref, team=alert.team, service_area=alert.service_area,
        category=alert.category, description=alert.description,
        raised_by=raiser.display_name if raiser else "someone",
        raised_by_role=role_words(raiser.role if raiser else None), raised_at=alert.raised_at,
        responses=tuple([alc.ResponseLine(by=await name(r.by_id), at=r.at, text=r.text) for r in responses]),
        resolved_by=await name(alert.resolved_by_id) if alert.resolved_by_id else None, resolved_at=alert.resolved_at)


# -- raising --------------------------------------------------------------------------------------

def _notice(title: str, message: str) -> CommandReply:
    return CommandReply(plain_card(title, message), message)


async def alert_command(said: Said) -> CommandReply:
    """`alert`: the form, for those who may raise one."""
    if said.person is None or said.person.role not in RAISERS:
        return _notice("Practice alert", ONLY_RAISERS.replace(" " + NOTHING_CHANGED, ""))
    async with said.ctx.db.sessions() as session:
        teams = list(await team_areas(session))
    if not teams:
        return _notice("Practice alert", "No team on the roster has a practice manager yet, so an alert has "
                                         "nowhere to go. Please ask the QA unit to check the roster.")
    return CommandReply(alc.alert_form_card(teams), "Raise a practice alert")


def _inputs(p: Press) -> dict[str, str]:
    return {key: value for key in (alc.CASE_REF, alc.TEAM, alc.CATEGORY, alc.DESCRIPTION)
            if isinstance(value := p.data.get(key), str)}


async def raise_alert(db: Database, actor_id: int, values: dict[str, str], *, now: datetime, cal: WorkingCalendar,
                      via: str, days: int) -> Result:
    async with db.sessions.begin() as session:
        actor = await session.get(Person, actor_id)
        if actor is None or not actor.active:
            return Result(REFUSED, message=NOT_ON_ROSTER)
        if actor.role not in RAISERS:
            return Result(REFUSED, message=ONLY_RAISERS)
        areas = await team_areas(session)
        try:
            case_ref, team, category, description = check_alert(
                values.get(alc.CASE_REF), values.get(alc.TEAM), list(areas), values.get(alc.CATEGORY),
                values.get(alc.DESCRIPTION))
        except AlertError as exc:
            return Result(INVALID, alc.alert_form_card(list(areas), values, str(exc)), str(exc))
        refusal = first_refusal({"The concern": description, "The case reference": case_ref})
        if refusal:
            return Result(INVALID, alc.alert_form_card(list(areas), values, refusal), refusal)
        alert = Alert(case_ref=case_ref, team=team, service_area=areas[team], category=category,
                      description=description, raised_by_id=actor.id, raised_at=now, state="open")
        session.add(alert)
        await session.flush()
        dates = chase_dates(now, cal, days)
        for kind, due in ((kinds.ALERT_CHASE, dates.chase_at), (kinds.ALERT_ESCALATED, dates.escalate_at)):
            await follow_ups.owe(session, key=f"{kind}:{alert.id}", kind=kind, subject_type="alert",
                                 subject_id=alert.id, due_at=due, now=now)
        people = await answerers(session, alert)
        event(session, "alert", alert.id, None, actor.id, RAISED, via, now, category=category,
              length=len(description), recipients=len(people))
        view = await alert_view(session, alert)
        await send(session, kinds.ALERT_NOTICE, str(alert.id), people, kinds.ALERT_NOTICE.card(view, cal.tz, "new"),
                   f"Practice alert: case {case_ref}", cal.next_send_moment(now), now)
        return Result(DONE, alc.alert_raised_card(view, cal.tz, len(people)))


# -- responding -----------------------------------------------------------------------------------

async def _begin(session: AsyncSession, actor_id: int, alert_id: int,
                 cal: WorkingCalendar) -> tuple[Person, Alert, alc.AlertView] | Result:
    actor = await session.get(Person, actor_id)
    if actor is None or not actor.active:
        return Result(REFUSED, message=NOT_ON_ROSTER)
    alert = (await session.execute(select(Alert).where(Alert.id == alert_id).with_for_update())).scalar_one_or_none()
    if alert is None:
        return Result(REFUSED, message=NOT_FOUND)
    if not may_answer(actor, alert):
        return Result(REFUSED, message=ONLY_TEAM)
    view = await alert_view(session, alert)
    if not view.open:
        return Result(ALREADY, alc.alert_card(view, cal.tz),
                      f"{view.resolved_by} marked this alert resolved on {format_moment(view.resolved_at, cal.tz)}. "
                      f"{NOTHING_CHANGED}", f"Practice alert: case {alert.case_ref}")
    return actor, alert, view


async def respond(db: Database, actor_id: int, alert_id: int, answer: str | None, *, now: datetime,
                  cal: WorkingCalendar, via: str, pressed: Collection[int] = ()) -> Result:
    async with db.sessions.begin() as session:
        begun = await _begin(session, actor_id, alert_id, cal)
        if isinstance(begun, Result):
            return begun
        actor, alert, view = begun
        try:
            cleaned = check_response(answer)
        except AlertError as exc:
            return Result(INVALID, alc.alert_card(view, cal.tz, error=str(exc)), str(exc))
        refusal = first_refusal({"The response": cleaned})
        if refusal:
            return Result(INVALID, alc.alert_card(view, cal.tz, error=refusal), refusal)
        session.add(AlertResponse(alert_id=alert.id, by_id=actor.id, at=now, text=cleaned))
        await session.flush()
        count = (await session.execute(select(func.count()).select_from(AlertResponse)
                                       .where(AlertResponse.alert_id == alert.id))).scalar_one()
        event(session, "alert", alert.id, None, actor.id, RESPONDED, via, now, number=count, length=len(cleaned))
        view = await alert_view(session, alert)
        await _tell_raiser(session, alert, view, "response", f"{alert.id}:{count}", now, cal)
        await _update_copies(session, alert, view, f"{alert.id}:response:{count}", now, cal, pressed)
        return Result(DONE, alc.alert_card(view, cal.tz))


async def resolve(db: Database, actor_id: int, alert_id: int, *, now: datetime, cal: WorkingCalendar,
                  via: str, pressed: Collection[int] = ()) -> Result:
    async with db.sessions.begin() as session:
        begun = await _begin(session, actor_id, alert_id, cal)
        if isinstance(begun, Result):
            return begun
        actor, alert, view = begun
        alert.state, alert.resolved_by_id, alert.resolved_at = "resolved", actor.id, now
        await follow_ups.cancel_for(session, "alert", [alert.id], now)
        event(session, "alert", alert.id, None, actor.id, RESOLVED, via, now, responses=len(view.responses))
        await session.flush()
        view = await alert_view(session, alert)
        await _tell_raiser(session, alert, view, "resolved", str(alert.id), now, cal)
        await _update_copies(session, alert, view, f"{alert.id}:resolved", now, cal, pressed)
        return Result(DONE, alc.alert_card(view, cal.tz))


async def _update_copies(session: AsyncSession, alert: Alert, view: alc.AlertView, key: str, now: datetime,
                         cal: WorkingCalendar, skip: Collection[int]) -> None:
    """Every other copy of the alert shows it as it now stands: the team's copies (notice, chase)
    with their buttons while it is open, the escalated copies without."""
    summary = (f"Practice alert: case {alert.case_ref}" if view.open
               else f"Practice alert resolved: case {alert.case_ref}")
    await update_copies(session, [f"{kinds.ALERT_NOTICE}:{alert.id}:", f"{kinds.ALERT_CHASE}:{alert.id}:"],
                        alc.alert_card(view, cal.tz), summary, kind=kinds.ALERT_UPDATE,
                        key=f"{kinds.ALERT_UPDATE}:{key}", now=now, skip=skip)
    await update_copies(session, [f"{kinds.ALERT_ESCALATED}:{alert.id}:"], alc.alert_card(view, cal.tz, buttons=False),
                        summary, kind=kinds.ALERT_UPDATE, key=f"{kinds.ALERT_UPDATE}:{key}", now=now, skip=skip)


async def _tell_raiser(session: AsyncSession, alert: Alert, view: alc.AlertView, what: str, key: str,
                       now: datetime, cal: WorkingCalendar) -> None:
    raiser = await session.get(Person, alert.raised_by_id)
    if raiser is None or not raiser.active:
        return
    kind = kinds.ALERT_RESPONSE if what == "response" else kinds.ALERT_RESOLVED
    summary = (f"Response to your alert: case {alert.case_ref}" if what == "response"
               else f"Your alert was resolved: case {alert.case_ref}")
    await send(session, kind, key, [raiser], kind.card(view, cal.tz, what), summary, cal.next_send_moment(now), now)


async def view_alert(db: Database, actor_id: int, alert_id: int, cal: WorkingCalendar) -> Result:
    async with db.sessions() as session:
        actor = await session.get(Person, actor_id)
        alert = await session.get(Alert, alert_id)
        if actor is None or alert is None:
            return Result(REFUSED, message=NOT_FOUND)
        if not may_answer(actor, alert):
            return Result(REFUSED, message=ONLY_TEAM)
        return Result(UNCHANGED, alc.alert_card(await alert_view(session, alert), cal.tz))


# -- the QA unit's list ---------------------------------------------------------------------------

async def open_alerts(session: AsyncSession) -> list[Alert]:
    return list((await session.execute(select(Alert).where(Alert.state == "open")
                                       .order_by(Alert.raised_at, Alert.id))).scalars())


async def alerts_command(said: Said) -> CommandReply:
    """`alerts`: the open practice alerts, for the QA unit."""
    if said.person is None or said.person.role != "qa_unit":
        return _notice("Practice alerts", "The list of open practice alerts is for the QA unit.")
    async with said.ctx.db.sessions() as session:
        found = await open_alerts(session)
        views = [await alert_view(session, a) for a in found[:LIST_LIMIT]]
    summary = f"{len(found)} open practice alert{'s' if len(found) != 1 else ''}"
    return CommandReply(alc.open_alerts_card(views, said.ctx.calendar.tz, said.now, len(found)), summary)


# -- presses --------------------------------------------------------------------------------------

async def press(p: Press) -> Reply:
    """Answer a practice alert's button."""
    days = chase_days()
    if p.verb == alc.Verb.RAISE:
        if p.actor is None:
            return Reply(card=polite_card(p.rows, {}, NOT_ON_ROSTER, "Nothing was changed"))
        result = await raise_alert(p.ctx.db, p.actor.id, _inputs(p), now=p.now, cal=p.ctx.calendar,
                                   via="card:alert_form", days=days)
        if result.status == DONE:
            return Reply(card=result.card, update=True)
        if result.card is not None:
            return Reply(card=result.card)
        return Reply(card=plain_card("Practice alert", result.message))
    ident = positive_id(p.data.get("alert_id"))
    if ident is None or p.verb not in (alc.Verb.RESPOND, alc.Verb.RESOLVE, alc.Verb.VIEW):
        return Reply(text=UNREADABLE)
    ids = {"alert_id": ident}
    if p.actor is None:
        return Reply(card=polite_card(p.rows, ids, NOT_ON_ROSTER, "Nothing was changed"))
    via = f"card:{card_name(p, ids, 'practice_alert')}"
    if p.verb == alc.Verb.RESPOND:
        answer = p.data.get(alc.RESPONSE)
        result = await respond(p.ctx.db, p.actor.id, ident, answer if isinstance(answer, str) else None, now=p.now,
                               cal=p.ctx.calendar, via=via, pressed=pressed_rows(p.rows))
    elif p.verb == alc.Verb.RESOLVE:
        result = await resolve(p.ctx.db, p.actor.id, ident, now=p.now, cal=p.ctx.calendar, via=via,
                               pressed=pressed_rows(p.rows))
    else:
        result = await view_alert(p.ctx.db, p.actor.id, ident, p.ctx.calendar)
    if result.status == DONE:
        return Reply(card=result.card, update=True)
    if result.status in (UNCHANGED, INVALID) and result.card is not None:
        return Reply(card=result.card)
    if result.status == ALREADY and result.card is not None:
        return Reply(card=with_message(result.card, result.message), update=True)
    return Reply(card=polite_card(p.rows, ids, result.message, result.title or "Nothing was changed"))
