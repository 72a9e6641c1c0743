"""What one working morning owes, from the Board (storage/supervision.py) and the cadences (qa/supervision.py).

- Each supervisor: one digest of what is due within two working days, due today or overdue, per
  supervisee (and, for a practice manager, their team's group supervision in the month's last days). A 1:1
  line says when the last 1:1 was shorter than the standard (framework 9.1: one and a half hours).
  A supervisee who is away today is left out (their items come back on return); a supervisor away
  today gets nothing, unless away more than 10 working days: then their digest goes to their own
  supervisor instead.
- Each supervisee whose 1:1 is due the next working day: a short note (not while away).
- A line booked for a day ("Booked") is left out of the digest, and its note, until that day has passed.
- A 1:1 or case supervision still overdue five working days after its due day: one notice to the
  supervisor's own supervisor (not while the supervisee is away; on their return, within 30 days).
Extra lines per supervisee (observation action plans to review) come from `extra`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from dialogs.supervision_cards import Block, DigestView, EscalationView, Line, LineKey, ReminderView, ShortOneToOne
from qa.calendar import WorkingCalendar
from qa.framework import Role
from qa.supervision import (
    CASE,
    GROUP,
    LATER,
    ONE_TO_ONE,
    SHORT,
    Cadences,
    DueItem,
    away_on,
    due_items,
    escalates_on,
    group_due,
    long_absence,
    one_to_one_length,
    standing,
)
from storage.supervision import Board, Staff, subject_for_person, subject_for_team

ESCALATED_KINDS = (ONE_TO_ONE, CASE)
LONG_ABSENCE_WORKING_DAYS = 10


@dataclass(frozen=True)
class Digest:
    recipient_id: int
    supervisor_id: int  # whose supervisees (the recipient, unless redirected)
    view: DigestView


@dataclass(frozen=True)
class Reminder:
    supervisee_id: int
    view: ReminderView


@dataclass(frozen=True)
class Escalation:
    recipient_id: int
    supervisee_id: int
    kind: str
    due: date
    view: EscalationView


@dataclass
class Morning:
    digests: list[Digest] = field(default_factory=list)
    reminders: list[Reminder] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)


def is_away(board: Board, person_id: int, day: date) -> bool:
    return away_on(board.away.get(person_id, ()), day) is not None


def exempts_for(recipient: Staff | None, holder: Staff) -> bool:
    """The digest's recipient is a service lead of the case holder's area: the one who may agree a case
    supervision exemption (framework 9.1; the use case checks it again on every press)."""
    return recipient is not None and recipient.role == Role.SERVICE_LEAD \
        and bool(set(recipient.areas) & set(holder.areas))


def exempted_cases(board: Board, holder_id: int) -> tuple[str, ...]:
    """The holder's cases a service lead exempted from case supervision, by reference."""
    facts = board.facts.get(holder_id)
    return tuple(c.case_ref for c in facts.cases if c.exempt) if facts else ()


def supervisee_lines(board: Board, s: Staff, today: date, cal: WorkingCalendar, cadences: Cadences,
                     extra: Sequence[Line] = (), items: Sequence[DueItem] | None = None,
                     recipient: Staff | None = None) -> list[Line]:
    """The digest's lines about `s` for `recipient` (a service lead of their area gets the case line's
    exemption buttons)."""
    lines = []
    facts = board.facts[s.id]
    exemptable = exempts_for(recipient, s)
    for item in items if items is not None else due_items(facts, today, cal, cadences):
        where = standing(item.due, today, cal, cadences.soon_working_days)
        if where != LATER and board.booked_for(subject_for_person(s.id), item.kind, item.due) is None:
            short = None
            if item.kind == ONE_TO_ONE and one_to_one_length(facts, cadences) == SHORT:
                short = ShortOneToOne(facts.last[ONE_TO_ONE], facts.last_one_to_one_minutes or 0,
                                      cadences.one_to_one_minutes)
            lead = exemptable and item.kind == CASE
            lines.append(Line(LineKey(s.id, item.kind), item.kind, item.due, where, item.case_refs, item.asye,
                              short_last=short, exemptable=lead,
                              exempted=exempted_cases(board, s.id) if lead else ()))
    return lines + list(extra)


