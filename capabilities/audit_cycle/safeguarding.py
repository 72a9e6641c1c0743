"""Someone owns every safeguarding concern found while auditing (framework 9.3, section 14's
alerts, section 21's oversight): the use cases, the duty and the settings.

- Raise (from the audit form, capabilities/audit_cycle/flow.py): the concern is recorded and sent at
  once, with **I'm taking this**, to the team's practice manager and the area's service lead, head
  of service and deputy director. Raised outside working hours (qa/safeguarding.py: the working
  calendar's hours, weekends and bank holidays) it also goes at once to QA_OUT_OF_HOURS_CHANNEL, a
  Teams channel where the bot is installed (the Emergency Duty Team's, say): that card says only
  that a safeguarding concern on case <ref> needs an out-of-hours owner (the case reference is the
  minimum the route needs; the description stays in personal chats).
- Claim: the first recipient to press becomes the owner (the concern's row is locked, so two presses
  at once give one owner; a recipient is someone sent a copy, or anyone on the roster pressing the
  out-of-hours channel's copy). Every other copy is updated in place ("Owned by <name> since <time>",
  capabilities/copies.py); the owner owes an action note within QA_SAFEGUARDING_NOTE_HOURS working
  hours, chased once when overdue.
- Unclaimed after QA_SAFEGUARDING_CLAIM_MINUTES working minutes: re-sent marked unclaimed to the head
  of service and deputy director; as long again, a step up, to them and the QA unit.
- The QA unit's `concerns` command: time to owner and to the action note for each recent concern.
"""
from __future__ import annotations

import copy
import logging
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.context import Context
from capabilities.copies import update_copies
from capabilities.duties import Occurrence
from capabilities.follow_ups import FollowUpDuty, Settled
from capabilities.kit import NOTHING_CHANGED, Act, Outcome, Status, already, refuse, unit, use_case
from capabilities.registry import OutboxKind
from capabilities.settings import Env, environment, text, whole
from dialogs import audit_cards as ac
from dialogs import safeguarding_cards as sc
from dialogs import safeguarding_samples
from dialogs.card_kit import format_moment
from qa import safeguarding as rules
from qa.cadence import EachWorkingMorning
from qa.calendar import WorkingCalendar
from qa.framework import Role
from qa.identifiers import first_refusal
from storage import follow_ups
from storage.models import Allocation, Audit, FollowUp, OutboxMessage, Person, SafeguardingConcern
from storage.outbox import Message, enqueue_many
from storage.people import active_people, qa_unit, safeguarding_recipients

log = logging.getLogger(__name__)

CLAIM_ENV = "QA_SAFEGUARDING_CLAIM_MINUTES"
NOTE_ENV = "QA_SAFEGUARDING_NOTE_HOURS"
CHANNEL_ENV = "QA_OUT_OF_HOURS_CHANNEL"

ALERT_KEY = "safeguarding-alert"  # audit_cycle.kinds.SAFEGUARDING_ALERT's rows: "<this>:<allocation id>:<person>"
CLAIMED, NOTED, UNCLAIMED = "safeguarding_claimed", "safeguarding_noted", "safeguarding_unclaimed"
NOT_FOUND = "I can't find this safeguarding concern any more. " + NOTHING_CHANGED
ONLY_RECIPIENTS = ("Only someone this safeguarding concern was sent to can take it. " + NOTHING_CHANGED)
ONLY_OWNER = "Only the concern's owner records what was done. " + NOTHING_CHANGED


@dataclass(frozen=True)
class SafeguardingSettings:
    claim_minutes: int = rules.CLAIM_MINUTES
    note_hours: int = rules.NOTE_HOURS
    channel: str = ""  # QA_OUT_OF_HOURS_CHANNEL: "" sends out-of-hours concerns to the day managers only


