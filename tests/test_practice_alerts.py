"""Practice alerts (framework section 14) through the served app on both databases: an independent
reviewing officer types `alert`, sends the form; the team's practice manager and the area's service
lead respond and resolve from the card; `tick` chases an unresolved alert after 5 working days and
brings it to the head of service and the QA unit after 10 (over Christmas and New Year)."""
from __future__ import annotations

import json
from datetime import date

import pytest

from capabilities.catalogue import registry
from capabilities.escalations import alerts, kinds
from capabilities.escalations.commands import alert_command, alerts_command
from capabilities.escalations.config import ENV, chase_days
from capabilities.registry import ConfigurationError, Said
from dialogs.alert_cards import CASE_REF, CATEGORY, DESCRIPTION, RESPONSE, TEAM, Verb
from qa.alerts import AlertError, chase_dates, check_alert
from qa.calendar import WorkingCalendar
from storage.models import Alert, AlertResponse, FollowUp, Person
from tests.support.cli import run_cli
from tests.support.escalations import set_up, shown, utc

RAISED = utc(2026, 12, 21, 10)  # Monday 21 December 2026


@pytest.fixture
async def desk(services, fake_connector, bot_client):
    return await set_up(services, fake_connector, bot_client, {})


def form(**changes) -> dict:
    values = {CASE_REF: "CR-9001", TEAM: "Team Alpha", CATEGORY: "Drift or delay",
              DESCRIPTION: "No review of the plan since the conference"}
    values.update(changes)
    return values


async def refusal(d, command, key: str, at) -> str:
    """What the use case itself answers `key` (the server's check, whatever the edge did first)."""
    async with d.db.sessions() as session:
        person = await session.get(Person, d.ids[key])
    return json.dumps((await command(Said(d.services.context, person, at))).card)


