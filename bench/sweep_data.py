"""A fictional council's audit cycle for bench.sweep: staff, chats, years of history, and the
December 2026 cycle advanced moment by moment, with a snapshot of the database taken just
before each moment the benchmark times. No real people, no child details (case refs only).

- Staff: bench.roster.person_rows(n) imported through storage.roster.import_roster, each
  head-of-service block made its own service area ("Early Help 7"). person_rows cycles five
  area names, which at 20,000 staff would put ~105 service leads on each area, every one of
  them sent every audit of it: output growing with the square of the staff, a property of that
  data rather than of the code. 95% have installed the bot; 1% removed it since.
- History: `months` closed months before December 2026, `per_month` allocations each, with
  their audits, audit trail, duty_runs (every cycle moment, every late-notice slot) and the
  outbox rows those moments and actions wrote (sent). Written in bulk, not through the duties;
  their payloads are short texts, as the sweep never reads an old payload (only the unique
  idempotency key). November 2026 leaves 3% of its audits awaiting oversight.
- December 2026: `per_month` allocations imported from a CSV through import_allocations on
  25 November; then the real sweep at each cycle moment, outbox rows marked sent after it,
  and the auditors' and service leads' progress (start, submit, confirm) applied in between.
"""
from __future__ import annotations

import csv
import random
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text, update

from bench.roster import HEADER, person_rows
from capabilities.audit_cycle.duties import LateAllocationNoticeDuty
from capabilities.duties import Duty
from qa.audit_calendar import cycle_dates, cycle_moments, month_key
from qa.calendar import WorkingCalendar
from storage.allocations import import_allocations
from storage.db import Database
from storage.models import (
    KEY_AREAS,
    Allocation,
    Audit,
    AuditMonth,
    Conversation,
    DutyRun,
    OutboxMessage,
    Person,
    TrailEvent,
)
from storage.roster import import_roster

CAL = WorkingCalendar()  # Europe/London, England's bank holidays: what Settings() gives the sweep
MONTH = (2026, 12)
ROSTER_AT = datetime(2026, 11, 20, 12, tzinfo=UTC)
IMPORTED_AT = datetime(2026, 11, 25, 14, tzinfo=UTC)
CHUNK = 5000


@dataclass(frozen=True)
class Scale:
    staff: int
    per_month: int
    months: int  # of history before December 2026

    @property
    def label(self) -> str:
        years = f"{self.months // 12} year{'s' if self.months != 12 else ''}" if self.months % 12 == 0 \
            else f"{self.months} months"
        return f"{self.staff:,} staff, {self.per_month:,} allocations a month, {years} of history"


@dataclass
class Staff:
    """Who is who, by roster id."""

    managers: list[tuple[int, str, str]] = field(default_factory=list)  # (id, area, team)
    practitioners: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # area -> [(id, team)]
    lead_of: dict[str, int] = field(default_factory=dict)  # area -> service lead id
    supervisor_of: dict[int, int] = field(default_factory=dict)  # manager id -> service lead id
    email_of: dict[int, str] = field(default_factory=dict)
    qa_unit: int = 0
    unreachable: set[int] = field(default_factory=set)


