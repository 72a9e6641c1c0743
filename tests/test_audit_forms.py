"""Audit forms as data (framework sections 5, 9.3, 23): definitions checked against the schema and the
framework's rules with the line of each problem, the folder in use, the `forms` CLI, and the default
definition asking exactly what the bot's fixed audit form asks."""
from __future__ import annotations

import json
import shutil
from datetime import date

import pytest

from capabilities.audit_cycle.form import validate_form
from capabilities.audit_forms import config
from capabilities.audit_forms.definitions import SCHEMA_FILE, FormsError, check_file, check_text, load_folder
from capabilities.registry import ConfigurationError
from dialogs import audit_cards as cards
from dialogs.audit_cards import AllocationView, audit_form_card
from qa.definition_files import positions
from qa.forms import DEFAULT_FORM_NAME, GRADE, KINDS, QUESTION_TYPES, TEXT, YES_NO, FormRef, in_use_problems, problems
from qa.framework import GRADES, KEY_AREAS
from tests.support.subprocesses import ROOT

DEFAULT_FILE = config.DEFAULT_DIR / "default.json"
VERSION, VERSION_2, STRENGTHS_ID = '"version"', '"version": 2', '"id": "strengths"'
EXAMPLES = sorted((ROOT / "docs" / "forms").glob("*.json"))


def default_text() -> str:
    return DEFAULT_FILE.read_text(encoding="utf-8")


def line_of(text: str, fragment: str) -> int:
    """The line (from 1) of the first line holding `fragment`."""
    return next(n for n, line in enumerate(text.splitlines(), start=1) if fragment in line)


# ---------------------------------------------------------------- good definitions


def test_the_default_definition_and_three_service_area_tools_are_sound():
    assert [p.name for p in EXAMPLES] == ["adoption.json", "fostering.json", "inclusion.json"]
    for path in (DEFAULT_FILE, *EXAMPLES):
        checked = check_file(path)
        assert checked.problems == (), path
        form = checked.form
        assert form.version == 1 and form.kind == "case"
        assert all(q.key_area in (None, *KEY_AREAS) for q in form.questions())
    examples = [check_file(p).form for p in EXAMPLES]
    assert {f.service_areas for f in examples} == {("Adoption",), ("Fostering",), ("Inclusion Team",)}
    # Each covers every type a form may ask, "not applicable" and the narrative at the end between them.
    types = {q.type for f in examples for q in f.questions()}
    assert types == {"grade", "yes_no", "one_of", "several_of", "number", "date", "text", "recommendations"}
    assert all(any(q.not_applicable for q in f.questions()) for f in examples)
    assert all(f.sections[-1].narrative and {q.id for q in f.sections[-1].questions} >=
               {"working_well", "needs_to_improve", "lived_experience", "recommendations"} for f in examples)
    # Every key area is informed by some question in each tool.
    assert all({q.key_area for q in f.questions()} >= set(KEY_AREAS) - {"Supervision"} for f in examples)


# ---------------------------------------------------------------- bad definitions, with the line


def test_not_json_names_the_line_and_column():
    text = default_text().replace('"version": 1,', '"version": 1,,')
    (problem,) = check_text(text).problems
    assert problem.startswith(f"line {line_of(text, VERSION)}, column ") and "not valid JSON" in problem


def test_a_file_that_cannot_be_read_says_why_in_words(tmp_path):
    # The CLI and start-up put the file's name before each problem: the problem does not repeat it.
    from capabilities.workforce.induction_file import check_file as check_plan

    for check in (check_file, check_plan):
        assert check(tmp_path / "ours.json").problems == ("cannot be read: no such file",)
        assert check(tmp_path).problems == ("cannot be read: it is a folder",)
        (tmp_path / "latin1.json").write_bytes("{\"title\": \"Caf\xe9\"}".encode("latin-1"))
        assert check(tmp_path / "latin1.json").problems == ("cannot be read: it is not UTF-8 text",)


def test_schema_errors_name_the_line_and_what_is_wrong():
    text = (default_text()
            .replace('"type": "yes_no"', '"type": "yesno"', 1)
            .replace('"max_length": 2000,', '"max_length": 2000,\n          "colour": "red",'))
    checked = check_text(text)
    assert checked.form is None
    assert checked.problems == (
        f"line {line_of(text, 'yesno')}: 'yesno' is not one of 'grade', 'yes_no', 'one_of', 'several_of', 'number', "
        "'date', 'text', 'recommendations' (at sections[3].questions[0].type)",
        f"line {line_of(text, 'colour')}: 'colour' is not expected here; allowed: help, id, key_area, label, "
        "max_length, required, required_when, type (at sections[4].questions[1].colour)",
    )


