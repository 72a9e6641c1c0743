"""Personal development plans and the training needs analysis, as rules (framework 9.2): the learning topics
definition and its checks (lines named), the topics a card sends, the note's screening, which plans are current,
the collation by team, service area and whole service, and the key areas graded weakest set beside the learning
most asked for."""
from __future__ import annotations

from datetime import date

import pytest

from capabilities.registry import ConfigurationError
from capabilities.workforce import topics as topic_file
from capabilities.workforce.renewals import renewal_year
from capabilities.workforce.training_needs import DEFAULT_MONTHS, last_quarter, months_setting, period_ending
from dialogs import pdp_cards
from qa import training_needs as tn
from qa.framework import KEY_AREAS

TOPICS = tn.TopicList("t", 1, (
    tn.Topic("chronologies", "Chronologies", "Priority", ("Narrative/History",)),
    tn.Topic("smart_planning", "SMART planning", "Priority", ("Planning", "Outcomes")),
    tn.Topic("supervision_skills", "Supervision skills", "", ("Supervision",)),
    tn.Topic("court_skills", "Court skills"),
))


def test_the_default_topics_load_and_cover_the_practice_framework():
    found = topic_file.load({})
    ids = [t.id for t in found.topics]
    for wanted in ("systemic_practice", "motivational_interviewing", "restorative_practice",
                   "trauma_informed_practice", "strengthening_families", "chronologies", "smart_planning",
                   "childs_voice", "supervision_skills"):
        assert wanted in ids
    assert all(set(t.key_areas) <= set(KEY_AREAS) for t in found.topics)
    assert pdp_cards.NOTE_MAX == tn.NOTE_MAX


