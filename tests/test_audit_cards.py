"""The audit cycle's cards, as data: structure, ids-only action data, privacy, dates, the form."""
from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from datetime import date, datetime, timezone
from typing import Any

import pytest

from dialogs import audit_cards as ac
from dialogs import card_kit, card_tree, samples
from dialogs import case_holder_cards as ch

UTC = timezone.utc
SAMPLES = list(samples.audit_card_samples().items())


def nodes(node: Any) -> Iterator[dict[str, Any]]:
    """Every object in a card, action data excluded (it is checked on its own)."""
    return card_tree.nodes(node, lambda _node, key: key == "data")


def of_type(card: dict, prefix: str) -> list[dict[str, Any]]:
    return [n for n in nodes(card) if str(n.get("type", "")).startswith(prefix)]


def executes(card: dict) -> list[dict[str, Any]]:
    return of_type(card, "Action.Execute")


def texts(card: dict) -> list[str]:
    """What a reader sees: TextBlock/TextRun text, facts, toggle titles, labels, button titles."""
    out: list[str] = []
    for n in nodes(card):
        for key in ("text", "title", "value", "label", "placeholder"):
            if isinstance(n.get(key), str) and n.get("type") not in ("Input.Text",):
                out.append(n[key])
    return out


def all_text(card: dict) -> str:
    return "\n".join(texts(card))


def by_id(card: dict, input_id: str) -> dict[str, Any]:
    found = [n for n in nodes(card) if n.get("id") == input_id]
    assert len(found) == 1, f"{input_id}: {len(found)} found"
    return found[0]


# --- dates ---

def test_format_day_writes_the_date_out() -> None:
    assert card_kit.format_day(date(2026, 12, 24)) == "Thursday 24 December 2026"
    assert card_kit.format_day(date(2027, 1, 7)) == "Thursday 7 January 2027"
    with pytest.raises(TypeError):
        card_kit.format_day(datetime(2027, 1, 7, tzinfo=UTC))


def test_format_moment_uses_the_given_zone() -> None:
    assert card_kit.format_moment(datetime(2027, 1, 7, 10, 12, tzinfo=UTC), samples.LONDON) == \
        "Thursday 7 January 2027 at 10:12"
    # British Summer Time: 08:30 UTC is 09:30 in London.
    assert card_kit.format_moment(datetime(2026, 6, 1, 8, 30, tzinfo=UTC), samples.LONDON) == \
        "Monday 1 June 2026 at 09:30"
    with pytest.raises(ValueError):
        card_kit.format_moment(datetime(2027, 1, 7, 10, 12), samples.LONDON)


def test_format_month_and_excerpt() -> None:
    assert card_kit.format_month("2026-12") == "December 2026"
    for bad in ("2026-13", "26-12", "2026-1", 202612):
        with pytest.raises(ValueError):
            card_kit.format_month(bad)
    cut = card_kit.excerpt("word " * 200, 100)
    assert len(cut) <= 100 and cut.endswith("…")
    assert card_kit.excerpt("  short  ", 100) == "short"


@pytest.mark.parametrize("name,card", SAMPLES, ids=[n for n, _ in SAMPLES])
def test_no_card_shows_an_iso_date(name: str, card: dict) -> None:
    shown = all_text(card)
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", shown), name
    assert not re.search(r"\d{2}:\d{2}:\d{2}", shown), name


# --- every card ---

@pytest.mark.parametrize("name,card", SAMPLES, ids=[n for n, _ in SAMPLES])
def test_envelope_and_json(name: str, card: dict) -> None:
    assert card["type"] == "AdaptiveCard"
    assert card["$schema"] == card_kit.SCHEMA_URL
    assert card["version"] == "1.5"
    assert json.loads(json.dumps(card)) == card  # plain JSON: no dates, dataclasses or enums left inside


