"""Supervision's use cases: record a session, confirm one a supervisee recorded, move an ASYE to
four-weekly, mark someone away. Each is one transaction: it re-checks on the server who may act (a
card carries ids only), checks the state, changes it, writes a trail row (counts and flags only) and
its outbox rows.

Who may see and record a supervisee's entries: the supervisee, their supervisor (and anyone above
the supervisor on the roster, who gets the digest while the supervisor is away), a service lead of
their service area, and the QA unit. A team's group supervision: its practice manager, those above
them, a service lead of the area, and the QA unit.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.context import Context
from capabilities.supervision import kinds
from capabilities.supervision.plan import is_away
from dialogs import supervision_cards as sc
from qa.allocations import case_ref_problem
from qa.calendar import WorkingCalendar
from qa.supervision import (
    AGREEMENT,
    CASE,
    GROUP,
    KIND_WORDS,
    ONE_TO_ONE,
    Away,
    Cadences,
    agreement_due,
    due_items,
    group_due,
    one_to_one_due,
    record_refusal,
)
from storage.models import AsyeSwitch, AwayPeriod, SupervisionSession, TrailEvent
from storage.observations import mark_plan_reviewed, open_observation_plans
from storage.outbox import enqueue
from storage.supervision import Board, Staff, load_board, move_cases_forward, subject_for_person, subject_for_team

DONE, REFUSED, INVALID = "done", "refused", "invalid"
NOTHING_CHANGED = "Nothing was changed."
NOT_ON_ROSTER = ("I can't match you to anyone active on the roster, so I can't show or record supervision. "
                 + NOTHING_CHANGED)
NOT_YOURS = "Only their supervisor, their service lead, the QA unit or they themselves can do this. " + NOTHING_CHANGED
GONE = "They are no longer on the roster with a supervisor, so supervision is not recorded for them. " + NOTHING_CHANGED
LINE = re.compile(r"^(s|t)([1-9][0-9]{0,9})-(one_to_one|case|group|agreement_review)$")
PERSON_KINDS = (ONE_TO_ONE, CASE, AGREEMENT)
MAX_AWAY_DAYS = 366


@dataclass(frozen=True)
class Target:
    """What a line is about: a supervisee (and a kind), or a practice manager's team (group)."""

    line: str
    person_id: int  # the supervisee, or the practice manager for a team
    kind: str
    team: bool


def parse_line(value: Any) -> Target | None:
    m = LINE.match(value) if isinstance(value, str) else None
    if m is None:
        return None
    team = m.group(1) == "t"
    if team != (m.group(3) == GROUP):
        return None
    return Target(value, int(m.group(2)), m.group(3), team)


def _chain(board: Board, person_id: int | None) -> list[int]:
    """Everyone above `person_id` on the roster, nearest first."""
    seen: list[int] = []
    while person_id is not None and person_id in board.staff and person_id not in seen:
        seen.append(person_id)
        person_id = board.staff[person_id].supervisor_id
    return seen


def may_act(board: Board, actor: Staff, target: Target) -> bool:
    """Whether `actor` may see and record the target's supervision (see the module notes)."""
    if actor.role == "qa_unit":
        return True
    subject = board.staff.get(target.person_id)
    if subject is None:
        return False
    if actor.role == "service_lead" and set(subject.areas) & set(actor.areas):
        return True
    if target.team:
        return actor.id in _chain(board, subject.id)
    return actor.id == subject.id or actor.id in _chain(board, subject.supervisor_id)


@dataclass
class Outcome:
    status: str
    message: str = ""
    form: sc.RecordForm | None = None
    recorded: sc.RecordedView | None = None
    actor_name: str = ""
    plans_reviewed: tuple[date, ...] = ()  # the observation days whose action plan this session reviewed
    supervisee_id: int | None = None


