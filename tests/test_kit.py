"""The use-case kit (capabilities/kit.py) on both databases: the actor step, refusals that write
nothing, the lock step, the trail and notify."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from capabilities.context import Context
from capabilities.kit import NOT_ON_ROSTER, Outcome, Status, look, refuse, unit, use_case
from capabilities.registry import OutboxKind
from dialogs.payload import Payload
from qa.calendar import WorkingCalendar
from storage.models import OutboxMessage, Person, TrailEvent
from tests.support.outbox import add_person

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)  # a Monday, inside the send window
KIND = OutboxKind("kit-test", lambda text: {"type": "AdaptiveCard", "version": "1.5",
                                            "body": [{"type": "TextBlock", "text": text}]},
                  lambda: {"type": "AdaptiveCard", "version": "1.5", "body": []})


@dataclass
class Said(Outcome):
    person_id: int | None = None


@use_case(Said)
async def poke(ctx: Context, actor_id: int | None, target_id: int | None, *, now: datetime, allowed: bool = True,
               urgent: bool = False) -> Said:
    async with unit(ctx, actor_id, now=now, via="card:test") as act:
        target = await act.lock(Person, target_id, missing="That person has gone.")
        act.trail("person", target.id, "poked", width=3)
        await act.notify(KIND, [target, target.id], KIND.message("Poke", summary="You were poked"),
                         key=f"poke:{target.id}", urgent=urgent)
        if not allowed:
            refuse("Only some people can poke.")
        return Said(Status.DONE, person_id=target.id, urgent=act.urgent)


def context(db) -> Context:
    return Context(db, WorkingCalendar(), lambda: NOW)


async def count(db, model) -> int:
    async with db.sessions() as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar_one()


async def test_a_use_case_writes_its_trail_and_one_message_per_person(db):
    actor, _ = await add_person(db, "http://127.0.0.1:1", 1)
    target, _ = await add_person(db, "http://127.0.0.1:1", 2)
    said = await poke(context(db), actor, target, now=NOW)
    assert (said.status, said.person_id, said.changed, said.urgent) == (Status.DONE, target, True, False)
    async with db.sessions() as s:
        (row,) = (await s.scalars(select(OutboxMessage))).all()
        (event,) = (await s.scalars(select(TrailEvent))).all()
    assert row.idempotency_key == f"poke:{target}:{target}" and row.kind == "kit-test"
    assert row.payload == {"text": "You were poked", "card": KIND.card("Poke"), "summary": "You were poked"}
    assert row.due_at == NOW  # inside the send window: the next send moment is now
    assert (event.actor_id, event.action, event.via, event.detail) == (actor, "poked", "card:test", {"width": 3})


async def test_an_urgent_message_is_due_now_and_goes_alone(db):
    actor, _ = await add_person(db, "http://127.0.0.1:1", 1)
    said = await poke(context(db), actor, actor, now=NOW.replace(hour=22), urgent=True)
    async with db.sessions() as s:
        row = (await s.scalars(select(OutboxMessage))).one()
    assert said.urgent and row.payload["alone"] is True and row.due_at == NOW.replace(hour=22)


async def test_a_refusal_rolls_back_everything_the_use_case_wrote(db):
    actor, _ = await add_person(db, "http://127.0.0.1:1", 1)
    said = await poke(context(db), actor, actor, now=NOW, allowed=False)
    assert (said.status, said.message, said.changed) == (Status.REFUSED, "Only some people can poke.", False)
    assert isinstance(said, Said) and said.person_id is None
    assert await count(db, OutboxMessage) == 0 and await count(db, TrailEvent) == 0


async def test_someone_not_active_on_the_roster_is_refused(db):
    gone, _ = await add_person(db, "http://127.0.0.1:1", 1, left=True)
    for actor in (gone, None, 999_999):
        said = await poke(context(db), actor, gone, now=NOW)
        assert (said.status, said.message) == (Status.REFUSED, NOT_ON_ROSTER)


async def test_a_missing_record_is_not_found(db):
    actor, _ = await add_person(db, "http://127.0.0.1:1", 1)
    for target in (None, 999_999):
        said = await poke(context(db), actor, target, now=NOW)
        assert (said.status, said.message) == (Status.NOT_FOUND, "That person has gone.")


async def test_now_must_be_aware(db):
    with pytest.raises(ValueError):
        await poke(context(db), 1, 1, now=NOW.replace(tzinfo=None))


def test_a_kind_checks_its_message_when_it_is_made():
    with pytest.raises(ValueError):
        OutboxKind("kit-bad", lambda: {"type": "Nope"}, lambda: {}).message(summary="x")
    assert Payload("only text").to_json() == {"text": "only text", "card": None, "summary": "only text"}
    with pytest.raises(ValueError):
        Payload("")


async def test_the_operator_acts_with_no_roster_person_and_a_refusal_writes_nothing(db):
    from capabilities.kit import operator

    target, _ = await add_person(db, "http://127.0.0.1:1", 1)

    @use_case(Outcome)
    async def mark(ctx: Context, allowed: bool, *, now: datetime) -> Outcome:
        async with operator(ctx, now=now, via="cli:test") as act:
            act.trail("person", target, "marked")
            if not allowed:
                refuse("Not now.")
            return Outcome(Status.DONE)

    assert (await mark(context(db), False, now=NOW)).status == Status.REFUSED
    assert await count(db, TrailEvent) == 0
    assert (await mark(context(db), True, now=NOW)).changed
    async with db.sessions() as s:
        (event,) = (await s.scalars(select(TrailEvent))).all()
    assert (event.actor_id, event.via, event.action, event.subject_id) == (None, "cli:test", "marked", target)
    with pytest.raises(ValueError):
        await mark(context(db), True, now=NOW.replace(tzinfo=None))


async def test_get_reads_a_record_or_stops_not_found(db):
    actor, _ = await add_person(db, "http://127.0.0.1:1", 1)

    @use_case()
    async def show(ctx: Context, record_id: int | None) -> Outcome:
        async with unit(ctx, actor, now=NOW, via="card:test") as act:
            person = await act.get(Person, record_id, missing="Gone.")
            return Outcome(Status.UNCHANGED, person.display_name)

    assert (await show(context(db), actor)).message == "Person 1"
    assert [((o := await show(context(db), r)).status, o.message) for r in (None, 999_999)] == [
        (Status.NOT_FOUND, "Gone."), (Status.NOT_FOUND, "Gone.")]


async def test_look_reads_for_someone_on_the_roster_and_writes_nothing(db):
    actor, _ = await add_person(db, "http://127.0.0.1:1", 1)
    gone, _ = await add_person(db, "http://127.0.0.1:1", 2, left=True)

    @use_case()
    async def show(ctx: Context, actor_id: int | None) -> Outcome:
        async with look(ctx, actor_id, now=NOW, via="card:test") as act:
            return Outcome(Status.UNCHANGED, (await act.get(Person, actor, missing="Gone.")).display_name)

    assert (await show(context(db), actor)).message == "Person 1"
    assert [(await show(context(db), a)).status for a in (gone, None)] == [Status.REFUSED, Status.REFUSED]
    assert await count(db, TrailEvent) == 0 and await count(db, OutboxMessage) == 0
