"""The monthly dip-sample moderation (framework 9.3) through the served app on both databases: on the
10th (a Sunday in January 2027: drawn Monday 11th) `tick` draws a reproducible sample of December's
submitted audits, at least one per service area, for the moderation panel; one member's decision
settles each, and a different grade goes to the auditor and their service lead as learning."""
from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from capabilities.escalations import dip_sample
from capabilities.escalations.config import DIP_DAY_ENV, DIP_PERCENT_ENV, dip_sample_percent
from capabilities.escalations.config import dip_sample_day as configured_day
from capabilities.registry import ConfigurationError
from dialogs.escalation_cards import DIP_COMMENT, DIP_GRADE, Verb
from qa.calendar import WorkingCalendar
from qa.escalations import dip_sample_day, draw_dip_sample
from storage.models import Allocation, Audit, DipSample, DipSampleItem
from tests.support.escalations import set_up, shown, utc

CASES = {f"CR-{2000 + n}": utc(2026, 12, 10 + n % 5, 10) for n in range(12)}
PROTECTION = {"CR-2010": "Child Protection", "CR-2011": "Child Protection"}


@pytest.fixture
async def desk(services, fake_connector, bot_client):
    return await set_up(services, fake_connector, bot_client, CASES, grade="Good", areas=PROTECTION)


async def test_the_sample_is_drawn_on_its_day_moderated_once_and_disagreement_is_learning(desk):
    d = desk
    await d.tick(utc(2027, 1, 8, 9))  # (the good-practice list of December goes on the 4th)
    assert await d.all(DipSample) == []
    got = await d.tick(utc(2027, 1, 11, 9))  # the 10th is a Sunday
    [sample] = await d.all(DipSample)
    items = await d.all(DipSampleItem)
    assert (sample.month, sample.population, sample.percent, len(items)) == ("2026-12", 12, 10, 2)
    async with d.db.sessions() as session:
        population = (await session.execute(select(Audit.id, Allocation.service_area).join(Allocation))).all()
    assert sorted(i.audit_id for i in items) == draw_dip_sample([tuple(r) for r in population], 10, sample.seed)
    areas = set()
    for item in items:
        areas.add((await d.one(Allocation, Allocation.id == item.allocation_id)).service_area)
    assert areas == {"Children in Need", "Child Protection"}  # one per area
    assert {k: len(v) for k, v in got.items()} == {"quinn": 2, "qiana": 2, "hana": 2}
    assert await d.tick(utc(2027, 1, 11, 10)) == {} and len(await d.all(DipSample)) == 1  # drawn once

    first, second = items
    at = utc(2027, 1, 11, 11)
    body = await d.press("sam", Verb.DIP_AGREE, {"item_id": first.id}, "x", at)
    assert "Only the moderation panel" in shown(body)
    body = await d.press("hana", Verb.DIP_DIFFER, {"item_id": second.id, DIP_GRADE: "Good", DIP_COMMENT: "x"}, "x", at)
    assert "a different one from the auditor's" in shown(body)
    body = await d.press("hana", Verb.DIP_DIFFER, {"item_id": second.id, DIP_GRADE: "Inadequate", DIP_COMMENT: " "},
                         "x", at)
    assert "Please add a comment" in shown(body)
    assert {i.state for i in await d.all(DipSampleItem)} == {"pending"}

    body = await d.press("quinn", Verb.DIP_AGREE, {"item_id": first.id}, "x", at)
    assert "Agreed with the grade: Quinn Example" in shown(body)
    refreshed = await d.press("qiana", Verb.DIP_VIEW, {"item_id": first.id}, "x", at, trigger="automatic")
    assert "Agreed with the grade: Quinn Example" in shown(refreshed) and "actions" not in refreshed["value"]
    body = await d.press("hana", Verb.DIP_DIFFER, {"item_id": second.id, DIP_GRADE: "Requires Improvement",
                                                    DIP_COMMENT: "Plan drift was not weighed"}, "x", at)
    assert "Would grade Requires Improvement: Hana Example" in shown(body)
    again = await d.press("quinn", Verb.DIP_AGREE, {"item_id": second.id}, "x", at)
    assert "Hana Example already recorded" in shown(again)
    assert await d.tick(utc(2027, 1, 11, 11, 1)) == {"ann": ["Moderation learning: case " + (
        await d.one(Allocation, Allocation.id == second.allocation_id)).case_ref],
        "sam": ["Moderation learning: case " + (await d.one(Allocation, Allocation.id == second.allocation_id)).case_ref]}
    [differed] = await d.events(dip_sample.DIFFERED)
    assert differed.detail == {"item_id": second.id, "grade": "Good", "grade_given": "Requires Improvement",
                               "comment_length": 26}
    out = await status(d)
    assert "Dip sample 2026-12: 2 of 12 audits drawn, 2 moderated, 1 graded differently" in out


async def status(d) -> str:
    from tests.support.cli import run_cli

    code, out, err = await run_cli(d.db, "escalations", "status")
    assert code == 0, err
    return out


def test_draw_is_reproducible_and_covers_every_area():
    audits = [(n, "North" if n % 4 else "South") for n in range(1, 41)] + [(99, "East")]
    sample = draw_dip_sample(audits, 10, 1234)
    assert sample == draw_dip_sample(list(reversed(audits)), 10, 1234)  # order given does not matter
    assert len(sample) == 5  # 10% of 41, rounded up; South and East each have one
    assert 99 in sample and any(n % 4 == 0 for n in sample if n != 99)
    assert draw_dip_sample(audits, 100, 1) == sorted(n for n, _ in audits)
    assert draw_dip_sample([], 10, 1) == []
    with pytest.raises(ValueError):
        draw_dip_sample(audits, 0, 1)


def test_the_draw_day_moves_to_a_working_day():
    cal = WorkingCalendar(tz=ZoneInfo("Europe/London"))
    assert dip_sample_day(2027, 1, cal) == date(2027, 1, 11)  # Sunday 10th
    assert dip_sample_day(2026, 12, cal) == date(2026, 12, 10)
    assert dip_sample_day(2026, 12, cal, 25) == date(2026, 12, 29)  # Christmas, a weekend, Boxing Day's substitute
    with pytest.raises(ValueError):
        dip_sample_day(2026, 12, cal, 31)


def test_the_dip_sample_settings():
    assert (configured_day({}), dip_sample_percent({})) == (10, 10)
    assert (configured_day({DIP_DAY_ENV: "3"}), dip_sample_percent({DIP_PERCENT_ENV: "25"})) == (3, 25)
    for env in ({DIP_DAY_ENV: "29"}, {DIP_DAY_ENV: "x"}, {DIP_PERCENT_ENV: "0"}, {DIP_PERCENT_ENV: "101"}):
        with pytest.raises(ConfigurationError):
            configured_day(env) if DIP_DAY_ENV in env else dip_sample_percent(env)