def _form(board: Board, actor: Staff, target: Target, today: date, cal: WorkingCalendar, cadences: Cadences,
          kind: str | None = None, problem: str | None = None, plans: tuple[date, ...] = ()) -> sc.RecordForm:
    subject = board.staff[target.person_id]
    if target.team:
        return sc.RecordForm(target.line, f"Team {subject.team}", GROUP, today, kinds=(GROUP,), problem=problem)
    facts = board.facts[subject.id]
    case_item = next((i for i in due_items(facts, today, cal, cadences) if i.kind == CASE), None)
    due_cases = case_item.case_refs if case_item else tuple(c.case_ref for c in facts.cases if not c.exempt)
    switch = (facts.asye is not None and actor.id != subject.id and facts.asye.active_on(today, cadences)
              and facts.asye.four_weekly_from is None and today < facts.asye.switch(cadences))
    return sc.RecordForm(target.line, subject.name, kind or target.kind, today, PERSON_KINDS, due_cases[:40],
                         by_supervisee=actor.id == subject.id, asye_switch=switch, problem=problem,
                         plans=plans[:sc.MAX_PLANS])


async def _open_plans(session: AsyncSession, actor: Staff, target: Target) -> tuple[date, ...]:
    """The observation days whose action plan the form offers to mark reviewed: the supervisee's open
    plans, when someone other than the supervisee records (a supervisee's own record waits for
    confirmation, and reviewing the plan is the supervisor's). Oldest first, at most sc.MAX_PLANS."""
    if target.team or actor.id == target.person_id:
        return ()
    plans = await open_observation_plans(session, [target.person_id])
    return tuple(plans.get(target.person_id, ()))[:sc.MAX_PLANS]


def _ticked_plans(data: Mapping[str, Any], line: str, plans: tuple[date, ...]) -> tuple[date, ...]:
    return tuple(d for d in plans if str(data.get(sc.plan_input(d, line), "")).strip().lower() == "true")


async def _setting(session: AsyncSession, actor_id: int | None, line: Any, today: date, cal: WorkingCalendar
                   ) -> tuple[Board, Staff, Target] | Outcome:
    target = parse_line(line)
    if target is None:
        return Outcome(REFUSED, "I couldn't read this card's action. " + NOTHING_CHANGED)
    board = await load_board(session, today, cal.tz)
    actor = board.staff.get(actor_id) if actor_id is not None else None
    if actor is None:
        return Outcome(REFUSED, NOT_ON_ROSTER)
    subject = board.staff.get(target.person_id)
    if subject is None or (not target.team and subject.id not in board.facts) or \
            (target.team and (subject.role != "practice_manager" or not subject.team)):
        return Outcome(REFUSED, GONE)
    if not may_act(board, actor, target):
        return Outcome(REFUSED, NOT_YOURS)
    return board, actor, target


async def open_form(ctx: Context, actor_id: int | None, line: Any, now: datetime,
                    cadences: Cadences = Cadences()) -> Outcome:
    """The small recording form for a line (nothing is written)."""
    today = ctx.calendar.local_date(now)
    async with ctx.db.sessions() as session:
        found = await _setting(session, actor_id, line, today, ctx.calendar)
        if isinstance(found, Outcome):
            return found
        board, actor, target = found
        plans = await _open_plans(session, actor, target)
    return Outcome(DONE, form=_form(board, actor, target, today, ctx.calendar, cadences, plans=plans),
                   actor_name=actor.name)


def _value(data: Mapping[str, Any], name: str, line: str) -> str:
    value = data.get(sc.input_id(name, line))
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


def _read_values(data: Mapping[str, Any], target: Target, form: sc.RecordForm
                 ) -> tuple[date, str, int, tuple[str, ...]] | str:
    """(held_on, kind, minutes, case refs) from the card's inputs, or why they cannot be read."""
    held_text = _value(data, "held", target.line)
    try:
        held_on = date.fromisoformat(held_text)
    except ValueError:
        return "Give the day it was held (a date)."
    kind = _value(data, "kind", target.line) or target.kind
    if kind not in form.kinds:
        return f"Choose the kind of supervision ({', '.join(KIND_WORDS[k] for k in form.kinds)})."
    minutes_text = _value(data, "minutes", target.line)
    try:
        minutes = int(float(minutes_text))
    except (ValueError, OverflowError):  # "ninety", "nan", "inf"
        return f"Give the duration in minutes, from 1 to {sc.MAX_MINUTES}."
    if not 1 <= minutes <= sc.MAX_MINUTES:
        return f"Give the duration in minutes, from 1 to {sc.MAX_MINUTES}."
    refs = tuple(dict.fromkeys(r.strip() for r in _value(data, "cases", target.line).split(",") if r.strip()))
    if kind == CASE:
        known = set(form.due_cases)
        if not refs:
            return "Choose the cases discussed."
        if any(r not in known or case_ref_problem(r) for r in refs):
            return "Choose the cases discussed from the list."
    else:
        refs = ()
    return held_on, kind, minutes, refs


