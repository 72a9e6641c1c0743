"""The practice-week list, the coverage and the monthly digests through `python -m bot tick --now`
(the practice weeks from the QA calendar, imported with `calendar import`), and `observations
status` / `feedback export`, on both databases."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from qa.observations import AREAS
from storage.models import DutyRun, FeedbackEntry, FloorWalk, Observation, OutboxMessage
from tests.support.cli import run_cli
from tests.support.observations import add_roster

FEB = datetime(2027, 2, 10, 11, tzinfo=UTC)
# The spring practice week runs Monday 1 to Thursday 4 March (its coverage goes on the Thursday);
# a learning forum the same week is not a practice week.
CALENDAR = """starts_on,ends_on,kind,title,audience,details
2027-03-01,2027-03-04,practice_week,Spring practice week,,
2027-03-02,2027-03-02,learning_forum,Learning and Improvement Forum,,
2027-06-07,2027-06-11,practice_week,Summer practice week,,
"""


async def import_calendar(db, tmp_path, text: str = CALENDAR) -> None:
    path = tmp_path / "calendar.csv"
    path.write_text(text)
    code, out, err = await run_cli(db, "calendar", "import", str(path))
    assert code == 0, err + out


@pytest.fixture
async def ids(db):
    ids = await add_roster(db)
    async with db.sessions.begin() as session:
        session.add(Observation(observer_id=ids["pam"], supervisee_id=ids["bob"], observed_on=date(2026, 9, 1),
                                area=AREAS[0], went_well="w", to_develop="d", actions=["a"], created_at=FEB))
        for i, (kind, how, rating) in enumerate((("Complaint", "Letter or email", None), ("Compliment", "Phone call", 5),
                                                 ("Comment or suggestion", "Survey", 3))):
            session.add(FeedbackEntry(author_id=ids["ann"], source="Parent or carer", service_area="Children in Care",
                                      team="Team North", case_ref=f"CD-{i}", how_given=how, kind=kind, rating=rating,
                                      said=f"=Words number {i}", created_at=FEB))
        session.add(FeedbackEntry(author_id=ids["ann"], source="Staff member", service_area="Front Door",
                                  team="Team South", how_given="Conversation", said="Outside the month",
                                  created_at=datetime(2027, 3, 1, 0, 30, tzinfo=UTC)))
        for team, themes in (("Team North", ["Workload", "Wellbeing"]), ("Team North", ["Workload"]),
                             ("Team South", ["Recording"])):
            session.add(FloorWalk(walker_id=ids["hal"], team=team, walked_on=date(2027, 2, 9), themes=themes,
                                  note="Busy but calm", created_at=FEB))
    return ids


async def rows(db, kind: str) -> list[OutboxMessage]:
    async with db.sessions() as session:
        return list((await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)
                                           .order_by(OutboxMessage.id))).all())


async def tick(db, now: str) -> None:
    code, out, err = await run_cli(db, "tick", "--now", now, "--wait-retries", "0")
    assert code == 0, err


async def test_practice_week_start_and_end_and_the_monthly_digests(db, ids, tmp_path):
    await import_calendar(db, tmp_path)
    await tick(db, "2027-02-26T12:00:00+00:00")
    assert await rows(db, "practice-week-list") == []
    await tick(db, "2027-03-01T09:05:00+00:00")
    lists = {r.person_id: r for r in await rows(db, "practice-week-list")}
    assert set(lists) == {ids["pam"], ids["sal"], ids["hal"], ids["dee"]}
    pam = json.dumps(lists[ids["pam"]].payload["card"])
    assert "observe Ann Archer" in pam and "observe Cat Cole" in pam and "Bob Baker" not in pam
    assert lists[ids["pam"]].payload["summary"].startswith("Practice week: 2 supervisees")
    # Last month's digests went on the first working day: feedback to the PSW and the QA unit, walks to the QA unit.
    [*digests] = await rows(db, "feedback-digest")
    assert {r.person_id for r in digests} == {ids["pat"], ids["quinn"]}
    card = json.dumps(digests[0].payload["card"])
    assert "3 entries: 1 complaint, 1 compliment" in card and "Outside the month" not in card
    [walks] = await rows(db, "walk-digest")
    assert walks.person_id == ids["quinn"] and "Workload (2)" in json.dumps(walks.payload["card"])
    await tick(db, "2027-03-01T09:35:00+00:00")  # again: nothing twice
    assert len(await rows(db, "practice-week-list")) == 4 and len(await rows(db, "feedback-digest")) == 2
    await tick(db, "2027-03-03T09:05:00+00:00")  # Wednesday: the week is not over yet
    assert await rows(db, "observation-coverage") == [] and len(await rows(db, "practice-week-list")) == 4
    await tick(db, "2027-03-04T09:05:00+00:00")  # Thursday, the calendar's last day
    [coverage] = await rows(db, "observation-coverage")
    assert coverage.person_id == ids["quinn"]
    text = json.dumps(coverage.payload["card"])
    assert "1 of 3 (33%)" in text  # Team North: Pam, Ann and Bob have supervisors; Bob was observed


async def test_the_status_command(db, ids):
    code, out, err = await run_cli(db, "observations", "status", "--on", "2027-03-05")
    assert code == 0, err
    assert out.startswith("Observed in the twelve months to 2027-03-05")
    assert "  Team North: 1 of 3 (33%)" in out and "Total: 1 of 6" in out
    code, out, _ = await run_cli(db, "observations", "status", "--area", "Front Door", "--on", "2027-03-05")
    assert code == 0 and "Front Door" in out and "Team North" not in out
    code, out, err = await run_cli(db, "observations", "status", "--area", "Nowhere")
    assert code != 0 and "'Nowhere' is not a service area on the roster" in err + out
    code, out, _ = await run_cli(db, "observations", "status", "--on", "2027-09-01")  # a year after Bob's
    assert code == 0 and "  Team North: 0 of 3 (0%)" in out


async def test_the_feedback_export(db, ids, tmp_path):
    out_file = tmp_path / "feb.xlsx"
    code, out, err = await run_cli(db, "feedback", "export", "--month", "2027-02", "--out", str(out_file))
    assert code == 0, err
    assert "3 feedback entries for 2027-02" in out
    sheet = load_workbook(out_file)["Feedback 2027-02"]
    values = list(sheet.values)
    assert values[0][:5] == ("Recorded", "Recorded by", "From", "Kind", "How it was given")
    assert [v[3:5] for v in values[1:]] == [("Complaint", "Letter or email"), ("Compliment", "Phone call"),
                                            ("Comment or suggestion", "Survey")]
    assert values[1][-1] == "=Words number 0"  # text kept as typed, never a formula (tests/test_workbook_text.py)
    code, out, err = await run_cli(db, "feedback", "export", "--month", "2027-13", "--out", str(out_file))
    assert code != 0 and "not a month" in err + out
    code, out, err = await run_cli(db, "feedback", "export", "--month", "2027-02", "--out", str(tmp_path / "x.csv"))
    assert code != 0 and "must end in .xlsx" in err + out


async def test_a_practice_week_imported_late_still_gets_its_list_once(db, ids, tmp_path):
    await tick(db, "2027-03-01T09:05:00+00:00")  # Monday: no calendar yet, so no practice week
    assert await rows(db, "practice-week-list") == []
    await import_calendar(db, tmp_path)
    await tick(db, "2027-03-01T11:00:00+00:00")  # Monday's daily run has been: nothing until Tuesday
    assert await rows(db, "practice-week-list") == []
    await tick(db, "2027-03-02T09:05:00+00:00")
    assert len(await rows(db, "practice-week-list")) == 4
    await tick(db, "2027-03-04T09:05:00+00:00")
    await tick(db, "2027-03-05T09:05:00+00:00")  # Friday: still inside the lookback, nothing twice
    assert len(await rows(db, "practice-week-list")) == 4 and len(await rows(db, "observation-coverage")) == 1
    async with db.sessions() as session:
        moments = set((await session.scalars(select(DutyRun.occurrence).where(
            DutyRun.duty == "practice-weeks", DutyRun.occurrence.like("%:%")))).all())
    assert moments == {"2027-03-01:start", "2027-03-01:end"}


async def test_a_list_sent_late_is_the_list_of_the_weeks_first_morning(db, ids, tmp_path):
    """The bot was down on Monday and Tuesday: Wednesday's tick sends Monday's list, due as of Monday.
    Pam observed Ann on 2 March 2026: inside twelve months on Monday 1 March 2027, not on the 3rd."""
    async with db.sessions.begin() as session:
        session.add(Observation(observer_id=ids["pam"], supervisee_id=ids["ann"], observed_on=date(2026, 3, 2),
                                area=AREAS[0], went_well="w", to_develop="d", actions=["a"], created_at=FEB))
    await import_calendar(db, tmp_path)
    await tick(db, "2027-03-03T09:05:00+00:00")
    lists = {r.person_id: r for r in await rows(db, "practice-week-list")}
    pam = json.dumps(lists[ids["pam"]].payload["card"])
    assert "observe Cat Cole" in pam and "Ann Archer" not in pam
    assert lists[ids["pam"]].payload["summary"].startswith("Practice week: 1 supervisees")


async def test_a_week_long_past_sends_nothing(db, ids, tmp_path):
    await import_calendar(db, tmp_path)
    await tick(db, "2027-03-15T09:05:00+00:00")  # the bot was down for the whole spring week and after
    assert await rows(db, "practice-week-list") == [] and await rows(db, "observation-coverage") == []


async def test_the_retired_setting_stops_start_up_naming_it(db):
    code, out, err = await run_cli(db, "tick", "--now", "2027-03-01T09:05:00+00:00", "--wait-retries", "0",
                                   env={"QA_PRACTICE_WEEKS": "2027-03-01"})
    assert code == 2 and "QA_PRACTICE_WEEKS is no longer read" in err and "calendar import" in err
    code, _, err = await run_cli(db, "tick", "--now", "2027-03-01T09:05:00+00:00", "--wait-retries", "0",
                                 env={"QA_PRACTICE_WEEKS": " "})
    assert code == 0, err
