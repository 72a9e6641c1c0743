"""The QA unit asked for the coming month's Annex A extract (framework 9.3 "Selection and distribution"):
QA_SAMPLE_REMINDER_DAYS working days before the allocation day (the 3rd moved on to a working day), only
while the month has no allocations and no sample used. The rule with its dates (bank holidays, a 3rd on a
weekend), the setting, and the served bot's months through `tick` on both databases: February 2027 asked
for on Wednesday 27 January (once), March not (its allocation list came first)."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from capabilities.registry import ConfigurationError
from capabilities.sampling import config
from capabilities.sampling.kinds import EXTRACT_REMINDER
from dialogs.sample_reminder_cards import SAMPLE, ExtractReminderView, extract_reminder_card
from qa.calendar import WorkingCalendar
from qa.sample_reminder import month_to_ask_for, reminder_day, should_ask
from storage.allocations import import_allocations
from storage.models import OutboxMessage, SampleProposal
from tests.support import activities as act
from tests.support.audit_cycle import utc
from tests.support.card_validator import MAX_CARD_BYTES, card_problems
from tests.support.month import Month, write_allocations

CAL = WorkingCalendar()


def test_the_reminder_day_counts_working_days_back_from_the_moved_3rd():
    # January 2027: the 3rd is a Sunday, so the allocation day is Monday 4 January; counting back skips New
    # Year's Day (Friday 1st), the weekend of 2-3 January and the Boxing Day substitute (Monday 28 December).
    assert reminder_day(2027, 1, 1, CAL) == date(2026, 12, 31)
    assert reminder_day(2027, 1, 3, CAL) == date(2026, 12, 29)
    assert reminder_day(2027, 1, 5, CAL) == date(2026, 12, 23)
    # October 2026: the 3rd is a Saturday; allocation day Monday 5th, one working day before is Friday 2nd.
    assert reminder_day(2026, 10, 1, CAL) == date(2026, 10, 2)
    # May 2027: the 3rd is the early May bank holiday; allocation day Tuesday 4th, one before is Friday 30 April.
    assert reminder_day(2027, 5, 1, CAL) == date(2027, 4, 30)
    # February 2027 (the 3rd a Wednesday): five working days before is Wednesday 27 January.
    assert reminder_day(2027, 2, 5, CAL) == date(2027, 1, 27)
    assert reminder_day(2027, 2, 0, CAL) is None
    with pytest.raises(ValueError):
        reminder_day(2027, 2, -1, CAL)


def test_each_reminder_day_names_its_coming_month_and_no_other_day_does():
    assert month_to_ask_for(date(2027, 1, 27), 5, CAL) == "2027-02"
    assert month_to_ask_for(date(2026, 10, 2), 1, CAL) == "2026-10"  # the reminder can fall in the month itself
    assert month_to_ask_for(date(2026, 12, 29), 3, CAL) == "2027-01"  # across the year's end
    days = [date(2027, 1, 1) + (date(2027, 1, 2) - date(2027, 1, 1)) * n for n in range(365)]
    asked = [(d, month_to_ask_for(d, 5, CAL)) for d in days]
    months = [m for _, m in asked if m]
    assert len(months) == len(set(months)) == 12  # once a month, every month
    assert all(CAL.is_working_day(d) for d, m in asked if m)


def test_asked_only_with_no_allocations_and_no_sample_used():
    assert should_ask(0, False)
    assert not should_ask(3, False) and not should_ask(0, True) and not should_ask(3, True)


def test_the_setting():
    assert config.reminder_days({}) == 5
    assert config.reminder_days({"QA_SAMPLE_REMINDER_DAYS": " 3 "}) == 3
    for wrong in ("0", "16", "three", "-1", "2.5"):
        with pytest.raises(ConfigurationError, match="QA_SAMPLE_REMINDER_DAYS must be a whole number of working days"):
            config.reminder_days({"QA_SAMPLE_REMINDER_DAYS": wrong})


def test_the_card_is_valid_and_names_no_case():
    cards = [extract_reminder_card(v) for v in (SAMPLE, ExtractReminderView("2027-02", date(2027, 2, 3), proposed=True))]
    assert card_problems(cards) == [[], []]
    assert all(len(json.dumps(card).encode()) < MAX_CARD_BYTES for card in cards)
    said = json.dumps(extract_reminder_card(SAMPLE))
    assert "January 2027's Annex A extract" in said and "Monday 4 January 2027" in said and "python -m" not in said
    assert "send it to me here" in said  # how the sample gets proposed from it, in Teams
    assert EXTRACT_REMINDER.sample() == extract_reminder_card(SAMPLE)


async def reminders(m: Month) -> list[OutboxMessage]:
    async with m.db.sessions() as session:
        return list((await session.execute(select(OutboxMessage).where(OutboxMessage.kind == EXTRACT_REMINDER)
                                           .order_by(OutboxMessage.id))).scalars())


async def test_the_qa_unit_is_asked_for_februarys_extract_once_and_not_for_march(month: Month, tmp_path):
    m = month  # December's and January's allocations are in (tests/support/month.py): never asked for
    everyone = frozenset(m.ids)
    # March's allocation list came early: its reminder day (Wednesday 24 February) asks nothing.
    await import_allocations(m.db, write_allocations(tmp_path / "march.csv", {"CR-3001": ("mo", "pat", "List 8", "")}),
                             "2027-03", utc(2027, 1, 20, 14), actor_id=m.ids["quinn"], via="test:allocations import")
    # February has a sample proposed but not used: still asked, and told it is there.
    async with m.db.sessions.begin() as session:
        session.add(SampleProposal(month="2027-02", seed=42, theme="", source_name="annex-a.xlsx", summary={},
                                   proposed_at=utc(2027, 1, 20, 15), proposed_by_id=m.ids["quinn"]))

    await m.tick(utc(2027, 1, 26, 9), several=everyone)
    assert await reminders(m) == []  # the day before
    seen = await m.tick(utc(2027, 1, 27, 9), several=everyone)
    rows = await reminders(m)
    assert [(r.person_id, r.idempotency_key, r.state) for r in rows] == [
        (m.ids["quinn"], f"annex-a-extract-reminder:2027-02:{m.ids['quinn']}", "sent")]
    assert any("Annex A extract for February 2027" in h for message in seen["quinn"] for h in message)
    said = "\n".join(c.all_text() for c in m.fake.delivered(act.personal_conversation_id("quinn")))
    assert "Wednesday 3 February 2027" in said and "proposed but not used" in said
    assert set(seen) <= everyone and not any("Annex A extract" in h for k, messages in seen.items() if k != "quinn"
                                             for message in messages for h in message)
    await m.tick(utc(2027, 1, 28, 9), several=everyone)
    await m.tick(utc(2027, 2, 24, 9), several=everyone)
    assert len(await reminders(m)) == 1  # once for February; March had its list