def staff_rows(n: int) -> list[dict[str, str]]:
    """person_rows(n), each head-of-service block its own service area."""
    rows = person_rows(n)
    block = 0
    for row in rows:
        if row["role"] == "head_of_service":
            block += 1
        if row["role"] in ("head_of_service", "service_lead", "practice_manager", "practitioner"):
            row["service_area"] = f"{row['service_area']} {block}"
    return rows


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """A London wall-clock time on `day`, in UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=CAL.tz).astimezone(UTC)


def month_before(year: int, month: int, k: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) - k
    return index // 12, index % 12 + 1


async def bulk(conn, model: type, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await conn.execute(insert(model.__table__), list(rows[start:start + CHUNK]))


def sent_row(key: str, kind: str, person_id: int, due_at: datetime) -> dict[str, Any]:
    return {"idempotency_key": key, "kind": kind, "person_id": person_id, "conversation_id": None,
            "payload": {"text": f"{kind} ({key.split(':')[1] if ':' in key else ''})", "summary": kind},
            "due_at": due_at, "next_attempt_at": due_at, "state": "sent", "attempts": 1,
            "created_at": due_at, "sent_at": due_at + timedelta(seconds=30), "activity_id": f"1:{key}"[:200]}


def audit_row(allocation_id: int, auditor: int, submitted: datetime, rng: random.Random) -> dict[str, Any]:
    grades = ("Outstanding", "Good", "Good", "Requires Improvement", "Inadequate")
    return {"allocation_id": allocation_id, "overall_grade": rng.choice(grades),
            "key_areas": {area: rng.choice(grades) for area in KEY_AREAS},
            "strengths": "Clear plan; the child's voice is recorded throughout.",
            "improvements": "Chronology needs updating.", "discussion_held": True, "seek_family_views": False,
            "safeguarding_concern": False, "safeguarding_description": "", "submitted_by_id": auditor,
            "submitted_at": submitted, "updated_at": submitted}


# -- staff and chats ------------------------------------------------------------------------------

async def add_staff(db: Database, n: int, workdir: Path) -> Staff:
    path = workdir / f"roster-{n}.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(staff_rows(n))
    await import_roster(db, path, ROSTER_AT)
    staff = Staff()
    async with db.sessions() as session:
        people = (await session.execute(select(Person.id, Person.email, Person.role, Person.team,
                                               Person.service_area, Person.supervisor_email)
                                        .order_by(Person.id))).all()
    by_email = {p.email: p.id for p in people}
    for p in people:
        staff.email_of[p.id] = p.email
        if p.role == "practice_manager":
            staff.managers.append((p.id, p.service_area, p.team))
            staff.supervisor_of[p.id] = by_email[p.supervisor_email]
        elif p.role == "practitioner":
            staff.practitioners.setdefault(p.service_area, []).append((p.id, p.team))
        elif p.role == "service_lead":
            staff.lead_of[p.service_area] = p.id
        elif p.role == "qa_unit":
            staff.qa_unit = p.id
    chats = []
    for i, p in enumerate(people):
        if i % 20 == 7:
            staff.unreachable.add(p.id)  # never installed
            continue
        removed = i % 100 == 3
        if removed:
            staff.unreachable.add(p.id)
        chats.append({"conversation_id": f"a:bench-chat-{p.id}", "tenant_id": "tenant-bench",
                      "service_url": "https://smba.trafficmanager.net/uk/", "bot_id": "28:bench-bot",
                      "user_id": f"29:bench-user-{p.id}", "aad_object_id": None, "email": p.email,
                      "person_id": p.id, "reference": {"conversation": {"id": f"a:bench-chat-{p.id}"}},
                      "installed_at": ROSTER_AT, "welcomed_at": ROSTER_AT,
                      "unreachable_at": ROSTER_AT + timedelta(days=1) if removed else None,
                      "unreachable_reason": "403 blocked" if removed else None})
    async with db.engine.begin() as conn:
        await bulk(conn, Conversation, chats)
    return staff


# -- history --------------------------------------------------------------------------------------

@dataclass
class Fate:
    """What happens to one allocation: when it is started, submitted, confirmed, uploaded (None: never)."""

    started: datetime | None = None
    submitted: datetime | None = None
    confirmed: datetime | None = None
    uploaded: datetime | None = None
    declined: bool = False


def plan_fate(notice: datetime, rng: random.Random, *, awaiting_share: float = 0.0) -> Fate:
    r = rng.random()
    if r < 0.02:
        return Fate(declined=True)
    if r < 0.05:
        return Fate()  # never started
    if r < 0.08:
        return Fate(started=notice + timedelta(days=rng.uniform(1, 20)))  # started, never submitted
    submitted = notice + timedelta(days=rng.uniform(1, 26))
    started = max(notice + timedelta(hours=1), submitted - timedelta(days=rng.uniform(0.2, 5)))
    if rng.random() < awaiting_share:
        return Fate(started, submitted)
    confirmed = submitted + timedelta(days=rng.uniform(1, 12))
    uploaded = confirmed + timedelta(days=rng.uniform(0.1, 3)) if rng.random() < 0.95 else None
    return Fate(started, submitted, confirmed, uploaded)


def state_at(fate: Fate, t: datetime) -> str:
    if fate.declined:
        return "declined"
    if fate.uploaded and fate.uploaded < t:
        return "complete"
    if fate.confirmed and fate.confirmed < t:
        return "oversight_confirmed"
    if fate.submitted and fate.submitted < t:
        return "submitted"
    if fate.started and fate.started < t:
        return "started"
    return "allocated"


def cases_of_month(staff: Staff, k: int, n: int) -> list[tuple[int, int | None, str, str]]:
    """(auditor, case holder, area, team) for n cases; auditors in turn, holders from another team."""
    cases = []
    for i in range(n):
        auditor, area, team = staff.managers[(i + k * 37) % len(staff.managers)]
        holders = [h for h in staff.practitioners.get(area, []) if h[1] != team]
        holder = holders[(i + k) % len(holders)] if holders else None
        cases.append((auditor, holder[0] if holder else None, area, holder[1] if holder else team))
    return cases


async def add_history_month(db: Database, staff: Staff, year: int, month: int, k: int, n: int,
                            ids: dict[str, int], rng: random.Random, cutoff: datetime) -> None:
    """One past month, as the cycle and its people left it (`k`: months before December 2026)."""
    key = month_key(year, month)
    dates = cycle_dates(year, month, CAL)
    notice = CAL.at_send_time(dates.allocation_notice_day)
    moments = cycle_moments(year, month, CAL)
    awaiting = 0.03 if k == 1 else 0.0  # November still has some with its service leads
    allocations, audits, events, outbox = [], [], [], []
    fates: list[tuple[int, int, str, Fate]] = []  # (allocation id, auditor, area, fate)
    for i, (auditor, holder, area, team) in enumerate(cases_of_month(staff, k, n)):
        ids["allocation"] += 1
        aid = ids["allocation"]
        fate = plan_fate(notice, rng, awaiting_share=awaiting)
        final = state_at(fate, cutoff if k == 1 else notice + timedelta(days=80))
        fates.append((aid, auditor, area, fate))
        allocations.append({
            "id": aid, "month": key, "case_ref": f"CD-{year % 100:02d}{month:02d}{i:05d}", "annex_a_list": "List 8",
            "service_area": area, "team": team, "theme": "", "auditor_id": auditor, "case_holder_id": holder,
            "state": final, "decline_reason": "Conflict of interest" if fate.declined else None,
            "notified_at": notice, "started_at": fate.started, "submitted_at": fate.submitted,
            "oversight_by_id": staff.lead_of[area] if final in ("oversight_confirmed", "complete") else None,
            "oversight_at": fate.confirmed if final in ("oversight_confirmed", "complete") else None,
            "uploaded_at": fate.uploaded if final == "complete" else None,
            "created_at": IMPORTED_AT - timedelta(days=30 * k), "updated_at": notice})
        trail = [("allocated", IMPORTED_AT - timedelta(days=30 * k), None)]
        if fate.declined:
            trail.append(("allocation_declined", notice + timedelta(days=1), auditor))
        for action, when, who in (("audit_started", fate.started, auditor), ("audit_submitted", fate.submitted, auditor),
                                  ("oversight_confirmed", fate.confirmed, staff.lead_of[area]),
                                  ("audit_uploaded", fate.uploaded, auditor)):
            if when is not None and (k != 1 or when < cutoff):
                trail.append((action, when, who))
        events += [{"subject_type": "allocation", "subject_id": aid, "month": key, "actor_id": who, "action": action,
                    "via": "card:bench", "detail": {}, "at": when} for action, when, who in trail]
        if fate.submitted and final not in ("allocated", "started", "declined"):
            ids["audit"] += 1
            audits.append({"id": ids["audit"], **audit_row(aid, auditor, fate.submitted, rng)})
            outbox.append(sent_row(f"oversight-request:{aid}:{staff.lead_of[area]}", "oversight_request",
                                   staff.lead_of[area], CAL.next_send_moment(fate.submitted)))
        if fate.confirmed and final in ("oversight_confirmed", "complete"):
            outbox.append(sent_row(f"upload-request:{aid}:{auditor}", "upload_request", auditor,
                                   CAL.next_send_moment(fate.confirmed)))
    # What each cycle moment wrote, from who was still owing what then.
    for moment in moments:
        if moment.due_at >= cutoff:
            continue
        t = moment.due_at
        if moment.kind == "allocation-notice":
            owed = {a for _, a, _, f in fates if not f.declined}
            rows = [(f"allocation-notice:{key}:{a}", "allocation-notice", a) for a in owed]
            rows += [(f"unreachable-auditors:{key}:{staff.qa_unit}", "unreachable-auditors", staff.qa_unit)]
        elif moment.kind in ("auditor-reminder", "audit-overdue"):
            late = {a for _, a, _, f in fates if state_at(f, t) in ("allocated", "started")}
            prefix = f"auditor-reminder:{key}:{moment.label}" if moment.kind == "auditor-reminder" \
                else f"audit-overdue:{key}"
            rows = [(f"{prefix}:{a}", moment.kind, a) for a in late]
            if moment.kind == "audit-overdue":
                rows += [(f"supervisor-overdue:{key}:{staff.supervisor_of[a]}:{a}", "supervisor-overdue",
                          staff.supervisor_of[a]) for a in late]
        else:
            areas = {area for _, _, area, f in fates if state_at(f, t) == "submitted"}
            label = "" if moment.kind in ("service-lead-digest", "oversight-overdue") else f":{moment.label}"
            rows = [(f"{moment.kind}:{key}{label}:{staff.lead_of[a]}", moment.kind, staff.lead_of[a]) for a in areas]
        outbox += [sent_row(k_, kind, person, t) for k_, kind, person in rows]
    runs = [{"duty": "audit-cycle", "occurrence": f"{key}:{m.key}", "due_at": m.due_at, "ran_at": m.due_at}
            for m in moments if m.due_at < cutoff]
    async with db.engine.begin() as conn:
        await conn.execute(insert(AuditMonth.__table__), [{
            "month": key, "imported_at": IMPORTED_AT - timedelta(days=30 * k),
            "closed_at": CAL.at_send_time(dates.oversight_overdue_day) + timedelta(days=7) if k > 1 else None}])
        await bulk(conn, Allocation, allocations)
        await bulk(conn, Audit, audits)
        await bulk(conn, TrailEvent, events)
        await bulk(conn, OutboxMessage, outbox)
        await bulk(conn, DutyRun, runs)


def late_slots(start: date, end: datetime) -> Iterable[tuple[str, datetime]]:
    """Every late-notice slot from `start` to before `end`, as LateAllocationNoticeDuty keys them
    (some month is always open, so every working day's slots run)."""
    step = LateAllocationNoticeDuty.SLOT
    day = start
    while CAL.at_send_time(day) < end:
        if CAL.is_working_day(day):
            slot = datetime.combine(day, CAL.send_at, tzinfo=CAL.tz)
            close = datetime.combine(day, CAL.window_end, tzinfo=CAL.tz)
            while slot < close and slot.astimezone(UTC) < end:
                utc = slot.astimezone(UTC)
                yield f"{utc:%Y-%m-%dT%H:%MZ}", utc
                slot += step
        day += timedelta(days=1)


async def add_late_slots(db: Database, start: date, end: datetime) -> None:
    async with db.sessions() as session:
        done = set((await session.execute(select(DutyRun.occurrence).where(
            DutyRun.duty == LateAllocationNoticeDuty.name, DutyRun.due_at >= at(start, 0)))).scalars())
    rows = [{"duty": LateAllocationNoticeDuty.name, "occurrence": key, "due_at": due, "ran_at": due}
            for key, due in late_slots(start, end) if key not in done]
    async with db.engine.begin() as conn:
        await bulk(conn, DutyRun, rows)


async def set_sequences(db: Database) -> None:
    """PostgreSQL: rows written with explicit ids leave the sequences behind; move them on."""
    if not db.is_postgresql:
        return
    async with db.engine.begin() as conn:
        for table in ("allocations", "audits"):
            await conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))