def group_line(board: Board, manager: Staff, today: date, cal: WorkingCalendar, cadences: Cadences) -> Line | None:
    if manager.role != Role.PRACTICE_MANAGER or not manager.team:
        return None
    due = group_due(board.group_held.get(manager.team, ()), today.year, today.month, cal)
    if due is None or board.booked_for(subject_for_team(manager.team), GROUP, due) is not None:
        return None
    where = standing(due, today, cal, cadences.soon_working_days)
    return None if where == LATER else Line(LineKey(manager.id, GROUP), GROUP, due, where)


def morning(board: Board, today: date, cal: WorkingCalendar, cadences: Cadences = Cadences(),
            extra: Mapping[int, Sequence[Line]] | None = None) -> Morning:
    """What `today`'s 09:00 sweep writes (see the module notes). Pure over the board."""
    extra = extra or {}
    out = Morning()
    tomorrow = cal.add_working_days(today, 1)
    by_supervisor: dict[int, list[Staff]] = {}
    for s in board.staff.values():
        if s.id in board.facts and s.supervisor_id is not None:
            by_supervisor.setdefault(s.supervisor_id, []).append(s)
    managers = [m for m in board.staff.values() if m.role == Role.PRACTICE_MANAGER]
    items = {s.id: due_items(board.facts[s.id], today, cal, cadences) for s in board.staff.values()
             if s.id in board.facts and not is_away(board, s.id, today)}
    for supervisor_id in sorted(set(by_supervisor) | {m.id for m in managers}):
        supervisor = board.staff[supervisor_id]
        period = away_on(board.away.get(supervisor_id, ()), today)
        if period is None:
            recipient_id: int = supervisor_id
        elif long_absence(period, cal, LONG_ABSENCE_WORKING_DAYS) and supervisor.supervisor_id is not None \
                and not is_away(board, supervisor.supervisor_id, today):
            recipient_id = supervisor.supervisor_id
        else:
            continue  # away, and not for long: nothing today
        recipient = board.staff.get(recipient_id)
        blocks = []
        team = group_line(board, supervisor, today, cal, cadences)
        if team is not None:
            blocks.append(Block(f"Team {supervisor.team}", (team,), "Group reflective supervision, monthly"))
        for s in sorted(by_supervisor.get(supervisor_id, ()), key=lambda p: p.name.casefold()):
            if s.id not in items:
                continue  # away today
            lines = supervisee_lines(board, s, today, cal, cadences, extra.get(s.id, ()), items[s.id], recipient)
            if lines:
                blocks.append(Block(s.name, tuple(lines)))
        if not blocks:
            continue
        if recipient_id == supervisor_id:
            out.digests.append(Digest(supervisor_id, supervisor_id, DigestView(today, tuple(blocks))))
        else:
            out.digests.append(Digest(recipient_id, supervisor_id,
                                      DigestView(today, tuple(blocks), on_behalf_of=supervisor.name)))
    for s in board.staff.values():
        if s.id not in items:
            continue
        supervisor = board.staff[s.supervisor_id]
        for item in items[s.id]:
            if item.kind == ONE_TO_ONE and item.due == tomorrow \
                    and board.booked_for(subject_for_person(s.id), ONE_TO_ONE, item.due) is None:
                out.reminders.append(Reminder(s.id, ReminderView(s.id, supervisor.name, item.due, item.asye)))
            if item.kind in ESCALATED_KINDS and escalates_on(item.due, today, cal, cadences) \
                    and supervisor.supervisor_id is not None:
                out.escalations.append(Escalation(
                    supervisor.supervisor_id, s.id, item.kind, item.due,
                    EscalationView(s.name, supervisor.name, item.kind, item.due, len(item.case_refs))))
    return out
