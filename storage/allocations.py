"""Importing a month's audit allocations, and closing a month. Checked whole, applied in one go.

Re-importing a month is how the QA unit corrects the list (framework 9.3: it distributes the
list on the 3rd and reallocates declined audits). What a re-import does, case by case:
- a case new to the month is allocated;
- a case not yet started ("allocated", or "declined") takes the file's values; a new auditor
  makes it "reallocated" (a declined case goes back to "allocated"); the same auditor on a
  declined case leaves it declined, so re-sending an unchanged file never overrides a decline;
- a case already started (any later state, a start time or an audit draft) is kept exactly as
  it is, whatever the file says: the auditor's work is never taken away by an upload;
- a not-started case missing from the file is withdrawn (deleted); its earlier trail events
  keep the month and lose the link, and the "withdrawn" event records the old id and case_ref;
- except a re-audit the bot allocated after an agreed Inadequate grade (storage.models.Reaudit):
  it stays whether the file lists it or not (listed, it takes the file's values, as any other).
Every change writes a TrailEvent (allocated, reallocated, allocation_updated, withdrawn).
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from qa import emails, supervision_audit
from qa.allocations import (
    SHEET_WORDS,
    UPLOADED,
    AllocationEntry,
    AllocationProblems,
    PersonInfo,
    check_month,
    parse_allocations,
)
from qa.audit_calendar import cycle_dates, parse_month_key
from qa.calendar import WorkingCalendar
from qa.form_choice import fallback_summary
from qa.forms import DEFAULT_FORM_NAME, FormDefinition
from qa.identifiers import DEFAULT_CASE_REFS, CaseRefFormat
from qa.tabular import DEFAULT_LIMITS, WHOLE_FILE, Problem, ReadLimits, UnreadableTable, source_words
from storage import files, follow_ups
from storage.db import Database
from storage.models import Allocation, Audit, AuditMonth, Person, Reaudit, TrailEvent

log = logging.getLogger(__name__)

Source = files.Source
NOT_STARTED = ("allocated", "declined")
# The Allocation columns a file sets (case_ref is the key).
FIELDS = ("annex_a_list", "service_area", "team", "auditor_id", "case_holder_id", "theme", "form_name")
WHAT = "an allocation list"


class AllocationsRejected(Exception):  # noqa: N818 - the name the CLI and the bot use
    """The list was refused whole; str() is the message for a person, one problem a line."""

    def __init__(self, source_name: str, month: str, problems: list[Problem], sheet: str | None = None) -> None:
        self.source_name = source_name
        self.month = month
        self.problems = problems
        self.sheet = sheet  # the workbook sheet read, when the file was read that far
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        lines = [f"{source_words(source_name, sheet)} was not imported for {month} ({count}; nothing was changed):"]
        lines += [f"  {p}" for p in problems]
        super().__init__("\n".join(lines))


class CycleError(Exception):
    """A month that cannot be closed (not a month, or never imported)."""


@dataclass
class AllocationImportReport:
    month: str
    source_name: str
    sheet: str | None = None  # the workbook sheet read; None for a .csv
    added_cases: list[str] = field(default_factory=list)
    updated_cases: list[str] = field(default_factory=list)
    unchanged_cases: list[str] = field(default_factory=list)
    withdrawn_cases: list[str] = field(default_factory=list)
    kept_started_cases: list[str] = field(default_factory=list)
    kept_reaudit_cases: list[str] = field(default_factory=list)  # re-audits the bot allocated, not in the file
    # Declined, and the file gives the same auditor again: still waiting for reallocation.
    still_declined_cases: list[str] = field(default_factory=list)
    per_area: dict[str, int] = field(default_factory=dict)  # the file's cases per service area
    per_form: dict[str, int] = field(default_factory=dict)  # the file's cases per audit form
    # Allocations put on the default form for want of a mapping (qa.form_choice.fallback_summary).
    form_fallbacks: list[str] = field(default_factory=list)
    # Supervision audits allocated in a month the schedule does not mark (qa.supervision_audit.off_schedule_line).
    schedule_notes: list[str] = field(default_factory=list)
    supervision_audits: int = 0  # the file's supervision files allocated

    added = property(lambda self: len(self.added_cases))
    updated = property(lambda self: len(self.updated_cases))
    unchanged = property(lambda self: len(self.unchanged_cases))
    withdrawn = property(lambda self: len(self.withdrawn_cases))
    kept_started = property(lambda self: len(self.kept_started_cases))

    @property
    def changed(self) -> bool:
        return bool(self.added_cases or self.updated_cases or self.withdrawn_cases)

    def describe(self) -> str:
        lines = [
            f"allocations for {self.month} imported from {source_words(self.source_name, self.sheet)}: "
            f"{self.added} added, "
            f"{self.updated} updated, {self.unchanged} unchanged, {self.withdrawn} withdrawn, "
            f"{self.kept_started} kept (already started)"
        ]
        for label, cases in self.sections():
            lines.append(f"{label}: {', '.join(cases)}")
        if self.forms_worth_saying():
            lines.append(f"audit forms: {', '.join(self.form_lines())}")
        lines += self.form_fallbacks + self.schedule_notes
        return "\n".join(lines)

    def forms_worth_saying(self) -> bool:
        """Whether the summary names the forms: some allocation is on a form other than the default,
        or fell back to it."""
        return bool(self.form_fallbacks) or any(name != DEFAULT_FORM_NAME for name in self.per_form)

    def form_lines(self) -> list[str]:
        """"case-jigsaw: 2 cases" per form, by name."""
        return [f"{name}: {n} case{'s' if n != 1 else ''}" for name, n in sorted(self.per_form.items())]

    def sections(self) -> list[tuple[str, list[str]]]:
        """(what happened, case refs) for every non-empty list, in the order a reader wants them."""
        found = [
            ("added", self.added_cases),
            ("updated", self.updated_cases),
            ("withdrawn (not in the file, not started)", self.withdrawn_cases),
            ("kept as they are (already started; the file does not change them)", self.kept_started_cases),
            ("still declined (the file gives the same auditor; give another to reallocate)",
             self.still_declined_cases),
            ("kept as re-audits (allocated after an agreed Inadequate grade)", self.kept_reaudit_cases),
        ]
        return [(label, sorted(cases)) for label, cases in found if cases]


async def import_allocations(db: Database, source: Source, month: str, now: datetime, *,
                             actor_id: int | None, via: str,
                             calendar: WorkingCalendar | None = None,
                             case_refs: CaseRefFormat = DEFAULT_CASE_REFS,
                             limits: ReadLimits = DEFAULT_LIMITS, dry_run: bool = False,
                             forms: Sequence[FormDefinition] = (),
                             how_chosen: str = UPLOADED,
                             supervision_months: Sequence[int] = supervision_audit.SCHEDULE) -> AllocationImportReport:
    """Check the list whole (case references in the council's format `case_refs`), then add, update
    and withdraw `month`'s allocations in one transaction (read and checked off the event loop,
    within `limits`). Every case of the list not yet started records `how_chosen` (qa/allocations.py:
    UPLOADED for a list the QA unit sent, sampled_with(seed) for the bot's sample).
    Allocations added or reallocated after the month's notice moment (in `calendar`, default
    England and Wales, London time) owe a late notice (a follow-up, in the same transaction).

    The file is read and its rows checked off the event loop (storage/files.py), within `limits`.
    Raises AllocationsRejected (nothing written) for an unreadable file, a bad header or row,
    a month that is not YYYY-MM, or a closed month. `dry_run`: check and work out what would
    change, write nothing (a preview in chat). `forms`: the audit forms in use, each allocation's form
    chosen among them (qa/allocations.py: the `form` and `audit_kind` columns, else theme, service area,
    the default; the report's `form_fallbacks` say which fell back); none: all on the default form.
    `supervision_months`: the months (1-12) the schedule marks for supervision audits; the report's
    `schedule_notes` say when the list allocates some in another month (allowed: framework 9.3).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    name = files.source_name(source)
    try:
        month = check_month(month)
    except ValueError as exc:
        raise AllocationsRejected(name, month, [Problem(WHOLE_FILE, None, str(exc))]) from None
    try:
        table = await files.read_source(source, WHAT, SHEET_WORDS, limits)
    except UnreadableTable as exc:
        raise AllocationsRejected(name, month, exc.problems) from None
    try:
        async with db.sessions.begin() as session:
            report = await _apply(session, table.header, table.rows, month, now, name, actor_id, via, case_refs,
                                  calendar or WorkingCalendar(), tuple(forms), how_chosen)
            note = supervision_audit.off_schedule_line(month, supervision_months, report.supervision_audits)
            report.schedule_notes = [note] if note else []
            if dry_run:
                raise files.DryRun(report)
    except files.DryRun as run:
        run.report.sheet = table.sheet
        return run.report
    except AllocationProblems as exc:
        raise AllocationsRejected(name, month, exc.problems, table.sheet) from None
    except IntegrityError:
        # Only another import (or a roster change) for the same month at the same moment.
        raise AllocationsRejected(name, month, [Problem(WHOLE_FILE, None, (
            "someone else changed this month's allocations at the same time; send the file again"))],
            table.sheet) from None
    report.sheet = table.sheet
    log.info("allocations imported month=%s added=%d updated=%d unchanged=%d withdrawn=%d kept_started=%d",
             month, report.added, report.updated, report.unchanged, report.withdrawn, report.kept_started)
    return report


def _insert(session: AsyncSession):
    return postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert


async def _lock_month(session: AsyncSession, month: str, now: datetime) -> AuditMonth:
    """The month's row, created if new, locked until commit: imports and closing queue on it."""
    await session.execute(
        _insert(session)(AuditMonth).values(month=month, imported_at=now).on_conflict_do_nothing(
            index_elements=["month"]))
    return (await session.execute(
        select(AuditMonth).where(AuditMonth.month == month).with_for_update())).scalar_one()


async def _known_people(session: AsyncSession) -> dict[str, PersonInfo]:
    result = await session.execute(select(Person.id, Person.email, Person.role, Person.service_area, Person.left_at,
                                          Person.team, Person.supervisor_email))
    return {
        (emails.key(row.email) or row.email.lower()): PersonInfo(
            id=row.id, email=emails.key(row.email) or row.email.lower(), role=row.role, active=row.left_at is None,
            service_areas=tuple(a for a in (s.strip() for s in row.service_area.split(";")) if a),
            team=row.team or "", supervisor_email=emails.key(row.supervisor_email or "") or "")
        for row in result
    }


async def _apply(session: AsyncSession, header: list[str], rows: list[dict[str, str]], month: str,
                 now: datetime, name: str, actor_id: int | None, via: str, case_refs: CaseRefFormat,
                 calendar: WorkingCalendar, forms: tuple[FormDefinition, ...],
                 how_chosen: str = UPLOADED) -> AllocationImportReport:
    audit_month = await _lock_month(session, month, now)
    if audit_month.closed_at is not None:
        raise AllocationProblems([Problem(WHOLE_FILE, None, (
            f"{month} was closed on {audit_month.closed_at:%Y-%m-%d %H:%M} UTC; a closed month takes no more "
            "allocations (import the list for another month)"))])
    entries = await files.off_loop(parse_allocations, header, rows, await _known_people(session), month, case_refs,
                                   forms)

    report = AllocationImportReport(month=month, source_name=name)
    for entry in entries:
        report.per_area[entry.service_area] = report.per_area.get(entry.service_area, 0) + 1
        report.per_form[entry.form_name] = report.per_form.get(entry.form_name, 0) + 1
    report.supervision_audits = sum(e.kind == "supervision" for e in entries)
    report.form_fallbacks = fallback_summary(e.form_choice for e in entries if e.form_choice is not None)
    existing = {a.case_ref.upper(): a for a in (await session.execute(
        select(Allocation).where(Allocation.month == month))).scalars()}
    with_audit = set((await session.execute(
        select(Audit.allocation_id).join(Allocation).where(Allocation.month == month))).scalars())
    events: list[TrailEvent] = []

    def event(action: str, allocation: Allocation | None, **detail) -> None:
        events.append(TrailEvent(subject_type="allocation" if allocation else "month",
                                 subject_id=allocation.id if allocation else None, month=month,
                                 actor_id=actor_id, action=action, via=via, detail=detail, at=now))

    added: list[Allocation] = []
    reallocated: list[Allocation] = []
    for entry in entries:
        old = existing.pop(entry.case_ref.upper(), None)
        if old is None:
            added.append(_new_allocation(entry, month, now, how_chosen))
        elif _started(old, with_audit):
            report.kept_started_cases.append(old.case_ref)
        else:
            old.how_chosen = how_chosen  # the list that holds it now chose it (not a change the summary counts)
            before = old.auditor_id
            _update(old, entry, now, report, event)
            if old.auditor_id != before:
                reallocated.append(old)

    withdrawn = []
    reaudits = set((await session.execute(select(Reaudit.allocation_id).where(Reaudit.month == month))).scalars())
    for old in existing.values():
        if old.id in reaudits:
            report.kept_reaudit_cases.append(old.case_ref)
        elif _started(old, with_audit):
            report.kept_started_cases.append(old.case_ref)
        else:
            withdrawn.append(old)
            report.withdrawn_cases.append(old.case_ref)
            event("withdrawn", None, case_ref=old.case_ref, allocation_id=old.id, auditor_id=old.auditor_id,
                  state=old.state)
    if withdrawn:
        ids = [a.id for a in withdrawn]
        # The trail stays, by month: it no longer points at a row that is gone.
        await session.execute(update(TrailEvent).where(TrailEvent.subject_type == "allocation",
                                                       TrailEvent.subject_id.in_(ids))
                              .values(subject_type="month", subject_id=None)
                              .execution_options(synchronize_session=False))
        await follow_ups.cancel_for(session, "allocation", ids, now)
        # A bulk DELETE: the ORM's delete would lazy-load each row's audit to unlink it.
        await session.execute(delete(Allocation).where(Allocation.id.in_(ids))
                              .execution_options(synchronize_session=False))

    session.add_all(added)
    await session.flush()  # ids for the trail
    for allocation in added:
        report.added_cases.append(allocation.case_ref)
        event("allocated", allocation, case_ref=allocation.case_ref, auditor_id=allocation.auditor_id,
              case_holder_id=allocation.case_holder_id)
    session.add_all(events)
    await owe_late_notices(session, [*added, *reallocated], now, calendar)
    audit_month.imported_at = now
    return report


async def owe_late_notices(session: AsyncSession, allocations: list[Allocation], now: datetime,
                           calendar: WorkingCalendar) -> int:
    """Allocations (flushed, with ids) added or given a new auditor after their month's notice
    moment owe that auditor a notice: one follow-up each ("allocation-notice", settled by
    capabilities.audit_cycle.duties.LateAllocationNoticeDuty). Before the moment, the month's own
    notice covers them. Framework 9.3: allocations are distributed on the 3rd. Returns how many."""
    owed = 0
    for allocation in allocations:
        dates = cycle_dates(*parse_month_key(allocation.month), calendar)
        if now <= calendar.at_send_time(dates.allocation_notice_day):
            continue
        owed += await follow_ups.owe(session, key=f"allocation-notice:{allocation.id}:{allocation.auditor_id}",
                                     kind="allocation-notice", subject_type="allocation", subject_id=allocation.id,
                                     due_at=now, now=now)
    return owed


def _started(allocation: Allocation, with_audit: set[int]) -> bool:
    return (allocation.state not in NOT_STARTED or allocation.started_at is not None
            or allocation.id in with_audit)


def _new_allocation(entry: AllocationEntry, month: str, now: datetime, how_chosen: str) -> Allocation:
    return Allocation(month=month, case_ref=entry.case_ref, state="allocated", created_at=now, updated_at=now,
                      how_chosen=how_chosen,
                      **{f: getattr(entry, f) for f in FIELDS})


def _update(old: Allocation, entry: AllocationEntry, now: datetime, report: AllocationImportReport, event) -> None:
    changed = [f for f in FIELDS if getattr(old, f) != getattr(entry, f)]
    if old.case_ref != entry.case_ref:
        changed.append("case_ref")
    if old.state == "declined" and entry.auditor_id == old.auditor_id:
        report.still_declined_cases.append(old.case_ref)
    if not changed:
        if old.state != "declined":
            report.unchanged_cases.append(old.case_ref)
        return
    before = {"auditor_id": old.auditor_id, "state": old.state}
    for f in FIELDS:
        setattr(old, f, getattr(entry, f))
    old.case_ref = entry.case_ref
    old.updated_at = now
    if "auditor_id" in changed:
        old.state, old.decline_reason = "allocated", None  # a declined case goes to its new auditor
        old.notified_at = None  # so the new auditor gets an allocation notice of their own
        event("reallocated", old, case_ref=old.case_ref, from_auditor_id=before["auditor_id"],
              to_auditor_id=old.auditor_id, was=before["state"])
    else:
        event("allocation_updated", old, case_ref=old.case_ref, fields=sorted(changed))
    report.updated_cases.append(old.case_ref)


# ---------------------------------------------------------------- closing a month


@dataclass(frozen=True)
class MonthClosure:
    month: str
    closed_at: datetime
    already_closed: bool
    allocations: int
    not_complete: int

    def describe(self) -> str:
        if self.already_closed:
            return f"{self.month} was already closed on {self.closed_at:%Y-%m-%d %H:%M} UTC; nothing changed"
        return (f"{self.month} closed: it takes no more allocations. {self.allocations} allocation"
                f"{'s' if self.allocations != 1 else ''}, {self.not_complete} not complete")


async def close_month(db: Database, month: str, now: datetime, actor_id: int | None, via: str) -> MonthClosure:
    """Close `month` to further imports (idempotent). Raises CycleError for an unknown month."""
    async with db.sessions.begin() as session:
        return await close_month_in(session, month, now, actor_id, via)


async def close_month_in(session: AsyncSession, month: str, now: datetime, actor_id: int | None,
                         via: str) -> MonthClosure:
    """`close_month` in the caller's transaction (a use case's): the month locked, closed_at set and one
    trail row (`month_closed`, by `actor_id`, None for the command line) written, unless it was already
    closed. Raises CycleError for a month not in the form YYYY-MM or never imported."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    try:
        month = check_month(month)
    except ValueError as exc:
        raise CycleError(str(exc)) from None
    audit_month = (await session.execute(
        select(AuditMonth).where(AuditMonth.month == month).with_for_update())).scalar_one_or_none()
    if audit_month is None:
        raise CycleError(f"no allocations were ever imported for {month}; there is nothing to close")
    states = list((await session.execute(select(Allocation.state).where(Allocation.month == month))).scalars())
    closure = MonthClosure(month, audit_month.closed_at or now, audit_month.closed_at is not None,
                           len(states), sum(1 for s in states if s != "complete"))
    if not closure.already_closed:
        audit_month.closed_at = now
        session.add(TrailEvent(subject_type="month", month=month, actor_id=actor_id, action="month_closed", via=via,
                               detail={"allocations": closure.allocations, "not_complete": closure.not_complete},
                               at=now))
    log.info("month closed month=%s already=%s", month, closure.already_closed)
    return closure


async def open_months(session: AsyncSession) -> list[tuple[str, int, int]]:
    """Every imported month not yet closed, oldest first: (month, allocations, not complete)."""
    months = list((await session.execute(select(AuditMonth.month).where(AuditMonth.closed_at.is_(None))
                                         .order_by(AuditMonth.month))).scalars())
    counts: dict[str, list[int]] = {m: [0, 0] for m in months}
    if months:
        for month, state in await session.execute(select(Allocation.month, Allocation.state)
                                                  .where(Allocation.month.in_(months))):
            counts[month][0] += 1
            counts[month][1] += state != "complete"
    return [(m, *counts[m]) for m in months]