def test_a_topics_file_with_problems_names_each_line(tmp_path):
    path = tmp_path / "topics.json"
    path.write_text('{"version": 1,\n "topics": [\n  {"id": "a_b", "label": "One"},\n'
                    '  {"id": "a_b", "label": "one", "key_areas": ["Paperwork"]},\n'
                    '  {"id": "Bad", "label": "Two", "colour": "red"}\n ]\n}\n', encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        topic_file.load({"QA_LEARNING_TOPICS_FILE": str(path)})
    message = str(caught.value)
    assert message.startswith(f"QA_LEARNING_TOPICS_FILE ({path}): the learning topics cannot be used:")
    # The schema's problems come first; the rules (ids twice, key areas) only once the schema holds.
    assert "line 5: 'Bad' must be lower case letters, digits and _, starting with a letter (at topics[2].id)" in message
    assert "line 5: 'colour' is not expected here" in message
    path.write_text('{"version": 1,\n "topics": [\n  {"id": "a_b", "label": "One"},\n'
                    '  {"id": "a_b", "label": "one", "key_areas": ["Paperwork"]}\n ]\n}\n', encoding="utf-8")
    _found, problems = topic_file.check_topics(path.read_text(encoding="utf-8"))
    assert problems == ("line 4: the topic id 'a_b' is used twice (at topics[1].id)",
                        "line 4: the label 'one' is used twice (at topics[1].label)",
                        "line 4: 'Paperwork' is not one of the audit key areas: " + ", ".join(KEY_AREAS)
                        + " (at topics[1].key_areas[0])")
    assert topic_file.check_topics("{not json")[1] == ("line 1, column 2: not valid JSON: Expecting property name "
                                                       "enclosed in double quotes",)
    with pytest.raises(ConfigurationError, match="\nmissing.json cannot be read: no such file"):
        topic_file.load({"QA_LEARNING_TOPICS_FILE": str(tmp_path / "missing.json")})


def test_the_topics_a_card_sends():
    assert tn.chosen_topics("court_skills,chronologies", TOPICS) == (["chronologies", "court_skills"], [])
    assert tn.chosen_topics(" smart_planning , gone ", TOPICS) == (["smart_planning"], ["gone"])
    assert tn.chosen_topics("", TOPICS) == ([], []) and tn.chosen_topics(None, TOPICS) == ([], [])
    assert tn.chosen_topics(["chronologies"], TOPICS) == ([], ["['chronologies']"])
    assert TOPICS.label("gone") == "gone" and TOPICS.label("court_skills") == "Court skills"


def test_the_note_is_screened_for_identifiers():
    assert tn.note_problem(None) is None and tn.note_problem("  ") is None
    assert tn.note_problem("Court report writing; more on chronologies") is None
    assert "postcode" in tn.note_problem("Visit training at SO14 7DU")
    assert "contains a date" in tn.note_problem("Refresher after 03/07/2015")
    assert "keep it to 300" in tn.note_problem("x" * 301)


def plan(pid, team, areas, on, *topics, note=None):
    return tn.Plan(pid, team, areas, on, topics, note)


def test_current_plans_are_each_persons_latest_within_twelve_months():
    today = date(2026, 10, 7)
    plans = [plan(1, "N1", ("North",), date(2025, 10, 7), "court_skills"),  # exactly twelve months: not current
             plan(2, "N1", ("North",), date(2025, 10, 8), "chronologies"),
             plan(2, "N1", ("North",), date(2026, 9, 1), "smart_planning"),
             plan(3, "S1", (), date(2026, 10, 8), "chronologies")]  # after the day: not yet
    assert [(p.person_id, p.topics) for p in tn.current_plans(plans, today)] == [(2, ("smart_planning",))]


def test_collated_by_whole_service_area_and_team():
    plans = [plan(1, "North 1", ("North",), date(2026, 5, 1), "chronologies", "smart_planning"),
             plan(2, "North 1", ("North",), date(2026, 9, 1), "smart_planning", "supervision_skills"),
             plan(3, "South 1", ("South", "North"), date(2026, 8, 1), "smart_planning"),
             plan(4, "south 2", (), date(2026, 8, 1))]
    scopes = tn.collate(plans)
    assert [(s.level, s.name, s.plans) for s in scopes] == [
        (tn.WHOLE, "Whole service", 4), (tn.AREA, "No service area", 1), (tn.AREA, "North", 3),
        (tn.AREA, "South", 1), (tn.TEAM, "North 1", 2), (tn.TEAM, "South 1", 1), (tn.TEAM, "south 2", 1)]
    assert scopes[0].ranked(TOPICS) == [("smart_planning", 3), ("chronologies", 1), ("supervision_skills", 1)]
    assert scopes[2].counts == {"chronologies": 1, "smart_planning": 3, "supervision_skills": 1}
    assert scopes[1].ranked(TOPICS) == []


def test_the_weakest_key_areas_beside_the_learning_most_asked_for():
    grades = [tn.KeyAreaGrade("Narrative/History", 8, 5), tn.KeyAreaGrade("Planning", 8, 4),
              tn.KeyAreaGrade("Supervision", 4, 2), tn.KeyAreaGrade("Outcomes", 0, 0)]
    assert [g.area for g in tn.weakest(grades)] == ["Planning", "Supervision", "Narrative/History"]
    assert grades[1].rate == 0.5 and grades[3].rate is None
    whole = tn.ScopeNeeds(tn.WHOLE, "Whole service", 3, {"smart_planning": 3, "court_skills": 1})
    rows = tn.set_beside(grades, whole, TOPICS)
    assert [(b.rank, b.grade.area if b.grade else None, b.topic, b.for_area) for b in rows] == [
        (1, "Planning", ("smart_planning", 3), (("smart_planning", 3),)),
        (2, "Supervision", ("court_skills", 1), (("supervision_skills", 0),)),
        (3, "Narrative/History", None, (("chronologies", 0),))]


def test_the_quarters_and_periods():
    assert months_setting({}) == DEFAULT_MONTHS == (3, 6, 9, 11)
    assert months_setting({"QA_TRAINING_NEEDS_MONTHS": "12, 3,6"}) == (3, 6, 12)
    with pytest.raises(ConfigurationError, match="QA_TRAINING_NEEDS_MONTHS: '13' is not a month"):
        months_setting({"QA_TRAINING_NEEDS_MONTHS": "3,13"})
    assert period_ending("2027-01") == ("2026-11", "2026-12", "2027-01")
    assert last_quarter(date(2026, 10, 7)) == ("2026-07", "2026-08", "2026-09")


def test_the_renewal_year_the_psw_sees():
    assert renewal_year(date(2027, 8, 31), ((9, 1), (11, 30))) == 2026
    assert renewal_year(date(2027, 9, 1), ((9, 1), (11, 30))) == 2027