def from_env(env: Env | None = None) -> SafeguardingSettings:
    """QA_SAFEGUARDING_CLAIM_MINUTES (working minutes, default 30), QA_SAFEGUARDING_NOTE_HOURS (working
    hours, default 2), QA_OUT_OF_HOURS_CHANNEL (a channel conversation id, "19:...@thread..."; default
    none). Raises ConfigurationError naming the variable."""
    env = environment(env)
    return SafeguardingSettings(
        whole(env, CLAIM_ENV, rules.CLAIM_MINUTES, 5, 600, "a whole number of working minutes"),
        whole(env, NOTE_ENV, rules.NOTE_HOURS, 1, 40, "a whole number of working hours"),
        text(env, CHANNEL_ENV))


@cache
def settings() -> SafeguardingSettings:
    """The process's settings, read once (when the audit cycle's duties are built, at start-up)."""
    found = from_env()
    if not found.channel:
        log.warning("%s is not set: safeguarding concerns raised out of hours go only to the day managers",
                    CHANNEL_ENV)
    return found


# -- kinds ------------------------------------------------------------------------------------------

_catalogue = cache(safeguarding_samples.samples)  # built once, not once per kind


def _sample(name: str):
    return lambda: copy.deepcopy(_catalogue()[name])  # a copy: a caller may change what it gets


UNCLAIMED_RESEND = OutboxKind("safeguarding-unclaimed", ac.safeguarding_alert_card,
                              _sample("safeguarding_alert_resent_unclaimed"), lane="urgent")
NOTE_CHASE = OutboxKind("safeguarding-note-chase", sc.note_chase_card, _sample("safeguarding_note_chase"))
OWNER_UPDATE = OutboxKind("safeguarding-owner-update", ac.safeguarding_alert_card,
                          _sample("safeguarding_alert_owned_noted"))
OUT_OF_HOURS = OutboxKind("safeguarding-out-of-hours", sc.out_of_hours_card, _sample("safeguarding_out_of_hours"),
                          lane="urgent")
OUT_OF_HOURS_SUMMARY = OutboxKind("safeguarding-out-of-hours-summary", sc.out_of_hours_summary_card,
                                  _sample("safeguarding_out_of_hours_summary"))
KINDS = (UNCLAIMED_RESEND, NOTE_CHASE, OWNER_UPDATE, OUT_OF_HOURS, OUT_OF_HOURS_SUMMARY)


# -- views ------------------------------------------------------------------------------------------

async def _name(session: AsyncSession, person_id: int | None) -> str | None:
    person = await session.get(Person, person_id) if person_id else None
    return person.display_name if person else None


async def ownership(session: AsyncSession, concern: SafeguardingConcern, cal: WorkingCalendar,
                    note_hours: int) -> sc.Ownership:
    return sc.Ownership(
        concern_id=concern.id, owner=await _name(session, concern.owner_id), owned_at=concern.owned_at,
        note=concern.note, noted_at=concern.noted_at,
        note_due=rules.note_due(concern.owned_at, cal, note_hours) if concern.owned_at else None,
        unclaimed_sends=concern.unclaimed_sends)


async def _alert_view(session: AsyncSession, concern: SafeguardingConcern, cal: WorkingCalendar, note_hours: int,
                      *, mine: bool = False) -> ac.SafeguardingAlert:
    allocation = await session.get(Allocation, concern.allocation_id)
    audit = (await session.execute(select(Audit).where(Audit.allocation_id == concern.allocation_id))
             ).scalar_one_or_none()
    return ac.SafeguardingAlert(
        case_ref=concern.case_ref, team=allocation.team if allocation else "",
        service_area=allocation.service_area if allocation else "",
        auditor_name=await _name(session, allocation.auditor_id if allocation else None) or "the auditor",
        description=audit.safeguarding_description if audit else "", raised_at=concern.raised_at,
        ownership=await ownership(session, concern, cal, note_hours), mine=mine)


# -- raising ----------------------------------------------------------------------------------------

