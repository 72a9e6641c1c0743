"""The purge use case: delete what is past its retention period at `now`, by the rules the
capabilities declare (capabilities/retention/rules.py), and say so once in the trail (subject_type
"retention", action "records_purged", detail: counts per kind and the periods used, nothing else).
One transaction: the caller's (the sweep's) or its own (the CLI's)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.registry import Registry, RetentionRule
from capabilities.retention.rules import conditions, purge_order
from qa.retention import KINDS, Retention
from storage import retention as store
from storage.models import TrailEvent

SUBJECT = "retention"
ACTION = "records_purged"

WHAT = {
    "outbox": "sent or undeliverable messages, {days} days after sending",
    "duty_runs": "records of duties run, {days} days after running",
    "bot_state": "conversation state, {days} days after its last change",
    "follow_ups": "settled follow-ups, {days} days after settling",
    "audit_records": "allocations, audits and their trail, {days} days after their month",
    "practice_records": "observations, feedback entries and floor walks, {days} days after recording",
    "broadcasts": "broadcasts and their recipients, {days} days after sending",
    "calendar": "QA calendar events and the answers and attendance of each, {days} days after they ended",
    "supervision": "supervision sessions, ASYE switches and exemptions of cases off the caseload, {days} days "
                   "after the session",
    "supervision_away": "away periods and supervision bookings, {days} days after they ended or the booked day",
    "workforce": "ASYE reviews, appraisals and renewals recorded (dates only), {days} days after the day",
    "pdp": "personal development plans' learning topics (tags and a screened note), {days} days after the appraisal",
}


@dataclass(frozen=True)
class PurgeReport:
    as_of: datetime
    retention: Retention
    counts: dict[str, dict[str, int]]  # kind -> table -> rows
    dry_run: bool

    def total(self, kind: str) -> int:
        return sum(self.counts[kind].values())

    def describe(self) -> str:
        verb = "would delete (dry run: nothing deleted)" if self.dry_run else "deleted"
        lines = [f"records past their retention period as of {self.as_of.isoformat()}: {verb}"]
        for kind in KINDS:
            tables = self.counts[kind]
            parts = f" ({', '.join(f'{t} {n}' for t, n in tables.items())})" if len(tables) > 1 else ""
            lines.append(f"  {kind}: {self.total(kind)}{parts} - {WHAT[kind].format(days=self.retention.days[kind])}")
        return "\n".join(lines)


def trail_detail(report: PurgeReport) -> dict:
    return {"counts": report.counts, "days": dict(report.retention.days)}


def by_kind(counts: dict[str, int], rules: Sequence[RetentionRule]) -> dict[str, dict[str, int]]:
    """{kind: {table: rows}}, each kind's tables in purge order, for reports and the trail."""
    grouped: dict[str, dict[str, int]] = {kind: {} for kind in KINDS}
    for rule in rules:
        grouped[rule.kind][rule.table] = counts.get(rule.table, 0)
    return grouped


async def purge(session: AsyncSession, retention: Retention, now: datetime, tz: tzinfo,
                rules: Sequence[RetentionRule], *, via: str, actor_id: int | None = None,
                dry_run: bool = False) -> PurgeReport:
    """Delete (or with `dry_run` only count) every record past its period at `now`, in `session`,
    by `rules` in their order (purge_order)."""
    past = conditions(rules, store.Purge(retention, now, tz))
    counts = await (store.count(session, past) if dry_run else store.delete_past(session, past))
    report = PurgeReport(now, retention, by_kind(counts, rules), dry_run)
    if not dry_run:
        session.add(TrailEvent(subject_type=SUBJECT, subject_id=None, month=None, actor_id=actor_id, action=ACTION,
                               via=via, detail=trail_detail(report), at=now))
    return report


async def delete_past(session: AsyncSession, past: store.Purge, registry: Registry) -> dict[str, int]:
    """Delete what every registered capability's rules say is past at `past`, writing no trail row;
    rows per table."""
    return await store.delete_past(session, conditions(purge_order(registry.capabilities), past))
