"""The escalations' duties.

`ModerationRequestDuty` ("escalations-moderation-requests") brings each audit newly submitted
graded Inadequate to the QA unit for moderation. It looks once per slot of the send window (as
the follow-up duties do), so the audit cycle's submit needs to know nothing of escalations: the
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
from capabilities.escalations import alerts, flow, kinds
from capabilities.escalations.config import chase_days
from capabilities.escalations.people import qa_unit, reviewers
from capabilities.follow_ups import FollowUpDuty, Settled
from storage import follow_ups
from storage.models import Alert, Allocation, Escalation, EscalationUpdate, FollowUp


class ModerationRequestDuty(FollowUpDuty):
    name = "escalations-moderation-requests"
    kinds = ()

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        due_at = self.cal.send_time_for(occurrence.due_at, now)
        await flow.request_moderations(session, now, due_at, self.cal, via=f"duty:{self.name}")


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