async def build_history(db: Database, scale: Scale, workdir: Path, cutoff: datetime) -> Staff:
    staff = await add_staff(db, scale.staff, workdir)
    rng = random.Random(scale.staff * 7919 + scale.months)
    ids = {"allocation": 0, "audit": 0}
    for k in range(scale.months, 0, -1):
        year, month = month_before(*MONTH, k)
        await add_history_month(db, staff, year, month, k, scale.per_month, ids, rng, cutoff)
    await set_sequences(db)
    first = month_before(*MONTH, scale.months)
    await add_late_slots(db, cycle_dates(*first, CAL).allocation_notice_day, cutoff)
    return staff


# -- December 2026 ------------------------------------------------------------------------------

async def import_december(db: Database, staff: Staff, n: int, workdir: Path) -> None:
    path = workdir / f"allocations-2026-12-{n}.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["case_ref", "annex_a_list", "service_area", "team", "auditor_email", "case_holder_email",
                         "theme"])
        for i, (auditor, holder, area, team) in enumerate(cases_of_month(staff, 0, n)):
            writer.writerow([f"CD-2612{i:05d}", "List 6" if i % 3 else "List 8", area, team, staff.email_of[auditor],
                             staff.email_of[holder] if holder else "", "Neglect" if i % 4 == 0 else ""])
    await import_allocations(db, path, "2026-12", IMPORTED_AT, actor_id=staff.qa_unit, via="bench:allocations import")