@pytest.mark.parametrize("name,card", SAMPLES, ids=[n for n, _ in SAMPLES])
def test_actions_are_execute_with_ids_only(name: str, card: dict) -> None:
    for action in of_type(card, "Action."):
        assert action["type"] in ("Action.Execute", "Action.ShowCard"), name
    for action in executes(card):
        assert action["verb"] in ac.Verb.ALL | ch.Verb.ALL  # the conversation buttons: dialogs/case_holder_cards.py
        assert action["data"], f"{name}: {action['title']} carries no id"
        # page_id: the whole audit's pages; declined_by_id: Reallocate on a decline notice (who declined)
        assert set(action["data"]) <= {"allocation_id", "audit_id", "month", "page_id", "declined_by_id"}
        for key, value in action["data"].items():
            if key == "month":
                assert re.fullmatch(r"\d{4}-\d{2}", value)
            else:
                assert type(value) is int


@pytest.mark.parametrize("name,card", SAMPLES, ids=[n for n, _ in SAMPLES])
def test_input_ids_are_unique_and_labelled(name: str, card: dict) -> None:
    inputs = of_type(card, "Input.")
    ids = [i["id"] for i in inputs]
    assert len(ids) == len(set(ids)), name
    for box in inputs:
        assert box.get("label"), f"{name}: {box['id']} has no label"
        if box.get("isRequired"):
            assert box.get("errorMessage")


def test_action_data_refuses_anything_but_ids() -> None:
    for bad in ({"child_name": "x"}, {"case_ref": "CD-1"}, {"audit_id": "12"}, {"audit_id": True},
                {"allocation_id": 0}, {"month": "2026-13"}):
        with pytest.raises(ValueError):
            card_kit.execute("Go", ac.Verb.AUDIT_START, bad)


def test_views_carry_no_child_identifying_fields() -> None:
    views = (ac.AllocationView, ac.AuditSummary, ac.OversightItem, ac.DisputeView, ac.SafeguardingAlert,
             ac.DeclineView, ac.ServiceAreaStatus)
    forbidden = re.compile(r"child|birth|dob|address|postcode|forename|surname|nhs", re.I)
    for view in views:
        for f in dataclasses.fields(view):
            assert not forbidden.search(f.name), f"{view.__name__}.{f.name}"
    for input_id in ac.FORM_INPUT_IDS + (ac.OVERSIGHT_COMMENT, ac.DISPUTE_REASON, ac.RESOLUTION):
        assert not forbidden.search(input_id)


def test_names_and_teams_never_reach_action_data() -> None:
    """What a card shows stays on the card: the invoke carries ids the server resolves again."""
    for name, card in SAMPLES:
        for action in executes(card):
            for value in action["data"].values():
                assert not isinstance(value, str) or re.fullmatch(r"\d{4}-\d{2}", value), name


# --- 1. allocation notice ---

def test_allocation_notice_lists_each_case_with_its_buttons() -> None:
    allocations = samples.allocations(6)
    card = ac.allocation_notice_card("Sam Lee", "December 2026", allocations)
    shown = all_text(card)
    assert "December 2026" in shown and "Sam Lee" in shown
    assert shown.count("Thursday 24 December 2026") >= len(allocations)
    for a in allocations:
        for value in (a.case_ref, a.annex_a_list, a.team, a.theme, a.case_holder_name):
            assert value in shown
    starts = [x for x in executes(card) if x["verb"] == ac.Verb.AUDIT_START]
    assert [x["data"] for x in starts] == [{"allocation_id": a.allocation_id} for a in allocations]
    assert all(x["associatedInputs"] == "none" for x in starts)  # other cases' reason boxes stay out

    declines = [x for x in of_type(card, "Action.ShowCard") if x["title"] == "I can't do this audit"]
    assert len(declines) == len(allocations)
    for a, decline in zip(allocations, declines, strict=True):
        reason = by_id(decline["card"], ac.decline_reason_input_id(a.allocation_id))
        assert reason["isRequired"] is True and reason["maxLength"] == ac.DECLINE_REASON_MAX
        (send,) = executes(decline["card"])
        assert send["verb"] == ac.Verb.ALLOCATION_DECLINE
        assert send["data"] == {"allocation_id": a.allocation_id}
        assert send["associatedInputs"] == "auto"