async def test_an_alert_raised_answered_chased_escalated_and_resolved(desk):
    d = desk
    card = await d.say("ira", "alert", RAISED)
    assert card["body"][0]["text"] == "Raise a practice alert"
    teams = [c["value"] for block in card["body"] if block.get("id") == TEAM for c in block["choices"]]
    assert teams == ["Team Alpha", "Team Gamma"]
    assert await d.told("sam", "alert", RAISED) == registry().commands["alert"].for_whom()
    assert "Practice alerts are raised by independent reviewing officers" in await refusal(d, alert_command, "sam",
                                                                                           RAISED)

    # Bad input and the wrong people change nothing.
    for bad, why in ((form(**{DESCRIPTION: "  "}), "Please describe the concern"),
                     (form(**{TEAM: "Team Zeta"}), "Please choose the team"),
                     (form(**{CASE_REF: ""}), "Please give the case reference"),
                     (form(**{CASE_REF: "Jane Smith"}), "The case reference contains spaces"),
                     # Identifiers are never case references, whatever their shape.
                     (form(**{CASE_REF: "SW1A1AA"}), "The case reference is a postcode"),
                     (form(**{CASE_REF: "9434765919"}), "The case reference is an NHS number"),
                     (form(**{CASE_REF: "DOB12/03/2015"}), "The case reference holds a date"),
                     (form(**{CASE_REF: "JAYDENSMITH"}), "The case reference has no digits"),
                     (form(**{DESCRIPTION: "Seen at 14 Elm Road"}), "a street address"),
                     (form(**{DESCRIPTION: "No visit since 12/03/2015"}), "If it is a date of birth, please remove it"),
                     (form(**{CATEGORY: "Gossip"}), "Please choose what the alert is about"),
                     (form(**{DESCRIPTION: "Mum's phone is 07700 900123"}), "a phone number")):
        body = await d.press("ira", Verb.RAISE, bad, "form", RAISED)
        assert why in shown(body), why
    body = await d.press("pat", Verb.RAISE, form(), "form", RAISED)
    assert "Practice alerts are raised by" in shown(body)
    assert await d.all(Alert) == []

    body = await d.press("ira", Verb.RAISE, form(), "form", RAISED)
    assert "Alert raised: case CR-9001" in shown(body) and "Sent to 2 people" in shown(body)
    [alert] = await d.all(Alert)
    assert (alert.team, alert.service_area, alert.category, alert.state) == (
        "Team Alpha", "Children in Need", "Drift or delay", "open")
    [raised] = await d.events(alerts.RAISED)
    assert raised.detail == {"category": "Drift or delay", "length": 42, "recipients": 2}
    assert await d.tick(utc(2026, 12, 21, 10, 1)) == {"pam": ["Practice alert: case CR-9001"],
                                                       "sam": ["Practice alert: case CR-9001"]}
    ids = {"alert_id": alert.id}
    pam_copy = (await d.sent(kinds.ALERT_NOTICE, "pam")).activity_id

    body = await d.press("pam", Verb.RESPOND, {**ids, RESPONSE: ""}, pam_copy, utc(2026, 12, 22, 10))
    assert "Please say what actions were agreed" in shown(body)
    body = await d.press("ann", Verb.RESPOND, {**ids, RESPONSE: "Fine"}, "x", utc(2026, 12, 22, 10))
    assert "Only the team's practice manager" in shown(body)
    body = await d.press("ira", Verb.RESOLVE, ids, "x", utc(2026, 12, 22, 10))
    assert "Only the team's practice manager" in shown(body)
    assert await d.all(AlertResponse) == []

    body = await d.press("pam", Verb.RESPOND, {**ids, RESPONSE: "Review meeting booked for next week"}, pam_copy,
                         utc(2026, 12, 22, 10))
    assert "Review meeting booked for next week" in shown(body) and "Resolved" in shown(body)
    assert await d.tick(utc(2026, 12, 22, 10, 1)) == {"ira": ["Response to your alert: case CR-9001"]}
    # Sam's copy shows the response when he looks (refresh).
    sam_copy = (await d.sent(kinds.ALERT_NOTICE, "sam")).activity_id
    refreshed = await d.press("sam", Verb.VIEW, ids, sam_copy, utc(2026, 12, 22, 11), trigger="automatic")
    assert "Review meeting booked" in shown(refreshed) and "Pam Example" in shown(refreshed)

    # Five working days on (the 25th, the weekend and the 28th are not): Wednesday 30th, chased.
    assert await d.tick(utc(2026, 12, 29, 9)) == {}
    assert await d.tick(utc(2026, 12, 30, 9)) == {"pam": ["Practice alert: case CR-9001"],
                                                   "sam": ["Practice alert: case CR-9001"]}
    listed = await d.say("quinn", "alerts", utc(2026, 12, 30, 10))
    assert "1 open, oldest first" in json.dumps(listed) and "CR-9001: Drift or delay" in json.dumps(listed)
    assert await d.told("sam", "alerts", utc(2026, 12, 30, 10)) == registry().commands["alerts"].for_whom()
    refused = await refusal(d, alerts_command, "sam", utc(2026, 12, 30, 10))
    assert "The list of open practice alerts is for the QA unit" in refused and "CR-9001" not in refused
    code, out, err = await run_cli(d.db, "alerts", "status")
    assert code == 0, err
    assert "Children in Need" in out

    # Ten working days on (New Year's Day and a weekend skipped): Thursday 7 January, to the head of service
    # and the QA unit.
    assert await d.tick(utc(2027, 1, 6, 9)) == {}
    assert await d.tick(utc(2027, 1, 7, 9)) == {"hana": ["Practice alert: case CR-9001"],
                                                 "quinn": ["Practice alert: case CR-9001"],
                                                 "qiana": ["Practice alert: case CR-9001"]}
    body = await d.press("sam", Verb.RESOLVE, ids, sam_copy, utc(2027, 1, 7, 11))
    assert "Resolved by Sam Example, Thursday 7 January 2027 at 11:00" in shown(body)
    assert await d.tick(utc(2027, 1, 7, 11, 1)) == {"ira": ["Your alert was resolved: case CR-9001"]}
    again = await d.press("pam", Verb.RESPOND, {**ids, RESPONSE: "More"}, pam_copy, utc(2027, 1, 7, 12))
    assert "Sam Example marked this alert resolved" in shown(again)
    assert [e.action for e in await d.events(alerts.RAISED, alerts.RESPONDED, alerts.CHASED, alerts.ESCALATED,
                                             alerts.RESOLVED)] == [
        alerts.RAISED, alerts.RESPONDED, alerts.CHASED, alerts.ESCALATED, alerts.RESOLVED]
    assert "No practice alerts are open." in json.dumps(await d.say("quinn", "alerts", utc(2027, 1, 7, 12)))