@pytest.mark.parametrize(("change", "said"), [
    (('"version": 1', '"version": 0'), "0 is less than the minimum of 1"),
    (('"kind": "case"', '"kind": "casework"'), "'casework' is not one of 'case', 'supervision', 'partnership', 'crh'"),
    (('"name": "default"', '"name": "Default Form"'), "'Default Form' must be lower case letters, digits, - and _"),
    (('"max_length": 4000', '"max_length": 90000'), "90000 is greater than the maximum of 8000"),
    (('"scale": "ofsted",', '"scale": "ofsted", "options": ["a", "b"],'), "'options' is not expected here"),
    (('"key_area": null', '"key_area": 7'), "7 is not of type 'string', 'null'"),
])
def test_each_shape_problem_is_named(change, said):
    text = default_text().replace(*change, 1)
    problems_ = check_text(text).problems
    assert len(problems_) == 1 and said in problems_[0], problems_
    assert problems_[0].startswith(f"line {line_of(text, change[1])}: ")


def test_a_question_without_its_key_area_is_refused_at_the_question():
    text = default_text().replace('"label": "Strengths",\n          "key_area": null', '"label": "Strengths"', 1)
    (problem,) = check_text(text).problems
    assert "'key_area' is a required property" in problem and "(at sections[2].questions[0])" in problem
    assert problem.startswith(f"line {line_of(text, STRENGTHS_ID) - 1}: ")  # the question's brace


@pytest.mark.parametrize(("change", "said", "at"), [
    (('"key_area": "Planning"', '"key_area": "Plans"'), "'Plans' is not a key area", "Plans"),
    (('"id": "strengths"', '"id": "improvements"'), "question id 'improvements' is used twice", '"improvements"'),
    (('"id": "discussion"', '"id": "safeguarding"'), "section id 'safeguarding' is used twice", '"id": "safeguarding"'),
    (('"scale": "ofsted"', '"scale": "ofsted4"'), "scale 'ofsted4' is not one of the form's scales (ofsted)", "ofsted4"),
    (('"Requires Improvement",', '"Good",'), "scale 'ofsted' names a level twice", '"ofsted": ['),
    (('"Inadequate"', '"Not applicable"'), "allow it on the question instead", '"ofsted": ['),
    (('"required_when": "safeguarding_concern"', '"required_when": "strengths"'),
     "required_when must name another yes/no question of this form, not 'strengths'", '"required_when"'),
])
def test_each_rule_problem_is_named_at_its_line(change, said, at):
    text = default_text().replace(*change, 1)
    problems_ = check_text(text).problems
    assert len(problems_) == 1 and said in problems_[0], problems_
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if at in line]
    assert int(problems_[0].split(":")[0].removeprefix("line ")) in lines


def test_narrative_sections_come_last_and_hold_free_text_only():
    data = json.loads((ROOT / "docs" / "forms" / "fostering.json").read_text(encoding="utf-8"))
    data["sections"].insert(1, data["sections"].pop())  # the narrative moved second
    said = [p.message for p in problems(data)]
    assert said == [f"section {s!r} comes after a narrative section: narrative sections go at the end of the form"
                    for s in ("household", "practice", "safeguarding")]
    data["sections"].append(data["sections"].pop(1))
    data["sections"][-1]["questions"].append({"id": "rating", "type": "yes_no", "label": "Rated", "key_area": None})
    assert [p.path for p in problems(data)] == [("sections", len(data["sections"]) - 1, "questions", 4, "type")]
    assert problems(data)[0].message == ("question 'rating' is in a narrative section, which holds free text and "
                                         "recommendations only")


def test_a_number_and_options_are_checked():
    data = json.loads((ROOT / "docs" / "forms" / "inclusion.json").read_text(encoding="utf-8"))
    attendance, provision = data["sections"][1]["questions"][:2]
    attendance["minimum"], attendance["maximum"] = 100, 0
    provision["options"].append("mainstream school")
    assert [p.message for p in problems(data)] == [
        "question 'attendance_percent': the minimum is above the maximum",
        "question 'provision' lists an option twice"]


def test_a_key_twice_in_one_object_is_named():
    text = default_text().replace('"version": 1,', '"version": 1,\n  "version": 2,', 1)
    (problem,) = check_text(text).problems
    assert problem == f"line {line_of(text, VERSION_2)}: the key 'version' appears twice in one object"


def test_the_schema_and_the_rules_name_the_same_kinds_and_question_types():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert tuple(schema["properties"]["kind"]["enum"]) == KINDS
    assert tuple(schema["$defs"]["question"]["properties"]["type"]["enum"]) == QUESTION_TYPES
    attendance = check_file(ROOT / "docs" / "forms" / "inclusion.json").form.sections[1].questions[0]
    assert (attendance.type, attendance.minimum, attendance.maximum) == ("number", 0, 100)