async def record(ctx: Context, actor_id: int | None, line: Any, data: Mapping[str, Any], now: datetime,
                 via: str, cadences: Cadences = Cadences()) -> Outcome:
    """Record the session the form describes (see the module notes for who may)."""
    try:
        return await _record(ctx, actor_id, line, data, now, via, cadences)
    except IntegrityError:  # the same session recorded at the same moment by someone else (a double press)
        return Outcome(REFUSED, "That session was recorded a moment ago. " + NOTHING_CHANGED)


async def _record(ctx: Context, actor_id: int | None, line: Any, data: Mapping[str, Any], now: datetime,
                  via: str, cadences: Cadences) -> Outcome:
    cal = ctx.calendar
    today = cal.local_date(now)
    async with ctx.db.sessions.begin() as session:
        found = await _setting(session, actor_id, line, today, cal)
        if isinstance(found, Outcome):
            return found
        board, actor, target = found
        plans = await _open_plans(session, actor, target)
        form = _form(board, actor, target, today, cal, cadences, plans=plans)
        values = _read_values(data, target, form)
        if isinstance(values, str):
            return Outcome(INVALID, values, form=_form(board, actor, target, today, cal, cadences, problem=values,
                                                       plans=plans))
        held_on, kind, minutes, refs = values
        ticked = _ticked_plans(data, target.line, plans)
        plan_problem = None
        if ticked and kind != ONE_TO_ONE:
            plan_problem = ("An observation action plan is reviewed in a 1:1: choose 1:1 supervision, or untick the "
                            "action plan.")
        elif any(d > held_on for d in ticked):
            later = min(d for d in ticked if d > held_on)
            plan_problem = (f"The observation of {later.isoformat()} was after this session, so its action plan "
                            "cannot have been reviewed in it; untick it or check the date.")
        if plan_problem:
            return Outcome(INVALID, plan_problem, form=_form(board, actor, target, today, cal, cadences, kind,
                                                             plan_problem, plans))
        subject = board.staff[target.person_id]
        key = subject_for_team(subject.team) if target.team else subject_for_person(subject.id)
        taken = [(r.held_on, r.kind) for r in (await session.execute(
            select(SupervisionSession.held_on, SupervisionSession.kind).where(
                SupervisionSession.subject == key, SupervisionSession.held_on == held_on))).all()]
        refusal = record_refusal(held_on, today, subject.joined, kind, taken)
        if refusal:
            message = refusal[0].upper() + refusal[1:] + "."
            return Outcome(INVALID, message, form=_form(board, actor, target, today, cal, cadences, kind, message,
                                                        plans))
        by_supervisee = actor.id == subject.id and not target.team
        supervisor_id = subject.supervisor_id if not target.team else subject.id
        row = SupervisionSession(
            subject=key, supervisee_id=None if target.team else subject.id, team=subject.team,
            supervisor_id=supervisor_id,
            kind=kind, held_on=held_on, duration_minutes=minutes, case_refs=list(refs),
            state="awaiting_confirmation" if by_supervisee else "recorded", reviewed_observation=bool(ticked),
            recorded_by_id=actor.id, via=via, recorded_at=now, confirmed_at=None if by_supervisee else now)
        session.add(row)
        await session.flush()
        if refs and not by_supervisee:
            await move_cases_forward(session, {r.upper(): held_on for r in refs})
        reviewed = 0
        for observed_on in ticked:
            reviewed += await mark_plan_reviewed(session, subject.id, observed_on, reviewer_id=actor.id, now=now)
        session.add(TrailEvent(subject_type="supervision", subject_id=row.id, actor_id=actor.id,
                               action="supervision_recorded", via=via, at=now,
                               detail={"kind": kind, "minutes": minutes, "cases": len(refs),
                                       "by_supervisee": by_supervisee, "days_ago": (today - held_on).days,
                                       "plans_reviewed": reviewed}))
        next_due = await _next_due(session, board, subject, kind, target, held_on, today, cal, cadences)
        supervisor_name = board.staff[supervisor_id].name if supervisor_id in board.staff else ""
        view = sc.RecordedView(subject.name if not target.team else f"Team {subject.team}", supervisor_name, kind,
                               held_on, minutes, next_due, len(refs), awaiting_confirmation=by_supervisee,
                               plans_reviewed=len(ticked))
        send_at = cal.next_send_moment(now)
        if by_supervisee and supervisor_id is not None:
            confirm = sc.ConfirmView(row.id, subject.name, kind, held_on, minutes, len(refs))
            await enqueue(session, key=f"{kinds.CONFIRM}:{row.id}", kind=kinds.CONFIRM, person_id=supervisor_id,
                          payload=kinds.CONFIRM.message(confirm, summary=f"Confirm supervision: {subject.name}"),
                          due_at=send_at, now=now)
        elif not target.team and actor.id != subject.id:
            await enqueue(session, key=f"{kinds.RECORDED}:{row.id}", kind=kinds.RECORDED, person_id=subject.id,
                          payload=kinds.RECORDED.message(sc.RecordedView(
                              subject.name, actor.name, kind, held_on, minutes, next_due, len(refs)),
                              summary="Supervision recorded"), due_at=send_at, now=now)
    return Outcome(DONE, recorded=view, actor_name=actor.name, plans_reviewed=ticked,
                   supervisee_id=None if target.team else target.person_id)