async def test_resolving_early_cancels_the_chasers(desk):
    d = desk
    await d.press("quinn", Verb.RAISE, form(**{CATEGORY: "Visits"}), "form", RAISED)
    [alert] = await d.all(Alert)
    await d.press("sam", Verb.RESOLVE, {"alert_id": alert.id}, "x", utc(2026, 12, 22, 10))
    assert {f.state for f in await d.all(FollowUp, FollowUp.subject_type == "alert")} == {"cancelled"}
    assert await d.tick(utc(2026, 12, 22, 10, 1)) == {"sam": ["Practice alert: case CR-9001"],
                                                       "pam": ["Practice alert: case CR-9001"],
                                                       "quinn": ["Your alert was resolved: case CR-9001"]}
    assert await d.tick(utc(2026, 12, 30, 9)) == {}
    assert await d.tick(utc(2027, 1, 7, 9)) == {}


# -- rules and settings, no database --------------------------------------------------------------------

def test_chase_dates_count_working_days():
    from zoneinfo import ZoneInfo

    cal = WorkingCalendar(tz=ZoneInfo("Europe/London"))
    dates = chase_dates(RAISED, cal)
    assert (cal.local_date(dates.chase_at), cal.local_date(dates.escalate_at)) == (date(2026, 12, 30),
                                                                                    date(2027, 1, 7))
    three = chase_dates(utc(2026, 12, 5, 10), cal, 3)  # a Saturday: Wed 9th, then Mon 14th
    assert (cal.local_date(three.chase_at), cal.local_date(three.escalate_at)) == (date(2026, 12, 9),
                                                                                    date(2026, 12, 14))
    with pytest.raises(ValueError):
        chase_dates(RAISED, cal, 0)


def test_check_alert_strips_and_refuses():
    assert check_alert(" CR-1 ", "Team A", ["Team A"], "Other", " x ") == ("CR-1", "Team A", "Other", "x")
    with pytest.raises(AlertError):
        check_alert("CR 1", "Team A", ["Team A"], "Other", "x")


def test_the_chase_setting():
    assert chase_days({}) == 5 and chase_days({ENV: " 7 "}) == 7
    for bad in ("0", "five", "-1", "61"):
        with pytest.raises(ConfigurationError, match=ENV):
            chase_days({ENV: bad})


async def test_retention_purges_alerts_past_the_audit_records_period(desk):
    from zoneinfo import ZoneInfo

    from capabilities.catalogue import registry
    from capabilities.retention.purge import delete_past
    from qa.retention import Retention
    from storage.retention import Purge

    d = desk
    await d.press("ira", Verb.RAISE, form(), "form", RAISED)
    [alert] = await d.all(Alert)
    await d.press("pam", Verb.RESPOND, {"alert_id": alert.id, RESPONSE: "Meeting booked"}, "x", RAISED)
    async with d.db.sessions.begin() as session:
        kept = await delete_past(session, Purge(Retention(), utc(2030, 1, 1), ZoneInfo("Europe/London")), registry())
    assert (kept["alerts"], kept["alert_responses"]) == (0, 0)
    async with d.db.sessions.begin() as session:
        gone = await delete_past(session, Purge(Retention(), utc(2034, 1, 1), ZoneInfo("Europe/London")), registry())
    assert (gone["alerts"], gone["alert_responses"]) == (1, 1)
    assert await d.all(Alert) == [] and await d.all(AlertResponse) == []
