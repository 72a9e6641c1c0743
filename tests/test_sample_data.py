"""Sample data that reads true: the `cards dump` samples and the Playground's demo council show dates
that are working days (and the right weekday), teams under their own service areas, Annex A lists by
Ofsted's numbers, case holders who are not their auditor, and figures that add up where they can be
checked. A council reading the samples reads them as its own."""
from __future__ import annotations

import csv
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from dialogs import card_tree, observation_samples, samples
from qa.calendar import WorkingCalendar
from qa.framework import GRADES

pytestmark = pytest.mark.fast
ROOT = Path(__file__).resolve().parents[1]
CAL = WorkingCalendar()  # England
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SPOKEN_DAY = re.compile(rf"\b({'|'.join(WEEKDAYS)}) (\d{{1,2}}) ({'|'.join(MONTHS)}) (\d{{4}})\b")
ISO_DAY = re.compile(r"\b(20\d\d)-(\d\d)-(\d\d)\b")
# Official Ofsted Annex A numbering (../shared/reference/annex-a.md).
ANNEX_A = {1: "Contacts", 2: "Early help", 3: "Referrals", 4: "Assessments", 5: "Section 47 enquiries",
           6: "Children in need", 7: "Child protection", 8: "Children in care", 9: "Care leavers", 10: "Adoption",
           11: "Adopters"}


def every_sample() -> dict[str, dict]:
    return samples.sample_cards()


def texts(card: dict) -> list[str]:
    """Every string a reader sees on a card: text blocks, runs, facts, input labels, button titles."""
    found = []
    for node in card_tree.nodes(card):
        for key in ("text", "title", "value", "label", "placeholder"):
            if isinstance(node.get(key), str):
                found.append(node[key])
    return found


def test_every_date_on_every_sample_card_is_a_working_day_with_its_right_weekday():
    wrong = []
    for name, card in every_sample().items():
        for line in texts(card):
            if "(out of hours)" in line or name == "safeguarding_out_of_hours_summary":
                continue  # when a concern was raised out of hours: a weekend's or bank holiday's by its nature
            for weekday, day, month, year in SPOKEN_DAY.findall(line):
                d = date(int(year), MONTHS.index(month) + 1, int(day))
                if WEEKDAYS[d.weekday()] != weekday or not CAL.is_working_day(d):
                    wrong.append((name, f"{weekday} {day} {month} {year}"))
            for year, month, day in ISO_DAY.findall(line):
                if not CAL.is_working_day(date(int(year), int(month), int(day))):
                    wrong.append((name, f"{year}-{month}-{day}"))
    assert sorted(set(wrong)) == []


def test_the_check_sees_a_weekend_and_a_wrong_weekday():
    found = SPOKEN_DAY.findall("submitted Saturday 19 December 2026, due Monday 7 January 2027")
    days = [(w, date(int(y), MONTHS.index(m) + 1, int(d))) for w, d, m, y in found]
    assert [CAL.is_working_day(d) and WEEKDAYS[d.weekday()] == w for w, d in days] == [False, False]


def facts_of(card: dict) -> list[dict[str, str]]:
    return [{f["title"]: f["value"] for f in node["facts"]} for node in card_tree.nodes(card)
            if node.get("type") == "FactSet"]


def test_teams_sit_under_their_own_service_areas_on_every_sample():
    known = {**samples._AREA_OF_TEAM, **{team: area for area, teams in observation_samples._TEAMS_OF_AREA.items()
                                         for team in teams}}
    wrong = [(name, f["Team"], f["Service area"]) for name, card in every_sample().items() for f in facts_of(card)
             if "Team" in f and "Service area" in f and known.get(f["Team"], f["Service area"]) != f["Service area"]]
    assert wrong == []
    coverage = every_sample()["observation_coverage"]
    heading, mismatched = None, []
    for node in card_tree.nodes(coverage):
        if node.get("type") == "TextBlock" and node.get("text") in observation_samples._TEAMS_OF_AREA:
            heading = node["text"]
        if node.get("type") == "FactSet":
            mismatched += [f["title"] for f in node["facts"] if f["title"] not in observation_samples._TEAMS_OF_AREA[heading]]
    assert heading is not None and mismatched == []


