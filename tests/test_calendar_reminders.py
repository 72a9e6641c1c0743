"""The QA calendar with times and reminders (framework 9.3's schedule, 9.4's surveys).

Rules as unit tests with dates and times passed in; then, on both databases through the real app over HTTP
and `tick`: a Learning and Improvement Forum on Monday 18 January 2027, 15:00-17:00, for practitioners,
organised by Pia Marsh, reminded on Friday 15 January at 09:00 (the working day before a Monday event) and
at 14:00 on the day; Ana says I'll be there, Ben can't make it; Pia sees who is coming and, afterwards,
marks who attended (Ana may not); a children and families survey window in February reminded to the
auditors and the principal social work team when it opens and a week before it closes."""
from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from bot.clock import fixed_clock
from bot.tick import tick
from capabilities.qa_calendar.config import from_env
from dialogs import card_tree
from dialogs.calendar_cards import Verb, attended_input, calendar_card
from qa.calendar import WorkingCalendar
from qa.qa_calendar import (
    DAY_BEFORE,
    HOUR_BEFORE,
    SURVEY_CLOSING,
    SURVEY_OPENS,
    CalendarProblems,
    due_reminders,
    event_reminders,
    parse_calendar,
    parse_time,
)
from storage.models import CalendarEvent, CalendarResponse, Person, TrailEvent
from storage.qa_calendar import CalendarRejected, attendance_of, import_calendar
from storage.roster import import_roster
from tests.support import activities as act
from tests.support.supervision import KEYS, NAMES, aad, at, write_csv, write_roster

CAL = WorkingCalendar()
HEADER = ["starts_on", "ends_on", "kind", "title", "audience", "details", "starts_at", "ends_at", "organiser"]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# -- the rules -------------------------------------------------------------------------------------

def test_an_empty_calendar_says_how_many_weeks_it_looked_at():
    card = calendar_card([], start=date(2026, 12, 7), end=date(2027, 2, 1))
    said = [n["text"] for n in card_tree.nodes(card) if n.get("type") == "TextBlock"]
    assert "Nothing on the QA calendar concerns you in these 8 weeks." in said


def test_times_are_24_hour_hh_mm():
    assert parse_time("15:00") == time(15) and parse_time("13.30") == time(13, 30)
    assert parse_time("9:05") == time(9, 5) and parse_time("16:30:00") == time(16, 30)
    for bad in ("3pm", "1500", "24:00", "15:60", "15:0", ""):
        assert parse_time(bad) is None, bad


def _rows(*rows: list[str]) -> list[dict[str, str]]:
    return [dict(zip(HEADER, r, strict=True)) for r in rows]


def test_the_calendar_file_takes_times_and_an_organiser():
    [forum, crh] = parse_calendar(_rows(
        ["2023-01-19", "2023-01-19", "learning_forum", "Learning and Improvement Forum", "", "", "15:00", "17:00",
         "PM@example.gov.uk"],
        ["2023-06-22", "2023-06-22", "assurance_clinic", "CRH audits", "", "", "13:30", "16:30", ""]),
        HEADER, {"pm@example.gov.uk"})
    assert (forum.starts_at, forum.ends_at, forum.organiser) == (time(15), time(17), "pm@example.gov.uk")
    assert (crh.starts_at, crh.ends_at, crh.organiser) == (time(13, 30), time(16, 30), "")
    # The optional columns may be left out altogether (files made before them still import).
    [old] = parse_calendar([{"starts_on": "2023-03-06", "ends_on": "2023-03-10", "kind": "practice_week",
                             "title": "Practice week", "audience": "", "details": ""}], HEADER[:6])
    assert old.starts_at is None and old.organiser == ""


def test_bad_times_and_organisers_are_named_by_row_and_column():
    with pytest.raises(CalendarProblems) as caught:
        parse_calendar(_rows(
            ["2023-01-19", "2023-01-19", "learning_forum", "A", "", "", "3pm", "", ""],
            ["2023-01-19", "2023-01-19", "learning_forum", "B", "", "", "", "17:00", ""],
            ["2023-01-19", "2023-01-19", "learning_forum", "C", "", "", "17:00", "15:00", ""],
            ["2023-01-19", "2023-01-19", "learning_forum", "D", "", "", "", "", "nobody@example.gov.uk"]),
            HEADER, {"pm@example.gov.uk"})
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (2, "starts_at"), (3, "starts_at"), (4, "ends_at"), (5, "organiser")]
    assert "is not a time as HH:MM" in str(caught.value) and "not an active person on the roster" in str(caught.value)


