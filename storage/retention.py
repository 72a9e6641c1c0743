"""The records past their retention period (qa/retention.py), counted or deleted in the caller's
transaction (docs/privacy.md, "How long").

Which table is kept how long is declared by the capability that owns it (`Capability.retention`:
a `RetentionRule(table, kind, past)` naming one of the conditions below, or `Kept(table, reason)`).
Each condition is `past(purge, kind)`: the table's rows past the period of `kind` at the purge's
moment, used both to count (a dry run) and to delete, so the two always agree. The caller gives the
(table, condition) pairs in an order that keeps foreign keys valid on PostgreSQL (a purged month's
follow-ups and audits before its allocations, its allocations before the month itself; a
broadcast's follow-ups and recipients before the broadcast).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from qa.retention import BROADCASTS, Retention
from storage.follow_ups import SETTLED
from storage.models import (
    Alert,
    AlertResponse,
    Allocation,
    AsyeSwitch,
    Audit,
    AuditMonth,
    AwayPeriod,
    Base,
    BotState,
    Broadcast,
    BroadcastRecipient,
    CalendarEvent,
    CaseExemption,
    CaseloadCase,
    DipSample,
    DipSampleItem,
    DutyRun,
    Escalation,
    EscalationUpdate,
    FeedbackEntry,
    FloorWalk,
    FollowUp,
    InductionElement,
    Moderation,
    Observation,
    OutboxMessage,
    PdpPlan,
    Reaudit,
    RemedialAction,
    RemedialPlan,
    SafeguardingConcern,
    SupervisionBooking,
    SupervisionSession,
    TrailEvent,
    WorkforceRecord,
)


@dataclass(frozen=True)
class Purge:
    """What is past its period at `now` under `retention` (local dates and months in `tz`)."""

    retention: Retention
    now: datetime
    tz: tzinfo

    def cutoff(self, kind: str) -> datetime:
        return self.retention.cutoff(kind, self.now)

    def first_kept_day(self, kind: str) -> date:
        return self.retention.first_kept_day(kind, self.now, self.tz)

    def first_kept_month(self) -> str:
        return self.retention.first_kept_month(self.now, self.tz)

    def past_allocations(self):
        """The ids of the allocations of audit months past the audit_records period."""
        return select(Allocation.id).where(Allocation.month < self.first_kept_month())

    def past_broadcasts(self):
        """The ids of the broadcasts past the broadcasts period, counted from when they were to go."""
        return select(Broadcast.id).where(Broadcast.send_at < self.cutoff(BROADCASTS))


# --- The spine ---------------------------------------------------------------------------------

def outbox(p: Purge, kind: str):
    """Sent or undeliverable messages from when sent (undeliverable: last tried, at next_attempt_at)."""
    return or_(and_(OutboxMessage.state == "sent", OutboxMessage.sent_at < p.cutoff(kind)),
               and_(OutboxMessage.state == "undeliverable", OutboxMessage.next_attempt_at < p.cutoff(kind)))


def duty_runs(p: Purge, kind: str):
    return DutyRun.ran_at < p.cutoff(kind)


def bot_state(p: Purge, kind: str):
    return BotState.updated_at < p.cutoff(kind)


def follow_ups(p: Purge, kind: str):
    """Settled follow-ups from when they settled; and, whatever their state, those of a purged
    allocation (they would point at nothing) or of a purged broadcast (its chaser, its corrections,
    so a reused id owes afresh). Reads allocations and broadcasts: purged before them."""
    return or_(and_(FollowUp.state.in_(SETTLED), FollowUp.settled_at < p.cutoff(kind)),
               and_(FollowUp.subject_type == "allocation", FollowUp.subject_id.in_(p.past_allocations())),
               and_(FollowUp.subject_type == "broadcast", FollowUp.subject_id.in_(p.past_broadcasts())))


# --- The audit cycle: with the month, from its end --------------------------------------------

def audits(p: Purge, kind: str):
    return Audit.allocation_id.in_(p.past_allocations())


def allocations(p: Purge, kind: str):
    return Allocation.month < p.first_kept_month()


def trail(p: Purge, kind: str):
    """Trail rows with the month; those with no month (feedback about the bot, purges) from their moment."""
    return or_(TrailEvent.month < p.first_kept_month(),
               and_(TrailEvent.month.is_(None), TrailEvent.at < p.cutoff(kind)))


def audit_months(p: Purge, kind: str):
    return AuditMonth.month < p.first_kept_month()


# --- Escalations: with their allocation's month; practice alerts from when raised ---------------

def alert_responses(p: Purge, kind: str):
    return AlertResponse.alert_id.in_(select(Alert.id).where(alerts(p, kind)))


def alerts(p: Purge, kind: str):
    return Alert.raised_at < p.cutoff(kind)


def dip_sample_items(p: Purge, kind: str):
    return DipSampleItem.allocation_id.in_(p.past_allocations())


def dip_samples(p: Purge, kind: str):
    """A sample is of one month's audits (its items go first)."""
    return DipSample.month < p.first_kept_month()