def test_allocation_notice_says_when_in_the_right_number() -> None:
    six = samples.allocations(6)
    assert "Please complete the audits by Thursday 24 December 2026." in all_text(
        ac.allocation_notice_card("Sam Lee", "December 2026", six))
    assert "Please complete the audit by Thursday 24 December 2026." in all_text(
        ac.allocation_notice_card("Sam Lee", "December 2026", six[:1]))
    # A case with a later day of its own (allocated late) is not said to be due by the first.
    later = [six[0], dataclasses.replace(six[1], deadline=date(2027, 1, 4))]
    shown = all_text(ac.allocation_notice_card("Sam Lee", "December 2026", later))
    assert "Please complete each audit by the deadline shown with it (the first is Thursday 24 December 2026)." in shown
    assert "Monday 4 January 2027" in shown


def test_allocation_notice_needs_a_case() -> None:
    with pytest.raises(ValueError):
        ac.allocation_notice_card("Sam Lee", "December 2026", [])


def test_started_allocations_say_continue() -> None:
    fresh, started = samples.allocations(2)
    card = ac.my_audits_card([fresh, started])
    titles = {x["data"]["allocation_id"]: x["title"] for x in executes(card)}
    assert titles == {fresh.allocation_id: "Start audit", started.allocation_id: "Continue audit"}
    assert executes(ac.my_audits_card([])) == []


# --- 2. reminders and overdue ---

@pytest.mark.parametrize("label,words", [("7 days", "in 7 days"), ("7-days", "in 7 days"),
                                         ("2 working days", "in 2 working days"), ("today", "today"),
                                         ("deadline-day", "today")])
def test_auditor_reminder_says_when(label: str, words: str) -> None:
    allocations = samples.allocations(2)
    card = ac.auditor_reminder_card(label, allocations)
    assert card["body"][0]["text"] == f"Audits due {words}"
    assert [x["data"]["allocation_id"] for x in executes(card)] == [a.allocation_id for a in allocations]


def test_reminder_labels_are_checked() -> None:
    with pytest.raises(ValueError):
        ac.auditor_reminder_card("tomorrow", samples.allocations(1))
    with pytest.raises(ValueError):
        ac.oversight_reminder_card("Sam Lee", "7 days", samples.oversight_items(1), samples.OVERSIGHT_DUE)


def test_supervisor_overdue_names_auditor_and_cases_without_buttons() -> None:
    allocations = samples.allocations(3)
    card = ac.supervisor_overdue_card("Priya Raghunathan", "Krzysztof Wiśniewski", allocations)
    shown = all_text(card)
    assert "Priya Raghunathan" in shown and "Krzysztof Wiśniewski" in shown
    assert all(a.case_ref in shown for a in allocations)
    assert of_type(card, "Action.") == []


def test_audit_overdue_lets_the_auditor_carry_on() -> None:
    allocations = samples.allocations(2)
    card = ac.audit_overdue_card(allocations)
    assert any(n.get("color") == "Attention" for n in nodes(card))
    assert {x["verb"] for x in executes(card)} == {ac.Verb.AUDIT_START}


# --- 3. the audit form ---

def test_empty_form_has_every_field() -> None:
    allocation = samples.allocations(1)[0]
    card = ac.audit_form_card(allocation)
    inputs = {i["id"]: i for i in of_type(card, "Input.")}
    assert set(inputs) == set(ac.FORM_INPUT_IDS)
    assert [c["value"] for c in inputs[ac.OVERALL_GRADE]["choices"]] == list(ac.GRADES)
    for area in ac.KEY_AREAS:
        box = inputs[ac.key_area_input_id(area)]
        assert box["type"] == "Input.ChoiceSet" and box["label"] == area
        assert [c["value"] for c in box["choices"]] == list(ac.GRADES)
        assert "value" not in box
    for input_id, limit in ((ac.STRENGTHS, ac.STRENGTHS_MAX), (ac.IMPROVEMENTS, ac.IMPROVEMENTS_MAX),
                            (ac.SAFEGUARDING_DESCRIPTION, ac.SAFEGUARDING_MAX)):
        assert inputs[input_id]["isMultiline"] is True and inputs[input_id]["maxLength"] == limit
    for input_id in (ac.DISCUSSION_HELD, ac.SEEK_FAMILY_VIEWS, ac.SAFEGUARDING_CONCERN):
        assert inputs[input_id]["type"] == "Input.Toggle" and inputs[input_id]["value"] == "false"
    # Drafts may be partial: the server, not the client, says what is missing on submit.
    assert not any(i.get("isRequired") for i in inputs.values())
    assert ac.PRIVACY_HINT in all_text(card)
    assert "Thursday 24 December 2026" in all_text(card)
    assert not any(n.get("color") == "Attention" for n in nodes(card))
    verbs = [(x["title"], x["verb"], x["data"], x["associatedInputs"]) for x in executes(card)]
    ids = {"allocation_id": allocation.allocation_id}
    assert verbs == [("Save draft", ac.Verb.AUDIT_SAVE_DRAFT, ids, "auto"),
                     ("Submit audit", ac.Verb.AUDIT_SUBMIT, ids, "auto")]