def test_a_monday_forum_is_reminded_on_the_friday_before_and_an_hour_before():
    [day, hour] = event_reminders("learning_forum", date(2027, 1, 18), date(2027, 1, 18), time(15), CAL)
    assert (day.key, day.at, day.until) == (DAY_BEFORE, utc("2027-01-15T09:00"), utc("2027-01-18T00:00"))
    assert (hour.key, hour.at, hour.until) == (HOUR_BEFORE, utc("2027-01-18T14:00"), utc("2027-01-18T15:00"))
    # Summer time: 15:00 London is 14:00 UTC; the working day before Tuesday 2 June 2026 is Monday 1 June.
    [day, hour] = event_reminders("practice_forum", date(2026, 6, 2), date(2026, 6, 2), time(15), CAL)
    assert day.at == utc("2026-06-01T08:00") and hour.at == utc("2026-06-02T13:00")


def test_bank_holidays_and_settings_move_the_day_before():
    # Tuesday 26 May 2026 follows the spring bank holiday: its working day before is Friday 22 May.
    [day] = event_reminders("reflective_group", date(2026, 5, 26), date(2026, 5, 26), None, CAL)
    assert day.at == utc("2026-05-22T08:00")  # no start time: no hour-before reminder
    [day, hour] = event_reminders("assurance_clinic", date(2027, 1, 20), date(2027, 1, 20), time(13, 30), CAL,
                                  working_days_before=2, minutes_before=30)
    assert day.at == utc("2027-01-18T09:00") and hour.at == utc("2027-01-20T13:00")
    assert event_reminders("thematic_audit", date(2027, 1, 20), date(2027, 1, 20), time(13, 30), CAL) == []
    assert from_env({"QA_CALENDAR_REMINDER_MINUTES": "30"}).minutes_before == 30
    with pytest.raises(Exception, match="QA_CALENDAR_REMINDER_WORKING_DAYS"):
        from_env({"QA_CALENDAR_REMINDER_WORKING_DAYS": "0"})


def test_a_survey_window_is_reminded_when_it_opens_and_a_week_before_it_closes():
    # Opens Monday 1 February 2027, closes Friday 26 February: a week before is Friday 19 February.
    [opens, closing] = event_reminders("survey", date(2027, 2, 1), date(2027, 2, 26), None, CAL)
    assert (opens.key, opens.at, opens.until) == (SURVEY_OPENS, utc("2027-02-01T09:00"), utc("2027-02-27T00:00"))
    assert (closing.key, closing.at) == (SURVEY_CLOSING, utc("2027-02-19T09:00"))
    # Opening on a Saturday: the first working day; a window shorter than a week: no second reminder.
    [opens] = event_reminders("survey", date(2027, 1, 30), date(2027, 2, 5), None, CAL)
    assert opens.at == utc("2027-02-01T09:00")


def test_each_slot_sends_what_has_come_and_is_still_of_use():
    reminders = event_reminders("learning_forum", date(2027, 1, 18), date(2027, 1, 18), time(15), CAL)

    def keys(start: str) -> list[str]:
        return [r.key for r in due_reminders(reminders, utc(start), utc(start) + (utc("2027-01-01T00:15")
                                                                                   - utc("2027-01-01T00:00")))]
    assert keys("2027-01-14T17:45") == []
    assert keys("2027-01-15T09:00") == [DAY_BEFORE]
    assert keys("2027-01-15T16:00") == [DAY_BEFORE]  # imported late on Friday: still sent (once, by its key)
    assert keys("2027-01-18T09:00") == []  # the day itself: the day-before reminder is of no use now
    assert keys("2027-01-18T14:00") == [HOUR_BEFORE]
    assert keys("2027-01-18T15:00") == []  # started


# -- through the app, on both databases ---------------------------------------------------------------

def headings(call) -> list[str]:
    return [node["text"] for node in card_tree.nodes(call.cards)
            if node.get("type") == "TextBlock" and node.get("style") == "heading"] or [call.text]


