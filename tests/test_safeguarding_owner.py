"""Someone owns every safeguarding concern found while auditing (framework 9.3), on both databases:
one of four recipients takes it, the other copies show who, the owner owes the action note (chased
once), a concern nobody takes is re-sent marked unclaimed; out of hours (23:00 on a Saturday,
Christmas Day) it also goes to the out-of-hours channel; refusals change nothing."""
from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from capabilities.audit_cycle import safeguarding as sg
from capabilities.kit import Status
from capabilities.settings import ConfigurationError
from qa import safeguarding as rules
from qa.calendar import WorkingCalendar
from storage.models import FollowUp, OutboxMessage, SafeguardingConcern
from tests.support.safeguarding import CAL, ctx, kw, outbox, submitted, world  # noqa: F401, F811 - world is a fixture

THURSDAY_10 = datetime(2026, 12, 10, 10, 0, tzinfo=timezone.utc)
CONFIG = sg.SafeguardingSettings(channel="19:edt@thread.tacv2")


async def _concern(db) -> SafeguardingConcern:
    async with db.sessions() as session:
        return (await session.execute(select(SafeguardingConcern))).scalar_one()


async def _open_follow_ups(db) -> list[str]:
    async with db.sessions() as session:
        return sorted(f.key for f in (await session.execute(select(FollowUp).where(FollowUp.state == "open"))).scalars())


def test_working_time_skips_nights_weekends_and_bank_holidays():
    cal = WorkingCalendar()
    friday_1750 = datetime(2026, 12, 11, 17, 50, tzinfo=timezone.utc)
    assert rules.add_working_time(friday_1750, timedelta(minutes=30), cal) == datetime(
        2026, 12, 14, 8, 20, tzinfo=timezone.utc)
    christmas_eve_1730 = datetime(2026, 12, 24, 17, 30, tzinfo=timezone.utc)  # next: Tuesday 29th
    assert rules.add_working_time(christmas_eve_1730, timedelta(hours=2), cal) == datetime(
        2026, 12, 29, 9, 30, tzinfo=timezone.utc)
    assert rules.out_of_hours(datetime(2026, 12, 12, 23, 0, tzinfo=timezone.utc), cal)  # Saturday 23:00
    assert rules.out_of_hours(datetime(2026, 12, 25, 11, 0, tzinfo=timezone.utc), cal)  # Christmas Day
    assert not rules.out_of_hours(THURSDAY_10, cal)
    # Monday's summary covers Friday after 18:00 to Monday 08:00; the 29th's covers Christmas.
    assert rules.out_of_hours_since(date(2026, 12, 14), cal) == (
        datetime(2026, 12, 11, 18, 0, tzinfo=timezone.utc), datetime(2026, 12, 14, 8, 0, tzinfo=timezone.utc))
    assert rules.out_of_hours_since(date(2026, 12, 29), cal)[0] == datetime(2026, 12, 24, 18, 0, tzinfo=timezone.utc)


async def test_claimed_by_one_of_four_copies_updated_note_owed_and_chased(db, world, monkeypatch):  # noqa: F811
    monkeypatch.setattr(sg, "settings", lambda: CONFIG)
    await submitted(db, world, THURSDAY_10)
    concern = await _concern(db)
    assert not concern.out_of_hours
    alerts = await outbox(db, "safeguarding-alert")
    assert {a.person_id for a in alerts} == {world["pam"], world["sam"], world["hana"], world["dee"]}
    assert "I'm taking this" in json.dumps(alerts[0].payload["card"])
    assert await outbox(db, sg.OUT_OF_HOURS) == []  # in working hours: no channel

    # Refusals: not a recipient; then two presses, one owner.
    refused = await sg.claim(ctx(db), world["ann"], concern.id, **kw(THURSDAY_10), config=CONFIG)
    assert refused.status == Status.REFUSED and (await _concern(db)).owner_id is None
    first = await sg.claim(ctx(db), world["sam"], concern.id, **kw(THURSDAY_10 + timedelta(minutes=12)),
                           config=CONFIG)
    assert first.status == Status.DONE and "Record what was done" in json.dumps(first.card)
    second = await sg.claim(ctx(db), world["pam"], concern.id, **kw(THURSDAY_10 + timedelta(minutes=13)),
                            config=CONFIG)
    assert second.status == Status.ALREADY and second.message.startswith("Sam")
    assert (await _concern(db)).owner_id == world["sam"]
    # The other three copies (pending, so they go out showing the owner) say who has it.
    for row in await outbox(db, "safeguarding-alert"):
        shown = json.dumps(row.payload["card"])
        assert "Owned by" in shown and "I'm taking this" not in shown
    assert await _open_follow_ups(db) == [f"{sg.NOTE_CHASE}:{concern.id}"]

    # The note is owed: chased once when overdue (2 working hours), then recorded.
    duty = sg.SafeguardingFollowUpDuty(CAL, CONFIG)
    async with db.sessions.begin() as session:
        late = THURSDAY_10 + timedelta(hours=2, minutes=30)
        await duty.run(session, next(iter(duty.occurrences(late))), late)
    [chase] = await outbox(db, sg.NOTE_CHASE)
    assert chase.person_id == world["sam"]
    bad = await sg.record_note(ctx(db), world["sam"], concern.id, "Rang 07700 900123", **kw(late), config=CONFIG)
    assert bad.status == Status.INVALID and (await _concern(db)).note is None
    not_owner = await sg.record_note(ctx(db), world["pam"], concern.id, "Strategy discussion", **kw(late),
                                     config=CONFIG)
    assert not_owner.status == Status.REFUSED
    done = await sg.record_note(ctx(db), world["sam"], concern.id, "Strategy discussion; MASH referral made",
                                **kw(late), config=CONFIG)
    assert done.status == Status.DONE
    assert (await _concern(db)).note == "Strategy discussion; MASH referral made"


