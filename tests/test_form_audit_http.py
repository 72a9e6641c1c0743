"""An audit on one of the council's own forms, through the served app and the fake Bot Connector, on both
databases: Start opens the form's first page (the allocation names the form); Next keeps the page as the
draft and shows the next; Start again shows the answers kept; "not applicable" is accepted where the form
allows it and refused where not; Submit names each missing answer beside its question; submitted, the
audit's overall grade is the form's, each recommendation is a remedial action its owner is told of and the
service lead sees at oversight (and gets the plan once oversight is confirmed); a form edited mid-month
(a new version) leaves the started audit on its version; free text holding an identifier is not kept."""
from __future__ import annotations

import json
import shutil

import pytest

from capabilities.audit_forms import config
from dialogs import card_tree
from dialogs import form_cards as fc
from dialogs.audit_cards import Verb
from qa.form_answers import ACTION, DUE, OWNER
from qa.forms import NOT_APPLICABLE
from qa.identifiers import DATE_KEPT_INPUT
from storage.audit_forms import kept_versions
from storage.models import Allocation, Audit, AuditFormVersion, OutboxMessage, RemedialAction, RemedialPlan
from tests.support.escalations import chat, set_up, shown, utc

AT = utc(2026, 12, 10, 10, 0)  # a Thursday, inside the send window
FORM = {
    "name": "fostering_review", "title": "Fostering review", "version": 1, "kind": "case",
    "service_areas": ["Fostering"],
    "scales": {"ofsted": ["Outstanding", "Good", "Requires Improvement", "Inadequate"]},
    "sections": [
        {"id": "judgement", "title": "Judgement", "questions": [
            {"id": "overall_grade", "type": "grade", "scale": "ofsted", "label": "Overall grade", "required": True,
             "key_area": None},
            {"id": "planning", "type": "grade", "scale": "ofsted", "label": "Planning", "required": True,
             "not_applicable": True, "key_area": "Planning"},
            {"id": "chronology", "type": "grade", "scale": "ofsted", "label": "Chronology", "required": True,
             "key_area": "Narrative/History"}]},
        {"id": "narrative", "title": "In your own words", "narrative": True, "questions": [
            {"id": "working_well", "type": "text", "label": "What is working well", "max_length": 2000,
             "required": True, "key_area": None},
            {"id": "recommendations", "type": "recommendations", "label": "Recommendations", "rows": 2,
             "max_length": 500, "key_area": None}]},
    ]}


@pytest.fixture
def forms(tmp_path, monkeypatch):
    """A folder of forms in use: the default form and the two-page form above, version 1."""
    shutil.copy(config.DEFAULT_DIR / "default.json", tmp_path / "default.json")
    (tmp_path / "fostering_review.json").write_text(json.dumps(FORM, indent=2), encoding="utf-8")
    monkeypatch.setenv("QA_FORMS_DIR", str(tmp_path))
    config.forms_in_use.cache_clear()
    yield tmp_path
    config.forms_in_use.cache_clear()


async def allocate(d, ref: str) -> int:
    async with d.db.sessions.begin() as session:
        allocation = Allocation(month="2026-12", case_ref=ref, annex_a_list="List 6", service_area="Children in Need",
                                team="Team Alpha", theme="", auditor_id=d.ids["ann"], case_holder_id=d.ids["pat"],
                                state="allocated", form_name="fostering_review", created_at=AT, updated_at=AT)
        session.add(allocation)
        await session.flush()
        d.ids[ref] = allocation.id
        return allocation.id


def boxes(card: dict) -> dict[str, dict]:
    return {n["id"]: n for n in card_tree.nodes(card) if n.get("type", "").startswith("Input.")}


def said(card: dict) -> str:
    return json.dumps(card, ensure_ascii=False)


async def start(d, ref: str) -> dict:
    """Ann presses Start (or Continue) audit: the form's page that comes to her chat."""
    before = len(d.fake.delivered(chat("ann")))
    await d.press("ann", Verb.AUDIT_START, {"allocation_id": d.ids[ref]}, "notice", AT)
    [page] = [c for call in d.fake.delivered(chat("ann"))[before:] for c in call.cards]
    return page


