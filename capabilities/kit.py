"""The use-case kit: one shape for every use case of every capability.

A use case is an async function `(ctx: Context, <plain values>, *, now, via) -> Outcome`: it takes
ids and typed values, never a `Press` or anything of Teams, and does its work in ONE transaction
opened by `unit()`:

    @use_case(AuditOutcome)
    async def confirm_oversight(ctx, actor_id, audit_id, comment, *, now, via):
        async with unit(ctx, actor_id, now=now, via=via) as act:   # the actor, active on the roster
            audit = await act.lock(Audit, audit_id, missing=NOT_FOUND)  # this record, locked
            if not may_oversee(act.actor, audit):
                refuse(ONLY_SERVICE_LEADS)                             # nothing written, a polite answer
            ...change the record...
            act.trail("allocation", audit.allocation_id, OVERSIGHT_CONFIRMED, month=..., comment_length=3)
            await act.notify(UPLOAD_REQUEST, [auditor], UPLOAD_REQUEST.message(view, summary=...),
                             key=f"upload-request:{audit.id}")
            return AuditOutcome(Status.DONE, ...)

`refuse`, `not_found` and `already` raise `Stop`; the transaction rolls back and `use_case` turns
it into the capability's Outcome, so a refusal writes nothing and needs no `if` at every step.
The press handler (the capability's actions.py) turns an Outcome into a `Reply`.
"""
from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, NoReturn, ParamSpec, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.addressing import addressed
from capabilities.context import Context
from capabilities.registry import OutboxKind
from dialogs.payload import Payload
from qa.calendar import WorkingCalendar
from qa.cover import covered_by
from storage import cover as cover_store
from storage.models import Person, TrailEvent
from storage.outbox import Message, enqueue_many
from storage.people import active_person

Card = dict[str, Any]


class Status(StrEnum):
    """What a use case did. A str, so an Outcome's status compares equal to its old spelling."""

    DONE = "done"            # the change was made
    UNCHANGED = "unchanged"  # allowed, and nothing needed changing (reopening a form, say)
    INVALID = "invalid"      # what was entered is incomplete or wrong; the message says what
    REFUSED = "refused"      # this person may not do this (or is not on the roster); nothing changed
    ALREADY = "already"      # the record has moved on (an old copy of a card); nothing changed
    NOT_FOUND = "not_found"  # the record is gone (withdrawn, purged); nothing changed


NOTHING_CHANGED = "Nothing was changed."
NOT_ON_ROSTER = ("I can't match you to anyone active on the QA roster, so I can't record this. "
                 "Please ask the QA unit to check the roster. " + NOTHING_CHANGED)


@dataclass
class Outcome:
    """What a use case answers. A capability whose cards need more subclasses it with fields."""

    status: Status
    message: str = ""  # for the person: why nothing changed, or what is missing
    card: Card | None = None  # the pressed card's new content, when the use case builds it
    title: str = ""  # a heading for a polite card when there is nothing else to show
    urgent: bool = False  # outbox rows due now were written (safeguarding alerts): the edge sends them now
    errors: dict[str, str] = field(default_factory=dict)  # form input id -> what is wrong

    @property
    def changed(self) -> bool:
        return self.status == Status.DONE


class Stop(Exception):  # noqa: N818 - a use case stops here; it is not an error
    """Raised inside a use case's `unit`: the transaction rolls back and `use_case` answers with
    an Outcome of `status` and `message` (nothing was written)."""

    def __init__(self, status: Status, message: str, *, title: str = "", card: Card | None = None) -> None:
        super().__init__(status.value)
        self.status, self.message, self.title, self.card = status, message, title, card


def refuse(message: str, *, title: str = "") -> NoReturn:
    """This person may not do this. `message` must name nothing about the record they could not see."""
    raise Stop(Status.REFUSED, message, title=title)


def not_found(message: str, *, title: str = "") -> NoReturn:
    """The record is gone (withdrawn, reallocated, purged)."""
    raise Stop(Status.NOT_FOUND, message, title=title)


