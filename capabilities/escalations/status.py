"""Where escalations have got to, by service area: for `python -m bot escalations status`."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from qa.alerts import chase_dates
from qa.calendar import WorkingCalendar
from storage.db import Database
from storage.models import (
    Alert,
    Allocation,
    Audit,
    DipSample,
    DipSampleItem,
    Escalation,
    EscalationUpdate,
    Moderation,
    Reaudit,
)


@dataclass
class AreaCounts:
    moderation_pending: int = 0
    open: int = 0
    updates_due: int = 0  # owed, not yet late
    updates_overdue: int = 0  # owed, past the end of their due day


@dataclass
class EscalationStatus:
    at: datetime
    areas: dict[str, AreaCounts] = field(default_factory=dict)
    # (case ref, month graded, original grade, month re-audited, re-audit grade or None), by re-audit month
    reaudits: list[tuple[str, str, str, str, str | None]] = field(default_factory=list)
    # (month of the audits, drawn, population, moderated, graded differently), latest 3
    dip_samples: list[tuple[str, int, int, int, int]] = field(default_factory=list)

    @property
    def total(self) -> AreaCounts:
        total = AreaCounts()
        for counts in self.areas.values():
            for name in vars(total):
                setattr(total, name, getattr(total, name) + getattr(counts, name))
        return total

    def describe(self) -> str:
        header = f"{'Service area':40} {'moderation':>10} {'open':>6} {'due':>6} {'overdue':>8}"
        lines = [f"Escalations at {self.at:%Y-%m-%d %H:%M} UTC", header]
        for area in sorted(self.areas):
            c = self.areas[area]
            lines.append(f"{area[:40]:40} {c.moderation_pending:>10} {c.open:>6} {c.updates_due:>6} "
                         f"{c.updates_overdue:>8}")
        t = self.total
        lines.append(f"{'Total':40} {t.moderation_pending:>10} {t.open:>6} {t.updates_due:>6} {t.updates_overdue:>8}")
        for month, drawn, population, moderated, differed in self.dip_samples:
            lines.append(f"Dip sample {month}: {drawn} of {population} audits drawn, {moderated} moderated, "
                         f"{differed} graded differently")
        if self.reaudits:
            lines.append("Re-audits (original grade -> re-audit grade):")
            for ref, month, original, again, grade in self.reaudits:
                lines.append(f"  {ref}: {month} {original} -> {again} {grade or 'not yet submitted'}")
        return "\n".join(lines)


async def escalation_status(db: Database, now: datetime) -> EscalationStatus:
    """Pending moderations, open escalations and their owed updates (due / overdue at `now`), by area."""
    status = EscalationStatus(at=now, areas=defaultdict(AreaCounts))
    async with db.sessions() as session:
        for (area,) in await session.execute(select(Allocation.service_area).join(
                Moderation, Moderation.allocation_id == Allocation.id).where(Moderation.state == "pending")):
            status.areas[area].moderation_pending += 1
        for (area,) in await session.execute(select(Allocation.service_area).join(
                Escalation, Escalation.allocation_id == Allocation.id).where(Escalation.state == "open")):
            status.areas[area].open += 1
        for area, due_at in await session.execute(
                select(Allocation.service_area, EscalationUpdate.due_at)
                .join(Escalation, Escalation.allocation_id == Allocation.id)
                .join(EscalationUpdate, EscalationUpdate.escalation_id == Escalation.id)
                .where(Escalation.state == "open", EscalationUpdate.state == "owed")):
            if due_at <= now:
                status.areas[area].updates_overdue += 1
            else:
                status.areas[area].updates_due += 1
        original, again = aliased(Allocation), aliased(Allocation)
        again_audit = aliased(Audit)
        rows = await session.execute(
            select(original.case_ref, original.month, Moderation.original_grade, Reaudit.month,
                   again_audit.overall_grade, again_audit.submitted_at)
            .join(Moderation, Moderation.id == Reaudit.moderation_id)
            .join(original, original.id == Reaudit.original_allocation_id)
            .outerjoin(again, again.id == Reaudit.allocation_id)
            .outerjoin(again_audit, again_audit.allocation_id == again.id)
            .order_by(Reaudit.month, original.case_ref))
        status.reaudits = [(ref, month, grade, reaudit_month, new if submitted else None)
                           for ref, month, grade, reaudit_month, new, submitted in rows]
        samples = (await session.execute(select(DipSample).order_by(DipSample.month.desc()).limit(3))).scalars()
        for sample in samples:
            states = list((await session.execute(select(DipSampleItem.state)
                                                 .where(DipSampleItem.sample_id == sample.id))).scalars())
            status.dip_samples.append((sample.month, len(states), sample.population,
                                       sum(s != "pending" for s in states), states.count("disagreed")))
    status.areas = dict(status.areas)
    return status


@dataclass
class AlertCounts:
    open: int = 0
    chased: int = 0  # open past the chase (QA_ALERT_CHASE_DAYS working days)
    escalated: int = 0  # open past twice that: with the head of service and the QA unit


@dataclass
class AlertStatus:
    at: datetime
    areas: dict[str, AlertCounts] = field(default_factory=dict)

    def describe(self) -> str:
        lines = [f"Practice alerts at {self.at:%Y-%m-%d %H:%M} UTC",
                 f"{'Service area':40} {'open':>6} {'chased':>7} {'escalated':>10}"]
        total = AlertCounts()
        for area in sorted(self.areas):
            c = self.areas[area]
            lines.append(f"{area[:40]:40} {c.open:>6} {c.chased:>7} {c.escalated:>10}")
            total.open, total.chased, total.escalated = (total.open + c.open, total.chased + c.chased,
                                                         total.escalated + c.escalated)
        lines.append(f"{'Total':40} {total.open:>6} {total.chased:>7} {total.escalated:>10}")
        return "\n".join(lines)


async def alert_status(db: Database, now: datetime, cal: WorkingCalendar, days: int) -> AlertStatus:
    """Open alerts by service area, and how many are past their chase and their escalation at `now`."""
    status = AlertStatus(at=now, areas=defaultdict(AlertCounts))
    async with db.sessions() as session:
        for area, raised_at in await session.execute(select(Alert.service_area, Alert.raised_at)
                                                     .where(Alert.state == "open")):
            dates = chase_dates(raised_at, cal, days)
            counts = status.areas[area]
            counts.open += 1
            counts.chased += dates.chase_at <= now
            counts.escalated += dates.escalate_at <= now
    status.areas = dict(status.areas)
    return status