async def _next_due(session: AsyncSession, board: Board, subject: Staff, kind: str, target: Target, held_on: date,
                    today: date, cal: WorkingCalendar, cadences: Cadences) -> date | None:
    if target.team:
        month = today.replace(day=1)
        nxt = (month + timedelta(days=32)).replace(day=1)
        if held_on.year == today.year and held_on.month == today.month:
            return group_due((), nxt.year, nxt.month, cal)
        return group_due(board.group_held.get(subject.team, ()), today.year, today.month, cal)
    facts = board.facts[subject.id]
    last = facts.last.get(kind)
    latest = max(held_on, last) if last else held_on
    if kind == ONE_TO_ONE:
        return one_to_one_due(latest, subject.joined, cal, cadences, facts.asye)
    if kind == AGREEMENT:
        return agreement_due(latest, subject.joined, cal, cadences)
    fresh = await load_board(session, today, cal.tz)
    items = [i for i in due_items(fresh.facts[subject.id], today, cal, cadences, horizon=date.max) if i.kind == CASE]
    return items[0].due if items else None


async def confirm(ctx: Context, actor_id: int | None, session_id: int, now: datetime, via: str) -> Outcome:
    """The supervisor confirms a session the supervisee recorded."""
    cal = ctx.calendar
    today = cal.local_date(now)
    async with ctx.db.sessions.begin() as session:
        row = await session.get(SupervisionSession, session_id)
        board = await load_board(session, today, cal.tz)
        actor = board.staff.get(actor_id) if actor_id is not None else None
        if actor is None:
            return Outcome(REFUSED, NOT_ON_ROSTER)
        if row is None or row.supervisee_id is None or row.supervisee_id not in board.staff:
            return Outcome(REFUSED, "I can't find this session any more. " + NOTHING_CHANGED)
        target = Target(f"s{row.supervisee_id}-{row.kind}", row.supervisee_id, row.kind, False)
        if actor.id == row.supervisee_id or not may_act(board, actor, target):
            return Outcome(REFUSED, "Only their supervisor, their service lead or the QA unit can confirm it. "
                           + NOTHING_CHANGED)
        if row.state == "recorded":
            return Outcome(REFUSED, "This session is already confirmed. " + NOTHING_CHANGED)
        row.state, row.confirmed_at = "recorded", now
        if row.case_refs:
            await move_cases_forward(session, {r.upper(): row.held_on for r in row.case_refs})
        session.add(TrailEvent(subject_type="supervision", subject_id=row.id, actor_id=actor.id,
                               action="supervision_confirmed", via=via, at=now, detail={"kind": row.kind}))
        subject = board.staff[row.supervisee_id]
        view = sc.RecordedView(subject.name, actor.name, row.kind, row.held_on, row.duration_minutes, None,
                               len(row.case_refs or ()))
    return Outcome(DONE, recorded=view, actor_name=actor.name)