async def raise_concern(act: Act, allocation: Allocation, alert: ac.SafeguardingAlert, people: Sequence[Person],
                        kind: OutboxKind, config: SafeguardingSettings | None = None) -> SafeguardingConcern:
    """Record the concern and send it at once with the claim button to `people` (as `kind`, keyed
    "safeguarding-alert:<allocation id>"), to the out-of-hours channel when raised out of hours and
    one is configured, and owe the unclaimed re-sends. In the caller's transaction."""
    config = config or settings()
    cal, now = act.calendar, act.now
    concern = SafeguardingConcern(allocation_id=allocation.id, case_ref=allocation.case_ref, raised_at=now,
                                  out_of_hours=rules.out_of_hours(now, cal), unclaimed_sends=0)
    act.session.add(concern)
    await act.session.flush()
    view = await ownership(act.session, concern, cal, config.note_hours)
    summary = f"Immediate safeguarding concern: case {allocation.case_ref}"
    shown = ac.SafeguardingAlert(**{**alert.__dict__, "ownership": view})
    if people:
        await act.notify(kind, people, kind.message(shown, cal.tz, summary=summary),
                         key=f"{ALERT_KEY}:{allocation.id}", urgent=True)
    if concern.out_of_hours and config.channel:
        await enqueue_many(act.session, [Message(
            key=f"{OUT_OF_HOURS}:{concern.id}", kind=OUT_OF_HOURS, person_id=None, conversation_id=config.channel,
            payload=OUT_OF_HOURS.message(view, concern.case_ref, now, cal.tz,
                                         summary=f"Safeguarding concern on case {concern.case_ref}: out-of-hours "
                                                 "owner needed"), due_at=now)], now=now)
        act.urgent = True
    dates = rules.claim_deadlines(now, cal, config.claim_minutes)
    for step, due in ((1, dates.claim_by), (2, dates.step_up_at)):
        await follow_ups.owe(act.session, key=f"{UNCLAIMED_RESEND}:{concern.id}:{step}", kind=UNCLAIMED_RESEND,
                             subject_type="safeguarding_concern", subject_id=concern.id, due_at=due, now=now)
    return concern


# -- claiming and the action note ----------------------------------------------------------------------

def _prefixes(concern: SafeguardingConcern) -> list[str]:
    return [f"{ALERT_KEY}:{concern.allocation_id}:", f"{UNCLAIMED_RESEND}:{concern.id}:",
            f"{NOTE_CHASE}:{concern.id}:"]


async def _is_recipient(session: AsyncSession, concern: SafeguardingConcern, person_id: int,
                        pressed: Sequence[OutboxMessage]) -> bool:
    """Sent a copy of this concern in their personal chat, or pressing the out-of-hours channel's copy."""
    if any(r.idempotency_key == f"{OUT_OF_HOURS}:{concern.id}" for r in pressed):
        return True
    for prefix in _prefixes(concern)[:2]:
        found = (await session.execute(select(OutboxMessage.id).where(
            OutboxMessage.idempotency_key.startswith(prefix, autoescape=True), OutboxMessage.person_id == person_id)
            .limit(1))).scalar_one_or_none()
        if found is not None:
            return True
    return False


async def _update_copies(act: Act, concern: SafeguardingConcern, config: SafeguardingSettings, key: str,
                         skip: Collection[int]) -> None:
    """Every other copy shows who owns the concern (and the note once recorded), without buttons."""
    view = await _alert_view(act.session, concern, act.calendar, config.note_hours)
    summary = f"Safeguarding concern: case {concern.case_ref}, owned by {view.ownership.owner}"
    await update_copies(act.session, _prefixes(concern), ac.safeguarding_alert_card(view, act.calendar.tz), summary,
                        kind=OWNER_UPDATE, key=f"{OWNER_UPDATE}:{key}", now=act.now, skip=skip)
    await update_copies(act.session, [f"{OUT_OF_HOURS}:{concern.id}"],
                        sc.out_of_hours_card(view.ownership, concern.case_ref, concern.raised_at, act.calendar.tz),
                        f"Safeguarding concern on case {concern.case_ref}: owned", kind=OWNER_UPDATE,
                        key=f"{OWNER_UPDATE}:{key}:channel", now=act.now, skip=skip)