def remedial_actions(p: Purge, kind: str):
    return RemedialAction.plan_id.in_(select(RemedialPlan.id).where(remedial_plans(p, kind)))


def remedial_plans(p: Purge, kind: str):
    return RemedialPlan.allocation_id.in_(p.past_allocations())


def reaudits(p: Purge, kind: str):
    past = p.past_allocations()
    return or_(Reaudit.original_allocation_id.in_(past), Reaudit.allocation_id.in_(past))


def escalation_updates(p: Purge, kind: str):
    return EscalationUpdate.escalation_id.in_(select(Escalation.id).where(escalations(p, kind)))


def escalations(p: Purge, kind: str):
    return Escalation.allocation_id.in_(p.past_allocations())


def moderations(p: Purge, kind: str):
    return Moderation.allocation_id.in_(p.past_allocations())


# --- Observations, feedback and floor walks: from when they were recorded -----------------------

def observations(p: Purge, kind: str):
    return Observation.created_at < p.cutoff(kind)


def feedback_entries(p: Purge, kind: str):
    return FeedbackEntry.created_at < p.cutoff(kind)


def floor_walks(p: Purge, kind: str):
    return FloorWalk.created_at < p.cutoff(kind)


# --- Broadcasts: from when they were to go (a scheduled one is never purged before it goes) -----

def broadcast_recipients(p: Purge, kind: str):
    return BroadcastRecipient.broadcast_id.in_(p.past_broadcasts())


def broadcasts(p: Purge, kind: str):
    return Broadcast.send_at < p.cutoff(kind)


# --- The QA calendar: from the day after each event ended (local dates) -----------------------

def calendar_events(p: Purge, kind: str):
    return CalendarEvent.ends_on < p.first_kept_day(kind)


# --- Supervision: from the day after each session was held (local dates) ---------------------

def supervision_sessions(p: Purge, kind: str):
    return SupervisionSession.held_on < p.first_kept_day(kind)


def asye_switches(p: Purge, kind: str):
    """An ASYE's switch to four-weekly, from the day after it took effect."""
    return AsyeSwitch.four_weekly_from < p.first_kept_day(kind)


def case_exemptions(p: Purge, kind: str):
    """An exemption once its case is off the caseload (each import replaces the caseload whole)."""
    return and_(CaseExemption.recorded_at < p.cutoff(kind), CaseExemption.case_ref.not_in(select(CaseloadCase.case_ref)))


def away_periods(p: Purge, kind: str):
    """Time away, from the day after its last day."""
    return AwayPeriod.last_day < p.first_kept_day(kind)


def supervision_bookings(p: Purge, kind: str):
    """A booking, like an absence, is of no use once its day has passed."""
    return SupervisionBooking.booked_for < p.first_kept_day(kind)


def workforce_records(p: Purge, kind: str):
    """What was held for a person (an ASYE review), from the day after it was held."""
    return WorkforceRecord.held_on < p.first_kept_day(kind)


def induction_elements(p: Purge, kind: str):
    """A starter's induction plan, from the day after the start it counts from (the period is at least 400 days,
    past QA_INDUCTION_NEW_STARTER_MONTHS' 12 at most, so a plan purged is never made again)."""
    return InductionElement.started_on < p.first_kept_day(kind)


def pdp_plans(p: Purge, kind: str):
    """A personal development plan's topics, from the day after the appraisal it belongs to."""
    return PdpPlan.appraisal_on < p.first_kept_day(kind)


# --- Counting and deleting ------------------------------------------------------------------------

Conditions = Iterable[tuple[str, Any]]  # (table name, its condition) in purge order


def _model(table: str) -> type:
    return next(m.class_ for m in Base.registry.mappers if m.local_table.name == table)


async def count(session: AsyncSession, conditions: Conditions) -> dict[str, int]:
    """Rows per table that the conditions select (nothing is changed)."""
    counts = {}
    for table, where in conditions:
        counts[table] = (await session.execute(select(func.count()).select_from(_model(table)).where(where))).scalar_one()
    return counts


async def delete_past(session: AsyncSession, conditions: Conditions) -> dict[str, int]:
    """Delete the rows the conditions select, table by table in the order given, in the caller's
    transaction; rows per table."""
    counts = {}
    for table, where in conditions:
        result = await session.execute(delete(_model(table)).where(where).execution_options(synchronize_session=False))
        counts[table] = result.rowcount or 0
    return counts


# --- Safeguarding concerns: with their allocation's month ---------------------------------------

def safeguarding_concerns(p: Purge, kind: str):
    return SafeguardingConcern.allocation_id.in_(p.past_allocations())
