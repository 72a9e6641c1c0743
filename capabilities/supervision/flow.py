"""Supervision's use cases: open the recording form, record a session, confirm one a supervisee recorded,
move an ASYE to four-weekly, mark someone away, book a line's session for a day. Each is one `kit.unit`: it re-checks on the server who may
act (access.py; a card carries ids only), checks the state, changes it, writes a trail row (counts and
flags only) and its outbox rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.context import Context
from capabilities.cover import handover
from capabilities.kit import (
    NOT_ON_ROSTER,
    NOTHING_CHANGED,
    Act,
    Outcome,
    Status,
    already,
    invalid,
    not_found,
    refuse,
    unit,
    use_case,
)
from capabilities.supervision import access, kinds
from capabilities.supervision.plan import is_away
from dialogs import supervision_cards as sc
from dialogs.supervision_cards import LineKey
from qa.calendar import WorkingCalendar
from qa.identifiers import case_ref_problem
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
from storage.models import AsyeSwitch, AwayPeriod, SupervisionBooking, SupervisionSession
from storage.observations import mark_plan_reviewed, open_observation_plans
from storage.supervision import Board, Staff, load_board, move_cases_forward, subject_for_person, subject_for_team

NOT_YOURS = "Only their supervisor, their service lead, the QA unit or they themselves can do this. " + NOTHING_CHANGED
GONE = "They are no longer on the roster with a supervisor, so supervision is not recorded for them. " + NOTHING_CHANGED
PERSON_KINDS = (ONE_TO_ONE, CASE, AGREEMENT)
MAX_AWAY_DAYS = 366
MAX_BOOKED_DAYS = 366


@dataclass
class SupervisionOutcome(Outcome):
    form: sc.RecordForm | None = None  # the recording form to show (opened, or again with the problem)
    recorded: sc.RecordedView | None = None
    actor_name: str = ""
    plans_reviewed: tuple[date, ...] = ()  # the observation days whose action plan this session reviewed
    supervisee_id: int | None = None
    away: sc.AwayView | None = None  # the away card to show


@dataclass(frozen=True)
class Entry:
    """What the recording form says, as read from the card: None where a value could not be read."""

    held_on: date | None
    kind: str  # "" for the line's own kind
    minutes: int | None  # None: left empty (the duration not recorded), or unreadable (`minutes_unreadable`)
    case_refs: tuple[str, ...] = ()
    plans: tuple[date, ...] = ()  # the observation days whose "action plan reviewed" was ticked
    minutes_unreadable: bool = False  # something was typed that is not a number of minutes


@dataclass(frozen=True)
class Setting:
    """The board as of today, who acts and whom the line is about."""

    board: Board
    actor: Staff
    subject: Staff
    key: LineKey


async def _setting(act: Act, key: LineKey, today: date) -> Setting:
    board = await load_board(act.session, today, act.calendar.tz)
    actor = board.staff.get(act.actor.id)
    if actor is None:
        refuse(NOT_ON_ROSTER)
    subject = access.subject(board, key)
    if subject is None:
        refuse(GONE)
    if not access.may_act(board, actor, key):
        refuse(NOT_YOURS)
    return Setting(board, actor, subject, key)


def _form(s: Setting, today: date, cal: WorkingCalendar, cadences: Cadences, kind: str | None = None,
          problem: str | None = None, plans: tuple[date, ...] = ()) -> sc.RecordForm:
    if s.key.team:
        return sc.RecordForm(s.key, f"Team {s.subject.team}", GROUP, today, kinds=(GROUP,), problem=problem)
    facts = s.board.facts[s.subject.id]
    case_item = next((i for i in due_items(facts, today, cal, cadences) if i.kind == CASE), None)
    due_cases = case_item.case_refs if case_item else tuple(c.case_ref for c in facts.cases if not c.exempt)
    switch = (facts.asye is not None and s.actor.id != s.subject.id and facts.asye.active_on(today, cadences)
              and facts.asye.four_weekly_from is None and today < facts.asye.switch(cadences))
    return sc.RecordForm(s.key, s.subject.name, kind or s.key.kind, today, PERSON_KINDS, due_cases[:40],
                         by_supervisee=s.actor.id == s.subject.id, asye_switch=switch, problem=problem,
                         plans=plans[:sc.MAX_PLANS])


async def _open_plans(session: AsyncSession, s: Setting) -> tuple[date, ...]:
    """The observation days whose action plan the form offers to mark reviewed: the supervisee's open
    plans, when someone other than the supervisee records (a supervisee's own record waits for
    confirmation, and reviewing the plan is the supervisor's). Oldest first, at most sc.MAX_PLANS."""
    if s.key.team or s.actor.id == s.key.person_id:
        return ()
    plans = await open_observation_plans(session, [s.key.person_id])
    return tuple(plans.get(s.key.person_id, ()))[:sc.MAX_PLANS]


@use_case(SupervisionOutcome)
async def open_form(ctx: Context, actor_id: int | None, key: LineKey, *, now: datetime, via: str,
                    cadences: Cadences = Cadences()) -> SupervisionOutcome:
    """The small recording form for a line (nothing is written)."""
    today = ctx.calendar.local_date(now)
    async with unit(ctx, actor_id, now=now, via=via) as act:
        s = await _setting(act, key, today)
        plans = await _open_plans(act.session, s)
    return SupervisionOutcome(Status.DONE, form=_form(s, today, ctx.calendar, cadences, plans=plans),
                              actor_name=s.actor.name)


def _checked(entry: Entry, form: sc.RecordForm) -> tuple[date, str, int | None, tuple[str, ...]] | str:
    """(held_on, kind, minutes, case refs) from what was entered, or why they cannot be used. The duration
    is optional (None: not recorded, which framework 9.1's standard counts apart, never as short)."""
    if entry.held_on is None:
        return "Give the day it was held (a date)."
    kind = entry.kind or form.line.kind
    if kind not in form.kinds:
        return f"Choose the kind of supervision ({', '.join(KIND_WORDS[k] for k in form.kinds)})."
    if entry.minutes_unreadable or (entry.minutes is not None and not 1 <= entry.minutes <= sc.MAX_MINUTES):
        return f"Give the duration in minutes, from 1 to {sc.MAX_MINUTES}, or leave it empty."
    refs = entry.case_refs
    if kind == CASE:
        known = set(form.due_cases)
        if not refs:
            return "Choose the cases discussed."
        if any(r not in known or case_ref_problem(r) for r in refs):
            return "Choose the cases discussed from the list."
    else:
        refs = ()
    return entry.held_on, kind, entry.minutes, refs


def _plan_problem(ticked: tuple[date, ...], kind: str, held_on: date) -> str | None:
    if ticked and kind != ONE_TO_ONE:
        return "An observation action plan is reviewed in a 1:1: choose 1:1 supervision, or untick the action plan."
    if any(d > held_on for d in ticked):
        later = min(d for d in ticked if d > held_on)
        return (f"The observation of {later.isoformat()} was after this session, so its action plan "
                "cannot have been reviewed in it; untick it or check the date.")
    return None


async def _refusal(session: AsyncSession, s: Setting, subject_key: str, held_on: date, today: date,
                   kind: str) -> str | None:
    taken = [(r.held_on, r.kind) for r in (await session.execute(
        select(SupervisionSession.held_on, SupervisionSession.kind).where(
            SupervisionSession.subject == subject_key, SupervisionSession.held_on == held_on))).all()]
    refusal = record_refusal(held_on, today, s.subject.joined, kind, taken)
    return refusal[0].upper() + refusal[1:] + "." if refusal else None


@use_case(SupervisionOutcome)
async def record(ctx: Context, actor_id: int | None, key: LineKey, entry: Entry, *, now: datetime, via: str,
                 cadences: Cadences = Cadences()) -> SupervisionOutcome:
    """Record the session the form describes (see access.py for who may)."""
    try:
        return await _record(ctx, actor_id, key, entry, now, via, cadences)
    except IntegrityError:  # the same session recorded at the same moment by someone else (a double press)
        return SupervisionOutcome(Status.REFUSED, "That session was recorded a moment ago. " + NOTHING_CHANGED)


async def _record(ctx: Context, actor_id: int | None, key: LineKey, entry: Entry, now: datetime, via: str,
                  cadences: Cadences) -> SupervisionOutcome:
    cal = ctx.calendar
    today = cal.local_date(now)
    async with unit(ctx, actor_id, now=now, via=via) as act:
        s = await _setting(act, key, today)
        plans = await _open_plans(act.session, s)
        values = _checked(entry, _form(s, today, cal, cadences, plans=plans))
        if isinstance(values, str):
            return SupervisionOutcome(Status.INVALID, values,
                                      form=_form(s, today, cal, cadences, problem=values, plans=plans))
        held_on, kind, minutes, refs = values
        ticked = tuple(d for d in plans if d in set(entry.plans))
        subject_key = subject_for_team(s.subject.team) if key.team else subject_for_person(s.subject.id)
        problem = _plan_problem(ticked, kind, held_on) or await _refusal(act.session, s, subject_key, held_on,
                                                                         today, kind)
        if problem:
            return SupervisionOutcome(Status.INVALID, problem,
                                      form=_form(s, today, cal, cadences, kind, problem, plans))
        row = await _add_session(act, s, subject_key, kind, held_on, minutes, refs, ticked)
        next_due = await _next_due(act.session, s, kind, held_on, today, cal, cadences)
        view = await _tell(act, s, row, next_due, len(ticked))
    return SupervisionOutcome(Status.DONE, recorded=view, actor_name=s.actor.name, plans_reviewed=ticked,
                              supervisee_id=None if key.team else key.person_id)


async def _add_session(act: Act, s: Setting, subject_key: str, kind: str, held_on: date, minutes: int | None,
                       refs: tuple[str, ...], ticked: tuple[date, ...]) -> SupervisionSession:
    """The session row, the caseload moved forward, the action plans marked reviewed, the trail row."""
    by_supervisee = s.actor.id == s.subject.id and not s.key.team
    row = SupervisionSession(
        subject=subject_key, supervisee_id=None if s.key.team else s.subject.id, team=s.subject.team,
        supervisor_id=s.subject.id if s.key.team else s.subject.supervisor_id,
        kind=kind, held_on=held_on, duration_minutes=minutes, case_refs=list(refs),
        state="awaiting_confirmation" if by_supervisee else "recorded", reviewed_observation=bool(ticked),
        recorded_by_id=s.actor.id, via=act.via, recorded_at=act.now, confirmed_at=None if by_supervisee else act.now)
    act.session.add(row)
    await act.session.flush()
    if refs and not by_supervisee:
        await move_cases_forward(act.session, {r.upper(): held_on for r in refs})
    reviewed = 0
    for observed_on in ticked:
        reviewed += await mark_plan_reviewed(act.session, s.subject.id, observed_on, reviewer_id=s.actor.id,
                                             now=act.now)
    act.trail("supervision", row.id, "supervision_recorded", kind=kind, minutes=minutes, cases=len(refs),
              by_supervisee=by_supervisee, days_ago=(act.calendar.local_date(act.now) - held_on).days,
              plans_reviewed=reviewed)
    return row


async def _tell(act: Act, s: Setting, row: SupervisionSession, next_due: date | None,
                plans_reviewed: int) -> sc.RecordedView:
    """What the pressed line now says; the supervisor asked to confirm (a supervisee's own record), or the
    supervisee told (someone else recorded it)."""
    by_supervisee = row.state == "awaiting_confirmation"
    supervisor_id = row.supervisor_id
    supervisor_name = s.board.staff[supervisor_id].name if supervisor_id in s.board.staff else ""
    who = f"Team {s.subject.team}" if s.key.team else s.subject.name
    cases = len(row.case_refs or ())
    view = sc.RecordedView(who, supervisor_name, row.kind, row.held_on, row.duration_minutes, next_due, cases,
                           awaiting_confirmation=by_supervisee, plans_reviewed=plans_reviewed)
    if by_supervisee and supervisor_id is not None:
        confirm_view = sc.ConfirmView(row.id, s.subject.name, row.kind, row.held_on, row.duration_minutes, cases)
        await act.notify(kinds.CONFIRM, [supervisor_id], kinds.CONFIRM.message(
            confirm_view, summary=f"Confirm supervision: {s.subject.name}"), key=lambda _p: f"{kinds.CONFIRM}:{row.id}")
    elif not s.key.team and s.actor.id != s.subject.id:
        told = sc.RecordedView(s.subject.name, s.actor.name, row.kind, row.held_on, row.duration_minutes, next_due,
                               cases)
        await act.notify(kinds.RECORDED, [s.subject.id], kinds.RECORDED.message(told, summary="Supervision recorded"),
                         key=lambda _p: f"{kinds.RECORDED}:{row.id}")
    return view


async def _next_due(session: AsyncSession, s: Setting, kind: str, held_on: date, today: date, cal: WorkingCalendar,
                    cadences: Cadences) -> date | None:
    if s.key.team:
        month = today.replace(day=1)
        nxt = (month + timedelta(days=32)).replace(day=1)
        if held_on.year == today.year and held_on.month == today.month:
            return group_due((), nxt.year, nxt.month, cal)
        return group_due(s.board.group_held.get(s.subject.team, ()), today.year, today.month, cal)
    facts = s.board.facts[s.subject.id]
    last = facts.last.get(kind)
    latest = max(held_on, last) if last else held_on
    if kind == ONE_TO_ONE:
        return one_to_one_due(latest, s.subject.joined, cal, cadences, facts.asye, on_record_from=facts.on_record_from)
    if kind == AGREEMENT:
        return agreement_due(latest, s.subject.joined, cal, cadences, on_record_from=facts.on_record_from)
    fresh = await load_board(session, today, cal.tz)
    items = [i for i in due_items(fresh.facts[s.subject.id], today, cal, cadences, horizon=date.max) if i.kind == CASE]
    return items[0].due if items else None


@use_case(SupervisionOutcome)
async def confirm(ctx: Context, actor_id: int | None, session_id: int, *, now: datetime,
                  via: str) -> SupervisionOutcome:
    """The supervisor confirms a session the supervisee recorded."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        row = await act.lock(SupervisionSession, session_id, missing="I can't find this session any more. "
                             + NOTHING_CHANGED)
        board = await load_board(act.session, ctx.calendar.local_date(now), ctx.calendar.tz)
        actor = board.staff.get(act.actor.id)
        if actor is None:
            refuse(NOT_ON_ROSTER)
        if row.supervisee_id is None or row.supervisee_id not in board.staff:
            not_found("I can't find this session any more. " + NOTHING_CHANGED)
        if not access.may_confirm(board, actor, row.supervisee_id, row.kind):
            refuse("Only their supervisor, their service lead or the QA unit can confirm it. " + NOTHING_CHANGED)
        if row.state == "recorded":
            already("This session is already confirmed. " + NOTHING_CHANGED)
        row.state, row.confirmed_at = "recorded", now
        if row.case_refs:
            await move_cases_forward(act.session, {r.upper(): row.held_on for r in row.case_refs})
        act.trail("supervision", row.id, "supervision_confirmed", kind=row.kind)
        view = sc.RecordedView(board.staff[row.supervisee_id].name, actor.name, row.kind, row.held_on,
                               row.duration_minutes, None, len(row.case_refs or ()))
    return SupervisionOutcome(Status.DONE, recorded=view, actor_name=actor.name)


@use_case(SupervisionOutcome)
async def asye_four_weekly(ctx: Context, actor_id: int | None, key: LineKey, *, now: datetime,
                           via: str) -> SupervisionOutcome:
    """The supervisor records "move to four-weekly" for an ASYE, from today."""
    today = ctx.calendar.local_date(now)
    async with unit(ctx, actor_id, now=now, via=via) as act:
        s = await _setting(act, key, today)
        facts = s.board.facts.get(key.person_id)
        if key.team or facts is None or facts.asye is None or s.actor.id == key.person_id:
            refuse("Only an ASYE's supervisor can move their supervision to four-weekly. " + NOTHING_CHANGED)
        if facts.asye.four_weekly_from is not None:
            refuse(f"Already four-weekly from {facts.asye.four_weekly_from.isoformat()}. " + NOTHING_CHANGED)
        act.session.add(AsyeSwitch(person_id=key.person_id, four_weekly_from=today, recorded_by_id=s.actor.id,
                                   recorded_at=now))
        act.trail("person", key.person_id, "supervision_asye_four_weekly")
    return SupervisionOutcome(Status.DONE, f"{s.subject.name}'s supervision is four-weekly from today.",
                              actor_name=s.actor.name)


@use_case(SupervisionOutcome)
async def away_view(ctx: Context, actor_id: int | None, *, now: datetime, via: str, done: str | None = None,
                    problem: str | None = None) -> SupervisionOutcome:
    """The away card: the asker and their supervisees, and the absences already recorded (nothing is written)."""
    today = ctx.calendar.local_date(now)
    async with unit(ctx, actor_id, now=now, via=via) as act:
        board = await load_board(act.session, today, ctx.calendar.tz)
    actor = board.staff.get(act.actor.id)
    if actor is None:
        return SupervisionOutcome(Status.REFUSED, NOT_ON_ROSTER)
    people = [(actor.id, f"{actor.name} (you)")] + [(s.id, s.name) for s in board.supervisees_of(actor.id)]
    names = dict(people)
    current = tuple(f"{names[pid]}: {p.first.isoformat()} to {p.last.isoformat()}"
                    for pid, _n in people for p in board.away.get(pid, ()))
    return SupervisionOutcome(Status.DONE, away=sc.AwayView(tuple(people), today, current, problem, done))


def _away_problem(first: date | None, last: date | None, today: date) -> str | None:
    if first is None or last is None:
        return "Give who, the first day and the last day away."
    if last < first:
        return "The last day away is before the first."
    if last < today:
        return "That absence is over already; give one that has not ended."
    if (last - first).days >= MAX_AWAY_DAYS:
        return "Give an absence of at most a year."
    return None


@use_case(SupervisionOutcome)
async def mark_away(ctx: Context, actor_id: int | None, who: int | None, first: date | None, last: date | None,
                    *, now: datetime, via: str, cover_email: str = "") -> SupervisionOutcome:
    """Mark the asker or one of their supervisees away from one day to another (no reason kept), with
    who covers their work (`cover_email`, an active roster person other than them; empty: their
    manager, qa/cover.py). Away today: their open work is handed to the cover at once (cover.handover)."""
    today = ctx.calendar.local_date(now)
    problem = _away_problem(first, last, today)
    if problem:
        return await away_view(ctx, actor_id, now=now, via=via, problem=problem)
    async with unit(ctx, actor_id, now=now, via=via) as act:
        board = await load_board(act.session, today, ctx.calendar.tz)
        actor = board.staff.get(act.actor.id)
        if actor is None:
            refuse(NOT_ON_ROSTER)
        if not access.may_mark_away(board, actor, who):
            refuse("You can mark yourself or your supervisees away. " + NOTHING_CHANGED)
        cover, cover_problem = await handover.named_cover(act.session, cover_email, who)
        if cover_problem:
            problem = cover_problem
        else:
            act.session.add(AwayPeriod(person_id=who, first_day=first, last_day=last, recorded_by_id=actor.id,
                                       recorded_at=now, cover_id=cover.id if cover else None))
            act.trail("person", who, "supervision_away", days=(last - first).days + 1, self=who == actor.id,
                      cover=cover.id if cover else None)
            name = board.staff[who].name
            away_now = is_away(board, who, today) or Away(first, last).covers(today)
            if Away(first, last).covers(today):
                await act.session.flush()
                await handover.hand_over(act.session, who, now=now, day=today, via=via)
    if problem:
        return await away_view(ctx, actor_id, now=now, via=via, problem=problem)
    note = " Nudges about them wait until they are back, and their work goes to their cover." if away_now else ""
    return await away_view(ctx, actor_id, now=now, via=via,
                           done=f"Recorded: {name} is away {first.isoformat()} to {last.isoformat()}.{note}")


def _due(s: Setting, today: date, cal: WorkingCalendar, cadences: Cadences) -> date | None:
    """The day the line's supervision is due (overdue or not), or None when none is."""
    if s.key.team:
        return group_due(s.board.group_held.get(s.subject.team, ()), today.year, today.month, cal)
    items = due_items(s.board.facts[s.subject.id], today, cal, cadences, horizon=date.max)
    return next((i.due for i in items if i.kind == s.key.kind), None)


@use_case(SupervisionOutcome)
async def book(ctx: Context, actor_id: int | None, key: LineKey, day: date | None, *, now: datetime, via: str,
               cadences: Cadences = Cadences()) -> SupervisionOutcome:
    """The line's session is booked for `day`: its digest line and the supervisee's note wait until that day
    has passed (or until a session recorded moves the due day on). Without a day: UNCHANGED, ask for it."""
    today = ctx.calendar.local_date(now)
    try:
        async with unit(ctx, actor_id, now=now, via=via) as act:
            s = await _setting(act, key, today)
            if day is None:
                return SupervisionOutcome(Status.UNCHANGED, actor_name=s.actor.name)
            if key.kind not in sc.BOOKABLE:
                refuse("Only a 1:1 or a group supervision is booked here. " + NOTHING_CHANGED)
            if day < today:
                invalid("Give the day it is booked for: today or later.")
            if (day - today).days > MAX_BOOKED_DAYS:
                invalid("Give a day within a year.")
            due = _due(s, today, act.calendar, cadences)
            if due is None:
                already("Nothing is due for this now. " + NOTHING_CHANGED)
            subject_key = subject_for_team(s.subject.team) if key.team else subject_for_person(s.subject.id)
            row = (await act.session.execute(select(SupervisionBooking).where(
                SupervisionBooking.subject == subject_key, SupervisionBooking.kind == key.kind).with_for_update())
                   ).scalar_one_or_none()
            if row is None:
                row = SupervisionBooking(subject=subject_key, kind=key.kind)
                act.session.add(row)
            row.due_on, row.booked_for, row.booked_by_id, row.booked_at = due, day, s.actor.id, now
            act.trail("person", key.person_id, "supervision_booked", kind=key.kind, days_ahead=(day - today).days)
    except IntegrityError:  # the same line booked at the same moment by someone else (a double press)
        return SupervisionOutcome(Status.REFUSED, "That was booked a moment ago. " + NOTHING_CHANGED)
    return SupervisionOutcome(Status.DONE, sc.booked_words(day), actor_name=s.actor.name)