def test_annex_a_lists_go_by_ofsteds_numbers_and_no_auditor_holds_the_case():
    for view in samples.allocations(12):
        number, _, words = view.annex_a_list.partition(": ")
        assert ANNEX_A[int(number.removeprefix("List "))] == words, view.annex_a_list
        assert view.case_holder_name not in samples._AUDITORS
    with (ROOT / "playground" / "demo-allocations.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows
    for row in rows:
        number, _, words = row["annex_a_list"].partition(": ")
        assert ANNEX_A[int(number.removeprefix("List "))] == words, row
        assert row["auditor_email"] != row["case_holder_email"]


def test_the_demo_council_puts_each_team_under_one_service_area_and_its_dates_on_working_days():
    with (ROOT / "playground" / "demo-roster.csv").open(encoding="utf-8") as f:
        roster = list(csv.DictReader(f))
    areas: dict[str, set[str]] = {}
    for person in roster:
        if person["service_area"]:
            areas.setdefault(person["team"], set()).add(person["service_area"])
        if person["asye_start_date"]:
            assert CAL.is_working_day(date.fromisoformat(person["asye_start_date"])), person["email"]
    assert all(len(found) == 1 for found in areas.values()), areas
    with (ROOT / "playground" / "demo-allocations.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            assert areas[row["team"]] == {row["service_area"]}, row


def test_the_feedback_digest_sample_adds_up_to_its_entries():
    digest = observation_samples.feedback_digest()
    entries = len(digest.entries)
    assert entries == 30
    assert sum(digest.by_source.values()) == sum(digest.by_area.values()) == sum(digest.by_rating.values()) == entries
    assert digest.complaints + digest.compliments <= entries
    assert digest.complaints == sum(e.kind == "Complaint" for e in digest.entries)
    # A rating only where the dialog asks for one: children and families.
    assert all(e.rating is None for e in digest.entries if e.source in ("Professional or partner agency", "Staff member"))
    # Each entry reads as its kind: no complaint rated 4 of 5 or written as praise, no compliment rated 1.
    for e in digest.entries:
        assert e.rating is None or (e.rating <= 2 if e.kind == "Complaint" else e.rating >= 4
                                    if e.kind == "Compliment" else 2 <= e.rating <= 4), e
        assert ("warm and purposeful" in e.said) == (e.kind == "Compliment"), e.kind


def test_the_report_and_cycle_samples_add_up():
    view = samples.report_view()
    figure = {line.label: line for line in view.lines}
    for i in range(4):  # now, and each of the three periods before
        at = {label: line.value if i == 0 else line.previous[i - 1] for label, line in figure.items()}
        assert at["Completed"] == at["On time"] + at["Late"]
        assert at["Allocated"] == at["Completed"] + at["Not yet submitted"]
        assert sum(at[g] for g in GRADES) == at["Completed"]
    for area in view.areas:
        assert area.completed == area.on_time + area.late and area.allocated == area.completed + area.outstanding
    assert len({area.area for area in view.areas}) == len(view.areas)
    cycle = every_sample()["cycle_status"]
    shown = " ".join(texts(cycle))
    for row in re.findall(r"Allocated (\d+) · Started (\d+) · Submitted (\d+) · Overdue (\d+) · Awaiting oversight "
                          r"(\d+) · Disputed (\d+) · Complete (\d+)", shown):
        allocated, started, submitted, overdue, awaiting, disputed, complete = map(int, row)
        assert started + submitted <= allocated and overdue <= allocated - submitted
        assert awaiting + disputed + complete <= submitted


def test_the_samples_moments_are_in_order():
    # The upload is asked for after oversight is confirmed, and due after it: never a day gone.
    card = " ".join(texts(every_sample()["upload_request"]))
    assert "Thursday 7 January 2027" in card and "by Monday 11 January 2027" in card
    assert samples.UPLOAD_BY > samples.AT.date()
    view = samples.escalation_view(sent=3, more=1, closed=True)
    assert all(u.sent_at is not None and view.opened_at < u.sent_at for u in view.updates)
    assert all(view.opened_at.date() < u.due_on for u in view.updates)
    assert view.closed_at is not None and view.closed_at > max(u.sent_at for u in view.updates if u.sent_at)
    assert isinstance(view.closed_at, datetime)


def test_the_organisers_sample_lists_each_person_once_and_its_attendance_adds_up():
    from dialogs import calendar_samples

    people = calendar_samples.answers(marked=True)
    assert len({a.name for a in people}) == len(people) == 80  # nobody both coming and not
    came = sum(bool(a.attended) for a in people)
    assert calendar_samples.marked_words(people) == f"Attendance marked: {came} attended, {80 - came} did not."
    shown = texts(every_sample()["calendar_organiser"])
    assert calendar_samples.marked_words(people) in shown
    coming = [t for t in shown if t.startswith(f"{sum(a.answer == 'coming' for a in people)}: ")]
    not_coming = [t for t in shown if t.startswith(f"{sum(a.answer == 'not_coming' for a in people)}: ")]
    assert coming and not_coming
    assert not set(coming[0].split(": ", 1)[1].split(", ")) & set(not_coming[0].split(": ", 1)[1].split(", "))


def test_an_events_kind_is_not_said_twice_and_the_schedules_times_show():
    from dialogs import calendar_cards as cc

    forum = cc.EventView("learning_forum", "Learning and Improvement Forum: the child's voice", date(2027, 1, 19),
                         date(2027, 1, 19), starts_at=datetime(2027, 1, 1, 15).time())
    assert cc.event_heading(forum) == "Learning and Improvement Forum: the child's voice"
    clinic = cc.EventView("assurance_clinic", "CRH audit session", date(2027, 1, 18), date(2027, 1, 18))
    assert cc.event_heading(clinic) == "Assurance clinic: CRH audit session"
    for name in ("qa_calendar", "calendar_organiser"):
        shown = texts(every_sample()[name])
        assert not any("Forum: Learning and Improvement Forum" in t or "clinic: Assurance clinic" in t
                       for t in shown), name
    calendar = texts(every_sample()["qa_calendar"])
    assert "Tuesday 19 January 2027, 15:00 to 17:00" in calendar
    assert "Wednesday 10 February 2027, 13:30 to 16:30" in calendar


def test_a_survey_windows_sample_speaks_of_the_survey():
    shown = " ".join(texts(every_sample()["survey_reminder"]))
    assert "survey" in shown.casefold() and "Join on Teams" not in shown


def test_no_sample_says_one_audits_or_one_cases():
    wrong = re.compile(r"\b1 (audits|cases|entries|supervisees|teams|events)\b")
    found = {name: hits for name, card in every_sample().items()
             if (hits := [t for t in texts(card) if wrong.search(t)])}
    assert found == {}


def test_people_in_the_samples_have_names_not_numbers():
    # "Siobhán O’Donnell-McAllister 12" reads as a test fixture, not a colleague.
    numbered = re.compile(r"(McAllister|Richardson|Wiśniewski|Henderson|Raghunathan|Lee|Team North) \d+\b")
    found = {name: hits[:3] for name, card in every_sample().items()
             if name in ("swe_manager", "swe_compliance", "asye_cohort", "supervision_digest_asye", "practice_week_list",
                         "observations_list") and (hits := [t for t in texts(card) if numbered.search(t)])}
    assert found == {}