class Council:
    def __init__(self, client, fake, services) -> None:
        self.client, self.fake, self.services = client, fake, services
        self.ids: dict[str, int] = {}
        self.mark = 0

    def received(self) -> dict[str, list[list[str]]]:
        calls = self.fake.calls[self.mark:]
        self.mark = len(self.fake.calls)
        owners = {act.personal_conversation_id(k): k for k in KEYS}
        seen: dict[str, list[list[str]]] = {}
        for call in calls:
            if call.method == "POST" and "/activities" in call.path and call.status < 300:
                seen.setdefault(owners[call.conversation_id], []).append(headings(call))
        return seen

    async def tick(self, now: datetime) -> dict[str, list[list[str]]]:
        self.services.clock = fixed_clock(now)
        report = await tick(self.services, now, wait_retries=0)
        assert report.sweep.failed == []
        return self.received()

    async def post(self, activity: dict, status: int = 200) -> dict:
        resp = await self.client.post("/api/messages", json=activity)
        assert resp.status == status, await resp.text()
        return await resp.json() if resp.content_type == "application/json" else {}

    async def press(self, key: str, verb: str, data: dict, now: datetime) -> dict:
        self.services.clock = fixed_clock(now)
        activity = act.card_action(key, verb, data, service_url=self.fake.url, aad=aad(key), name=NAMES[key])
        body = await self.post(activity)
        assert body["statusCode"] == 200, body
        return body["value"]

    async def say(self, key: str, words: str, now: datetime) -> dict:
        self.services.clock = fixed_clock(now)
        await self.post(act.message(key, words, service_url=self.fake.url, aad=aad(key), name=NAMES[key]), 201)
        return self.fake.delivered(act.personal_conversation_id(key))[-1].cards[0]

    def last_text(self, key: str) -> str:
        return self.fake.delivered(act.personal_conversation_id(key))[-1].all_text()


@pytest.fixture
async def council(services, fake_connector, bot_client, tmp_path) -> Council:
    c = Council(bot_client, fake_connector, services)
    await import_roster(services.db, write_roster(tmp_path / "roster.csv"), at("2027-01-04T09:00"))
    async with services.db.sessions() as session:
        c.ids = {p.email.split("@")[0]: p.id for p in (await session.execute(select(Person))).scalars()}
    services.clock = fixed_clock(at("2027-01-04T10:00"))
    for key in KEYS:
        await c.post(act.installation_add(key, service_url=fake_connector.url, aad=aad(key), name=NAMES[key]), 201)
    c.received()
    rows = [["2027-01-18", "2027-01-18", "learning_forum", "Learning and Improvement Forum", "role=practitioner",
             "Management oversight", "15:00", "17:00", "pm@example.gov.uk"],
            ["2027-02-01", "2027-02-26", "survey", "Children and families survey 1", "", "", "", "", ""]]
    report = await import_calendar(services.db, write_csv(tmp_path / "cal.csv", HEADER, rows), at("2027-01-04T10:00"))
    assert report.added == 2
    return c


async def test_a_bad_organiser_refuses_the_file_whole(services, tmp_path):
    await import_roster(services.db, write_roster(tmp_path / "roster.csv"), at("2027-01-04T09:00"))
    rows = [["2027-01-18", "2027-01-18", "practice_forum", "Forum", "", "", "15:00", "17:00", "gone@example.gov.uk"]]
    with pytest.raises(CalendarRejected, match="row 2, column organiser"):
        await import_calendar(services.db, write_csv(tmp_path / "c.csv", HEADER, rows), at("2027-01-04T10:00"))
    async with services.db.sessions() as session:
        assert (await session.execute(select(CalendarEvent))).first() is None


