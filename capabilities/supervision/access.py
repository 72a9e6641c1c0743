"""Who may see and record supervision: plain predicates on the Board's roster people.

A supervisee's entries: the supervisee, their supervisor (and anyone above the supervisor on the
roster, who gets the digest while the supervisor is away), a service lead of their service area, and
the QA unit. A team's group supervision: its practice manager, those above them, a service lead of
the area, and the QA unit. A session a supervisee recorded is confirmed by any of these but the
supervisee. Someone is marked away by themselves or their supervisor; `away` is offered to everyone
the bot sends work to (their work goes to their cover, capabilities/addressing.py) and every supervisor.
"""
from __future__ import annotations

from capabilities.context import Context
from capabilities.registry import Relation
from dialogs.supervision_cards import LineKey
from qa.allocations import AUDITOR_ROLES
from qa.framework import Role
from storage.models import Person
from storage.people import has_supervisor, supervises_anyone
from storage.supervision import Board, Staff


async def _supervises(ctx: Context, person: Person) -> bool:
    async with ctx.db.sessions() as session:
        return await supervises_anyone(session, person)


# Supervising is a relation the roster records, not a role: the commands about supervisees are for
# anyone the roster names as someone's supervisor (capabilities/registry.py Relation).
SUPERVISOR = Relation("supervisor", "people the roster names as someone's supervisor", _supervises)


async def _supervised(ctx: Context, person: Person) -> bool:
    async with ctx.db.sessions() as session:
        return await has_supervisor(session, person)


# `my supervision` is for those the roster gives a supervisor: the deputy director, the principal social
# worker or the QA unit with none would only be told "No supervisor on the roster".
SUPERVISED = Relation("supervised", "people the roster names a supervisor for", _supervised)


async def _marks_away(ctx: Context, person: Person) -> bool:
    return person.role in AUDITOR_ROLES or await _supervises(ctx, person)


# `away` (framework section 21: cover for everyone away): for everyone who receives work from the bot, the
# auditors (practice managers and above, the QA unit, the principal social worker: oversight, moderation,
# urgent reviews, alerts, remedial plans go to them), whether or not they supervise anyone, and for every
# supervisor (their supervisees' nudges wait).
MARKS_AWAY = Relation("marks away", "practice managers and above, the QA unit, the principal social worker and "
                      "anyone the roster names as someone's supervisor", _marks_away)


def chain(board: Board, person_id: int | None) -> list[int]:
    """`person_id` and everyone above them on the roster, nearest first."""
    seen: list[int] = []
    while person_id is not None and person_id in board.staff and person_id not in seen:
        seen.append(person_id)
        person_id = board.staff[person_id].supervisor_id
    return seen


def subject(board: Board, key: LineKey) -> Staff | None:
    """Whom a line is about, while supervision is kept for them: a supervisee with a supervisor on the
    roster, or a practice manager with a team; None otherwise."""
    found = board.staff.get(key.person_id)
    if found is None:
        return None
    if key.team:
        return found if found.role == Role.PRACTICE_MANAGER and found.team else None
    return found if found.id in board.facts else None


def may_act(board: Board, actor: Staff, key: LineKey) -> bool:
    """Whether `actor` may see and record the line's supervision (see the module notes)."""
    if actor.role == Role.QA_UNIT:
        return True
    about = board.staff.get(key.person_id)
    if about is None:
        return False
    if actor.role == Role.SERVICE_LEAD and set(about.areas) & set(actor.areas):
        return True
    if key.team:
        return actor.id in chain(board, about.id)
    return actor.id == about.id or actor.id in chain(board, about.supervisor_id)


def may_confirm(board: Board, actor: Staff, supervisee_id: int, kind: str) -> bool:
    """Whether `actor` may confirm a session the supervisee recorded: anyone who may act but them."""
    return actor.id != supervisee_id and may_act(board, actor, LineKey(supervisee_id, kind))


def may_mark_away(board: Board, actor: Staff, person_id: int | None) -> bool:
    """Whether `actor` may mark `person_id` away: themselves or one of their supervisees."""
    return person_id == actor.id or person_id in {s.id for s in board.supervisees_of(actor.id)}