def test_positions_give_each_value_its_line():
    lines, duplicates = positions('{\n "a": [1,\n  {"b": "x"}],\n "c": null}')
    assert lines[("a",)] == 2 and lines[("a", 1)] == 3 and lines[("a", 1, "b")] == 3 and lines[("c",)] == 4
    assert duplicates == []


# ---------------------------------------------------------------- the folder in use


def test_the_folder_in_use_defaults_to_the_repositorys_and_may_be_named(tmp_path):
    assert config.forms_dir({}) == config.DEFAULT_DIR
    assert [f.ref for f in config.load({})] == [FormRef("default", 1), FormRef("supervision", 1)]
    shutil.copy(DEFAULT_FILE, tmp_path / "default.json")
    for example in EXAMPLES:
        shutil.copy(example, tmp_path / example.name)
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "half.json").write_text("{", encoding="utf-8")  # sub-folders are not read
    forms = config.load({"QA_FORMS_DIR": str(tmp_path)})
    assert [f.name for f in forms] == ["adoption", "default", "fostering", "inclusion"]


def test_a_folder_with_a_problem_is_refused_naming_the_file_and_line(tmp_path):
    (tmp_path / "default.json").write_text(default_text().replace('"kind": "case"', '"kind": "cases"'), encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        config.load({"QA_FORMS_DIR": str(tmp_path)})
    assert "QA_FORMS_DIR" in str(caught.value) and "default.json line 5: 'cases' is not one of" in str(caught.value)
    with pytest.raises(FormsError, match="is not a folder"):
        load_folder(tmp_path / "missing")


def test_a_folder_needs_its_default_form_and_one_version_of_each(tmp_path):
    shutil.copy(EXAMPLES[0], tmp_path / "a.json")
    shutil.copy(EXAMPLES[0], tmp_path / "b.json")
    with pytest.raises(FormsError) as caught:
        load_folder(tmp_path)
    assert caught.value.problems == (
        f"{tmp_path}: the form 'adoption' is defined twice: keep one version of it in the folder",
        f"{tmp_path}: no case audit form named 'default': it is the one used when no other fits")
    assert in_use_problems([check_file(DEFAULT_FILE).form]) == []


# ---------------------------------------------------------------- the default form is the fixed form


def test_the_default_definition_asks_exactly_what_the_audit_form_asks():
    form = check_file(DEFAULT_FILE).form
    assert form.name == DEFAULT_FORM_NAME and form.ref == FormRef()
    questions = form.questions()
    # The same inputs, in the card's order.
    assert tuple(q.id for q in questions) == cards.FORM_INPUT_IDS
    # The same labels, options and limits as the card shows.
    card = audit_form_card(AllocationView(allocation_id=1, case_ref="CR-1", annex_a_list="List 1", team="T", theme="",
                                          case_holder_name="Pat Example", deadline=date(2026, 12, 31)))
    inputs = {e["id"]: e for e in _inputs(card)}
    for q in questions:
        shown = inputs[q.id]
        assert shown["label"] == q.label
        if q.type == GRADE:
            assert [c["value"] for c in shown["choices"]] == list(form.scales[q.scale].levels) == list(GRADES)
            assert not q.not_applicable
        elif q.type == TEXT:
            assert shown["maxLength"] == q.max_length
        else:
            assert q.type == YES_NO and shown["type"] == "Input.Toggle" and shown["title"] == q.help
    # Each key area informed by its own question, and the grade by none.
    assert {q.key_area: q.id for q in questions if q.key_area} == {a: cards.key_area_input_id(a) for a in KEY_AREAS}
    # Required as the server requires: what an empty submission is refused for.
    required = {q.id for q in questions if q.required}
    assert set(validate_form({}, {})) == required
    when = {q.id: q.required_when for q in questions if q.required_when}
    assert when == {cards.SAFEGUARDING_DESCRIPTION: cards.SAFEGUARDING_CONCERN}
    assert cards.SAFEGUARDING_DESCRIPTION in validate_form({cards.SAFEGUARDING_CONCERN: True}, {})
    # The section headings the card shows, in order.
    headings = [e["text"] for e in card["body"] if e.get("type") == "TextBlock" and e.get("text") in
                {s.title for s in form.sections}]
    assert headings == [s.title for s in form.sections]


def _inputs(element):
    if isinstance(element, dict):
        if str(element.get("type", "")).startswith("Input."):
            yield element
        for value in element.values():
            yield from _inputs(value)
    elif isinstance(element, list):
        for value in element:
            yield from _inputs(value)
