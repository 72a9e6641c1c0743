"""Retention enforced (docs/privacy.md): the monthly purge duty on both databases, `python -m bot
purge`, and QA_RETENTION. Rows on either side of each boundary; what is kept is checked as well
as what goes."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from capabilities.catalogue import registry
from capabilities.registry import ConfigurationError
from capabilities.retention import config
from capabilities.retention.duties import RetentionDuty
from capabilities.retention.rules import purge_order
from qa.calendar import WorkingCalendar
from qa.retention import Retention
from scheduler.sweep import sweep
from storage.follow_ups import DONE
from storage.models import (
    Allocation,
    AsyeSwitch,
    Audit,
    AuditMonth,
    AwayPeriod,
    BotState,
    Broadcast,
    BroadcastRecipient,
    CalendarEvent,
    CaseExemption,
    CaseloadCase,
    DutyRun,
    FeedbackEntry,
    FloorWalk,
    FollowUp,
    ImportedAudit,
    Observation,
    OutboxMessage,
    SafeguardingConcern,
    SupervisionSession,
    TrailEvent,
)
from tests.support.audit_cycle import Case, add_roster, allocate, submit
from tests.support.cli import run_cli

RULES = purge_order(registry().capabilities)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


# June 2026's purge: Monday 1 June at 09:00 BST (in the past, so `purge --before` takes the day too).
PURGE = utc(2026, 6, 1, 8)
# Six years (2192 days) before 1 June 2026 is 31 May 2020: April 2020 is past, May 2020 kept.
OLD_MONTH, KEPT_MONTH = "2020-04", "2020-05"
OLD = PURGE - timedelta(days=1000)  # past every period but audit_records
RECENT = PURGE - timedelta(days=10)  # inside every period
# practice_records: 2192 days before the purge is 31 May 2020 08:00 UTC.
PRACTICE_OLD, PRACTICE_KEPT = utc(2020, 5, 30, 9), utc(2020, 6, 1, 9)
# calendar: 400 days before 1 June 2026 is 27 April 2025; an event ending the day before is past.
CALENDAR_OLD_END, CALENDAR_KEPT_END = date(2025, 4, 26), date(2025, 4, 27)
# supervision: 2192 days before 1 June 2026 is 31 May 2020; a session held the day before is past.
SUPERVISION_OLD, SUPERVISION_KEPT = date(2020, 5, 30), date(2020, 5, 31)
# supervision_away: 30 days before 1 June 2026 is 2 May 2026; an absence ending the day before is past.
AWAY_OLD_END, AWAY_KEPT_END = date(2026, 5, 1), date(2026, 5, 2)


def _outbox(key: str, state: str, at: datetime, person_id: int) -> OutboxMessage:
    return OutboxMessage(idempotency_key=key, kind="allocation-notice", person_id=person_id,
                         payload={"text": key, "card": {"body": [key]}}, due_at=at, state=state, next_attempt_at=at,
                         created_at=at, sent_at=at if state == "sent" else None)


async def seed(db) -> dict[str, int]:
    """Old and recent rows of every kind; returns the people."""
    people = await add_roster(db)
    allocated = await allocate(db, people, OLD_MONTH, [Case("CR-OLD-1", "Mo", "Pat"), Case("CR-OLD-2", "Meg", "Pia")],
                               at=utc(2020, 4, 3, 9))
    await submit(db, "CR-OLD-1", utc(2020, 4, 20, 9), safeguarding=True)
    allocated |= await allocate(db, people, KEPT_MONTH, [Case("CR-KEPT-1", "Mo", "Pat")], at=utc(2020, 5, 4, 9))
    await submit(db, "CR-KEPT-1", utc(2020, 5, 20, 9), safeguarding=True)
    mo = people["Mo"]
    async with db.sessions.begin() as session:
        session.add_all([
            # a safeguarding concern goes with its allocation's month; an imported past audit with its own month
            *(SafeguardingConcern(allocation_id=allocated[ref], case_ref=ref, raised_at=at)
              for ref, at in (("CR-OLD-1", utc(2020, 4, 20, 9)), ("CR-KEPT-1", utc(2020, 5, 20, 9)))),
            *(ImportedAudit(month=month, case_ref="CR-PAST-1", service_area="North", team="Team",
                            auditor_email=None, grade="Good", key_areas={}, imported_at=OLD)
              for month in (OLD_MONTH, KEPT_MONTH)),
            _outbox("sent-old", "sent", OLD, mo), _outbox("sent-recent", "sent", RECENT, mo),
            _outbox("undeliverable-old", "undeliverable", OLD, mo),
            _outbox("pending-old", "pending", OLD, mo),  # never delivered yet: never purged
            DutyRun(duty="audit-cycle", occurrence="old", due_at=OLD, ran_at=OLD),
            DutyRun(duty="audit-cycle", occurrence="recent", due_at=RECENT, ran_at=RECENT),
            BotState(key="old", document="{}", e_tag="a", updated_at=PURGE - timedelta(days=31)),
            BotState(key="recent", document="{}", e_tag="b", updated_at=PURGE - timedelta(days=29)),
            FollowUp(key="settled-old", kind="x", subject_type="month", subject_id=1, due_at=OLD, state=DONE,
                     created_at=OLD, settled_at=OLD),
            FollowUp(key="open-old", kind="x", subject_type="month", subject_id=1, due_at=OLD, state="open",
                     created_at=OLD),
            FollowUp(key="settled-recent", kind="x", subject_type="month", subject_id=1, due_at=RECENT, state=DONE,
                     created_at=RECENT, settled_at=RECENT),
            TrailEvent(subject_type="allocation", subject_id=1, month=OLD_MONTH, action="allocated", via="test",
                       detail={}, at=utc(2020, 4, 3, 9)),
            TrailEvent(subject_type="allocation", subject_id=2, month=KEPT_MONTH, action="allocated", via="test",
                       detail={}, at=utc(2020, 5, 4, 9)),
            TrailEvent(subject_type="bot", month=None, action="bot_feedback_given", via="test", detail={},
                       at=utc(2020, 5, 30, 9)),  # no month: six years from its moment, so past
            TrailEvent(subject_type="bot", month=None, action="bot_feedback_given", via="test", detail={},
                       at=utc(2020, 6, 1, 9)),
        ])
    await seed_practice_and_broadcasts(db, people)
    await seed_supervision(db, people)
    return people


async def seed_supervision(db, people: dict[str, int]) -> None:
    """Supervision sessions, ASYE switches, exemptions and away periods either side of their boundaries."""
    mo, meg = people["Mo"], people["Meg"]
    async with db.sessions.begin() as session:
        for held_on in (SUPERVISION_OLD, SUPERVISION_KEPT):
            session.add(SupervisionSession(
                subject=f"p{meg}", supervisee_id=meg, team="Team", supervisor_id=mo, kind="one_to_one",
                held_on=held_on, duration_minutes=90, case_refs=[], state="recorded", reviewed_observation=False,
                recorded_by_id=mo, via="test", recorded_at=PRACTICE_OLD))
        session.add_all([
            AsyeSwitch(person_id=meg, four_weekly_from=SUPERVISION_OLD, recorded_by_id=mo, recorded_at=PRACTICE_OLD),
            AsyeSwitch(person_id=mo, four_weekly_from=SUPERVISION_KEPT, recorded_by_id=mo, recorded_at=PRACTICE_OLD),
            # an old exemption of a case still on the caseload stays; one of a case gone goes once old
            CaseloadCase(case_ref="CR-HELD", case_holder_id=meg, last_case_supervision_on=None,
                         first_seen_on=date(2020, 1, 6), imported_at=OLD),
            CaseExemption(case_ref="CR-HELD", recorded_by_id=mo, recorded_at=PRACTICE_OLD),
            CaseExemption(case_ref="CR-GONE", recorded_by_id=mo, recorded_at=PRACTICE_OLD),
            CaseExemption(case_ref="CR-GONE-LATELY", recorded_by_id=mo, recorded_at=PRACTICE_KEPT),
            AwayPeriod(person_id=meg, first_day=date(2026, 4, 20), last_day=AWAY_OLD_END, recorded_by_id=mo,
                       recorded_at=OLD),
            AwayPeriod(person_id=mo, first_day=date(2026, 4, 20), last_day=AWAY_KEPT_END, recorded_by_id=mo,
                       recorded_at=OLD),
            AwayPeriod(person_id=mo, first_day=date(2026, 7, 1), last_day=date(2026, 7, 10), recorded_by_id=mo,
                       recorded_at=RECENT),
        ])


def _broadcast(title: str, send_at: datetime) -> Broadcast:
    return Broadcast(title=title, message="Practice week notice", audience="everyone", send_at=send_at,
                     state="sending", created_at=send_at)


async def seed_practice_and_broadcasts(db, people: dict[str, int]) -> None:
    """Observations, feedback, walks, calendar events and broadcasts either side of their boundaries."""
    mo, meg = people["Mo"], people["Meg"]
    async with db.sessions.begin() as session:
        for label, at in (("old", PRACTICE_OLD), ("kept", PRACTICE_KEPT)):
            session.add_all([
                Observation(observer_id=mo, supervisee_id=meg, observed_on=at.date(), area="1:1 work with children",
                            went_well=label, to_develop="d", actions=["a"], created_at=at),
                FeedbackEntry(author_id=mo, source="Parent or carer", service_area="North", team="Team",
                              how_given="Conversation", said=label, created_at=at),
                FloorWalk(walker_id=mo, team=label, walked_on=at.date(), themes=["Workload"], note="", created_at=at),
            ])
        for title, start, end in (("old", date(2025, 4, 21), CALENDAR_OLD_END),
                                  ("kept", date(2025, 4, 21), CALENDAR_KEPT_END),
                                  ("coming", date(2026, 9, 7), date(2026, 9, 11))):
            session.add(CalendarEvent(kind="practice_week", starts_on=start, ends_on=end, title=title, audience="",
                                      details="", imported_at=OLD, updated_at=OLD))
        old, recent, coming = (_broadcast("old", OLD), _broadcast("recent", RECENT),
                               _broadcast("coming", PURGE + timedelta(days=30)))
        session.add_all([old, recent, coming])
        await session.flush()
        for broadcast in (old, recent, coming):
            session.add_all([BroadcastRecipient(broadcast_id=broadcast.id, person_id=person, service_area="North")
                             for person in (mo, meg)])
        session.add_all([  # a purged broadcast's follow-up goes with it, whatever its state
            FollowUp(key=f"broadcast-chaser:{old.id}", kind="broadcast-chaser", subject_type="broadcast",
                     subject_id=old.id, due_at=OLD, state="open", created_at=OLD),
            FollowUp(key=f"broadcast-chaser:{recent.id}", kind="broadcast-chaser", subject_type="broadcast",
                     subject_id=recent.id, due_at=RECENT, state="open", created_at=RECENT)])


async def _all(db, column) -> list:
    async with db.sessions() as session:
        return sorted((await session.execute(select(column))).scalars())


async def _purge_rows(db) -> list[TrailEvent]:
    async with db.sessions() as session:
        return list((await session.execute(select(TrailEvent).where(TrailEvent.subject_type == "retention"))).scalars())


async def assert_purged(db) -> None:
    assert await _all(db, OutboxMessage.idempotency_key) == ["pending-old", "sent-recent"]
    assert "old" not in await _all(db, DutyRun.occurrence)
    assert "recent" in await _all(db, DutyRun.occurrence)
    assert await _all(db, BotState.key) == ["recent"]
    assert await _all(db, Allocation.case_ref) == ["CR-KEPT-1"]
    assert await _all(db, AuditMonth.month) == [KEPT_MONTH]
    [kept_allocation] = await _all(db, Allocation.id)
    assert await _all(db, Audit.allocation_id) == [kept_allocation]
    assert await _all(db, SafeguardingConcern.allocation_id) == [kept_allocation]
    assert await _all(db, ImportedAudit.month) == [KEPT_MONTH]
    async with db.sessions() as session:
        follow_ups = {f.key: f for f in (await session.execute(select(FollowUp))).scalars()}
        assert "settled-old" not in follow_ups and {"open-old", "settled-recent"} <= follow_ups.keys()
        # the purged allocations' follow-ups went with them; the kept one's stay
        assert {f.subject_id for f in follow_ups.values() if f.subject_type == "allocation"} == {kept_allocation}
        trail = list((await session.execute(select(TrailEvent).where(TrailEvent.subject_type != "retention"))).scalars())
    assert sorted((t.month or "", t.at) for t in trail) == [("", utc(2020, 6, 1, 9)), (KEPT_MONTH, utc(2020, 5, 4, 9))]
    assert await _all(db, Observation.went_well) == ["kept"]
    assert await _all(db, FeedbackEntry.said) == ["kept"]
    assert await _all(db, FloorWalk.team) == ["kept"]
    assert await _all(db, CalendarEvent.title) == ["coming", "kept"]
    assert await _all(db, Broadcast.title) == ["coming", "recent"]
    async with db.sessions() as session:
        kept = set((await session.execute(select(Broadcast.id))).scalars())
        recipients = list((await session.execute(select(BroadcastRecipient.broadcast_id))).scalars())
        chasers = {f.subject_id for f in (await session.execute(
            select(FollowUp).where(FollowUp.subject_type == "broadcast"))).scalars()}
    assert set(recipients) == kept and len(recipients) == 4
    assert chasers < kept and len(chasers) == 1
    assert await _all(db, SupervisionSession.held_on) == [SUPERVISION_KEPT]
    assert await _all(db, AsyeSwitch.four_weekly_from) == [SUPERVISION_KEPT]
    assert await _all(db, CaseExemption.case_ref) == ["CR-GONE-LATELY", "CR-HELD"]
    assert await _all(db, CaseloadCase.case_ref) == ["CR-HELD"]  # replaced by each import, never purged
    assert await _all(db, AwayPeriod.last_day) == [AWAY_KEPT_END, date(2026, 7, 10)]


async def test_the_monthly_duty_purges_what_is_past_and_keeps_the_rest(db, services):
    await seed(db)
    duty = RetentionDuty(WorkingCalendar(), Retention(), RULES)

    result = await sweep(services, PURGE, [duty])

    assert result.ran == [("retention", "2026-06")] and not result.failed
    await assert_purged(db)
    [row] = await _purge_rows(db)
    assert (row.action, row.via, row.actor_id, row.month, row.at) == ("records_purged", "duty:retention", None, None,
                                                                        PURGE)
    assert row.detail["counts"] == {
        "outbox": {"outbox": 2}, "duty_runs": {"duty_runs": 1}, "bot_state": {"bot_state": 1, "file_previews": 0},
        # settled-old, the two purged allocations' late-notice follow-ups, the purged broadcast's chaser
        "follow_ups": {"follow_ups": 4},
        "audit_records": {"imported_audits": 1, "safeguarding_concerns": 1, "alert_responses": 0, "alerts": 0, "dip_sample_items": 0, "dip_samples": 0, "remedial_actions": 0, "remedial_plans": 0, "reaudits": 0, "escalation_updates": 0, "escalations": 0, "moderations": 0,
                          "sample_picks": 0, "sample_proposals": 0,
                          "audits": 1, "allocations": 2, "audit_events": 2, "audit_months": 1},
        "practice_records": {"observations": 1, "feedback_entries": 1, "floor_walks": 1},
        "broadcasts": {"broadcast_recipients": 2, "broadcasts": 1},
        "calendar": {"calendar_responses": 0, "calendar_events": 1},
        "supervision": {"supervision_sessions": 1, "supervision_asye_switches": 1, "supervision_exemptions": 1},
        "supervision_away": {"supervision_away": 1, "supervision_bookings": 0},
        "workforce": {"workforce_records": 0, "induction_elements": 0}, "pdp": {"pdp_plans": 0}}
    assert row.detail["days"] == dict(Retention().days)


async def test_a_second_sweep_purges_nothing_more_and_writes_no_second_row(db, services):
    await seed(db)
    duty = RetentionDuty(WorkingCalendar(), Retention(), RULES)
    await sweep(services, PURGE, [duty])

    again = await sweep(services, PURGE + timedelta(days=3), [duty])

    assert again.ran == []
    assert len(await _purge_rows(db)) == 1
    await assert_purged(db)


async def test_the_duty_is_not_due_before_the_first_working_day_at_nine(db, services):
    await seed(db)
    async with db.sessions.begin() as session:  # May's purge ran on Friday 1 May
        session.add(DutyRun(duty="retention", occurrence="2026-05", due_at=utc(2026, 5, 1, 8), ran_at=utc(2026, 5, 1, 8)))

    result = await sweep(services, PURGE - timedelta(minutes=1), [RetentionDuty(WorkingCalendar(), Retention(), RULES)])

    assert result.ran == []
    assert await _all(db, BotState.key) == ["old", "recent"]


async def test_the_registered_duty_reads_qa_retention(monkeypatch):
    monkeypatch.setenv("QA_RETENTION", "bot_state=7")
    [duty] = [d for d in registry().duties(WorkingCalendar()) if d.name == "retention"]
    assert duty.retention.days["bot_state"] == 7
    assert duty.retention.days["outbox"] == 90


async def test_purge_dry_run_counts_and_deletes_nothing_then_the_real_run_deletes(db):
    await seed(db)
    # --before 2026-06-01 is the start of that day: bot_state "old" (31 days before 09:00) is 30 days 9 hours old.
    code, out, err = await run_cli(db, "purge", "--before", "2026-06-01", "--dry-run")
    assert code == 0, err
    assert "dry run: nothing deleted" in out
    assert "  outbox: 2 " in out and "  bot_state: 1 " in out and "  follow_ups: 4 " in out
    assert "  practice_records: 3 (observations 1, feedback_entries 1, floor_walks 1) " in out
    assert "  broadcasts: 3 (broadcast_recipients 2, broadcasts 1) - broadcasts and their recipients, 400 days" in out
    assert ("  calendar: 1 (calendar_responses 0, calendar_events 1) - QA calendar events and the answers and "
            "attendance of each, 400 days after they ended") in out
    assert ("  supervision: 3 (supervision_sessions 1, supervision_asye_switches 1, supervision_exemptions 1) - "
            "supervision sessions, ASYE switches and exemptions of cases off the caseload, 2192 days after the "
            "session") in out
    assert ("  supervision_away: 1 (supervision_away 1, supervision_bookings 0) - away periods and supervision "
            "bookings, 30 days after they ended or the booked day") in out
    assert ("  audit_records: 8 (sample_picks 0, sample_proposals 0, imported_audits 1, alert_responses 0, alerts 0, dip_sample_items 0, dip_samples 0, "
            "remedial_actions 0, remedial_plans 0, reaudits 0, escalation_updates 0, escalations 0, moderations 0, "
            "safeguarding_concerns 1, audits 1, allocations 2, audit_events 2, audit_months 1)") in out
    assert await _all(db, BotState.key) == ["old", "recent"]
    assert await _purge_rows(db) == []
    async with db.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(Allocation))).scalar_one() == 3

    code, out, err = await run_cli(db, "purge", "--before", "2026-06-01")
    assert code == 0, err
    assert "deleted" in out and "dry run" not in out
    await assert_purged(db)
    [row] = await _purge_rows(db)
    assert row.via == "cli:purge" and row.detail["counts"]["audit_records"]["allocations"] == 2


async def test_purge_takes_qa_retention(db):
    await seed(db)
    code, out, err = await run_cli(db, "purge", "--before", "2026-06-01", "--dry-run",
                                   env={"QA_RETENTION": "bot_state=60"})
    assert code == 0, err
    assert "  bot_state: 0 " in out and "60 days" in out


@pytest.mark.parametrize("args, message", [
    (["--before", "4 Jan 2027"], "--before '4 Jan 2027' is not a date such as 2026-01-31"),
    (["--before", "2999-01-01"], "--before 2999-01-01 is after today"),
])
async def test_purge_refuses_a_bad_date_in_one_line(db, args, message):
    await seed(db)
    code, out, err = await run_cli(db, "purge", *args)
    assert code == 1 and err.strip().splitlines() == [err.strip()] and message in err
    assert "Traceback" not in err
    assert await _all(db, BotState.key) == ["old", "recent"]


@pytest.mark.parametrize("value, message", [
    ("outbox", "QA_RETENTION takes kind=days pairs separated by commas (e.g. outbox=90,duty_runs=400), not 'outbox'"),
    ("outbox=ninety", "QA_RETENTION: outbox must be a whole number of days, not 'ninety'"),
    ("outbox=-5", "QA_RETENTION: outbox must be a whole number of days, not '-5'"),
    ("outbox=90,emails=30", "QA_RETENTION: unknown kind 'emails'; the kinds are outbox, duty_runs, bot_state, "
                            "follow_ups, audit_records, practice_records, broadcasts, calendar, supervision, "
                            "supervision_away, workforce, pdp"),
    ("practice_records=90", "QA_RETENTION: practice_records must be at least 366 days, not 90"),
    ("duty_runs=30", "QA_RETENTION: duty_runs must be at least 60 days, not 30"),
    ("supervision=365", "QA_RETENTION: supervision must be at least 366 days, not 365"),
    ("supervision_away=0", "QA_RETENTION: supervision_away must be at least 1 day, not 0"),
    ("outbox=90,outbox=100", "QA_RETENTION: outbox is given twice"),
])
def test_bad_qa_retention_values_are_one_clear_line(value, message):
    with pytest.raises(ConfigurationError) as raised:
        config.from_env({"QA_RETENTION": value})
    assert str(raised.value) == message


@pytest.mark.parametrize("value, expected", [
    ("", {}),
    (" outbox = 120 , audit_records=2557,", {"outbox": 120, "audit_records": 2557}),
])
def test_good_qa_retention_values_override_the_defaults(value, expected):
    retention = config.from_env({"QA_RETENTION": value})
    assert dict(retention.days) == {**Retention().days, **expected}


async def test_a_bad_qa_retention_stops_the_command_with_a_configuration_error(db):
    code, out, err = await run_cli(db, "purge", "--before", "2026-06-01", env={"QA_RETENTION": "outbox=x"})
    assert code == 2 and out == ""
    assert err.strip() == "configuration error: QA_RETENTION: outbox must be a whole number of days, not 'x'"
    # the out-of-hours channel set, so the audit cycle's start-up line about it does not come first
    code, out, err = await run_cli(db, "tick", "--now", "2026-06-01T08:00:00+00:00",
                                   env={"QA_RETENTION": "x=1", "QA_OUT_OF_HOURS_CHANNEL": "19:edt@thread.tacv2"})
    assert code == 2 and err.startswith("configuration error: QA_RETENTION: unknown kind 'x'")
