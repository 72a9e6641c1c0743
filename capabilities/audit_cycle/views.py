"""The audit cycle's card views from the cycle's rows (storage/cycle.py), and the figures of
`cycle status`: what the cards and the commands show, built from plain query rows."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.audit_forms import config as forms_config
from capabilities.supervision.audit_facts import register_facts
from dialogs.audit_cards import STATUS_FIGURES, AllocationView, OversightItem, ServiceAreaStatus
from qa.calendar import WorkingCalendar
from qa.deadlines import AUDIT_WORKING_DAYS, OVERSIGHT_WORKING_DAYS, due_no_earlier_than
from qa.forms import DEFAULT_FORM_NAME
from storage import cycle
from storage.cycle import (
    AWAITING_OVERSIGHT,
    OVERDUE_STATES,
    SUBMITTED,
    UNSUBMITTED,
    area_key,
    audit_deadline,
    is_started,
    oversight_deadline,
)
from storage.db import Database
from storage.models import Allocation, Person

# -- card views ----------------------------------------------------------------------------

def audit_due(allocation: Allocation, cal: WorkingCalendar) -> date:
    """The day the auditor is asked to submit by: the month's audit deadline (the 28th), or, for a case
    allocated after the month's notice (a late import, a reallocation), a fair time after its notice
    (`notified_at`, else when it was imported: never a time a draft saved moves) if later (qa/deadlines.py)."""
    asked = allocation.notified_at or allocation.created_at
    return due_no_earlier_than(audit_deadline(allocation.month, cal), _aware(asked), AUDIT_WORKING_DAYS, cal)


def oversight_due(allocation: Allocation, now: datetime, cal: WorkingCalendar) -> date:
    """The day a service lead is asked to confirm oversight by: the month's oversight deadline (the 6th),
    or a fair time after the audit last reached them (submitted, or back after a dispute) if later."""
    reached = max((_aware(t) for t in (allocation.submitted_at, allocation.resolved_at) if t), default=now)
    return due_no_earlier_than(oversight_deadline(allocation.month, cal), reached, OVERSIGHT_WORKING_DAYS, cal)


def _aware(instant: datetime) -> datetime:
    # SQLite gives back naive datetimes; every stored instant is UTC.
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def audit_kind(allocation: Allocation) -> str:
    """The kind of audit (qa.forms.KINDS) of the allocation's form (its audit's, once started), as the form in
    use of that name says; "case" for a form no longer in use. Needs `audit` loaded."""
    audit = allocation.audit
    name = (audit.form_name if audit is not None and audit.form_name else allocation.form_name) or DEFAULT_FORM_NAME
    found = forms_config.in_use(name)
    return found[0].kind if found else "case"


def allocation_view(allocation: Allocation, cal: WorkingCalendar) -> AllocationView:
    """Needs `case_holder` and `audit` loaded (the queries below load them)."""
    holder = allocation.case_holder
    return AllocationView(
        allocation_id=allocation.id, case_ref=allocation.case_ref, annex_a_list=allocation.annex_a_list,
        team=allocation.team, theme=allocation.theme or "",
        case_holder_name=holder.display_name if holder else "Not recorded",
        deadline=audit_due(allocation, cal), started=is_started(allocation), kind=audit_kind(allocation))


async def with_register_facts(session: AsyncSession, view: AllocationView, allocation: Allocation,
                              cal: WorkingCalendar, today: date) -> AllocationView:
    """`view` with the supervision register's facts for the supervisee on `today` (local) when it is a
    supervision file (framework 9.1: capabilities/supervision/audit_facts.py), else `view` as it is."""
    if not view.supervision or allocation.case_holder_id is None:
        return view
    return replace(view, facts=await register_facts(session, allocation.case_holder_id, today, cal))


def oversight_item(allocation: Allocation, tz: tzinfo) -> OversightItem:
    """Needs `auditor` and `audit` loaded, and an audit (awaiting oversight means submitted)."""
    audit = allocation.audit
    submitted_at = audit.submitted_at or allocation.submitted_at or allocation.updated_at
    return OversightItem(
        audit_id=audit.id, case_ref=allocation.case_ref, team=allocation.team,
        auditor_name=allocation.auditor.display_name, grade=audit.overall_grade or "Not graded",
        submitted_on=submitted_at.astimezone(tz).date(), safeguarding_concern=audit.safeguarding_concern)


# -- for the chat commands ------------------------------------------------------------------

async def open_allocations_for(session: AsyncSession, person_id: int, cal: WorkingCalendar) -> list[AllocationView]:
    """The person's audits still to submit, any month, earliest deadline first (`my audits`)."""
    allocations = await cycle.open_allocations_of(session, person_id)
    return sorted((allocation_view(a, cal) for a in allocations), key=lambda v: (v.deadline, v.case_ref))