@use_case()
async def claim(ctx: Context, actor_id: int, concern_id: int, *, now: datetime, via: str,
                pressed: Sequence[OutboxMessage] = (), config: SafeguardingSettings | None = None) -> Outcome:
    """"I'm taking this": the actor, a recipient, becomes the owner if nobody is yet (the row locked)."""
    config = config or settings()
    async with unit(ctx, actor_id, now=now, via=via) as act:
        concern = await act.lock(SafeguardingConcern, concern_id, missing=NOT_FOUND)
        if not await _is_recipient(act.session, concern, act.actor.id, pressed):
            refuse(ONLY_RECIPIENTS)
        tz = act.calendar.tz
        # Pressed on the out-of-hours channel's copy: what the channel is shown names the case reference only.
        in_channel = any(r.conversation_id and r.person_id is None for r in pressed)
        if concern.owner_id is not None:
            mine = concern.owner_id == act.actor.id
            view = await _alert_view(act.session, concern, act.calendar, config.note_hours, mine=mine)
            message = f"{view.ownership.owner} took this on {format_moment(concern.owned_at, tz)}. {NOTHING_CHANGED}"
            shown = (sc.out_of_hours_card(view.ownership, concern.case_ref, concern.raised_at, tz, problem=message)
                     if in_channel else ac.safeguarding_alert_card(replace(view, problem=message), tz))
            already(message, card=shown, title=f"Safeguarding concern: case {concern.case_ref}")
        concern.owner_id, concern.owned_at = act.actor.id, now
        await follow_ups.cancel_for(act.session, "safeguarding_concern", [concern.id], now, kinds=[UNCLAIMED_RESEND])
        due = rules.note_due(now, act.calendar, config.note_hours)
        await follow_ups.owe(act.session, key=f"{NOTE_CHASE}:{concern.id}", kind=NOTE_CHASE,
                             subject_type="safeguarding_concern", subject_id=concern.id, due_at=due, now=now)
        act.trail("allocation", concern.allocation_id, CLAIMED, concern_id=concern.id,
                  minutes=rules.minutes_between(concern.raised_at, now), out_of_hours=concern.out_of_hours)
        await act.session.flush()
        await _update_copies(act, concern, config, f"{concern.id}:claimed", [r.id for r in pressed])
        view = await _alert_view(act.session, concern, act.calendar, config.note_hours, mine=True)
        card = ac.safeguarding_alert_card(view, tz)
        if in_channel:
            # Pressed in the channel: the details go to the owner's personal chat, the channel sees the owner only.
            await act.notify(OWNER_UPDATE, [act.actor], OWNER_UPDATE.message(
                view, tz, summary=f"You took the safeguarding concern on case {concern.case_ref}"),
                key=f"{OWNER_UPDATE}:{concern.id}:owner", urgent=True)
            card = sc.out_of_hours_card(view.ownership, concern.case_ref, concern.raised_at, tz)
        return Outcome(Status.DONE, card=card, urgent=act.urgent)


@use_case()
async def record_note(ctx: Context, actor_id: int, concern_id: int, note: str | None, *, now: datetime, via: str,
                      pressed: Sequence[OutboxMessage] = (), config: SafeguardingSettings | None = None) -> Outcome:
    """The owner's action note: checked for identifiers, stored, shown on every copy; the chase cancelled."""
    config = config or settings()
    async with unit(ctx, actor_id, now=now, via=via) as act:
        concern = await act.lock(SafeguardingConcern, concern_id, missing=NOT_FOUND)
        tz = act.calendar.tz
        if concern.owner_id != act.actor.id:
            refuse(ONLY_OWNER)
        if concern.noted_at is not None:
            view = await _alert_view(act.session, concern, act.calendar, config.note_hours, mine=True)
            message = f"You recorded what was done on {format_moment(concern.noted_at, tz)}. {NOTHING_CHANGED}"
            already(message, card=ac.safeguarding_alert_card(replace(view, problem=message), tz))
        try:
            cleaned = rules.check_note(note)
            problem = first_refusal({"What was done": cleaned})
        except ValueError as exc:
            problem = str(exc)
        if problem:
            view = await _alert_view(act.session, concern, act.calendar, config.note_hours, mine=True)
            return Outcome(Status.INVALID, problem, card=ac.safeguarding_alert_card(replace(view, problem=problem), tz))
        concern.note, concern.noted_at = cleaned, now
        await follow_ups.cancel_for(act.session, "safeguarding_concern", [concern.id], now, kinds=[NOTE_CHASE])
        act.trail("allocation", concern.allocation_id, NOTED, concern_id=concern.id, length=len(cleaned),
                  minutes=rules.minutes_between(concern.owned_at, now))
        await act.session.flush()
        await _update_copies(act, concern, config, f"{concern.id}:noted", [r.id for r in pressed])
        view = await _alert_view(act.session, concern, act.calendar, config.note_hours, mine=True)
        return Outcome(Status.DONE, card=ac.safeguarding_alert_card(view, tz))