def already(message: str, *, title: str = "", card: Card | None = None) -> NoReturn:
    """The record has moved on: `message` says who moved it and when; `card` shows it as it is now."""
    raise Stop(Status.ALREADY, message, title=title, card=card)


def invalid(message: str, *, title: str = "") -> NoReturn:
    """What was entered cannot be used; `message` says what is wrong."""
    raise Stop(Status.INVALID, message, title=title)


P = ParamSpec("P")
O = TypeVar("O", bound=Outcome)  # noqa: E741 - the Outcome type a use case answers with
M = TypeVar("M")


def use_case(outcome: type[O] = Outcome) -> Callable[[Callable[P, Awaitable[O]]], Callable[P, Awaitable[O]]]:
    """Decorate a use case: a `Stop` raised inside it (after its transaction rolled back) becomes
    `outcome(status, message, ...)`, the capability's Outcome type."""
    def wrap(fn: Callable[P, Awaitable[O]]) -> Callable[P, Awaitable[O]]:
        @functools.wraps(fn)
        async def run(*args: P.args, **kwargs: P.kwargs) -> O:
            try:
                return await fn(*args, **kwargs)
            except Stop as stop:
                return outcome(stop.status, stop.message, card=stop.card, title=stop.title)
        return run
    return wrap


@dataclass
class Act:
    """One use case's working set: its transaction, who acts, when, and through what."""

    session: AsyncSession
    actor: Person | None  # None: the command line's operator or a duty (see operator())
    now: datetime  # aware UTC
    calendar: WorkingCalendar
    via: str  # card:<name>, command:<name>, cli:<name>, duty:<name>
    urgent: bool = False  # set by notify(urgent=True): the edge delivers at once
    acting_for: Person | None = None  # set by may(): the absent person whose work the actor covers
    _names: dict[int, str] = field(default_factory=dict)

    def trail(self, /, subject_type: str, subject_id: int, action: str, *, month: str | None = None,
              **detail: Any) -> None:
        """One audit-trail row: who (the actor), what, on what, when and via what. `detail` holds
        lengths, counts, ids and flags, never typed text (it could describe a child). When the actor
        acts for someone away or gone (`may`), `detail.on_behalf_of` names that person's id."""
        if self.acting_for is not None:
            detail = {**detail, "on_behalf_of": self.acting_for.id}
        self.session.add(TrailEvent(subject_type=subject_type, subject_id=subject_id, month=month,
                                    actor_id=self.actor.id if self.actor else None, action=action, via=self.via, detail=detail,
                                    at=self.now))

    async def notify(self, kind: OutboxKind, people: Iterable[Person | int], payload: Payload, *,
                     key: str | Callable[[int], str], due_at: datetime | None = None, urgent: bool = False) -> int:
        """One outbox row of `kind` per person, in this transaction. `key` is the idempotency key's
        stem (the row's key is "<key>:<person id>") or a function of the person id. Due at the next
        send moment (08:00-18:00 on working days), or now when `urgent` (then its own message).
        Returns the rows added (a key already queued adds nothing)."""
        ids = list(dict.fromkeys(p if isinstance(p, int) else p.id for p in people))
        if urgent:
            self.urgent = True
            if not payload.alone:
                payload = replace(payload, alone=True)
        due = due_at or (self.now if urgent else self.calendar.next_send_moment(self.now))
        keyed = key if callable(key) else (lambda pid: f"{key}:{pid}")
        messages = await addressed(self.session, [Message(key=keyed(pid), kind=kind, person_id=pid, payload=payload,
                                                          due_at=due) for pid in ids],
                                   now=self.now, day=self.calendar.local_date(due), via=self.via)
        return await enqueue_many(self.session, messages, now=self.now)

    async def may(self, allowed: Callable[[Person], bool]) -> bool:
        """Whether the actor may do this: `allowed(actor)`, or `allowed(P)` for someone P away today or
        gone whose work goes to the actor (qa.cover.covered_by): the cover's decision counts as P's,
        and the trail rows that follow say so (`acting_for`, `detail.on_behalf_of`). A leaver is judged
        as they were on the roster. The check every use case's "who may act" goes through for covered work."""
        if self.actor is None:
            return False
        if allowed(self.actor):
            return True
        day = self.calendar.local_date(self.now)
        for pid in covered_by(self.actor.id, day, await cover_store.directory(self.session, day)):
            person = await self.session.get(Person, pid)
            if person is None:
                continue
            judged = person if person.active else _as_on_roster(person)
            if allowed(judged):
                self.acting_for = person
                return True
        return False

    async def lock(self, model: type[M], record_id: int | None, *, missing: str, options: Sequence[Any] = ()) -> M:
        """The record `record_id` of `model`, locked until commit (FOR UPDATE on PostgreSQL; SQLite's
        BEGIN IMMEDIATE already serialises writers). Raises Stop(NOT_FOUND, `missing`) if it is gone."""
        found = None
        if record_id is not None:
            found = (await self.session.execute(
                select(model).where(model.id == record_id).options(*options).with_for_update())).scalar_one_or_none()
        if found is None:
            not_found(missing)
        return found

    async def get(self, model: type[M], record_id: int | None, *, missing: str) -> M:
        """The record `record_id` of `model`, read without a lock (to show it, not to change it).
        Raises Stop(NOT_FOUND, `missing`) if it is gone."""
        found = await self.session.get(model, record_id) if record_id is not None else None
        if found is None:
            not_found(missing)
        return found

    async def name(self, person_id: int | None) -> str:
        """A roster person's display name (cached in this unit), or "someone"."""
        if person_id is None:
            return "someone"
        if person_id not in self._names:
            person = await self.session.get(Person, person_id)
            self._names[person_id] = person.display_name if person else "someone"
        return self._names[person_id]


