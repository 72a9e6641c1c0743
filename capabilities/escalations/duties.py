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
from capabilities.escalations.access import answerers, heads_of_service, reviewers
from capabilities.escalations.by_duty import DutyAct
from capabilities.follow_ups import FollowUpDuty, Settled
from qa.calendar import WorkingCalendar
from qa.framework import Role
from storage import follow_ups
from storage.models import (
    Alert,
    Allocation,
    Escalation,
    EscalationUpdate,
    FollowUp,
    RemedialAction,
    RemedialPlan,
)
from storage.people import active_person, qa_unit


class IntakeDuty(FollowUpDuty):
    """New audits graded Inadequate to moderate, and audits graded Requires Improvement or Inadequate
    whose oversight was confirmed, to the service lead for remedial actions."""

    name = "escalations-intake"
    kinds = ()

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        run = DutyAct(session, now, self.cal.send_time_for(occurrence.due_at, now), f"duty:{self.name}", self.cal.tz)
        await flow.request_moderations(run, self.cal)
        await remedial.request_plans(run, self.cal.tz)


class UpdateFollowUpDuty(FollowUpDuty):
    name = "escalation-update-follow-ups"
    kinds = kinds.FOLLOW_UP_KINDS

    async def settle(self, session: AsyncSession, owed: Sequence[FollowUp], slot: datetime, due_at: datetime,
                     now: datetime) -> Settled:
        settled: Settled = {follow_ups.DONE: [], follow_ups.CANCELLED: []}
        run = DutyAct(session, now, due_at, f"duty:{self.name}", self.cal.tz)
        tz = self.cal.tz
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
                await run.notify(kinds.UPDATE_REMINDER, people, kinds.UPDATE_REMINDER.message(
                    view, tz, "reminder", summary=f"Update {update.number} due today: case {ref}"),
                    key=f"{kinds.UPDATE_REMINDER}:{update.id}")
                run.trail("escalation", escalation.id, flow.UPDATE_REMINDED, month=allocation.month,
                          number=update.number, recipients=len(people))
            else:
                team = await qa_unit(session)
                summary = f"Update {update.number} overdue: case {ref}"
                await run.notify(kinds.UPDATE_OVERDUE, people, kinds.UPDATE_OVERDUE.message(
                    view, tz, "overdue", summary=summary), key=f"{kinds.UPDATE_OVERDUE}:{update.id}")
                await run.notify(kinds.OVERDUE_REPORT, team, kinds.OVERDUE_REPORT.message(
                    view, tz, "overdue", update.number, summary=summary), key=f"{kinds.OVERDUE_REPORT}:{update.id}")
                run.trail("escalation", escalation.id, flow.UPDATE_CHASED, month=allocation.month,
                          number=update.number, recipients=len(people), qa_unit=len(team))
            settled[follow_ups.DONE].append(follow_up.id)
        return settled


class AlertChaseDuty(FollowUpDuty):
    """An open practice alert owes, from when it was raised (qa.alerts.chase_dates): after
    QA_ALERT_CHASE_DAYS working days, a chase to the team's practice manager(s) and the area's
    service lead(s); after twice as many, the alert to the head(s) of service and the QA unit.
    Resolving it cancels both."""

    name = "practice-alert-chasers"
    kinds = kinds.ALERT_FOLLOW_UP_KINDS

    def __init__(self, cal: WorkingCalendar, days: int) -> None:
        super().__init__(cal)
        self.days = days  # QA_ALERT_CHASE_DAYS (config.py)

    async def settle(self, session: AsyncSession, owed: Sequence[FollowUp], slot: datetime, due_at: datetime,
                     now: datetime) -> Settled:
        settled: Settled = {follow_ups.DONE: [], follow_ups.CANCELLED: []}
        run = DutyAct(session, now, due_at, f"duty:{self.name}", self.cal.tz)
        tz = self.cal.tz
        for follow_up in owed:
            alert = await session.get(Alert, follow_up.subject_id)
            if alert is None or alert.state != "open":
                settled[follow_ups.CANCELLED].append(follow_up.id)
                continue
            view = await alerts.alert_view(session, alert)
            if follow_up.kind == kinds.ALERT_CHASE:
                people = await answerers(session, alert)
                await run.notify(kinds.ALERT_CHASE, people, kinds.ALERT_CHASE.message(
                    view, tz, "chase", self.days, summary=f"Practice alert still open: case {alert.case_ref}"),
                    key=f"{kinds.ALERT_CHASE}:{alert.id}")
                run.trail("alert", alert.id, alerts.CHASED, recipients=len(people))
            else:
                people = [*await heads_of_service(session, alert.service_area), *await qa_unit(session)]
                await run.notify(kinds.ALERT_ESCALATED, people, kinds.ALERT_ESCALATED.message(
                    view, tz, "escalated", 2 * self.days, buttons=False,
                    summary=f"Practice alert unresolved: case {alert.case_ref}"),
                    key=f"{kinds.ALERT_ESCALATED}:{alert.id}")
                run.trail("alert", alert.id, alerts.ESCALATED, recipients=len(people))
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
        run = DutyAct(session, now, due_at, f"duty:{self.name}", self.cal.tz)
        for follow_up in owed:
            action = await session.get(RemedialAction, follow_up.subject_id)
            if action is None or action.done_at is not None:
                settled[follow_ups.CANCELLED].append(follow_up.id)
                continue
            plan = await session.get(RemedialPlan, action.plan_id)
            allocation = await session.get(Allocation, plan.allocation_id)
            area = await reviewers(session, allocation.service_area)
            overdue = follow_up.kind == kinds.REMEDIAL_OVERDUE
            people = area if overdue else [p for p in area if p.role == Role.SERVICE_LEAD]
            if not overdue and action.responsible_id:
                responsible = await active_person(session, action.responsible_id)
                if responsible is not None and responsible.id not in {p.id for p in people}:
                    people.append(responsible)
            kind = kinds.REMEDIAL_OVERDUE if overdue else kinds.REMEDIAL_DUE
            await run.notify(kind, people, await remedial.plan_message(
                session, kind, plan, self.cal.tz, "overdue" if overdue else "due",
                f"Remedial action {'overdue' if overdue else 'due today'}: case {allocation.case_ref}"),
                key=f"{kind}:{action.id}")
            run.trail("remedial_plan", plan.id, remedial.ACTION_CHASED, month=allocation.month, action_id=action.id,
                      overdue=overdue, recipients=len(people))
            settled[follow_ups.DONE].append(follow_up.id)
        return settled