def test_form_is_prefilled_from_a_draft() -> None:
    draft = samples.full_draft()
    draft[ac.SEEK_FAMILY_VIEWS] = False
    card = ac.audit_form_card(samples.allocations(1)[0], draft)
    assert by_id(card, ac.OVERALL_GRADE)["value"] == draft[ac.OVERALL_GRADE]
    for area, grade in draft["key_areas"].items():
        assert by_id(card, ac.key_area_input_id(area))["value"] == grade
    for key in (ac.STRENGTHS, ac.IMPROVEMENTS, ac.SAFEGUARDING_DESCRIPTION):
        assert by_id(card, key)["value"] == draft[key]
    assert by_id(card, ac.DISCUSSION_HELD)["value"] == "true"
    assert by_id(card, ac.SEEK_FAMILY_VIEWS)["value"] == "false"
    assert by_id(card, ac.SAFEGUARDING_CONCERN)["value"] == "true"


def test_form_ignores_a_grade_it_does_not_offer() -> None:
    card = ac.audit_form_card(samples.allocations(1)[0], {ac.OVERALL_GRADE: "Excellent"})
    assert "value" not in by_id(card, ac.OVERALL_GRADE)


def test_form_shows_each_error_under_its_field() -> None:
    area_id = ac.key_area_input_id("Planning")
    errors = {ac.OVERALL_GRADE: "Please choose an overall grade.", area_id: "Please grade Planning.",
              ac.SAFEGUARDING_DESCRIPTION: "Please describe the concern.", "deadline": "This month has closed."}
    card = ac.audit_form_card(samples.allocations(1)[0], samples.full_draft(), errors)
    body = card["body"]
    for input_id in (ac.OVERALL_GRADE, area_id, ac.SAFEGUARDING_DESCRIPTION):
        at = next(i for i, b in enumerate(body) if b.get("id") == input_id)
        assert body[at + 1]["text"] == errors[input_id]
        assert body[at + 1]["color"] == "Attention"
    top = [b["text"] for b in body[:6] if b.get("color") == "Attention"]
    assert top == ["Please put right the 4 things marked below.", "This month has closed."]


def test_read_audit_form_round_trips_through_the_card() -> None:
    inputs = {ac.OVERALL_GRADE: "Good", ac.key_area_input_id("Outcomes"): "Outstanding",
              ac.key_area_input_id("Planning"): "", ac.STRENGTHS: "  Clear plan  ",
              ac.DISCUSSION_HELD: "true", ac.SEEK_FAMILY_VIEWS: "false"}
    draft = ac.read_audit_form(inputs)
    assert draft == {ac.OVERALL_GRADE: "Good", "key_areas": {"Outcomes": "Outstanding"}, ac.STRENGTHS: "Clear plan",
                     ac.IMPROVEMENTS: "", ac.DISCUSSION_HELD: True, ac.SEEK_FAMILY_VIEWS: False,
                     ac.SAFEGUARDING_CONCERN: False, ac.SAFEGUARDING_DESCRIPTION: ""}
    card = ac.audit_form_card(samples.allocations(1)[0], draft)
    assert by_id(card, ac.key_area_input_id("Outcomes"))["value"] == "Outstanding"
    assert "value" not in by_id(card, ac.key_area_input_id("Planning"))
    assert by_id(card, ac.STRENGTHS)["value"] == "Clear plan"
    assert by_id(card, ac.DISCUSSION_HELD)["value"] == "true"


@pytest.mark.parametrize("inputs", [{ac.DISCUSSION_HELD: "yes"}, {ac.STRENGTHS: 12}, ["not", "a", "mapping"]])
def test_read_audit_form_rejects_bad_input_clearly(inputs: Any) -> None:
    with pytest.raises(ValueError):
        ac.read_audit_form(inputs)