@dataclass(frozen=True)
class OversightQueue:
    """What awaits a service lead's oversight (`oversight`), oldest submission first."""

    items: list[OversightItem]
    oversight_due: date | None  # the earliest oversight deadline among them; None when empty


async def awaiting_oversight_for(session: AsyncSession, person: Person, cal: WorkingCalendar) -> OversightQueue:
    areas = {area_key(a) for a in person.service_areas}
    mine = [a for a in await cycle.awaiting_oversight(session) if area_key(a.service_area) in areas]
    items = sorted(((oversight_item(a, cal.tz), a) for a in mine),
                   key=lambda pair: (pair[0].submitted_on, pair[0].case_ref))
    due = min((oversight_due(a, a.submitted_at or a.updated_at, cal) for _, a in items), default=None)
    return OversightQueue([item for item, _ in items], due)


# -- cycle status ---------------------------------------------------------------------------

@dataclass
class CycleStatus:
    """Where `month`'s audits have got to, per service area (sorted by name), as of `as_of`.

    allocated: every allocation; started: begun, not submitted; submitted: ever submitted
    (awaiting oversight + disputed + oversight confirmed + complete); overdue: not submitted
    (declined included) once the audit deadline's day has passed; complete: uploaded.
    """

    month: str
    as_of: datetime
    rows: list[ServiceAreaStatus] = field(default_factory=list)

    @property
    def total(self) -> ServiceAreaStatus:
        return ServiceAreaStatus("All service areas", **{
            name: sum(getattr(r, name) for r in self.rows) for name in STATUS_FIGURES})

    def describe(self) -> str:
        if not self.rows:
            return f"no allocations for {self.month}"
        headings = ["service area", "allocated", "started", "submitted", "overdue", "awaiting oversight",
                    "disputed", "complete"]
        table = [[r.service_area, *(str(getattr(r, name)) for name in STATUS_FIGURES)]
                 for r in [*self.rows, self.total]]
        widths = [max(len(line[i]) for line in [headings, *table]) for i in range(len(headings))]

        def line(cells: list[str]) -> str:
            padded = (c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))
            return "  ".join(padded).rstrip()

        rule = "  ".join("-" * w for w in widths)
        out = [f"audit cycle {self.month}, as of {self.as_of:%Y-%m-%d %H:%M} UTC", line(headings), rule]
        out += [line(cells) for cells in table[:-1]]
        out += [rule, line(table[-1])]
        return "\n".join(out)


async def cycle_status(db: Database, month: str, now: datetime, cal: WorkingCalendar | None = None) -> CycleStatus:
    """Counts per service area for `month`; a bad month key is a ValueError."""
    cal = cal or WorkingCalendar()
    today = cal.local_date(now)
    audit_deadline(month, cal)  # checks the month key
    async with db.sessions() as session:
        allocations = await cycle.month_allocations(session, month)
    # ServiceAreaStatus is frozen: count per area first, then build the rows.
    counts: dict[str, tuple[str, Counter[str]]] = {}
    for a in allocations:
        name, count = counts.setdefault(area_key(a.service_area), (a.service_area, Counter()))
        count["allocated"] += 1
        count["started"] += a.state in UNSUBMITTED and is_started(a)
        count["submitted"] += a.state in SUBMITTED
        count["overdue"] += a.state in OVERDUE_STATES and today > audit_due(a, cal)
        count["awaiting_oversight"] += a.state == AWAITING_OVERSIGHT
        count["disputed"] += a.state == "disputed"
        count["complete"] += a.state == "complete"
    rows = [ServiceAreaStatus(name, **{figure: count[figure] for figure in STATUS_FIGURES})
            for _, (name, count) in sorted(counts.items())]
    return CycleStatus(month, now, rows)