class December:
    """The December cycle's people acting between sweeps: start, submit, confirm, upload."""

    def __init__(self, db: Database, staff: Staff, seed: int) -> None:
        self.db, self.staff, self.rng = db, staff, random.Random(seed)
        self.fates: dict[int, tuple[int, str, Fate]] = {}  # allocation id -> (auditor, area, fate)
        self.applied: dict[int, str] = {}

    async def load(self) -> None:
        notice = CAL.at_send_time(cycle_dates(*MONTH, CAL).allocation_notice_day)
        async with self.db.sessions() as session:
            rows = (await session.execute(select(Allocation.id, Allocation.auditor_id, Allocation.service_area)
                                          .where(Allocation.month == "2026-12").order_by(Allocation.id))).all()
        for row in rows:
            fate = plan_fate(notice, self.rng, awaiting_share=0.2)
            fate.declined = False  # the QA unit reallocates declines; keep December's states simple
            self.fates[row.id] = (row.auditor_id, row.service_area, fate)
            self.applied[row.id] = "allocated"

    async def advance(self, t: datetime) -> None:
        """Everyone's actions before `t`, written as the audit flow would have left them."""
        changes, audits, events, outbox = [], [], [], []
        order = ["allocated", "started", "submitted", "oversight_confirmed", "complete"]
        async with self.db.sessions() as session:
            audit_ids = dict((await session.execute(select(Audit.allocation_id, Audit.id).join(
                Allocation, Allocation.id == Audit.allocation_id).where(Allocation.month == "2026-12"))).all())
        for aid, (auditor, area, fate) in self.fates.items():
            old, new = self.applied[aid], state_at(fate, t)
            if new == old:
                continue
            lead = self.staff.lead_of[area]
            steps = order[order.index(old) + 1: order.index(new) + 1]
            for step in steps:
                when, action, who = {
                    "started": (fate.started, "audit_started", auditor),
                    "submitted": (fate.submitted, "audit_submitted", auditor),
                    "oversight_confirmed": (fate.confirmed, "oversight_confirmed", lead),
                    "complete": (fate.uploaded, "audit_uploaded", auditor)}[step]
                events.append({"subject_type": "allocation", "subject_id": aid, "month": "2026-12", "actor_id": who, "action": action,
                               "via": "card:bench", "detail": {}, "at": when})
                if step == "submitted" and aid not in audit_ids:
                    audits.append(audit_row(aid, auditor, when, self.rng))
                    outbox.append(sent_row(f"oversight-request:{aid}:{lead}", "oversight_request", lead,
                                           CAL.next_send_moment(when)))
                if step == "oversight_confirmed":
                    outbox.append(sent_row(f"upload-request:{aid}:{auditor}", "upload_request", auditor,
                                           CAL.next_send_moment(when)))
            changes.append({"id": aid, "state": new, "started_at": fate.started if new != "allocated" else None,
                            "submitted_at": fate.submitted if order.index(new) >= 2 else None,
                            "oversight_by_id": lead if order.index(new) >= 3 else None,
                            "oversight_at": fate.confirmed if order.index(new) >= 3 else None,
                            "uploaded_at": fate.uploaded if new == "complete" else None, "updated_at": t})
            self.applied[aid] = new
        async with self.db.engine.begin() as conn:
            if changes:
                for change in changes:
                    await conn.execute(update(Allocation.__table__).where(Allocation.__table__.c.id == change["id"])
                                       .values({k: v for k, v in change.items() if k != "id"}))
            await bulk(conn, Audit, audits)
            await bulk(conn, TrailEvent, events)
            await bulk(conn, OutboxMessage, outbox)