async def press(d, verb: str, ref: str, page: int, answers: dict, key: str = "ann") -> dict:
    data = {"allocation_id": d.ids[ref], "page_id": page, **{fc.input_id(k): v for k, v in answers.items()}}
    return (await d.press(key, verb, data, "form", AT))["value"]


async def test_a_two_page_form_from_start_to_oversight(services, fake_connector, bot_client, forms):
    d = await set_up(services, fake_connector, bot_client, {})
    await allocate(d, "CR-2001")

    first = await start(d, "CR-2001")
    assert "Page 1 of 2: Judgement" in said(first) and "Fostering review (version 1)" in said(first)
    assert [c["title"] for c in boxes(first)[fc.input_id("planning")]["choices"]][-1] == NOT_APPLICABLE
    assert NOT_APPLICABLE not in said(boxes(first)[fc.input_id("chronology")])
    audit = await d.one(Audit, Audit.allocation_id == d.ids["CR-2001"])
    assert (audit.form_name, audit.form_version, audit.answers) == ("fostering_review", 1, {})
    assert (await d.one(AuditFormVersion)).name == "fostering_review"  # the version kept whole

    # "Not applicable" where the form does not allow it: the page stays, the question named, nothing of it kept.
    again = await press(d, fc.Verb.FORM_NEXT, "CR-2001", 1, {"overall_grade": "Good", "chronology": NOT_APPLICABLE})
    assert "Page 1 of 2" in said(again) and "\u201cChronology\u201d cannot be not applicable." in said(again)
    assert (await d.one(Audit, Audit.id == audit.id)).answers == {"overall_grade": "Good"}

    # Where it allows it, and a required answer left for later: Next keeps the draft and shows page 2.
    second = await press(d, fc.Verb.FORM_NEXT, "CR-2001", 1, {"overall_grade": "Good", "planning": NOT_APPLICABLE})
    assert "Page 2 of 2: In your own words" in said(second)
    assert {a["title"] for a in second["actions"]} == {"Back", "Save draft", "Submit audit"}
    assert (await d.one(Audit, Audit.id == audit.id)).answers == {"overall_grade": "Good", "planning": NOT_APPLICABLE}

    # Restart: the answers kept are shown.
    restarted = await start(d, "CR-2001")
    assert boxes(restarted)[fc.input_id("overall_grade")]["value"] == "Good"
    assert boxes(restarted)[fc.input_id("planning")]["value"] == NOT_APPLICABLE

    # Free text holding an identifier: refused, not kept.
    refused = await press(d, fc.Verb.FORM_SAVE, "CR-2001", 2, {"working_well": "Visits to 12 High Street, AB1 2CD"})
    assert "Page 2 of 2" in said(refused) and "looks like it contains a street address" in said(refused)
    assert "working_well" not in (await d.one(Audit, Audit.id == audit.id)).answers

    # Submit with a required answer missing on page 1: named beside its question, on its page.
    rec = {fc.row_input_id("recommendations", 1, ACTION): "Review the placement plan with the carers",
           fc.row_input_id("recommendations", 1, OWNER): "Pam@Council.gov.uk",
           fc.row_input_id("recommendations", 1, DUE): "2027-01-15"}
    data = {"allocation_id": d.ids["CR-2001"], "page_id": 2, fc.input_id("working_well"): "Visits were on time", **rec}
    missing = (await d.press("ann", fc.Verb.FORM_SUBMIT, data, "form", AT))["value"]
    assert "Page 1 of 2" in said(missing) and "Answer \u201cChronology\u201d." in said(missing)
    assert (await d.one(Allocation, Allocation.id == d.ids["CR-2001"])).state == "started"
    assert (await d.one(Audit, Audit.id == audit.id)).answers["working_well"] == "Visits were on time"  # kept

    # A recommendation's owner must be someone who may own an action on the case.
    await press(d, fc.Verb.FORM_NEXT, "CR-2001", 1, {"overall_grade": "Good", "planning": NOT_APPLICABLE,
                                                     "chronology": "Requires Improvement"})
    stranger = {**data, fc.row_input_id("recommendations", 1, OWNER): "nobody@council.gov.uk"}
    body = (await d.press("ann", fc.Verb.FORM_SUBMIT, stranger, "form", AT))["value"]
    assert "Recommendation 1: nobody@council.gov.uk is not someone on the roster" in said(body)

    # Submitted: the grade is the form's, the recommendation a remedial action Pam is told of, and the
    # service lead's oversight request shows the answers and the recommendation.
    body = await d.press("ann", fc.Verb.FORM_SUBMIT, data, "form", AT)
    assert "Audit submitted" in shown(body)
    allocation = await d.one(Allocation, Allocation.id == d.ids["CR-2001"])
    audit = await d.one(Audit, Audit.id == audit.id)
    assert allocation.state == "submitted" and audit.overall_grade == "Good" and audit.submitted_at is not None
    [action] = await d.all(RemedialAction)
    assert (action.text, action.responsible_id, action.target_on.isoformat()) == (
        "Review the placement plan with the carers", d.ids["pam"], "2027-01-15")
    [plan] = await d.all(RemedialPlan)
    assert plan.requested_at is None
    [request] = await d.all(OutboxMessage, OutboxMessage.kind == "oversight-request")
    shown_request = said(request.payload["card"])
    assert "Answers: Fostering review" in shown_request and "Visits were on time" in shown_request
    assert "Review the placement plan with the carers \u2014 Pam Example, by Friday 15 January 2027" in shown_request
    assert await d.all(OutboxMessage, OutboxMessage.kind == "remedial-action-named",
                       OutboxMessage.person_id == d.ids["pam"])

    # Oversight confirmed: the service lead gets the plan with the recommendation on it, once.
    await d.tick(AT)
    await d.press("sam", Verb.OVERSIGHT_CONFIRM, {"audit_id": audit.id, "oversight_comment": ""}, "request", AT)
    got = await d.tick(utc(2026, 12, 10, 10, 30))
    assert got.get("sam") == ["Remedial actions: case CR-2001"]
    assert "sam" not in await d.tick(utc(2026, 12, 10, 11, 30))
    [plan] = await d.all(RemedialPlan)
    assert plan.requested_at is not None and plan.grade == "Good"