async def test_forum_reminders_answers_and_attendance(council: Council):
    c = council
    async with c.services.db.sessions() as session:
        forum = (await session.execute(select(CalendarEvent).where(CalendarEvent.kind == "learning_forum"))
                 ).scalar_one()
    assert (forum.starts_at, forum.ends_at, forum.organiser_id) == (time(15), time(17), c.ids["pm"])

    # Thursday: nothing yet. Friday 09:00, the working day before the Monday forum: the practitioners.
    assert "ana" not in await c.tick(at("2027-01-14T09:00"))
    friday = await c.tick(at("2027-01-15T09:00"))
    assert friday["ana"] == [["Coming up: Learning and Improvement Forum"]]
    assert friday["ben"] == [["Coming up: Learning and Improvement Forum"]]
    assert "pm" not in friday and "lead" not in friday
    assert "Monday 18 January 2027, 15:00 to 17:00" in c.last_text("ana") and "Pia Marsh" in c.last_text("ana")
    assert "ana" not in await c.tick(at("2027-01-15T09:15"))  # once each

    # The answers, through HTTP: the card then says the answer and keeps the buttons to change it.
    card = await c.press("ana", Verb.COMING, {"event_id": forum.id}, at("2027-01-15T10:00"))
    assert "You said you'll be there." in str(card)
    card = await c.press("ben", Verb.NOT_COMING, {"event_id": forum.id}, at("2027-01-15T10:01"))
    assert "You said you can't make it." in str(card)
    card = await c.press("ben", Verb.NOT_COMING, {"event_id": forum.id}, at("2027-01-15T10:02"))  # again
    assert "You said you can't make it." in str(card)
    # Someone it is not for cannot answer.
    card = await c.press("lead", Verb.COMING, {"event_id": forum.id}, at("2027-01-15T10:03"))
    assert "not for your role" in str(card)

    # Monday 14:00, an hour before: the reminder shows the answer given.
    monday = await c.tick(at("2027-01-18T14:00"))
    assert monday["ana"] == [["Starting soon: Learning and Improvement Forum"]]
    assert "ben" not in monday  # he said he can't make it: no "starting soon"
    assert "You said you'll be there." in c.last_text("ana")

    # The organiser sees who is coming; nobody else organises it.
    organiser = await c.say("pm", "who's coming", at("2027-01-18T14:30"))
    text = str(organiser)
    assert "I'll be there" in text and "Ana Diaz" in text and "Ben Cole" in text
    assert attended_input(forum.id) in text  # it is the day: attendance can be marked
    assert "You organise no forum" in str(await c.say("ana", "who's coming", at("2027-01-18T14:31")))

    # Only the organiser (or the QA unit) marks attendance.
    refused = await c.press("ana", Verb.ATTENDANCE, {"event_id": forum.id, attended_input(forum.id): str(c.ids["ana"])},
                            at("2027-01-18T17:30"))
    assert "Only the organiser or the QA unit marks attendance" in str(refused)
    marked = await c.press("pm", Verb.ATTENDANCE, {"event_id": forum.id, attended_input(forum.id): str(c.ids["ana"])},
                           at("2027-01-18T17:30"))
    assert "Attendance marked: 1 attended, 1 did not." in str(marked)
    async with c.services.db.sessions() as session:
        rows = {r.person_id: (r.answer, r.attended, r.attendance_marked_by_id) for r in (await session.execute(
            select(CalendarResponse))).scalars()}
        assert await attendance_of(session, c.ids["ana"]) == [(date(2027, 1, 18), "learning_forum",
                                                                "Learning and Improvement Forum")]
        assert await attendance_of(session, c.ids["ben"]) == []
        trail = (await session.execute(select(TrailEvent.action, TrailEvent.actor_id).where(
            TrailEvent.subject_type == "calendar_event"))).all()
    assert rows == {c.ids["ana"]: ("coming", True, c.ids["pm"]), c.ids["ben"]: ("not_coming", False, c.ids["pm"])}
    assert ("calendar_attendance_marked", c.ids["pm"]) in trail
    # Ana sees it under `calendar` (her learning record's events); Ben, who did not come, sees none.
    mine = str(await c.say("ana", "calendar", at("2027-01-19T10:00")))
    assert "You attended 1 event in the last 12 months" in mine and "Monday 18 January 2027: Learning and Improvement" in mine
    assert "You attended" not in str(await c.say("ben", "calendar", at("2027-01-19T10:01")))
    assert ("calendar_attendance_marked", c.ids["ana"]) not in trail
    # Someone who never answered cannot be slipped in.
    bad = await c.press("pm", Verb.ATTENDANCE, {"event_id": forum.id, attended_input(forum.id): str(c.ids["lead"])},
                        at("2027-01-18T17:31"))
    assert "Choose from the people listed" in str(bad)
    # After the event, answers are closed.
    late = await c.press("ana", Verb.NOT_COMING, {"event_id": forum.id}, at("2027-01-19T10:00"))
    assert "already taken place" in str(late)

    # The answers and attendance go with their event, 400 days after it ended (before it: the purge's order).
    from capabilities.catalogue import registry
    from qa.retention import Retention
    from storage.retention import Purge, delete_past

    rules = [rule for cap in registry().capabilities for rule in cap.retention if rule.table.startswith("calendar")]
    assert [r.table for r in rules] == ["calendar_responses", "calendar_events"]
    for now, expected in ((at("2028-02-22T12:00"), {"calendar_responses": 0, "calendar_events": 0}),
                          (at("2028-02-23T12:00"), {"calendar_responses": 2, "calendar_events": 1})):
        purge = Purge(Retention(), now, CAL.tz)
        async with c.services.db.sessions.begin() as session:
            assert await delete_past(session, [(r.table, r.past(purge, r.kind)) for r in rules]) == expected


async def test_survey_windows_remind_the_auditors_and_the_principal_social_work_team(council: Council):
    c = council
    opens = await c.tick(at("2027-02-01T09:00"))
    # On the first working day the PSW's message is a digest (the ASYE cohort goes with it): any message
    # holding the reminder counts.
    reminded = {k for k, messages in opens.items() if any("Survey window open" in m for m in messages)}
    # Auditors (practice manager, service lead, head of service, QA unit, PSW) and the PSW's team.
    assert reminded == {"pm", "lead", "hos", "qa", "psw"}
    assert "ana" not in opens
    assert not any("Survey window open" in m for messages in (await c.tick(at("2027-02-02T09:00"))).values()
                   for m in messages)
    closing = await c.tick(at("2027-02-19T09:00"))
    assert {k for k, messages in closing.items()
            if any("Survey window closes Friday 26 February 2027" in m for m in messages)} == reminded