# -- the duty: unclaimed re-sends and the note's chase ----------------------------------------------------

class SafeguardingFollowUpDuty(FollowUpDuty):
    """Re-sends an unclaimed concern (head of service and deputy director; then adding the QA unit)
    and chases an overdue action note once; both on the send window's slots (qa/cadence.py)."""

    name = "safeguarding-follow-ups"
    kinds = (UNCLAIMED_RESEND, NOTE_CHASE)

    def __init__(self, cal: WorkingCalendar | None = None, config: SafeguardingSettings | None = None) -> None:
        super().__init__(cal)
        self.config = config or SafeguardingSettings()

    async def settle(self, session: AsyncSession, owed: Sequence[FollowUp], slot: datetime, due_at: datetime,
                     now: datetime) -> Settled:
        done: list[int] = []
        cancelled: list[int] = []
        for item in owed:
            concern = await session.get(SafeguardingConcern, item.subject_id)
            if concern is None:
                cancelled.append(item.id)
                continue
            if item.kind == UNCLAIMED_RESEND:
                if concern.owner_id is not None:
                    cancelled.append(item.id)
                    continue
                await self._resend(session, concern, now)
            else:
                if concern.noted_at is not None:
                    cancelled.append(item.id)
                    continue
                view = await ownership(session, concern, self.cal, self.config.note_hours)
                await enqueue_many(session, [Message(
                    key=f"{NOTE_CHASE}:{concern.id}:{concern.owner_id}", kind=NOTE_CHASE, person_id=concern.owner_id,
                    payload=NOTE_CHASE.message(view, concern.case_ref, self.cal.tz,
                                               summary=f"Action note overdue: case {concern.case_ref}"),
                    due_at=now)], now=now)
            done.append(item.id)
        return {follow_ups.DONE: done, follow_ups.CANCELLED: cancelled}

    async def _resend(self, session: AsyncSession, concern: SafeguardingConcern, now: datetime) -> None:
        concern.unclaimed_sends += 1
        step = concern.unclaimed_sends
        allocation = await session.get(Allocation, concern.allocation_id)
        people = [p for p in await active_people(session, [Role.HEAD_OF_SERVICE, Role.DEPUTY_DIRECTOR])
                  if allocation is None or _covers(p, allocation.service_area)]
        if step >= rules.UNCLAIMED_STEPS:
            people += await qa_unit(session)
        view = await _alert_view(session, concern, self.cal, self.config.note_hours)
        marked = "Still unclaimed" if step > 1 else "Unclaimed"
        payload = UNCLAIMED_RESEND.message(view, self.cal.tz, summary=f"{marked} safeguarding concern: case "
                                                                       f"{concern.case_ref}")
        await enqueue_many(session, [Message(key=f"{UNCLAIMED_RESEND}:{concern.id}:{step}:{p.id}", kind=UNCLAIMED_RESEND,
                                             person_id=p.id, payload=payload, due_at=now) for p in people], now=now)
        session.add(_trail(concern, now, step, len(people)))


def _covers(person: Person, service_area: str) -> bool:
    from storage.people import covers
    return covers(person, service_area)


