"""Practice alerts (framework section 14): the use cases. Each is one transaction that re-checks
who may act, writes a trail row (subject "alert"; detail: counts, lengths and the category, never
typed text) and the outbox rows it causes.

- Raise (IROs, child protection conference chairs, the QA unit, from the `alert` form): the alert
  goes to the team's practice manager(s) and the area's service lead(s), and owes two follow-ups:
  the chase after QA_ALERT_CHASE_DAYS working days and the escalation to the head of service and
  the QA unit after twice as many (duties.py).
- Respond (actions agreed) and Resolved: the team's practice manager or the area's service lead;
  whoever raised the alert is told of each, and every other copy of the alert (the notice, its
  chase, its escalation) is updated in place to show it (capabilities/copies.py).
"""
from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.context import Context
from capabilities.copies import update_copies
from capabilities.escalations import kinds
from capabilities.escalations.access import answerers, may_answer, may_raise_alert
from capabilities.escalations.flow import NOT_FOUND, name_of
from capabilities.kit import NOTHING_CHANGED, Act, Outcome, Status, already, look, refuse, unit, use_case
from dialogs import alert_cards as alc
from dialogs.card_kit import format_moment
from dialogs.common_cards import role_words
from qa.alerts import AlertError, chase_dates, check_alert, check_response
from qa.identifiers import DEFAULT_CASE_REFS, CaseRefFormat, first_refusal
from storage import follow_ups
from storage.models import Alert, AlertResponse, Person
from storage.people import active_person, team_areas

RAISED, RESPONDED, RESOLVED = "alert_raised", "alert_responded", "alert_resolved"
CHASED, ESCALATED = "alert_chased", "alert_escalated"
ONLY_RAISERS = ("Practice alerts are raised by independent reviewing officers, child protection conference chairs "
                "and the QA unit. " + NOTHING_CHANGED)
ONLY_TEAM = ("Only the team's practice manager or the service lead for its area can respond to this alert. "
             + NOTHING_CHANGED)


async def alert_view(session: AsyncSession, alert: Alert) -> alc.AlertView:
    raiser = await session.get(Person, alert.raised_by_id)
    responses = (await session.execute(select(AlertResponse).where(AlertResponse.alert_id == alert.id)
                                       .order_by(AlertResponse.at, AlertResponse.id))).scalars()
    return alc.AlertView(
        alert_id=alert.id, case_ref=alert.case_ref, team=alert.team, service_area=alert.service_area,
        category=alert.category, description=alert.description,
        raised_by=raiser.display_name if raiser else "someone",
        raised_by_role=role_words(raiser.role if raiser else None), raised_at=alert.raised_at,
        responses=tuple([alc.ResponseLine(by=await name_of(session, r.by_id), at=r.at, text=r.text)
                         for r in responses]),
        resolved_by=await name_of(session, alert.resolved_by_id) if alert.resolved_by_id else None,
        resolved_at=alert.resolved_at)


async def open_alerts(session: AsyncSession) -> list[Alert]:
    return list((await session.execute(select(Alert).where(Alert.state == "open")
                                       .order_by(Alert.raised_at, Alert.id))).scalars())


# -- raising --------------------------------------------------------------------------------------