async def asye_four_weekly(ctx: Context, actor_id: int | None, line: Any, now: datetime, via: str) -> Outcome:
    """The supervisor records "move to four-weekly" for an ASYE, from today."""
    cal = ctx.calendar
    today = cal.local_date(now)
    async with ctx.db.sessions.begin() as session:
        found = await _setting(session, actor_id, line, today, cal)
        if isinstance(found, Outcome):
            return found
        board, actor, target = found
        facts = board.facts.get(target.person_id)
        if target.team or facts is None or facts.asye is None or actor.id == target.person_id:
            return Outcome(REFUSED, "Only an ASYE's supervisor can move their supervision to four-weekly. "
                           + NOTHING_CHANGED)
        if facts.asye.four_weekly_from is not None:
            return Outcome(REFUSED, f"Already four-weekly from {facts.asye.four_weekly_from.isoformat()}. "
                           + NOTHING_CHANGED)
        session.add(AsyeSwitch(person_id=target.person_id, four_weekly_from=today, recorded_by_id=actor.id,
                               recorded_at=now))
        session.add(TrailEvent(subject_type="person", subject_id=target.person_id, actor_id=actor.id,
                               action="supervision_asye_four_weekly", via=via, at=now, detail={}))
    return Outcome(DONE, f"{board.staff[target.person_id].name}'s supervision is four-weekly from today.",
                   actor_name=actor.name)


@dataclass
class AwayOutcome:
    status: str
    message: str
    view: sc.AwayView | None = None


async def away_view(ctx: Context, actor_id: int | None, now: datetime, done: str | None = None,
                    problem: str | None = None) -> AwayOutcome:
    today = ctx.calendar.local_date(now)
    async with ctx.db.sessions() as session:
        board = await load_board(session, today, ctx.calendar.tz)
    actor = board.staff.get(actor_id) if actor_id is not None else None
    if actor is None:
        return AwayOutcome(REFUSED, NOT_ON_ROSTER)
    people = [(actor.id, f"{actor.name} (you)")] + [(s.id, s.name) for s in board.supervisees_of(actor.id)]
    names = dict(people)
    current = tuple(f"{names[pid]}: {p.first.isoformat()} to {p.last.isoformat()}"
                    for pid, _n in people for p in board.away.get(pid, ()))
    return AwayOutcome(DONE, "", sc.AwayView(tuple(people), today, current, problem, done))


async def mark_away(ctx: Context, actor_id: int | None, data: Mapping[str, Any], now: datetime,
                    via: str) -> AwayOutcome:
    """Mark the asker or one of their supervisees away from one day to another (no reason kept)."""
    cal = ctx.calendar
    today = cal.local_date(now)
    who_text = data.get(sc.AWAY_WHO)
    try:
        who = int(who_text) if isinstance(who_text, (str, int)) and not isinstance(who_text, bool) else None
        first = date.fromisoformat(str(data.get(sc.AWAY_FROM) or ""))
        last = date.fromisoformat(str(data.get(sc.AWAY_TO) or ""))
    except ValueError:
        return await away_view(ctx, actor_id, now, problem="Give who, the first day and the last day away.")
    problem = None
    if last < first:
        problem = "The last day away is before the first."
    elif last < today:
        problem = "That absence is over already; give one that has not ended."
    elif (last - first).days >= MAX_AWAY_DAYS:
        problem = "Give an absence of at most a year."
    if problem:
        return await away_view(ctx, actor_id, now, problem=problem)
    async with ctx.db.sessions.begin() as session:
        board = await load_board(session, today, cal.tz)
        actor = board.staff.get(actor_id) if actor_id is not None else None
        if actor is None:
            return AwayOutcome(REFUSED, NOT_ON_ROSTER)
        if who != actor.id and who not in {s.id for s in board.supervisees_of(actor.id)}:
            return AwayOutcome(REFUSED, "You can mark yourself or your supervisees away. " + NOTHING_CHANGED)
        session.add(AwayPeriod(person_id=who, first_day=first, last_day=last, recorded_by_id=actor.id,
                               recorded_at=now))
        session.add(TrailEvent(subject_type="person", subject_id=who, actor_id=actor.id, action="supervision_away",
                               via=via, at=now, detail={"days": (last - first).days + 1,
                                                        "self": who == actor.id}))
        name = board.staff[who].name
        already = is_away(board, who, today) or Away(first, last).covers(today)
    note = " Nudges about them wait until they are back." if already else ""
    return await away_view(ctx, actor_id, now, done=f"Recorded: {name} is away {first.isoformat()} to "
                                                   f"{last.isoformat()}.{note}")

