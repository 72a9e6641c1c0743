"""The escalations' duties.

`IntakeDuty` ("escalations-intake") brings each audit newly submitted graded Inadequate to the QA
unit for moderation, and each audit graded Requires Improvement or Inadequate whose oversight was
just confirmed to the service lead for remedial actions. It looks once per slot of the send window (as
the follow-up duties do), so the audit cycle's submit and oversight need to know nothing of escalations: the
request goes at most one slot (15 minutes) after the submission, inside working hours.

`UpdateFollowUpDuty` ("escalation-update-follow-ups") settles what an owed update owes: the morning
reminder on its due day to the service lead(s) and head(s) of service, and, the next working
day, the overdue chase to them and the report to the QA unit. An update sent, or an escalation
closed, first cancels both.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.duties import Occurrence
from capabilities.escalations import alerts, flow, kinds, remedial
from capabilities.escalations.config import chase_days
from capabilities.escalations.people import qa_unit, reviewers
from capabilities.follow_ups import FollowUpDuty, Settled
from storage import follow_ups
from storage.models import (
    Alert,
    Allocation,
    Escalation,
    EscalationUpdate,
    FollowUp,
    Person,
    RemedialAction,
    RemedialPlan,
)


class IntakeDuty(FollowUpDuty):
    """New audits graded Inadequate to moderate, and audits graded Requires Improvement or Inadequate
    whose oversight was confirmed, to the service lead for remedial actions."""

    name = "escalations-intake"
    kinds = ()

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        due_at = self.cal.send_time_for(occurrence.due_at, now)
        await flow.request_moderations(session, now, due_at, self.cal, via=f"duty:{self.name}")
        await remedial.request_plans(session, now, due_at, self.cal, via=f"duty:{self.name}")


class UpdateFollowUpDuty(FollowUpDuty):
    name = "escalation-update-follow-ups"
    kinds = kinds.FOLLOW_UP_KINDS

    async def settle(self, session: AsyncSession, owed: Sequence[FollowUp], slot: datetime, due_at: datetime,
                     now: datetime) -> Settled:
        settled: Settled = {follow_ups.DONE: [], follow_ups.CANCELLED: []}
        via = f"duty:{self.name}"
        for follow_up in owed:
            update = await session.get(EscalationUpdate, follow_up.subject_id)
            escalation = await session.get(Escalation, update.escalation_id) if update else None
            if update is None or escalation is None or update.state != "owed" or escalation.state != "open":
                settled[follow_ups.CANCELLED].append(follow_up.id)
                continue
            allocation = await session.get(Allocation, escalation.allocation_id)
            view = await flow.escalation_view(session, escalation)
            people = await reviewers(session, allocation.service_area)
            ref = allocation.case_ref
            if follow_up.kind == kinds.UPDATE_REMINDER:
                await flow.send(session, kinds.UPDATE_REMINDER, str(update.id), people,
                                 kinds.UPDATE_REMINDER.card(view, self.cal.tz, "reminder"),
                                 f"Update {update.number} due today: case {ref}", due_at, now)
                flow.event(session, "escalation", escalation.id, allocation.month, None, flow.UPDATE_REMINDED, via,
                            now, number=update.number, recipients=len(people))
            else:
                team = await qa_unit(session)
                await flow.send(session, kinds.UPDATE_OVERDUE, str(update.id), people,
                                 kinds.UPDATE_OVERDUE.card(view, self.cal.tz, "overdue"),
                                 f"Update {update.number} overdue: case {ref}", due_at, now)
                await flow.send(session, kinds.OVERDUE_REPORT, str(update.id), team,
                                 kinds.OVERDUE_REPORT.card(view, self.cal.tz, "overdue", update.number),
                                 f"Update {update.number} overdue: case {ref}", due_at, now)
                flow.event(session, "escalation", escalation.id, allocation.month, None, flow.UPDATE_CHASED, via,
                            now, number=update.number, recipients=len(people), qa_unit=len(team))
            settled[follow_ups.DONE].append(follow_up.id)
        return settled


class AlertChaseDuty(FollowUpDuty):
    """An open practice alert owes, from when it was raised (qa.alerts.chase_dates): after
    QA_ALERT_CHASE_DAYS working days, a chase to the team's practice manager(s) and the area's
    service lead(s); after twice as many, the alert to the head(s) of service and the QA unit.
    Resolving it cancels both."""

    name = "practice-alert-chasers"
    kinds = kinds.ALERT_FOLLOW_UP_KINDS

    def __init__(self, cal=None, days: int | None = None) -> None:
        super().__init__(cal)
        self.days = chase_days() if days is None else days

    async def settle(self, session: AsyncSession, owed: Sequence[FollowUp], slot: datetime, due_at: datetime,
                     now: datetime) -> Settled:
        settled: Settled = {follow_ups.DONE: [], follow_ups.CANCELLED: []}
        via = f"duty:{self.name}"
        for follow_up in owed:
            alert = await session.get(Alert, follow_up.subject_id)
            if alert is None or alert.state != "open":
                settled[follow_ups.CANCELLED].append(follow_up.id)
                continue
            view = await alerts.alert_view(session, alert)
            if follow_up.kind == kinds.ALERT_CHASE:
                people = await alerts.answerers(session, alert)
                await flow.send(session, kinds.ALERT_CHASE, str(alert.id), people,
                                kinds.ALERT_CHASE.card(view, self.cal.tz, "chase", self.days),
                                f"Practice alert still open: case {alert.case_ref}", due_at, now)
                flow.event(session, "alert", alert.id, None, None, alerts.CHASED, via, now, recipients=len(people))
            else:
                people = [*await alerts.heads_of_service(session, alert), *await qa_unit(session)]
                await flow.send(session, kinds.ALERT_ESCALATED, str(alert.id), people,
                                kinds.ALERT_ESCALATED.card(view, self.cal.tz, "escalated", 2 * self.days,
                                                           buttons=False),
                                f"Practice alert unresolved: case {alert.case_ref}", due_at, now)
                flow.event(session, "alert", alert.id, None, None, alerts.ESCALATED, via, now,
                           recipients=len(people))
            settled[follow_ups.DONE].append(follow_up.id)
        return settled


class RemedialChaseDuty(FollowUpDuty):
    """A remedial action not marked done: on its target date, the plan card to the area's service
    lead(s) (and the person responsible); the next working day, to the service lead(s) and the head(s)
    of service. Marking it done cancels both."""

    name = "remedial-action-chasers"
    kinds = kinds.REMEDIAL_FOLLOW_UP_KINDS

    async def settle(self, session: AsyncSession, owed: Sequence[FollowUp], slot: datetime, due_at: datetime,
                     now: datetime) -> Settled:
        settled: Settled = {follow_ups.DONE: [], follow_ups.CANCELLED: []}
        for follow_up in owed:
            action = await session.get(RemedialAction, follow_up.subject_id)
            if action is None or action.done_at is not None:
                settled[follow_ups.CANCELLED].append(follow_up.id)
                continue
            plan = await session.get(RemedialPlan, action.plan_id)
            allocation = await session.get(Allocation, plan.allocation_id)
            area = await reviewers(session, allocation.service_area)
            overdue = follow_up.kind == kinds.REMEDIAL_OVERDUE
            people = area if overdue else [p for p in area if p.role == "service_lead"]
            if not overdue and action.responsible_id:
                responsible = await session.get(Person, action.responsible_id)
                if responsible is not None and responsible.active and responsible.id not in {p.id for p in people}:
                    people.append(responsible)
            kind = kinds.REMEDIAL_OVERDUE if overdue else kinds.REMEDIAL_DUE
            await flow.send(session, kind, str(action.id), people,
                            await remedial.plan_card(session, plan, self.cal, "overdue" if overdue else "due"),
                            f"Remedial action {'overdue' if overdue else 'due today'}: case {allocation.case_ref}",
                            due_at, now)
            flow.event(session, "remedial_plan", plan.id, allocation.month, None, remedial.ACTION_CHASED,
                       f"duty:{self.name}", now, action_id=action.id, overdue=overdue, recipients=len(people))
            settled[follow_ups.DONE].append(follow_up.id)
        return settled