async def test_a_form_edited_mid_month_leaves_a_started_audit_on_its_version(services, fake_connector, bot_client,
                                                                             forms):
    d = await set_up(services, fake_connector, bot_client, {})
    await allocate(d, "CR-2001")
    await start(d, "CR-2001")

    edited = json.loads(json.dumps(FORM))
    edited["version"] = 2
    edited["sections"][0]["questions"][2]["label"] = "Chronology and history"
    (forms / "fostering_review.json").write_text(json.dumps(edited), encoding="utf-8")
    config.forms_in_use.cache_clear()  # the bot reads the folder again (a restart)

    page = await start(d, "CR-2001")
    assert "Fostering review (version 1)" in said(page) and "Chronology and history" not in said(page)
    answer = await press(d, fc.Verb.FORM_SAVE, "CR-2001", 1, {"overall_grade": "Good"})
    assert "(version 1)" in said(answer) and "Draft saved" in said(answer)

    # The default form's buttons do nothing to it (a card of the default form never shows for it).
    body = await d.press("ann", Verb.AUDIT_SUBMIT, {"allocation_id": d.ids["CR-2001"]}, "form", AT)
    assert "This audit is on another form" in shown(body)
    assert (await d.one(Audit, Audit.allocation_id == d.ids["CR-2001"])).answers == {"overall_grade": "Good"}

    await allocate(d, "CR-2002")  # started now: the new version
    page = await start(d, "CR-2002")
    assert "Fostering review (version 2)" in said(page) and "Chronology and history" in said(page)
    async with d.db.sessions() as session:
        versions = [(name, version) for name, version, _, _ in await kept_versions(session)]
    assert versions == [("fostering_review", 1), ("fostering_review", 2)]