# --- 4. oversight ---

def test_oversight_request_summarises_and_offers_confirm_and_dispute() -> None:
    audit = samples.audit_summary()
    card = ac.oversight_request_card(audit)
    shown = all_text(card)
    for value in (audit.case_ref, audit.team, audit.auditor_name, audit.grade, "Tuesday 22 December 2026",
                  "Wednesday 6 January 2027", "immediate safeguarding concern"):
        assert value in shown
    for area, grade in audit.key_areas.items():
        assert {"title": area, "value": grade} in [f for n in of_type(card, "FactSet") for f in n["facts"]]
    runs = [n["text"] for n in of_type(card, "TextRun")]
    assert all(len(r) <= ac.EXCERPT_MAX for r in runs) and any(r.endswith("…") for r in runs)

    read, confirm, dispute = card["actions"]
    assert (read["title"], read["data"]) == ("Read the whole audit", {"audit_id": audit.audit_id, "page_id": 1})
    assert confirm["title"] == "Confirm oversight"
    comment = by_id(confirm["card"], ac.OVERSIGHT_COMMENT)
    assert not comment.get("isRequired")
    assert [(x["verb"], x["data"]) for x in executes(confirm["card"])] == \
        [(ac.Verb.OVERSIGHT_CONFIRM, {"audit_id": audit.audit_id})]
    assert dispute["title"] == "Dispute"
    assert by_id(dispute["card"], ac.DISPUTE_REASON)["isRequired"] is True
    assert [(x["verb"], x["data"]) for x in executes(dispute["card"])] == \
        [(ac.Verb.OVERSIGHT_DISPUTE, {"audit_id": audit.audit_id})]


def test_oversight_request_without_concern_shows_no_alarm() -> None:
    audit = dataclasses.replace(samples.audit_summary(), safeguarding_concern=False)
    card = ac.oversight_request_card(audit)
    assert "safeguarding concern" not in all_text(card)
    assert not any(n.get("style") == "attention" for n in nodes(card))


def test_digest_lists_every_item_with_review_and_read_the_whole_audit() -> None:
    items = samples.oversight_items(40)
    card = ac.oversight_digest_card("Sam Lee", items, samples.OVERSIGHT_DUE)
    assert [(x["verb"], x["data"]) for x in executes(card)] == [
        pair for i in items for pair in ((ac.Verb.OVERSIGHT_OPEN, {"audit_id": i.audit_id}),
                                         (ac.Verb.AUDIT_READ, {"audit_id": i.audit_id}))]
    shown = all_text(card)
    assert all(i.case_ref in shown for i in items)
    assert "Wednesday 6 January 2027" in shown
    assert executes(ac.oversight_digest_card("Sam Lee", [], samples.OVERSIGHT_DUE)) == []


def test_oversight_overdue_for_head_of_service_names_the_service_lead() -> None:
    items = samples.oversight_items(3)
    to_lead = ac.oversight_overdue_card("Sam Lee", items, samples.OVERSIGHT_DUE)
    to_head = ac.oversight_overdue_card("Sam Lee", items, samples.OVERSIGHT_DUE, head_of_service_name="Priya Raghunathan")
    assert len(executes(to_lead)) == 6  # Review and Read the whole audit per audit
    assert executes(to_head) == []
    shown = all_text(to_head)
    assert "Priya Raghunathan" in shown and "Sam Lee" in shown
    assert all(i.case_ref in shown for i in items)


# --- 5. disputes, upload, alerts, QA unit ---

def test_dispute_card_records_a_resolution() -> None:
    dispute = ac.DisputeView(audit_id=7, case_ref="CD-1", team="Team A", auditor_name="Alex Kay",
                             disputed_by_name="Sam Lee", reason="[click](https://example.com) *grade*",
                             disputed_at=datetime(2027, 1, 4, 14, 5, tzinfo=UTC))
    card = ac.dispute_card(dispute, samples.LONDON)
    shown = all_text(card)
    assert "Sam Lee" in shown and "Monday 4 January 2027 at 14:05" in shown
    # Typed text is a TextRun (shown literally), never a markdown TextBlock.
    assert [n["type"] for n in nodes(card) if n.get("text") == dispute.reason] == ["TextRun"]
    (resolve,) = card["actions"]
    assert by_id(resolve["card"], ac.RESOLUTION)["isRequired"] is True
    assert [(x["verb"], x["data"]) for x in executes(resolve["card"])] == [(ac.Verb.DISPUTE_RESOLVE, {"audit_id": 7})]