def _as_on_roster(person: Person) -> Person:
    """A leaver as they were on the roster (not left), to ask what they could do; never stored."""
    return Person(id=person.id, email=person.email, display_name=person.display_name, role=person.role,
                  team=person.team, service_area=person.service_area, supervisor_email=person.supervisor_email,
                  left_at=None)


@asynccontextmanager
async def look(ctx: Context, actor_id: int | None, *, now: datetime, via: str,
               not_on_roster: str = NOT_ON_ROSTER) -> AsyncIterator[Act]:
    """`unit` for a use case that only reads (a card's refresh, shown each time someone opens it):
    a read session, which on SQLite takes no write lock. The actor is checked as in `unit`; the
    use case must not trail, notify or change anything (nothing is committed)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    async with ctx.db.sessions() as session:
        actor = await active_person(session, actor_id)
        if actor is None:
            refuse(not_on_roster)
        yield Act(session, actor, now, ctx.calendar, via)


@asynccontextmanager
async def unit(ctx: Context, actor_id: int | None, *, now: datetime, via: str,
               not_on_roster: str = NOT_ON_ROSTER) -> AsyncIterator[Act]:
    """Begin one use case: its transaction (committed on a clean exit, rolled back on Stop or any
    error) and its actor, who must be active on the roster (else Stop(REFUSED, `not_on_roster`)).
    `now` must be timezone-aware (ValueError otherwise)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    async with ctx.db.sessions.begin() as session:
        actor = await active_person(session, actor_id)
        if actor is None:
            refuse(not_on_roster)
        yield Act(session, actor, now, ctx.calendar, via)


@asynccontextmanager
async def operator(ctx: Context, *, now: datetime, via: str) -> AsyncIterator[Act]:
    """Begin a use case run by the command line's operator, who is no roster person: one transaction
    (as `unit`), and trail rows with no actor. The use case's own checks still apply."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    async with ctx.db.sessions.begin() as session:
        yield Act(session, None, now, ctx.calendar, via)
