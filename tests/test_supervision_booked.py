""""Booked" on the supervision digest, on both databases: a supervisor says a supervisee's 1:1 (or the team's
group supervision) is booked for a day; the line then says "Booked for <day>", and the digest line and the
supervisee's note about it wait until that day has passed, or until a session recorded moves the due day on.

Ana Diaz's last 1:1 was 10 November, so her next is due Tuesday 8 December 2026; Ben Cole (ASYE, weekly) is
overdue. Pia Marsh supervises both."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from capabilities.context import Context
from capabilities.kit import Status
from capabilities.press import Press
from capabilities.supervision import actions, flow
from capabilities.supervision.duties import SupervisionMorningDuty
from capabilities.supervision.plan import morning
from dialogs.supervision_cards import LineKey, Verb, input_id
from qa.calendar import WorkingCalendar
from storage.models import OutboxMessage, Person, SupervisionBooking, TrailEvent
from storage.roster import import_roster
from storage.supervision import import_sessions, load_board
from tests.support.supervision import ANA, BEN, PM, SESSION_COLUMNS, at, write_csv, write_roster

CAL = WorkingCalendar()
HISTORY = [[ANA, PM, "one_to_one", "2026-11-10", "90", ""], [BEN, PM, "one_to_one", "2026-11-10", "90", ""]]


@pytest.fixture
async def ids(db, tmp_path) -> dict[str, int]:
    await import_roster(db, write_roster(tmp_path / "roster.csv"), at("2026-11-02T09:00"))
    await import_sessions(db, write_csv(tmp_path / "h.csv", SESSION_COLUMNS, HISTORY), at("2026-11-30T12:00"), CAL.tz)
    async with db.sessions() as session:
        return {p.email: p.id for p in (await session.execute(select(Person))).scalars()}


async def _morning(db, day: date):
    async with db.sessions() as session:
        plan = morning(await load_board(session, day, CAL.tz), day, CAL)
    lines = {line.line for d in plan.digests for b in d.view.blocks for line in b.lines}
    return lines, {r.supervisee_id for r in plan.reminders}


async def test_a_booked_1to1_waits_until_its_day_has_passed(db, ids):
    ctx = Context(db, CAL, lambda: at("2026-12-07T10:00"))
    ana, ben = LineKey(ids[ANA], "one_to_one"), LineKey(ids[BEN], "one_to_one")
    lines, reminded = await _morning(db, date(2026, 12, 7))
    assert {ana, ben} <= lines and reminded == {ids[ANA]}

    booked = await flow.book(ctx, ids[PM], ana, date(2026, 12, 10), now=at("2026-12-07T10:00"), via="test")
    assert (booked.status, booked.message) == (Status.DONE, "Booked for Thursday 10 December 2026.")
    lines, reminded = await _morning(db, date(2026, 12, 7))
    assert ana not in lines and ben in lines and reminded == set()  # Ben's stays; Ana's note waits too
    assert ana not in (await _morning(db, date(2026, 12, 10)))[0]  # the booked day itself
    assert ana in (await _morning(db, date(2026, 12, 11)))[0]  # booked, then not recorded: back, overdue

    # Booked again for another day: the same row, moved.
    again = await flow.book(ctx, ids[PM], ana, date(2026, 12, 14), now=at("2026-12-07T10:05"), via="test")
    assert again.status == Status.DONE
    assert ana not in (await _morning(db, date(2026, 12, 11)))[0]
    async with db.sessions() as session:
        rows = (await session.execute(select(SupervisionBooking))).scalars().all()
        trail = (await session.execute(select(TrailEvent).where(TrailEvent.action == "supervision_booked"))
                 ).scalars().all()
    assert [(r.kind, r.due_on, r.booked_for, r.booked_by_id) for r in rows] == [
        ("one_to_one", date(2026, 12, 8), date(2026, 12, 14), ids[PM])]
    assert [(t.actor_id, t.subject_id, t.detail) for t in trail] == [
        (ids[PM], ids[ANA], {"kind": "one_to_one", "days_ahead": 3}),
        (ids[PM], ids[ANA], {"kind": "one_to_one", "days_ahead": 7})]

    # A session recorded moves the due day on: the booking no longer matches, the next 1:1 is nudged as usual.
    done = await flow.record(ctx, ids[PM], ana, actions.entry(ana, {input_id("held", ana): "2026-12-07",
                                                                    input_id("minutes", ana): "60"}),
                             now=at("2026-12-07T11:00"), via="test")
    assert done.status == Status.DONE and done.recorded.next_due == date(2027, 1, 4)
    assert ana in (await _morning(db, date(2027, 1, 4)))[0]


async def test_who_may_book_and_which_days(db, ids):
    ctx = Context(db, CAL, lambda: at("2026-12-07T10:00"))
    ana, now = LineKey(ids[ANA], "one_to_one"), at("2026-12-07T10:00")
    refused = await flow.book(ctx, ids[BEN], ana, date(2026, 12, 10), now=now, via="test")
    assert refused.status == Status.REFUSED and refused.message.startswith("Only their supervisor")
    past = await flow.book(ctx, ids[PM], ana, date(2026, 12, 4), now=now, via="test")
    assert (past.status, past.message) == (Status.INVALID, "Give the day it is booked for: today or later.")
    far = await flow.book(ctx, ids[PM], ana, date(2027, 12, 10), now=now, via="test")
    assert (far.status, far.message) == (Status.INVALID, "Give a day within a year.")
    case = await flow.book(ctx, ids[PM], LineKey(ids[ANA], "case"), date(2026, 12, 10), now=now, via="test")
    assert case.status == Status.REFUSED
    ask = await flow.book(ctx, ids[PM], ana, None, now=now, via="test")
    assert ask.status == Status.UNCHANGED
    async with db.sessions() as session:
        assert (await session.execute(select(SupervisionBooking))).scalars().all() == []


async def test_booked_on_the_digest_asks_the_day_then_says_booked(db, ids):
    now = at("2026-12-07T09:00")
    duty = SupervisionMorningDuty(CAL)
    [occurrence] = list(duty.occurrences(now))
    async with db.sessions.begin() as session:
        await duty.run(session, occurrence, now)
    async with db.sessions() as session:
        digest = (await session.execute(select(OutboxMessage).where(
            OutboxMessage.kind == "supervision-digest", OutboxMessage.person_id == ids[PM]))).scalar_one()
        pia = await session.get(Person, ids[PM])
    ctx = Context(db, CAL, lambda: now)
    line = str(LineKey(ids[ANA], "one_to_one"))
    card = str(digest.payload["card"])
    assert card.count("'Booked'") == 2  # Ana's and Ben's 1:1s; not an agreement review or case supervision

    def press(data: dict, minute: int) -> Press:
        return Press(ctx, Verb.BOOK, {"line": line, **data}, pia, [digest], at(f"2026-12-07T10:{minute:02d}"))

    asked = await actions.book(press({}, 0))
    assert asked.update and input_id("booked", LineKey(ids[ANA], "one_to_one")) in str(asked.card)
    wrong = await actions.book(press({f"booked-{line}": "2026-12-01"}, 1))
    assert "Give the day it is booked for: today or later." in str(wrong.card)
    saved = await actions.book(press({f"booked-{line}": "2026-12-10"}, 2))
    assert saved.update and "Booked for Thursday 10 December 2026." in str(saved.card)
    assert "Record supervision" in str(saved.card)  # Ben's line keeps its buttons