async def test_a_date_on_its_own_is_questioned_and_kept_with_the_toggle(services, fake_connector, bot_client, forms):
    d = await set_up(services, fake_connector, bot_client, {})
    await allocate(d, "CR-2001")
    await start(d, "CR-2001")
    typed = {"working_well": "The carers were visited on 03/12/2026 as planned"}
    asked = await press(d, fc.Verb.FORM_SAVE, "CR-2001", 2, typed)
    assert DATE_KEPT_INPUT in boxes(asked)  # the edge added the toggle after the box
    assert boxes(asked)[fc.input_id("working_well")]["value"] == typed["working_well"]  # what was typed, shown back
    audit = await d.one(Audit, Audit.allocation_id == d.ids["CR-2001"])
    assert "working_well" not in audit.answers
    kept = (await d.press("ann", fc.Verb.FORM_SAVE, {
        "allocation_id": d.ids["CR-2001"], "page_id": 2, fc.input_id("working_well"): typed["working_well"],
        DATE_KEPT_INPUT: "true"}, "form", AT))["value"]
    assert "Draft saved" in said(kept)
    audit = await d.one(Audit, Audit.allocation_id == d.ids["CR-2001"])
    assert audit.answers["working_well"] == typed["working_well"]


async def test_inadequate_on_a_form_of_its_own_is_moderated_as_any_audit(services, fake_connector, bot_client, forms):
    d = await set_up(services, fake_connector, bot_client, {})
    await allocate(d, "CR-2001")
    await start(d, "CR-2001")
    await press(d, fc.Verb.FORM_NEXT, "CR-2001", 1, {"overall_grade": "Inadequate", "planning": "Inadequate",
                                                     "chronology": "Inadequate"})
    body = await d.press("ann", fc.Verb.FORM_SUBMIT, {"allocation_id": d.ids["CR-2001"], "page_id": 2,
                                                      fc.input_id("working_well"): "Little"}, "form", AT)
    assert "Audit submitted" in shown(body) and "Inadequate" in shown(body)
    assert await d.all(RemedialPlan) == []  # no recommendations: no plan before oversight
    got = await d.tick(utc(2026, 12, 10, 10, 30))
    assert got.get("quinn") == ["Moderation needed: case CR-2001"]
    assert (await d.moderation("CR-2001")).original_grade == "Inadequate"


SAFEGUARDING = {"id": "safeguarding", "title": "Safeguarding", "questions": [
    {"id": "safeguarding_concern", "type": "yes_no", "label": "Immediate safeguarding concern", "key_area": None},
    {"id": "safeguarding_description", "type": "text", "max_length": 2000, "label": "Describe the concern",
     "required_when": "safeguarding_concern", "key_area": None}]}


async def test_a_safeguarding_concern_on_the_councils_own_form_is_escalated_at_once(services, fake_connector,
                                                                                    bot_client, forms):
    """A form with the safeguarding questions (as docs/forms' examples have): a concern described on a draft page
    alerts the practice manager, service lead and above at once, once, as the default form's card does."""
    with_concern = json.loads(json.dumps(FORM))
    with_concern["sections"].insert(1, SAFEGUARDING)
    (forms / "fostering_review.json").write_text(json.dumps(with_concern), encoding="utf-8")
    config.forms_in_use.cache_clear()
    d = await set_up(services, fake_connector, bot_client, {})
    await allocate(d, "CR-2001")
    await start(d, "CR-2001")

    # Flagged without a description (a draft may be, Submit will ask for it): nobody is alerted yet.
    await press(d, fc.Verb.FORM_NEXT, "CR-2001", 2, {"safeguarding_concern": "yes"})
    assert await d.all(OutboxMessage, OutboxMessage.kind == "safeguarding-alert") == []

    before = len(d.fake.calls)
    await press(d, fc.Verb.FORM_NEXT, "CR-2001", 2, {"safeguarding_concern": "yes",
                                                     "safeguarding_description": "The carers left the child alone"})
    alerts = await d.all(OutboxMessage, OutboxMessage.kind == "safeguarding-alert")
    assert {m.person_id for m in alerts} >= {d.ids["pam"], d.ids["sam"], d.ids["hana"]}
    assert all(m.state == "sent" for m in alerts)  # sent at once, not at the next sweep
    assert len(d.fake.calls) > before
    audit = await d.one(Audit, Audit.allocation_id == d.ids["CR-2001"])
    assert audit.safeguarding_concern and audit.safeguarding_description == "The carers left the child alone"

    # Saving the page again alerts nobody a second time.
    await press(d, fc.Verb.FORM_SAVE, "CR-2001", 2, {"safeguarding_concern": "yes",
                                                     "safeguarding_description": "The carers left the child alone"})
    assert len(await d.all(OutboxMessage, OutboxMessage.kind == "safeguarding-alert")) == len(alerts)