async def test_unclaimed_is_resent_to_head_of_service_and_deputy_director(db, world, monkeypatch):  # noqa: F811
    monkeypatch.setattr(sg, "settings", lambda: CONFIG)
    await submitted(db, world, THURSDAY_10)
    duty = sg.SafeguardingFollowUpDuty(CAL, CONFIG)
    for minutes in (31, 31, 62):  # the second run at the same moment adds nothing
        at = THURSDAY_10 + timedelta(minutes=minutes)
        async with db.sessions.begin() as session:
            await duty.run(session, next(iter(duty.occurrences(at))), at)
    resent = await outbox(db, sg.UNCLAIMED_RESEND)
    first = {r.person_id for r in resent if r.idempotency_key.split(":")[2] == "1"}
    assert first == {world["hana"], world["dee"]}
    assert "Nobody has taken this yet." in json.dumps(resent[0].payload["card"])
    assert (await _concern(db)).unclaimed_sends == 2


async def test_out_of_hours_goes_to_the_channel_too(db, world, monkeypatch):  # noqa: F811
    monkeypatch.setattr(sg, "settings", lambda: CONFIG)
    saturday_23 = datetime(2026, 12, 12, 23, 0, tzinfo=timezone.utc)
    await submitted(db, world, saturday_23)
    concern = await _concern(db)
    assert concern.out_of_hours
    [channel] = await outbox(db, sg.OUT_OF_HOURS)
    assert channel.conversation_id == CONFIG.channel and channel.person_id is None
    card = json.dumps(channel.payload["card"])
    assert "bruising" not in card and "CR-1001" in card
    # Anyone pressing the channel's copy may take it.
    async with db.sessions() as session:
        row = (await session.execute(select(OutboxMessage).where(OutboxMessage.id == channel.id))).scalar_one()
    taken = await sg.claim(ctx(db), world["ann"], concern.id, **kw(saturday_23 + timedelta(minutes=5)),
                           pressed=[row], config=CONFIG)
    assert taken.status == Status.DONE and "bruising" not in json.dumps(taken.card)
    assert len(await outbox(db, sg.OWNER_UPDATE)) >= 1


def test_settings_from_the_environment_and_the_one_line_without_a_channel(monkeypatch, caplog):
    assert sg.from_env({}) == sg.SafeguardingSettings(30, 2, "")
    assert sg.from_env({sg.CLAIM_ENV: "45", sg.NOTE_ENV: "4", sg.CHANNEL_ENV: "19:edt@thread.tacv2"}) == (
        sg.SafeguardingSettings(45, 4, "19:edt@thread.tacv2"))
    with pytest.raises(ConfigurationError, match=sg.CLAIM_ENV):
        sg.from_env({sg.CLAIM_ENV: "soon"})
    monkeypatch.delenv(sg.CHANNEL_ENV, raising=False)
    sg.settings.cache_clear()
    try:
        with caplog.at_level(logging.WARNING):
            sg.settings()
    finally:
        sg.settings.cache_clear()
    assert [r.getMessage() for r in caplog.records if sg.CHANNEL_ENV in r.getMessage()] == [
        f"{sg.CHANNEL_ENV} is not set: safeguarding concerns raised out of hours go only to the day managers"]