def _trail(concern: SafeguardingConcern, now: datetime, step: int, sent: int):
    from storage.models import TrailEvent
    return TrailEvent(subject_type="allocation", subject_id=concern.allocation_id, month=None, actor_id=None,
                      action=UNCLAIMED, via="duty:safeguarding-follow-ups", detail={"concern_id": concern.id,
                                                                                    "step": step, "sent": sent},
                      at=now)


class OutOfHoursSummaryDuty:
    """On each working morning (qa/cadence.py EachWorkingMorning) after concerns raised out of hours:
    one card to the QA unit (every such concern) and to each area's day managers (the concerns sent
    to them) saying what the out-of-hours route did with each, as it stood when the morning came.
    Keyed "<kind>:<day>:<person>", so a second run adds nothing."""

    name = "safeguarding-out-of-hours-summary"

    def __init__(self, cal: WorkingCalendar | None = None) -> None:
        self.cal = cal or WorkingCalendar()
        self.cadence = EachWorkingMorning(self.cal)

    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        return self.cadence.today(now)

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        morning = self.cal.local_date(occurrence.due_at)
        start, end = rules.out_of_hours_since(morning, self.cal)
        concerns = list((await session.execute(select(SafeguardingConcern).where(
            SafeguardingConcern.out_of_hours.is_(True), SafeguardingConcern.raised_at >= start,
            SafeguardingConcern.raised_at < end).order_by(SafeguardingConcern.raised_at))).scalars())
        if not concerns:
            return
        as_of = occurrence.due_at  # what had happened by the morning, even when the duty runs late
        lines: dict[int, sc.ConcernLine] = {}
        readers: dict[int, set[int]] = {}
        for c in concerns:
            owned = c.owned_at is not None and c.owned_at <= as_of
            noted = owned and c.noted_at is not None and c.noted_at <= as_of
            lines[c.id] = sc.ConcernLine(c.case_ref, c.raised_at, True,
                                         await _name(session, c.owner_id) if owned else None,
                                         rules.minutes_between(c.raised_at, c.owned_at) if owned else None,
                                         rules.minutes_between(c.owned_at, c.noted_at) if noted else None)
            allocation = await session.get(Allocation, c.allocation_id)
            managers = (await safeguarding_recipients(session, allocation.team, allocation.service_area)
                        if allocation else [])
            for person in managers:
                readers.setdefault(person.id, set()).add(c.id)
        for person in await qa_unit(session):
            readers[person.id] = set(lines)
        due_at = self.cal.send_time_for(occurrence.due_at, now)
        messages = []
        for person_id, ids in readers.items():
            shown = [line for concern_id, line in lines.items() if concern_id in ids]
            messages.append(Message(
                f"{OUT_OF_HOURS_SUMMARY}:{morning}:{person_id}", OUT_OF_HOURS_SUMMARY, person_id,
                OUT_OF_HOURS_SUMMARY.message(shown, morning, self.cal.tz,
                                             summary=f"Out-of-hours safeguarding concerns: {len(shown)}"), due_at))
        added = await enqueue_many(session, messages, now=now)
        log.info("out-of-hours summary %s: %d concerns, %d new rows", morning, len(concerns), added)


# -- the QA unit's view ---------------------------------------------------------------------------------

async def concern_lines(ctx: Context, now: datetime, *, days: int = 90, limit: int = 40) -> list[sc.ConcernLine]:
    """The last `days` days' concerns up to `now` (newest first, at most `limit`): who took each, the
    working-clock-free minutes from raising to owner and from owner to the action note."""
    since = now - timedelta(days=days)
    async with ctx.db.sessions() as session:
        rows = list((await session.execute(select(SafeguardingConcern).where(SafeguardingConcern.raised_at >= since)
                                           .order_by(SafeguardingConcern.raised_at.desc()).limit(limit))).scalars())
        return [await _line(session, c) for c in rows]


async def _line(session: AsyncSession, c: SafeguardingConcern) -> sc.ConcernLine:
    return sc.ConcernLine(c.case_ref, c.raised_at, c.out_of_hours, await _name(session, c.owner_id),
                          rules.minutes_between(c.raised_at, c.owned_at),
                          rules.minutes_between(c.owned_at, c.noted_at) if c.owned_at else None)
