"""The records past their retention period (qa/retention.py), counted or deleted in the caller's
transaction (docs/privacy.md, "How long").

Per table, one condition, used both to count (a dry run) and to delete, so the two always agree.
Tables are taken in an order that keeps foreign keys valid on PostgreSQL: a purged month's
follow-ups and audits go before its allocations, its allocations before the month itself; a
broadcast's follow-ups and recipients before the broadcast.
People, their chats and the teams the bot is in are not purged here (see docs/privacy.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from qa.retention import (
    AUDIT_RECORDS,
    BOT_STATE,
    BROADCASTS,
    CALENDAR,
    DUTY_RUNS,
    FOLLOW_UPS,
    OUTBOX,
    PRACTICE_RECORDS,
    SUPERVISION,
    SUPERVISION_AWAY,
    Retention,
)
from storage.follow_ups import SETTLED
from storage.models import (
    Alert,
    AlertResponse,
    Allocation,
    AsyeSwitch,
    Audit,
    AuditMonth,
    AwayPeriod,
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
    Moderation,
    Observation,
    OutboxMessage,
    Reaudit,
    RemedialAction,
    RemedialPlan,
    SupervisionSession,
    TrailEvent,
)

# (kind, table) in the order they are purged; a kind's tables are listed under it in reports.
TABLES = (
    (OUTBOX, "outbox"),
    (DUTY_RUNS, "duty_runs"),
    (BOT_STATE, "bot_state"),
    (FOLLOW_UPS, "follow_ups"),
    (AUDIT_RECORDS, "alert_responses"),
    (AUDIT_RECORDS, "alerts"),
    (AUDIT_RECORDS, "dip_sample_items"),
    (AUDIT_RECORDS, "dip_samples"),
    (AUDIT_RECORDS, "remedial_actions"),
    (AUDIT_RECORDS, "remedial_plans"),
    (AUDIT_RECORDS, "reaudits"),
    (AUDIT_RECORDS, "escalation_updates"),
    (AUDIT_RECORDS, "escalations"),
    (AUDIT_RECORDS, "moderations"),
    (AUDIT_RECORDS, "audits"),
    (AUDIT_RECORDS, "allocations"),
    (AUDIT_RECORDS, "audit_events"),
    (AUDIT_RECORDS, "audit_months"),
    (PRACTICE_RECORDS, "observations"),
    (PRACTICE_RECORDS, "feedback_entries"),
    (PRACTICE_RECORDS, "floor_walks"),
    (BROADCASTS, "broadcast_recipients"),
    (BROADCASTS, "broadcasts"),
    (CALENDAR, "calendar_events"),
    (SUPERVISION, "supervision_sessions"),
    (SUPERVISION, "supervision_asye_switches"),
    (SUPERVISION, "supervision_exemptions"),
    (SUPERVISION_AWAY, "supervision_away"),
)


@dataclass(frozen=True)
class Purge:
    """What is past its period at `now`: each table's condition."""

    retention: Retention
    now: datetime
    tz: tzinfo

    def conditions(self) -> list[tuple[str, str, Any, Any]]:
        """(kind, table, model, where) in purge order."""
        r, now = self.retention, self.now
        first_kept = r.first_kept_month(now, self.tz)
        past_allocations = select(Allocation.id).where(Allocation.month < first_kept)
        past_broadcasts = select(Broadcast.id).where(Broadcast.send_at < r.cutoff(BROADCASTS, now))
        practice_cutoff = r.cutoff(PRACTICE_RECORDS, now)
        return [
            (OUTBOX, "outbox", OutboxMessage, or_(
                and_(OutboxMessage.state == "sent", OutboxMessage.sent_at < r.cutoff(OUTBOX, now)),
                # an undeliverable row was last tried at its next_attempt_at
                and_(OutboxMessage.state == "undeliverable", OutboxMessage.next_attempt_at < r.cutoff(OUTBOX, now)))),
            (DUTY_RUNS, "duty_runs", DutyRun, DutyRun.ran_at < r.cutoff(DUTY_RUNS, now)),
            (BOT_STATE, "bot_state", BotState, BotState.updated_at < r.cutoff(BOT_STATE, now)),
            (FOLLOW_UPS, "follow_ups", FollowUp, or_(
                and_(FollowUp.state.in_(SETTLED), FollowUp.settled_at < r.cutoff(FOLLOW_UPS, now)),
                # a purged allocation's follow-ups, whatever their state: they would point at nothing
                and_(FollowUp.subject_type == "allocation", FollowUp.subject_id.in_(past_allocations)),
                # and a purged broadcast's (its chaser, its corrections), so a reused id owes afresh
                and_(FollowUp.subject_type == "broadcast", FollowUp.subject_id.in_(past_broadcasts)))),
            # Escalations go with their allocation's month.
            # Practice alerts (section 14) are kept as long as audit records, from when they were raised.
            (AUDIT_RECORDS, "alert_responses", AlertResponse, AlertResponse.alert_id.in_(
                select(Alert.id).where(Alert.raised_at < r.cutoff(AUDIT_RECORDS, now)))),
            (AUDIT_RECORDS, "alerts", Alert, Alert.raised_at < r.cutoff(AUDIT_RECORDS, now)),
            (AUDIT_RECORDS, "dip_sample_items", DipSampleItem, DipSampleItem.allocation_id.in_(past_allocations)),
            # a sample is of one month's audits: its items went just above
            (AUDIT_RECORDS, "dip_samples", DipSample, DipSample.month < first_kept),
            (AUDIT_RECORDS, "remedial_actions", RemedialAction, RemedialAction.plan_id.in_(
                select(RemedialPlan.id).where(RemedialPlan.allocation_id.in_(past_allocations)))),
            (AUDIT_RECORDS, "remedial_plans", RemedialPlan, RemedialPlan.allocation_id.in_(past_allocations)),
            (AUDIT_RECORDS, "reaudits", Reaudit, or_(Reaudit.original_allocation_id.in_(past_allocations),
                                                     Reaudit.allocation_id.in_(past_allocations))),
            (AUDIT_RECORDS, "escalation_updates", EscalationUpdate, EscalationUpdate.escalation_id.in_(
                select(Escalation.id).where(Escalation.allocation_id.in_(past_allocations)))),
            (AUDIT_RECORDS, "escalations", Escalation, Escalation.allocation_id.in_(past_allocations)),
            (AUDIT_RECORDS, "moderations", Moderation, Moderation.allocation_id.in_(past_allocations)),
            (AUDIT_RECORDS, "audits", Audit, Audit.allocation_id.in_(past_allocations)),
            (AUDIT_RECORDS, "allocations", Allocation, Allocation.month < first_kept),
            (AUDIT_RECORDS, "audit_events", TrailEvent, or_(
                TrailEvent.month < first_kept,
                and_(TrailEvent.month.is_(None), TrailEvent.at < r.cutoff(AUDIT_RECORDS, now)))),
            (AUDIT_RECORDS, "audit_months", AuditMonth, AuditMonth.month < first_kept),
            # Observations, feedback and floor walks, from when they were recorded.
            (PRACTICE_RECORDS, "observations", Observation, Observation.created_at < practice_cutoff),
            (PRACTICE_RECORDS, "feedback_entries", FeedbackEntry, FeedbackEntry.created_at < practice_cutoff),
            (PRACTICE_RECORDS, "floor_walks", FloorWalk, FloorWalk.created_at < practice_cutoff),
            # Broadcasts from when they were to go; their recipients first (foreign key).
            (BROADCASTS, "broadcast_recipients", BroadcastRecipient,
             BroadcastRecipient.broadcast_id.in_(past_broadcasts)),
            (BROADCASTS, "broadcasts", Broadcast, Broadcast.send_at < r.cutoff(BROADCASTS, now)),
            # QA calendar events from the day after they ended (local dates).
            (CALENDAR, "calendar_events", CalendarEvent,
             CalendarEvent.ends_on < r.first_kept_day(CALENDAR, now, self.tz)),
            # Supervision from the day after each session was held (local dates); an ASYE's
            # switch from the day after it took effect; an exemption once its case is off the caseload
            # (each import replaces the caseload whole, so the caseload itself needs no purge).
            (SUPERVISION, "supervision_sessions", SupervisionSession,
             SupervisionSession.held_on < r.first_kept_day(SUPERVISION, now, self.tz)),
            (SUPERVISION, "supervision_asye_switches", AsyeSwitch,
             AsyeSwitch.four_weekly_from < r.first_kept_day(SUPERVISION, now, self.tz)),
            (SUPERVISION, "supervision_exemptions", CaseExemption, and_(
                CaseExemption.recorded_at < r.cutoff(SUPERVISION, now),
                CaseExemption.case_ref.not_in(select(CaseloadCase.case_ref)))),
            (SUPERVISION_AWAY, "supervision_away", AwayPeriod,
             AwayPeriod.last_day < r.first_kept_day(SUPERVISION_AWAY, now, self.tz)),
        ]


async def count(session: AsyncSession, purge: Purge) -> dict[str, int]:
    """Rows per table that `purge` would delete (nothing is changed)."""
    counts = {}
    for _kind, table, model, where in purge.conditions():
        counts[table] = (await session.execute(select(func.count()).select_from(model).where(where))).scalar_one()
    return counts


async def delete_past(session: AsyncSession, purge: Purge) -> dict[str, int]:
    """Delete what `purge` says is past its period, in the caller's transaction; rows per table."""
    counts = {}
    for _kind, table, model, where in purge.conditions():
        result = await session.execute(delete(model).where(where).execution_options(synchronize_session=False))
        counts[table] = result.rowcount or 0
    return counts


def by_kind(counts: dict[str, int]) -> dict[str, dict[str, int]]:
    """{kind: {table: rows}} in purge order, for reports and the trail."""
    grouped: dict[str, dict[str, int]] = {}
    for kind, table in TABLES:
        grouped.setdefault(kind, {})[table] = counts.get(table, 0)
    return grouped