async def mark_sent(db: Database, t: datetime) -> None:
    """What the sweep queued went out (the benchmark times the sweep, not delivery)."""
    async with db.engine.begin() as conn:
        await conn.execute(update(OutboxMessage.__table__).where(OutboxMessage.__table__.c.state == "pending")
                           .values(state="sent", sent_at=t, attempts=1))


async def table_counts(db: Database) -> dict[str, int]:
    counts = {}
    async with db.sessions() as session:
        for model in (Person, Conversation, Allocation, Audit, TrailEvent, OutboxMessage, DutyRun):
            counts[model.__tablename__] = (await session.execute(select(func.count()).select_from(model))).scalar_one()
    return counts


def due_instants(duties: Iterable[Duty], start: datetime, end: datetime) -> list[datetime]:
    """Every instant in [start, end) at which some duty's occurrence fell, found by asking each duty
    what is due at the end of each local day (a slot duty offers its day's last slot, a morning duty
    its morning, a monthly duty its day)."""
    found: set[datetime] = set()
    day = CAL.local_date(start)
    while True:
        probe = min(datetime.combine(day, time(23, 59), tzinfo=CAL.tz).astimezone(UTC), end - timedelta(seconds=1))
        found |= {o.due_at for duty in duties for o in duty.occurrences(probe) if start <= o.due_at < end}
        if probe >= end - timedelta(seconds=1):
            return sorted(found)
        day += timedelta(days=1)