@use_case()
async def raise_alert(ctx: Context, actor_id: int, values: Mapping[str, str], days: int, *, now: datetime,
                      via: str, case_refs: CaseRefFormat = DEFAULT_CASE_REFS) -> Outcome:
    """Raise an alert from the form's `values`; `days` is QA_ALERT_CHASE_DAYS (config.py), `case_refs`
    the council's case-reference format (QA_CASE_REF_PATTERN)."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        session, cal = act.session, act.calendar
        if not may_raise_alert(act.actor):
            refuse(ONLY_RAISERS)
        areas = await team_areas(session)
        try:
            case_ref, team, category, description = check_alert(
                values.get(alc.CASE_REF), values.get(alc.TEAM), list(areas), values.get(alc.CATEGORY),
                values.get(alc.DESCRIPTION), case_refs)
            problem = first_refusal({"The concern": description})
        except AlertError as exc:
            problem = str(exc)
        if problem:
            return Outcome(Status.INVALID, problem, card=alc.alert_form_card(list(areas), dict(values), problem))
        alert = Alert(case_ref=case_ref, team=team, service_area=areas[team], category=category,
                      description=description, raised_by_id=act.actor.id, raised_at=now, state="open")
        session.add(alert)
        await session.flush()
        dates = chase_dates(now, cal, days)
        for kind, due in ((kinds.ALERT_CHASE, dates.chase_at), (kinds.ALERT_ESCALATED, dates.escalate_at)):
            await follow_ups.owe(session, key=f"{kind}:{alert.id}", kind=kind, subject_type="alert",
                                 subject_id=alert.id, due_at=due, now=now)
        people = await answerers(session, alert)
        act.trail("alert", alert.id, RAISED, category=category, length=len(description), recipients=len(people))
        view = await alert_view(session, alert)
        await act.notify(kinds.ALERT_NOTICE, people, kinds.ALERT_NOTICE.message(
            view, cal.tz, "new", summary=f"Practice alert: case {case_ref}"), key=f"{kinds.ALERT_NOTICE}:{alert.id}")
        return Outcome(Status.DONE, card=alc.alert_raised_card(view, cal.tz, len(people)))


# -- responding -----------------------------------------------------------------------------------

async def _open_alert(act: Act, alert_id: int) -> tuple[Alert, alc.AlertView]:
    """The alert, locked, for one who may answer it while it is open."""
    alert = await act.lock(Alert, alert_id, missing=NOT_FOUND)
    if not await act.may(lambda p: may_answer(p, alert)):
        refuse(ONLY_TEAM)
    view = await alert_view(act.session, alert)
    if not view.open:
        tz = act.calendar.tz
        already(f"{view.resolved_by} marked this alert resolved on {format_moment(view.resolved_at, tz)}. "
                f"{NOTHING_CHANGED}", card=alc.alert_card(view, tz), title=f"Practice alert: case {alert.case_ref}")
    return alert, view


@use_case()
async def respond(ctx: Context, actor_id: int, alert_id: int, answer: str | None, *, now: datetime, via: str,
                  pressed: Collection[int] = ()) -> Outcome:
    """Record the actions agreed; the raiser is told and the other copies show it."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        session, tz = act.session, act.calendar.tz
        alert, view = await _open_alert(act, alert_id)
        try:
            cleaned = check_response(answer)
            problem = first_refusal({"The response": cleaned})
        except AlertError as exc:
            problem = str(exc)
        if problem:
            return Outcome(Status.INVALID, problem, card=alc.alert_card(view, tz, error=problem))
        session.add(AlertResponse(alert_id=alert.id, by_id=act.actor.id, at=now, text=cleaned))
        await session.flush()
        count = (await session.execute(select(func.count()).select_from(AlertResponse)
                                       .where(AlertResponse.alert_id == alert.id))).scalar_one()
        act.trail("alert", alert.id, RESPONDED, number=count, length=len(cleaned))
        view = await alert_view(session, alert)
        await _tell_raiser(act, alert, view, "response", f"{alert.id}:{count}")
        await _update_copies(act, alert, view, f"{alert.id}:response:{count}", pressed)
        return Outcome(Status.DONE, card=alc.alert_card(view, tz))


@use_case()
async def resolve(ctx: Context, actor_id: int, alert_id: int, *, now: datetime, via: str,
                  pressed: Collection[int] = ()) -> Outcome:
    """Mark the alert resolved: its chasers are cancelled, the raiser is told, the other copies show it."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        session = act.session
        alert, view = await _open_alert(act, alert_id)
        alert.state, alert.resolved_by_id, alert.resolved_at = "resolved", act.actor.id, now
        await follow_ups.cancel_for(session, "alert", [alert.id], now)
        act.trail("alert", alert.id, RESOLVED, responses=len(view.responses))
        await session.flush()
        view = await alert_view(session, alert)
        await _tell_raiser(act, alert, view, "resolved", str(alert.id))
        await _update_copies(act, alert, view, f"{alert.id}:resolved", pressed)
        return Outcome(Status.DONE, card=alc.alert_card(view, act.calendar.tz))


async def _update_copies(act: Act, alert: Alert, view: alc.AlertView, key: str, skip: Collection[int]) -> None:
    """Every other copy of the alert shows it as it now stands: the team's copies (notice, chase)
    with their buttons while it is open, the escalated copies without."""
    tz = act.calendar.tz
    summary = (f"Practice alert: case {alert.case_ref}" if view.open
               else f"Practice alert resolved: case {alert.case_ref}")
    await update_copies(act.session, [f"{kinds.ALERT_NOTICE}:{alert.id}:", f"{kinds.ALERT_CHASE}:{alert.id}:"],
                        alc.alert_card(view, tz), summary, kind=kinds.ALERT_UPDATE,
                        key=f"{kinds.ALERT_UPDATE}:{key}", now=act.now, skip=skip)
    await update_copies(act.session, [f"{kinds.ALERT_ESCALATED}:{alert.id}:"], alc.alert_card(view, tz, buttons=False),
                        summary, kind=kinds.ALERT_UPDATE, key=f"{kinds.ALERT_UPDATE}:{key}", now=act.now, skip=skip)


async def _tell_raiser(act: Act, alert: Alert, view: alc.AlertView, what: str, key: str) -> None:
    raiser = await active_person(act.session, alert.raised_by_id)
    if raiser is None:
        return
    kind = kinds.ALERT_RESPONSE if what == "response" else kinds.ALERT_RESOLVED
    summary = (f"Response to your alert: case {alert.case_ref}" if what == "response"
               else f"Your alert was resolved: case {alert.case_ref}")
    await act.notify(kind, [raiser], kind.message(view, act.calendar.tz, what, summary=summary), key=f"{kind}:{key}")


@use_case()
async def view_alert(ctx: Context, actor_id: int, alert_id: int, *, now: datetime, via: str) -> Outcome:
    """The alert card as it stands now (a copy's refresh), for those who may answer it."""
    async with look(ctx, actor_id, now=now, via=via) as act:
        alert = await act.get(Alert, alert_id, missing=NOT_FOUND)
        if not await act.may(lambda p: may_answer(p, alert)):
            refuse(ONLY_TEAM)
        return Outcome(Status.UNCHANGED, card=alc.alert_card(await alert_view(act.session, alert), act.calendar.tz))
