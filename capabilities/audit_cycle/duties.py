"""The monthly audit cycle's duties (framework 9.3): what each cycle moment sends, and to whom.

`AuditCycleDuty` ("audit-cycle") runs each moment of qa.audit_calendar once (key
"2026-12:auditor-reminder:7-days") and writes one outbox row per person:
- allocation notice: one card per auditor listing their cases; the allocations get
  `notified_at`; auditors the bot cannot reach are listed to every active QA unit member;
- auditor reminders: auditors with audits not yet submitted;
- audit overdue: the auditor, and their supervisor (roster supervisor_email) per auditor;
- service-lead digest, oversight reminders: service leads with audits awaiting their oversight;
- oversight overdue: the service lead, and each head of service covering the area.

`LateAllocationNoticeDuty` ("allocation-notices-late") gives allocations imported after the
month's notice moment their notice: it looks every SLOT of the send window (not every
sweep, so duty_runs grows by dozens of rows a day, not by a row a minute).

Rows of one moment share one due_at, so the sender puts what one person is owed at that moment
into one message: the moment's send time, or the next send moment when the bot runs it late.
They are written together (storage.outbox.enqueue_many), and recipients are looked up in bulk
(supervisors by email in one query, service areas indexed once): bench/sweep.py measures why.

A bot that was down runs each missed moment once. A reminder (or the service-lead digest)
whose later sibling on the same track is already due is superseded: recorded in the audit
trail, not sent. Allocation notices and overdue notices always go.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from capabilities.addressing import addressed
from capabilities.audit_cycle import case_holder, kinds, views
from capabilities.duties import Occurrence
from capabilities.follow_ups import FollowUpDuty, Settled
from capabilities.registry import OutboxKind
from dialogs.audit_cards import complete_by
from dialogs.card_kit import format_day, format_month
from dialogs.payload import Payload
from qa.audit_calendar import (
    ALLOCATION_NOTICE,
    AUDIT_OVERDUE,
    AUDITOR_REMINDER,
    OVERSIGHT_OVERDUE,
    OVERSIGHT_REMINDER,
    SERVICE_LEAD_DIGEST,
    CycleDates,
    CycleMoment,
    cycle_dates,
    cycle_moments,
    due_moments,
    month_key,
    parse_month_key,
)
from qa.calendar import WorkingCalendar
from qa.framework import Role
from storage import cycle, follow_ups
from storage.models import Allocation, AuditMonth, FollowUp, Person, TrailEvent
from storage.outbox import Message, enqueue_many

log = logging.getLogger(__name__)

VIA = "duty:audit-cycle"
# Messages written per statement: far fewer round trips than one each, and a moment's thousands of
# cards are not all held in memory at once (the garbage collector would walk them over and over).
WRITE_EVERY = 250
# Moments on one track: a later one already due makes an earlier reminder stale.
TRACKS = ((AUDITOR_REMINDER, AUDIT_OVERDUE), (SERVICE_LEAD_DIGEST, OVERSIGHT_REMINDER, OVERSIGHT_OVERDUE))
SUPERSEDABLE = frozenset({AUDITOR_REMINDER, SERVICE_LEAD_DIGEST, OVERSIGHT_REMINDER})
_REMINDER_WORDS = {"7-days": "in 7 days", "2-working-days": "in 2 working days", "deadline-day": "today",
                   "3-working-days": "in 3 working days"}


def _plural(n: int, one: str) -> str:
    return f"{n} {one}" + ("" if n == 1 else "s")


def ids_hash(ids: Iterable[int]) -> str:
    """A short, stable name for a set of allocation ids (late notices' idempotency keys)."""
    return hashlib.sha256(",".join(str(i) for i in sorted(ids)).encode()).hexdigest()[:16]


def superseded_by(moments: Sequence[CycleMoment], moment: CycleMoment, now: datetime) -> CycleMoment | None:
    """The latest later moment on `moment`'s track already due at `now`, if `moment` is a reminder
    (or the digest); None when `moment` should go."""
    if moment.kind not in SUPERSEDABLE:
        return None
    track = next(t for t in TRACKS if moment.kind in t)
    due_later = [m for m in moments if m.kind in track and moment.due_at < m.due_at <= now]
    return max(due_later, key=lambda m: m.due_at, default=None)  # the latest: what goes instead


# -- allocation notices (shared by both duties) ------------------------------------------------

async def notify_allocations(session: AsyncSession, cal: WorkingCalendar, month: str,
                             allocations: Sequence[Allocation], due_at: datetime, now: datetime, *,
                             late: bool) -> int:
    """One notice per auditor for `allocations` (loaded by storage.cycle), `notified_at` set, and
    auditors who have left listed to the QA unit. Returns the rows written. An active auditor the
    bot cannot reach is told to the QA unit when the sender finds so at `due_at`
    (capabilities/audit_cycle/reach.py), not now: they may install the app before then."""
    if not allocations:
        return 0
    label = format_month(month)
    for allocation in allocations:  # the notice is the request: a late case's own day counts from it
        set_committed_value(allocation, "notified_at", now)
    groups = cycle.by_auditor(allocations)
    reasons = {auditor.id: "has left (roster)" for auditor, _ in groups if not auditor.active}
    messages: list[Message] = []
    written = 0
    for auditor, mine in groups:
        key = f"{kinds.ALLOCATION_NOTICE}:{month}:{auditor.id}" + (f":{ids_hash(a.id for a in mine)}" if late else "")
        if auditor.active:  # a leaver gets nothing; the QA unit hears below
            today = cal.local_date(now)  # a supervision file's register facts as of the notice
            cases = [await views.with_register_facts(session, views.allocation_view(a, cal), a, cal, today)
                     for a in mine]
            refs = ", ".join(v.case_ref for v in cases)
            messages.append(Message(
                key, kinds.ALLOCATION_NOTICE, auditor.id, due_at=due_at,
                payload=kinds.ALLOCATION_NOTICE.message(
                    auditor.display_name, label, cases,
                    summary=f"Your audit allocation for {label}: {_plural(len(cases), 'case')}",
                    text=f"Your audit allocation for {label}: {refs}. {complete_by(cases)}")))
            if len(messages) >= WRITE_EVERY:
                written += await enqueue_many(session, messages, now=now)
                messages = []
    messages += case_holder.notices(allocations, cal, due_at)  # each case holder told, with the auditor
    lost = [(auditor, mine) for auditor, mine in groups if auditor.id in reasons]
    if lost:
        suffix = f":{ids_hash(a.id for _, mine in lost for a in mine)}" if late else ""
        messages += await _qa_unit_messages(session, month, [auditor for auditor, _ in lost], reasons, due_at,
                                            suffix=suffix)
    # The notices a few hundred to a statement, and notified_at in one UPDATE per 1,000 (not the
    # ORM flushing each allocation): thousands of each at the notice moment.
    written += await enqueue_many(session, messages, now=now)
    ids = [a.id for a in allocations]
    for start in range(0, len(ids), 1000):
        await session.execute(update(Allocation).where(Allocation.id.in_(ids[start:start + 1000]))
                              .values(notified_at=now).execution_options(synchronize_session=False))
    for allocation in allocations:
        set_committed_value(allocation, "notified_at", now)  # what the UPDATE wrote, without a flush
    log.info("allocation notices month=%s auditors=%d unreachable=%d late=%s", month, len(groups), len(lost), late)
    return written


async def _qa_unit_messages(session: AsyncSession, month: str, lost: Sequence[Person], reasons: dict[int, str],
                            due_at: datetime, *, suffix: str) -> list[Message]:
    """The "Allocations not delivered" card naming `lost` (with `reasons` by person id), one per
    active QA unit member, keyed by `month` and `suffix` (each set of lost auditors told once)."""
    qa_unit = await cycle.active_people(session, Role.QA_UNIT)
    if not qa_unit:
        log.warning("allocation notices month=%s: %d auditors unreachable and no QA unit on the roster",
                    month, len(lost))
        return []
    label = format_month(month)
    people = [(auditor.display_name, auditor.email, reasons[auditor.id]) for auditor in lost]
    card = kinds.UNREACHABLE_AUDITORS.card(label, people)
    summary = f"Allocations not delivered for {label}: {_plural(len(people), 'auditor')}"
    return [Message(f"{kinds.UNREACHABLE_AUDITORS}:{month}:{person.id}{suffix}", kinds.UNREACHABLE_AUDITORS, person.id,
                    due_at=due_at, payload=Payload.of(card, summary)) for person in qa_unit]


async def tell_qa_unit(session: AsyncSession, month: str, lost: Sequence[Person], reasons: dict[int, str],
                       now: datetime, *, suffix: str) -> int:
    """At send time (capabilities/audit_cycle/reach.py): the QA unit told at once that `lost` could
    not be reached with `month`'s allocation. Returns the rows written (0: told already)."""
    return await enqueue_many(session, await _qa_unit_messages(session, month, lost, reasons, now, suffix=suffix),
                              now=now)


# -- the cycle's moments --------------------------------------------------------------------

class AuditCycleDuty:
    name = "audit-cycle"

    def __init__(self, cal: WorkingCalendar | None = None) -> None:
        self.cal = cal or WorkingCalendar()


    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        for (year, month), moment in due_moments(now, self.cal):
            yield Occurrence(f"{month_key(year, month)}:{moment.key}", moment.due_at)

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        month, _, moment_key = occurrence.key.partition(":")
        year, number = parse_month_key(month)
        moments = cycle_moments(year, number, self.cal)
        moment = next((m for m in moments if m.key == moment_key), None)
        if moment is None:
            raise ValueError(f"no moment {moment_key!r} in the {month} cycle")
        later = superseded_by(moments, moment, now)
        if later is not None:
            if await session.get(AuditMonth, month) is None:
                return  # no allocations that month: nothing to send, nothing to record
            session.add(TrailEvent(subject_type="month", month=month, action="reminder_superseded", via=VIA, at=now,
                                   detail={"moment": moment.key, "superseded_by": later.key}))
            log.info("moment %s %s superseded by %s; nothing sent", month, moment.key, later.key)
            return
        step = _Step(session, self.cal, month, cycle_dates(year, number, self.cal), moment,
                     self.cal.send_time_for(moment.due_at, now), now)
        await _HANDLERS[moment.kind](step)
        await step.flush()


class _Step:
    """One moment being run: what every handler needs, and the messages it writes (in one go)."""

    def __init__(self, session: AsyncSession, cal: WorkingCalendar, month: str, dates: CycleDates,
                 moment: CycleMoment, due_at: datetime, now: datetime) -> None:
        self.session, self.cal, self.month, self.dates = session, cal, month, dates
        self.moment, self.due_at, self.now = moment, due_at, now
        self.label = format_month(month)
        self.messages: list[Message] = []

    async def send(self, key: str, kind: OutboxKind, person: Person, card: dict, summary: str) -> None:
        self.messages.append(Message(key, kind, person.id, due_at=self.due_at, payload=Payload.of(card, summary)))
        if len(self.messages) >= WRITE_EVERY:
            await self.flush()

    async def flush(self) -> int:
        """Write the messages sent so far in one statement (covered work readdressed: capabilities/addressing.py)."""
        messages = await addressed(self.session, self.messages, now=self.now,
                                   day=self.cal.local_date(self.due_at), via=VIA)
        written = await enqueue_many(self.session, messages, now=self.now)
        self.messages = []
        return written

    def views(self, allocations: Sequence[Allocation]):
        return [views.allocation_view(a, self.cal) for a in allocations]

    def items(self, allocations: Sequence[Allocation]):
        return [views.oversight_item(a, self.cal.tz) for a in allocations]


async def _allocation_notice(step: _Step) -> None:
    allocations = await cycle.allocations_to_notify(step.session, step.month)
    await notify_allocations(step.session, step.cal, step.month, allocations, step.due_at, step.now, late=False)


async def _auditor_reminder(step: _Step) -> None:
    # Only the cases due on the month's deadline: one allocated late has a later day of its own
    # (views.audit_due), which "due in 7 days" would misstate.
    label = step.moment.label
    for auditor, mine in cycle.by_auditor(await cycle.unsubmitted(step.session, step.month)):
        due = [v for v in step.views(mine) if v.deadline == step.dates.audit_deadline]
        if not auditor.active or not due:
            continue
        await step.send(f"{AUDITOR_REMINDER}:{step.month}:{label}:{auditor.id}", kinds.AUDITOR_REMINDER, auditor,
                        kinds.AUDITOR_REMINDER.card(label, due),
                        f"{_plural(len(due), 'audit')} due {_REMINDER_WORDS[label]}")


async def _audit_overdue(step: _Step) -> None:
    # Only the cases whose own day has passed (a case allocated late may still be in time).
    today = step.cal.local_date(step.moment.due_at)
    groups = [(auditor, due) for auditor, mine in cycle.by_auditor(await cycle.unsubmitted(step.session, step.month))
              if (due := [a for a in mine if views.audit_due(a, step.cal) < today])]
    supervisors = await cycle.active_people_by_email(step.session, (auditor.supervisor_email for auditor, _ in groups))
    for auditor, mine in groups:
        cases = step.views(mine)
        if auditor.active:
            await step.send(f"{AUDIT_OVERDUE}:{step.month}:{auditor.id}", kinds.AUDIT_OVERDUE, auditor,
                            kinds.AUDIT_OVERDUE.card(cases),
                            f"{_plural(len(cases), 'audit')} overdue")
        supervisor = supervisors.get(cycle.email_key(auditor.supervisor_email))
        if supervisor is None:
            log.warning("audit overdue month=%s: auditor %s has no supervisor on the roster", step.month, auditor.id)
            continue
        # One row per auditor: the sender puts a supervisor's rows of this moment in one message.
        await step.send(f"{kinds.SUPERVISOR_OVERDUE}:{step.month}:{supervisor.id}:{auditor.id}",
                        kinds.SUPERVISOR_OVERDUE, supervisor,
                        kinds.SUPERVISOR_OVERDUE.card(supervisor.display_name, auditor.display_name, cases),
                        f"Overdue audits: {auditor.display_name}, {_plural(len(cases), 'case')}")


async def _service_lead_shares(step: _Step, keep=None) -> list[tuple[Person, list[Allocation]]]:
    """Each service lead's audits awaiting oversight (those `keep` keeps: an audit that reached them late
    has a day of its own, views.oversight_due, which the month's reminder or overdue notice would misstate)."""
    waiting = [a for a in await cycle.awaiting_oversight(step.session, step.month) if keep is None or keep(a)]
    leads = await cycle.active_people(step.session, Role.SERVICE_LEAD)
    shares = cycle.share_out(waiting, lambda a: a.service_area, leads)
    covered = {a.id for _, mine in shares for a in mine}
    if len(covered) < len(waiting):
        log.warning("oversight month=%s: %d audits in areas with no service lead", step.month,
                    len(waiting) - len(covered))
    return shares


async def _service_lead_digest(step: _Step) -> None:
    due = step.dates.oversight_deadline
    for lead, mine in await _service_lead_shares(step):
        await step.send(f"{SERVICE_LEAD_DIGEST}:{step.month}:{lead.id}", kinds.SERVICE_LEAD_DIGEST, lead,
                        kinds.SERVICE_LEAD_DIGEST.card(lead.display_name, step.items(mine), due),
                        f"{_plural(len(mine), 'audit')} awaiting your oversight by {format_day(due)}")


async def _oversight_reminder(step: _Step) -> None:
    due, label = step.dates.oversight_deadline, step.moment.label
    for lead, mine in await _service_lead_shares(step, lambda a: _oversight_due(step, a) == due):
        await step.send(f"{OVERSIGHT_REMINDER}:{step.month}:{label}:{lead.id}", kinds.OVERSIGHT_REMINDER, lead,
                        kinds.OVERSIGHT_REMINDER.card(lead.display_name, label, step.items(mine), due),
                        f"Oversight of {_plural(len(mine), 'audit')} due {_REMINDER_WORDS[label]}")


async def _oversight_overdue(step: _Step) -> None:
    due, today = step.dates.oversight_deadline, step.cal.local_date(step.moment.due_at)
    shares = await _service_lead_shares(step, lambda a: _oversight_due(step, a) < today)
    heads = cycle.AreaShares(await cycle.active_people(step.session, Role.HEAD_OF_SERVICE))
    for lead, mine in shares:
        await step.send(f"{OVERSIGHT_OVERDUE}:{step.month}:{lead.id}", kinds.OVERSIGHT_OVERDUE, lead,
                        kinds.OVERSIGHT_OVERDUE.card(lead.display_name, step.items(mine), due),
                        f"Oversight of {_plural(len(mine), 'audit')} overdue")
        # Each head of service hears of the overdue audits in their own areas, per service lead.
        for head, theirs in heads.share(mine, lambda a: a.service_area):
            await step.send(f"{kinds.HOS_OVERSIGHT_OVERDUE}:{step.month}:{head.id}:{lead.id}",
                            kinds.HOS_OVERSIGHT_OVERDUE, head,
                            kinds.HOS_OVERSIGHT_OVERDUE.card(lead.display_name, step.items(theirs), due,
                                                             head_of_service_name=head.display_name),
                            f"Oversight overdue: {lead.display_name}, {_plural(len(theirs), 'audit')}")


def _oversight_due(step: _Step, allocation: Allocation):
    return views.oversight_due(allocation, step.moment.due_at, step.cal)


_HANDLERS = {
    ALLOCATION_NOTICE: _allocation_notice,
    AUDITOR_REMINDER: _auditor_reminder,
    AUDIT_OVERDUE: _audit_overdue,
    SERVICE_LEAD_DIGEST: _service_lead_digest,
    OVERSIGHT_REMINDER: _oversight_reminder,
    OVERSIGHT_OVERDUE: _oversight_overdue,
}


# -- late allocations ---------------------------------------------------------------------

class LateAllocationNoticeDuty(FollowUpDuty):
    """Allocations imported (or reallocated) after their month's notice moment owe a notice: the
    import writes that follow-up (storage.allocations.owe_late_notices), and this duty sends it at
    the next slot of the send window, one notice per auditor for all their late cases.

    A month takes part from just after its notice moment to its oversight-overdue moment, while
    it is not closed: a follow-up of a closed or ended month is cancelled, one of a month not yet
    open waits, and one whose allocation was started, declined, notified or withdrawn meanwhile
    is cancelled.
    """

    name = "allocation-notices-late"
    kinds = (kinds.ALLOCATION_NOTICE,)
    MONTHS_BACK = 2

    def months_open_at(self, slot: datetime) -> list[str]:
        """Months whose notice moment is before `slot` and whose cycle has not ended by it."""
        day = self.cal.local_date(slot)
        year, month = day.year, day.month
        months = []
        for _ in range(self.MONTHS_BACK + 1):
            if self._open(month_key(year, month), slot):
                months.append(month_key(year, month))
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        return sorted(months)

    def _open(self, month: str, slot: datetime) -> bool:
        dates = cycle_dates(*parse_month_key(month), self.cal)
        return self.cal.at_send_time(dates.allocation_notice_day) < slot <= \
            self.cal.at_send_time(dates.oversight_overdue_day)

    def _ended(self, month: str, slot: datetime) -> bool:
        return slot > self.cal.at_send_time(cycle_dates(*parse_month_key(month), self.cal).oversight_overdue_day)

    def looks_at(self, slot: datetime) -> bool:
        return bool(self.months_open_at(slot))

    async def settle(self, session: AsyncSession, owed: Sequence[FollowUp], slot: datetime, due_at: datetime,
                     now: datetime) -> Settled:
        months = await cycle.months_of(session, [f.subject_id for f in owed])
        settled: Settled = {follow_ups.DONE: [], follow_ups.CANCELLED: []}
        by_month: dict[str, list[FollowUp]] = {}
        for follow_up in owed:
            month = months.get(follow_up.subject_id)
            if month is None:  # the allocation was withdrawn
                settled[follow_ups.CANCELLED].append(follow_up.id)
            else:
                by_month.setdefault(month, []).append(follow_up)
        for month, mine in sorted(by_month.items()):
            audit_month = await session.get(AuditMonth, month)
            if audit_month is None or audit_month.closed_at is not None or self._ended(month, slot):
                settled[follow_ups.CANCELLED] += [f.id for f in mine]
                continue
            if not self._open(month, slot):
                continue  # imported just after the notice moment: the next slot takes it
            wanted = {f.subject_id for f in mine}
            allocations = [a for a in await cycle.allocations_to_notify(session, month) if a.id in wanted]
            await notify_allocations(session, self.cal, month, allocations, due_at, now, late=True)
            notified = {a.id for a in allocations}
            for follow_up in mine:
                settled[follow_ups.DONE if follow_up.subject_id in notified else follow_ups.CANCELLED].append(
                    follow_up.id)
        return settled


# -- uploads to Care Director ----------------------------------------------------------------

UPLOAD_CHASED = "upload_chased"  # TrailEvent.action


class UploadChaseDuty(FollowUpDuty):
    """An audit whose oversight is confirmed owes its upload to the child's file by the day on the
    upload request (qa/deadlines.py: the oversight deadline, or a fair time after oversight); the
    confirmation writes the follow-up, due at the send time of the next working day after it. Still
    not marked uploaded then, the auditor is chased once (the upload card again, as a reminder) and
    the allocation counts in the `cycle` card as chased and not uploaded; uploaded, withdrawn or moved
    on meanwhile, the follow-up is cancelled."""

    name = "upload-chase"
    kinds = (kinds.UPLOAD_CHASE,)

    async def settle(self, session: AsyncSession, owed: Sequence[FollowUp], slot: datetime, due_at: datetime,
                     now: datetime) -> Settled:
        settled: Settled = {follow_ups.DONE: [], follow_ups.CANCELLED: []}
        allocations = {a.id: a for a in await cycle.allocations_by_id(session, [f.subject_id for f in owed])}
        messages: list[Message] = []
        for follow_up in owed:
            allocation = allocations.get(follow_up.subject_id)
            if allocation is None or allocation.state != "oversight_confirmed" or allocation.audit is None \
                    or not allocation.auditor.active:
                settled[follow_ups.CANCELLED].append(follow_up.id)
                continue
            # The follow-up is due the working day after the upload day: that day is the one before it.
            upload_by = self.cal.previous_working_day(self.cal.local_date(follow_up.due_at))
            by = await session.get(Person, allocation.oversight_by_id) if allocation.oversight_by_id else None
            lead = by.display_name if by else "The service lead"
            messages.append(Message(
                f"{kinds.UPLOAD_CHASE}:{allocation.id}", kinds.UPLOAD_CHASE, allocation.auditor_id, due_at=due_at,
                payload=kinds.UPLOAD_CHASE.message(
                    allocation.audit.id, allocation.case_ref, lead, allocation.oversight_at or now, self.cal.tz,
                    upload_by, allocation.oversight_comment or "", chase=True,
                    supervision=views.audit_kind(allocation) == "supervision",
                    summary=f"Reminder: upload the audit of case {allocation.case_ref} to Care Director")))
            session.add(TrailEvent(subject_type="allocation", subject_id=allocation.id, month=allocation.month,
                                   actor_id=None, action=UPLOAD_CHASED, via=f"duty:{self.name}",
                                   detail={"upload_by": upload_by.isoformat()}, at=now))
            settled[follow_ups.DONE].append(follow_up.id)
        await enqueue_many(session, messages, now=now)
        if messages:
            log.info("upload chases: %d auditors reminded", len(messages))
        return settled
