"""The audit form of a form defined as data, as cards (dialogs/form_cards.py): every page of every example
tool valid Adaptive Cards 1.5 within 28 KB even with every box full, pages by section with Back, Next, Save
draft and Submit, and what a page sends read back into the answers shape qa/form_answers.py checks."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from capabilities.audit_forms.definitions import check_file
from dialogs import card_tree
from dialogs import form_cards as fc
from dialogs.audit_cards import AllocationView
from qa.form_answers import ACTION, DUE, OWNER, check_answers
from qa.forms import NOT_APPLICABLE, RECOMMENDATIONS, TEXT
from tests.support.card_validator import MAX_CARD_BYTES, card_problems

EXAMPLES = sorted(Path(__file__).parents[1].joinpath("docs", "forms").glob("*.json"))
VIEW = AllocationView(allocation_id=7, case_ref="CR-1001", annex_a_list="List 6", team="Team Alpha", theme="",
                      case_holder_name="Pat Example", deadline=date(2026, 12, 28))
WELSH = "Mae\u2019r cynllun yn glir ac mae llais y plentyn i\u2019w glywed. "  # multi-byte text, as typed


def size(card: dict) -> int:
    return len(json.dumps(card, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def full_answers(form) -> dict:
    """Every question answered, every box filled to its length (multi-byte text)."""
    answers: dict = {}
    for q in form.questions():
        if q.type == TEXT:
            answers[q.id] = (WELSH * (q.max_length // len(WELSH) + 1))[:q.max_length]
        elif q.type == RECOMMENDATIONS:
            answers[q.id] = [{ACTION: (WELSH * 20)[:q.max_length], OWNER: "a" * 60 + "@council.gov.uk",
                              DUE: "2027-01-15"} for _ in range(q.rows)]
        elif q.type == "grade":
            answers[q.id] = form.scales[q.scale].levels[0]
        elif q.type in ("one_of",):
            answers[q.id] = q.options[-1]
        elif q.type == "several_of":
            answers[q.id] = list(q.options)
        elif q.type == "yes_no":
            answers[q.id] = "yes"
        elif q.type == "number":
            answers[q.id] = 3
        elif q.type == "date":
            answers[q.id] = "2026-11-30"
    return answers


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_page_is_a_valid_card_within_28_kb_even_full(path):
    form = check_file(path).form
    pages = fc.pages(form)
    assert [q.id for p in pages for q in p.questions] == [q.id for q in form.questions()]  # each once, in order
    full = full_answers(form)
    cards = [fc.form_page_card(VIEW, form, p.number, answers, errors)
             for p in pages for answers, errors in (({}, {}), (full, {q.id: "Put this right." for q in p.questions}))]
    assert all(size(c) < MAX_CARD_BYTES for c in cards), [size(c) for c in cards]
    assert card_problems(cards) == [[] for _ in cards]
    # Back from every page but the first, Next on every page but the last, Submit on the last only.
    for p in pages:
        card = fc.form_page_card(VIEW, form, p.number)
        verbs = [a["verb"] for a in card["actions"]]
        assert (fc.Verb.FORM_BACK in verbs) == (p.number > 1)
        assert (fc.Verb.FORM_NEXT in verbs) == (p.number < len(pages))
        assert (fc.Verb.FORM_SUBMIT in verbs) == (p.number == len(pages))
        assert all(a["data"] == {"allocation_id": 7, "page_id": p.number} for a in card["actions"])
        assert f"Page {p.number} of {len(pages)}" in json.dumps(card)


def test_a_section_that_could_pass_the_budget_is_split_and_small_ones_are_a_page_each():
    form = check_file(Path("docs/forms/fostering.json")).form
    titles = [p.title for p in fc.pages(form)]
    assert titles[:4] == [s.title for s in form.sections[:4]]  # the last a small one: Safeguarding
    assert titles[4:] == ["In your own words (1 of 2)", "In your own words (2 of 2)"]


def inputs_of(card: dict) -> dict[str, dict]:
    return {n["id"]: n for n in card_tree.nodes(card) if n.get("type", "").startswith("Input.")}


def test_each_type_is_its_input_and_reads_back_as_answers():
    form = check_file(Path("docs/forms/fostering.json")).form
    answers = full_answers(form)
    answers["matching"] = NOT_APPLICABLE  # allowed there
    for p in fc.pages(form):
        card = fc.form_page_card(VIEW, form, p.number, answers)
        boxes = inputs_of(card)
        # What Teams sends back: each input's value as text (several_of joined with commas).
        sent = {i: (b.get("value") if not isinstance(b.get("value"), int | float) else str(b["value"]))
                for i, b in boxes.items() if "value" in b}
        read = fc.read_page(form, p.number, sent)
        assert read == {q.id: answers.get(q.id) for q in p.questions}
        for q in p.questions:
            if q.type == "grade":
                box = boxes[fc.input_id(q.id)]
                titles = [c["title"] for c in box["choices"]]
                assert (NOT_APPLICABLE in titles) == q.not_applicable
                assert box["label"].endswith("(required)") == q.required
            if q.type == "several_of":
                assert boxes[fc.input_id(q.id)]["isMultiSelect"] is True
            if q.type == "number":
                assert boxes[fc.input_id(q.id)]["type"] == "Input.Number"
            if q.type == "date":
                assert boxes[fc.input_id(q.id)]["type"] == "Input.Date"
            if q.type == TEXT:
                assert boxes[fc.input_id(q.id)]["isMultiline"] and boxes[fc.input_id(q.id)]["maxLength"] == q.max_length
            if q.type == RECOMMENDATIONS:
                assert boxes[fc.row_input_id(q.id, q.rows, OWNER)]["style"] == "Email"
                assert boxes[fc.row_input_id(q.id, 1, DUE)]["type"] == "Input.Date"
        assert not any(b.get("isRequired") for b in boxes.values())  # Back and Save draft work on a page half done
    assert check_answers(form, answers) == {}


def test_what_a_page_sends_is_read_as_the_checks_expect():
    form = check_file(Path("docs/forms/fostering.json")).form
    [page] = [p for p in fc.pages(form) if "children_placed" in p.question_ids]
    read = fc.read_page(form, page.number, {fc.input_id("children_placed"): "2", fc.input_id("records_seen"): "",
                                            fc.input_id("unannounced_visit"): "no"})
    assert read["children_placed"] == 2 and read["unannounced_visit"] == "no"
    assert fc.read_page(form, page.number, {fc.input_id("children_placed"): "1.5"})["children_placed"] == 1.5
    assert fc.read_page(form, page.number, {fc.input_id("children_placed"): "two"})["children_placed"] == "two"
    assert "number" in check_answers(form, {"children_placed": "two"}, only=["children_placed"])["children_placed"]
    [practice] = [p for p in fc.pages(form) if "records_seen" in p.question_ids]
    records = next(q for q in form.questions() if q.id == "records_seen")
    picked = fc.read_page(form, practice.number, {fc.input_id("records_seen"): "2,0"})["records_seen"]
    assert picked == [records.options[0], records.options[2]]  # the form's order
    last = fc.pages(form)[-1]
    half = fc.read_page(form, last.number, {fc.row_input_id("recommendations", 2, ACTION): "Review the plan"})
    assert half["recommendations"] == [{ACTION: "Review the plan", OWNER: "", DUE: ""}]
    assert check_answers(form, half, only=["recommendations"], submitting=False) == {}  # a draft may be half done
    assert check_answers(form, half, only=["recommendations"]) == {
        "recommendations": "Recommendation 1: give the work email of the person who owns it."}


def test_errors_show_under_their_question_and_other_pages_are_named():
    form = check_file(Path("docs/forms/fostering.json")).form
    card = fc.form_page_card(VIEW, form, 1, {}, {"overall_grade": "Answer \u201cOverall grade\u201d."},
                             elsewhere=(5,))
    shown = json.dumps(card, ensure_ascii=False)
    assert "Please put right the 1 thing marked below." in shown
    assert "Answer \u201cOverall grade\u201d." in shown
    assert "Also to put right: page 5 (In your own words (1 of 2))." in shown
