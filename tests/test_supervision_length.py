"""Framework 9.1's standard, "four-weekly 1:1 meetings for one and a half hours": compliance counts the last
1:1s of at least QA_SUPERVISION_ONE_TO_ONE_MINUTES (90) apart from 1:1s in date, a 1:1 recorded without its
duration counts as "duration not recorded" (never as short), the digest says when the last 1:1 was short, and
the Practice Development Team gets the group supervision figures. Pure: boards built here, dates passed in."""
from __future__ import annotations

from datetime import date

import pytest

from capabilities.registry import ConfigurationError
from capabilities.supervision import config
from capabilities.supervision.compliance import by_area, describe, in_team, team_figures, view_for
from capabilities.supervision.plan import morning
from dialogs.supervision_cards import compliance_pairs, line_words, supervision_compliance_card
from qa.calendar import WorkingCalendar
from qa.framework import Role
from qa.supervision import (
    FULL_LENGTH,
    LENGTH_NOT_RECORDED,
    ONE_TO_ONE,
    SHORT,
    Cadences,
    SuperviseeFacts,
    one_to_one_length,
)
from storage.supervision import Board, Staff

CAL = WorkingCalendar()
JOINED = date(2026, 1, 5)


def facts(person_id: int, last: date | None, minutes: int | None) -> SuperviseeFacts:
    return SuperviseeFacts(person_id, JOINED, {ONE_TO_ONE: last} if last else {}, last_one_to_one_minutes=minutes)


def test_the_length_of_the_last_one_to_one_against_the_standard():
    assert one_to_one_length(facts(1, date(2026, 11, 2), 90)) == FULL_LENGTH
    assert one_to_one_length(facts(1, date(2026, 11, 2), 89)) == SHORT
    assert one_to_one_length(facts(1, date(2026, 11, 2), None)) == LENGTH_NOT_RECORDED
    assert one_to_one_length(facts(1, None, None)) is None  # no 1:1 on record
    assert one_to_one_length(facts(1, date(2026, 11, 2), 60), Cadences(one_to_one_minutes=60)) == FULL_LENGTH


def test_the_standard_is_a_setting_parsed_once_with_the_cadences():
    assert config.from_env({}).one_to_one_minutes == 90
    assert config.from_env({"QA_SUPERVISION_ONE_TO_ONE_MINUTES": "75"}).one_to_one_minutes == 75
    with pytest.raises(ConfigurationError, match="QA_SUPERVISION_ONE_TO_ONE_MINUTES"):
        config.from_env({"QA_SUPERVISION_ONE_TO_ONE_MINUTES": "ninety"})


def test_the_practice_development_team_setting():
    assert config.practice_development_team_from_env({}) == "Practice Development Team"
    assert config.practice_development_team_from_env({"QA_PRACTICE_DEVELOPMENT_TEAM": "  PDT  "}) == "PDT"
    assert config.practice_development_team_from_env({"QA_PRACTICE_DEVELOPMENT_TEAM": ""}) == ""
    assert in_team("practice  development team", "Practice Development Team")
    assert not in_team("Practice Development Team", "")


def board() -> Board:
    pm = Staff(10, "Pia Lee", "pia@example.org", Role.PRACTICE_MANAGER, "North 1", ("North",), None, JOINED)
    staff = {pm.id: pm}
    # Ana: 95 minutes; Ben: 60 (short); Cy: no duration recorded; Di: no 1:1 on record at all.
    rows = {1: ("Ana Diaz", date(2026, 11, 20), 95), 2: ("Ben Cole", date(2026, 11, 9), 60),
            3: ("Cy Ray", date(2026, 11, 25), None), 4: ("Di Fox", None, None)}
    for person_id, (name, _last, _minutes) in rows.items():
        staff[person_id] = Staff(person_id, name, f"p{person_id}@example.org", Role.PRACTITIONER, "North 1",
                                 ("North",), pm.id, JOINED)
    return Board(date(2026, 11, 30), staff, {i: facts(i, last, minutes) for i, (_n, last, minutes) in rows.items()},
                 {}, {})