def test_upload_request_and_safeguarding_alert() -> None:
    at = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
    upload = ac.upload_request_card(7, "CD-1", "Sam Lee", at, samples.LONDON, date(2027, 1, 6))
    assert [(x["title"], x["verb"], x["data"]) for x in executes(upload)] == \
        [("Uploaded to Care Director", ac.Verb.AUDIT_UPLOADED, {"audit_id": 7})]
    assert "Wednesday 6 January 2027" in all_text(upload)

    alert = ac.SafeguardingAlert(case_ref="CD-1", team="Team A", service_area="Area B", auditor_name="Alex Kay",
                                 description="Concern seen on the file.", raised_at=at)
    card = ac.safeguarding_alert_card(alert, samples.LONDON)
    shown = all_text(card)
    for value in ("CD-1", "Team A", "Area B", "Alex Kay", "Concern seen on the file.", "Tuesday 5 January 2027 at 09:00"):
        assert value in shown
    assert of_type(card, "Action.") == []


def test_qa_unit_cards() -> None:
    people = [("Alex Kay", "alex.kay@example.gov.uk", "App not installed"),
              ("Jo Bloggs", "jo.bloggs@example.gov.uk", "Blocked the bot")]
    shown = all_text(ac.unreachable_auditors_card("December 2026", people))
    assert all(part in shown for person in people for part in person)

    decline = ac.DeclineView(allocation_id=3, case_ref="CD-9", team="Team A", auditor_name="Alex Kay",
                             reason="On leave until January.", declined_at=datetime(2026, 12, 4, 11, 0, tzinfo=UTC))
    shown = all_text(ac.decline_notice_card(decline, samples.LONDON))
    assert all(v in shown for v in ("CD-9", "Alex Kay", "On leave until January.", "Friday 4 December 2026 at 11:00"))


def test_cycle_status_totals_and_refresh() -> None:
    rows = [ac.ServiceAreaStatus("Area A", allocated=5, overdue=2), ac.ServiceAreaStatus("Area B", allocated=7)]
    card = ac.cycle_status_card("December 2026", rows, month="2026-12")
    runs = [n["text"] for n in of_type(card, "TextRun")]
    assert "Allocated 12" in runs and "Allocated 5" in runs and "Allocated 7" in runs
    overdue = [n for n in of_type(card, "TextRun") if n["text"] == "Overdue 2"]
    assert overdue and all(n["color"] == "Attention" for n in overdue)
    assert [(x["verb"], x["data"]) for x in executes(card)] == [(ac.Verb.CYCLE_STATUS, {"month": "2026-12"})]
    assert "actions" not in ac.cycle_status_card("December 2026", rows)


# --- 6. acted cards ---

def test_acted_card_says_who_did_what_and_when_without_buttons() -> None:
    card = ac.acted_card("Oversight needed: case CD-1", "Oversight confirmed", "Sam Lee",
                         datetime(2027, 1, 7, 10, 12, tzinfo=UTC), samples.LONDON, details=[("Case", "CD-1")])
    assert "Oversight confirmed by Sam Lee, Thursday 7 January 2027 at 10:12" in all_text(card)
    assert "actions" not in card
    assert of_type(card, "Action.") == [] and of_type(card, "ActionSet") == [] and of_type(card, "Input.") == []
    assert not any("selectAction" in n for n in nodes(card))


def test_the_own_form_samples_header_grade_is_the_forms_overall_grade():
    # `cards dump` is what a council reads to see the cards: the header and the answers must agree.
    card = samples.sample_cards()["oversight_request_own_form"]
    facts = [(f["title"], f["value"]) for n in card_tree.nodes(card) if n.get("type") == "FactSet" for f in n["facts"]]
    grades = {value for title, value in facts if title == "Overall grade"}
    assert len(grades) == 1, facts