async def play_december(db: Database, staff: Staff, scale: Scale, workdir: Path, scenarios: dict[str, datetime],
                        snapshot: Callable[[str], Awaitable[None]],
                        sweep_at: Callable[[Database, datetime], Awaitable[None]], duties: Sequence[Duty]) -> None:
    """Advance December moment by moment; `snapshot(name)` is called just before each scenario's
    instant (it may close the engine's connections: the engine reconnects when next used).

    The history holds the audit cycle's runs and the late-notice slots only; from the first of the
    first scenario's month every other duty's occurrences are swept at their own instants, and the
    minute before each scenario is swept before its snapshot, as the served bot would have: so a
    scenario's sweep runs only what falls due at it."""
    await import_december(db, staff, scale.per_month, workdir)
    december = December(db, staff, seed=scale.staff)
    await december.load()
    first, last = min(scenarios.values()), max(scenarios.values())
    months = (month_before(*MONTH, 1), MONTH, month_before(*MONTH, -1))
    moments = sorted({m.due_at for y, mo in months for m in cycle_moments(y, mo, CAL) if m.due_at <= last})
    start = datetime.combine(CAL.local_date(first).replace(day=1), time(0), tzinfo=CAL.tz).astimezone(UTC)
    others = set(due_instants(duties, start, last))
    times = sorted(set(moments) | set(scenarios.values()) | others)
    first_day = first.date() - timedelta(days=3)  # the history has the slots before
    for t in times:
        if t <= first and t not in scenarios.values() and t not in others:
            continue  # before the first scenario the history already holds it
        await december.advance(t)
        await add_late_slots(db, first_day, t - timedelta(seconds=1))
        for name, when in scenarios.items():
            if when == t:
                await sweep_at(db, t - timedelta(minutes=1))
                await mark_sent(db, t - timedelta(minutes=1))
                await snapshot(name)
        if t < last and (t in moments or t in others):
            await sweep_at(db, t)
            await mark_sent(db, t)