def test_compliance_counts_full_length_apart_and_not_recorded_apart_from_short():
    [team] = team_figures(board(), 2026, 11, CAL)
    assert team.supervisees == 4
    assert team.full_length == (1, 2)  # Ana of Ana and Ben; Cy (not recorded) and Di (none) not counted
    assert team.length_not_recorded == 1
    pairs = dict(compliance_pairs(team))
    assert pairs["Last 1:1 of 90 minutes or more"] == "50% (1 of 2); 1 duration not recorded"
    [area] = by_area([team, team])
    assert area.full_length == (2, 4) and area.length_not_recorded == 2
    card = supervision_compliance_card(view_for([team], 2026, 11, "the whole service"))
    assert "Last 1:1 of 90 minutes or more" in str(card)


def test_the_group_figures_alone_for_the_practice_development_team():
    [team] = team_figures(board(), 2026, 11, CAL)
    view = view_for([team], 2026, 11, "the whole service", group_only=True)
    assert compliance_pairs(team, group_only=True) == [("Group supervision held", "no")]
    text = describe(view)
    assert text.startswith("group supervision at the end of November 2026")
    assert "1:1 in date" not in text
    card = str(supervision_compliance_card(view))
    assert "Group supervision: November 2026" in card and "1:1 in date" not in card


def test_the_digest_says_when_the_last_one_to_one_was_short():
    # Ben's last 1:1 (Monday 9 November, 60 minutes) makes his next due Monday 7 December.
    plan = morning(board(), date(2026, 12, 7), CAL)
    [digest] = plan.digests
    lines = {line.line.person_id: line_words(line) for block in digest.view.blocks for line in block.lines}
    assert lines[2].endswith("The last one, on Monday 9 November 2026, lasted 60 minutes: the standard is 90 minutes")
    assert "standard" not in lines.get(1, "") and "standard" not in lines.get(3, "")


# -- on both databases: the import, the board and the monthly figures ----------------------------------

async def test_the_import_takes_an_empty_duration_and_the_group_figures_go_to_the_practice_development_team(
        db, tmp_path):
    from sqlalchemy import select

    from capabilities.supervision.compliance import monthly_reports
    from storage.models import Person, SupervisionSession
    from storage.roster import import_roster
    from storage.supervision import import_sessions, load_board
    from tests.support.supervision import (
        ANA,
        BEN,
        PM,
        ROSTER_COLUMNS,
        SESSION_COLUMNS,
        at,
        roster_rows,
        write_csv,
    )

    pdt = {"email": "pdt@example.gov.uk", "display_name": "Dee Fern", "role": "practitioner",
           "team": "Practice Development Team", "service_area": "Children & Families", "supervisor_email": "",
           "asye_start_date": "", "registered": "yes", "aad_object_id": ""}
    await import_roster(db, write_csv(tmp_path / "roster.csv", ROSTER_COLUMNS, [*roster_rows(), pdt]),
                        at("2026-10-01T09:00"))
    history = [[ANA, PM, "one_to_one", "2026-11-10", "", ""], [BEN, PM, "one_to_one", "2026-11-20", "60", ""],
               [BEN, PM, "group", "2026-11-25", "90", ""]]
    await import_sessions(db, write_csv(tmp_path / "h.csv", SESSION_COLUMNS, history), at("2026-11-30T12:00"), CAL.tz)
    async with db.sessions() as session:
        ids = {p.email: p.id for p in (await session.execute(select(Person))).scalars()}
        minutes = {r.supervisee_id: r.duration_minutes for r in (await session.execute(
            select(SupervisionSession).where(SupervisionSession.kind == ONE_TO_ONE))).scalars()}
        board = await load_board(session, date(2026, 11, 30), CAL.tz)
        reports = dict(await monthly_reports(session, 2026, 11, CAL, Cadences(), "practice development team"))
        without = dict(await monthly_reports(session, 2026, 11, CAL, Cadences(), ""))
    assert minutes == {ids[ANA]: None, ids[BEN]: 60}
    assert one_to_one_length(board.facts[ids[ANA]]) == LENGTH_NOT_RECORDED
    assert one_to_one_length(board.facts[ids[BEN]]) == SHORT
    [north] = [t for t in reports[ids["qa@example.gov.uk"]].teams if t.team == "North 1"]
    assert (north.full_length, north.length_not_recorded) == ((0, 1), 1)
    group = reports[ids["pdt@example.gov.uk"]]
    assert group.group_only and not reports[ids["qa@example.gov.uk"]].group_only
    assert ids["pdt@example.gov.uk"] not in without
