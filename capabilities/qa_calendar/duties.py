"""The QA calendar's reminders (framework 9.3's schedule, 9.4's surveys), looked for once per 15-minute slot of
each working day's send window (qa.cadence.SendWindowSlots):

- a Learning and Improvement Forum, practice forum, reflective group or assurance clinic: to its audience the
  working day before (QA_CALENDAR_REMINDER_WORKING_DAYS) at 09:00 and, with a start time, an hour before
  (QA_CALENDAR_REMINDER_MINUTES), each with **I'll be there** / **Can't make it** (and the answer given so
  far); the hour-before one not to someone who said they can't make it;
- a survey window (kind `survey`): to the auditors (qa.allocations.AUDITOR_ROLES) and the principal social
  work team (the principal social worker and everyone in their team) when it opens and a week before it
  closes (QA_SURVEY_CLOSING_DAYS).

The rule is qa.qa_calendar.event_reminders; each slot's run computes for its own slot (`occurrence.due_at`),
never for the clock. Every row is keyed `calendar-reminder:<event>:<reminder>:<person>` (or
`survey-reminder:...`), so a reminder goes once to each person however many slots see it.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.duties import Occurrence
from capabilities.qa_calendar import kinds
from capabilities.qa_calendar.config import Reminders
from capabilities.qa_calendar.flow import event_view, organiser_name
from dialogs import calendar_cards as cc
from qa.allocations import AUDITOR_ROLES
from qa.audience import AudienceError, parse_audience_cell, selects
from qa.cadence import SLOT, SendWindowSlots
from qa.calendar import WorkingCalendar
from qa.framework import Role
from qa.qa_calendar import HOUR_BEFORE, REMINDED_KINDS, SURVEY, SURVEY_CLOSING, due_reminders, event_reminders
from storage.models import CalendarResponse, Person, TrailEvent
from storage.outbox import Message, enqueue_many
from storage.qa_calendar import NOT_COMING, events_between

VIA = "duty:calendar-reminders"


class CalendarReminderDuty:
    name = "calendar-reminders"

    def __init__(self, cal: WorkingCalendar, reminders: Reminders | None = None) -> None:
        self.cal = cal
        self.reminders = reminders or Reminders()
        self.cadence = SendWindowSlots(cal)

    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        return [self.cadence.latest(now)]

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        slot_start, slot_end = occurrence.due_at, occurrence.due_at + SLOT
        day = self.cal.local_date(slot_start)
        r = self.reminders
        # From surveys open now to events whose first reminder is ahead: working days are fewer than days.
        events = await events_between(session, (day - timedelta(days=1), day + timedelta(
            days=r.working_days_before * 3 + 7)))
        people: list[tuple[int, str, str, list[str]]] | None = None
        messages: list[Message] = []
        for event in events:
            if event.kind not in (*REMINDED_KINDS, SURVEY):
                continue
            due = due_reminders(event_reminders(event.kind, event.starts_on, event.ends_on, event.starts_at,
                                                self.cal, working_days_before=r.working_days_before,
                                                minutes_before=r.minutes_before, closing_days=r.survey_closing_days),
                                slot_start, slot_end)
            if not due:
                continue
            if people is None:
                people = [(row.id, row.role, row.team, [a for a in (x.strip() for x in row.service_area.split(";"))
                                                        if a])
                          for row in (await session.execute(select(Person.id, Person.role, Person.team,
                                                                   Person.service_area)
                                                            .where(Person.left_at.is_(None)))).all()]
            recipients = self._recipients(event, people)
            answers = {} if event.kind == SURVEY else dict((await session.execute(
                select(CalendarResponse.person_id, CalendarResponse.answer)
                .where(CalendarResponse.event_id == event.id))).all())
            organiser = await organiser_name(session, event)
            for reminder in due:
                due_at = self.cal.send_time_for(max(reminder.at, slot_start), now)
                for person_id in recipients:
                    if reminder.key == HOUR_BEFORE and answers.get(person_id) == NOT_COMING:
                        continue  # they said they can't make it: "starting soon" would only be noise
                    if event.kind == SURVEY:
                        kind = kinds.SURVEY
                        payload = kind.message(cc.SurveyView(event_view(event), reminder.key == SURVEY_CLOSING),
                                               summary=f"Survey window: {event.title}"[:200])
                    else:
                        kind = kinds.REMINDER
                        view = cc.ReminderView(event.id, event_view(event), reminder.key == HOUR_BEFORE,
                                               answers.get(person_id), organiser)
                        payload = kind.message(view, summary=f"{cc.reminder_title(view)}: {event.title}"[:200])
                    messages.append(Message(f"{kind}:{event.id}:{reminder.key}:{person_id}", kind, person_id,
                                            payload, due_at))
        if not messages:
            return
        added = await enqueue_many(session, messages, now=now)
        if added:
            session.add(TrailEvent(subject_type="calendar", action="calendar_reminders", via=VIA, at=now,
                                   detail={"written": added}))

    @staticmethod
    def _recipients(event, people: list[tuple[int, str, str, list[str]]]) -> list[int]:
        """A reminded event's audience; a survey window's auditors and principal social work team."""
        if event.kind == SURVEY:
            psw_teams = {team for _id, role, team, _areas in people if role == Role.PRINCIPAL_SOCIAL_WORKER and team}
            return [i for i, role, team, _areas in people if role in AUDITOR_ROLES or team in psw_teams]
        try:
            audience = parse_audience_cell(event.audience)
        except AudienceError:
            return []
        return [i for i, role, team, areas in people if selects(audience, role=role, areas=areas, team=team)]
