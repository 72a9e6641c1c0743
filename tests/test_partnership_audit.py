"""Partnership audits (framework 9.3): the form as a workbook for a partner not on Teams, and the returned
workbook recorded as the audit, then submitted for oversight. The reading rules on their own (qa/
partner_audit.py), then the QA unit's whole path over HTTP on both databases: `partner form CR-2001`, the
file consent card, the partner's answers typed into the very workbook, sent back in chat, previewed,
confirmed; refusals name the row and column and write nothing; only the QA unit may."""
from __future__ import annotations

import io
import json
import shutil
from datetime import date, datetime, timezone

import openpyxl
import pytest
from sqlalchemy import select

from bot.clock import fixed_clock
from bot.sender import OutboxSender
from capabilities.audit_forms import config as forms_config
from dialogs.partner_workbook import partner_workbook
from dialogs.report_cards import FILE_CONSENT
from qa.forms import NOT_APPLICABLE, form_from_data
from qa.partner_audit import ANSWER, QUESTION_ID, read_about, read_returned
from qa.tabular import read_table_bytes
from storage.models import Allocation, Audit, AuditFormVersion, AuditMonth, OutboxMessage, Person, TrailEvent
from tests.support import activities as act
from tests.support.chat_files import file_message, post, press, staff
from tests.support.status import accept

NOW = datetime(2026, 12, 14, 10, 0, tzinfo=timezone.utc)
PARTNER_FORM = {
    "name": "partnership", "title": "Multi-agency partnership audit", "version": 1, "kind": "partnership",
    "scales": {"ofsted": ["Outstanding", "Good", "Requires Improvement", "Inadequate"]},
    "sections": [
        {"id": "overall", "title": "Overall", "questions": [
            {"id": "overall_grade", "type": "grade", "scale": "ofsted", "label": "Overall grade", "required": True,
             "key_area": None}]},
        {"id": "agency", "title": "Your agency's involvement", "questions": [
            {"id": "information_sharing", "type": "grade", "scale": "ofsted", "label": "Information sharing",
             "required": True, "not_applicable": True, "key_area": "Relationship"},
            {"id": "strategy_meeting", "type": "yes_no", "label": "Attended the strategy meeting", "required": True,
             "key_area": None},
            {"id": "agencies", "type": "several_of", "label": "Agencies involved",
             "options": ["Health", "Police", "Education", "Housing"], "key_area": None},
            {"id": "contacts", "type": "number", "label": "Contacts in the period", "minimum": 0, "key_area": None},
            {"id": "reflection", "type": "text", "label": "What would have helped", "max_length": 500,
             "key_area": None}]}]}
FORM = form_from_data(PARTNER_FORM)
GOOD_ANSWERS = {"about_partner": "Dr Ada Example", "about_organisation": "Health", "overall_grade": "good",
                "information_sharing": NOT_APPLICABLE, "strategy_meeting": "Yes", "agencies": "Health; Police",
                "contacts": "3", "reflection": "Earlier sharing of the plan."}


def filled(data: bytes, answers: dict[str, str]) -> bytes:
    """The workbook as a partner returns it: answers typed into the Answer column, by question id."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["Partner audit"]
    header = [c.value for c in ws[1]]
    id_col, answer_col = header.index(QUESTION_ID) + 1, header.index(ANSWER) + 1
    for row in range(2, ws.max_row + 1):
        key = ws.cell(row, id_col).value
        if key in answers:
            ws.cell(row, answer_col).value = answers[key]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read_back(data: bytes):
    rows = read_table_bytes(data, "partner.xlsx", "the file", ("partner",)).rows
    about, problems = read_about(rows)
    assert about is not None, problems
    return read_returned(FORM, about, rows)


def test_a_filled_in_workbook_reads_back_as_the_answers():
    blank = partner_workbook(FORM, "2026-12", "CR-2001", date(2026, 12, 14))
    returned, problems = read_back(filled(blank, GOOD_ANSWERS))
    assert problems == []
    assert returned.about.case_ref == "CR-2001" and returned.about.month == "2026-12"
    assert returned.partner_words == "Dr Ada Example (Health)"
    assert returned.answers == {"overall_grade": "Good", "information_sharing": NOT_APPLICABLE,
                                "strategy_meeting": "yes", "agencies": ["Health", "Police"], "contacts": 3,
                                "reflection": "Earlier sharing of the plan."}


def test_the_blank_workbook_names_the_case_only_and_opens_only_the_answers():
    wb = openpyxl.load_workbook(io.BytesIO(partner_workbook(FORM, "2026-12", "CR-2001", date(2026, 12, 14))))
    ws = wb["Partner audit"]
    assert ws.protection.sheet is True
    locked = {ws.cell(r, 4).protection.locked for r in range(7, ws.max_row + 1)}
    assert locked == {False}  # every question's answer cell is open; the rest is locked
    assert ws.cell(2, 4).protection.locked is True  # the form's name, as the bot wrote it
    assert {str(dv.sqref) for dv in ws.data_validations.dataValidation} >= {"D8", "D9"}


@pytest.mark.parametrize(("answers", "problem"), [
    ({"overall_grade": "Great"}, "Row 8, column D: \u201cOverall grade\u201d is one of"),
    ({"overall_grade": ""}, "Row 8, column D: Answer \u201cOverall grade\u201d."),
    ({"information_sharing": NOT_APPLICABLE, "strategy_meeting": ""}, "Row 10, column D: Answer"),
    ({"agencies": "Health; Social care"}, "Row 11, column D: \u201cAgencies involved\u201d: 'Social care'"),
    ({"contacts": "three"}, "Row 12, column D: \u201cContacts in the period\u201d is a number"),
    ({"contacts": "-1"}, "Row 12, column D: \u201cContacts in the period\u201d is at least 0."),
    ({"reflection": "Her DOB is 03/04/2015"}, "Row 13, column D (What would have helped):"),
    ({"about_partner": ""}, "Row 6, column D: fill in your name"),
])
def test_each_problem_names_its_row_and_column(answers, problem):
    blank = partner_workbook(FORM, "2026-12", "CR-2001", date(2026, 12, 14))
    returned, problems = read_back(filled(blank, {**GOOD_ANSWERS, **answers}))
    assert returned is None
    assert any(p.startswith(problem) for p in problems), problems


def test_a_row_the_form_does_not_know_is_refused():
    blank = partner_workbook(FORM, "2026-12", "CR-2001", date(2026, 12, 14))
    wb = openpyxl.load_workbook(io.BytesIO(filled(blank, GOOD_ANSWERS)))
    wb["Partner audit"].cell(13, 1).value = "child_name"
    out = io.BytesIO()
    wb.save(out)
    returned, problems = read_back(out.getvalue())
    assert returned is None and problems[0].startswith("Row 13, column A: 'child_name' is not a question")


# ---------------------------------------------------------------- through Teams, on both databases


@pytest.fixture
def forms_folder(tmp_path, monkeypatch):
    folder = tmp_path / "forms"
    folder.mkdir()
    shutil.copy(forms_config.DEFAULT_DIR / "default.json", folder / "default.json")
    (folder / "partnership.json").write_text(json.dumps(PARTNER_FORM, indent=2), encoding="utf-8")
    monkeypatch.setenv(forms_config.FORMS_DIR_ENV, str(folder))
    forms_config.forms_in_use.cache_clear()
    yield folder
    forms_config.forms_in_use.cache_clear()


@pytest.fixture
async def partnership(db, services, fake_connector, forms_folder):
    assert [f.name for f in forms_config.forms_in_use()] == ["default", "partnership"], forms_folder
    services.clock = fixed_clock(NOW)
    await act.add_people(db, *staff())
    async with db.sessions.begin() as session:
        auditor = (await session.scalars(select(Person).where(Person.email == "pm.cin@council.gov.uk"))).one()
        session.add(AuditMonth(month="2026-12", imported_at=NOW))
        await session.flush()
        session.add(Allocation(month="2026-12", case_ref="CR-2001", annex_a_list="List 7", service_area="Children in Need",
                               team="Team Alpha", auditor_id=auditor.id, state="allocated", form_name="partnership",
                               created_at=NOW, updated_at=NOW))


async def typed(bot_client, fake, who: str, aad: str | None, words: str) -> str:
    fake.clear()
    await post(bot_client, act.message(who, words, service_url=fake.url, aad=aad))
    return " ".join(r.all_text() for r in fake.delivered(act.personal_conversation_id(who)))


async def sent_back(bot_client, fake, file_host, data: bytes) -> dict:
    """Quinn sends the returned workbook; the card the bot answers with."""
    fake.clear()
    file_host.files["partner-audit-CR-2001.xlsx"] = data
    await post(bot_client, file_message("quinn", "aad-quinn", service_url=fake.url, name="partner-audit-CR-2001.xlsx",
                                        url=file_host.url("partner-audit-CR-2001.xlsx")))
    [reply] = fake.delivered(act.personal_conversation_id("quinn"))
    return reply.cards[0]


async def test_the_qa_unit_records_a_partners_returned_workbook(partnership, services, bot_client, fake_connector, file_host, db):
    said = await typed(bot_client, fake_connector, "quinn", "aad-quinn", "partner form CR-2001")
    assert "sending you the multi-agency partnership audit for case CR-2001" in said
    await OutboxSender(services).deliver_due(NOW, wait_retries=0)  # the sender's next round
    [offer] = [m for m in fake_connector.delivered(act.personal_conversation_id("quinn"))
               if any(a["contentType"] == FILE_CONSENT for a in m.activity.get("attachments", []))]
    [consent] = [a for a in offer.activity["attachments"] if a["contentType"] == FILE_CONSENT]
    assert consent["name"] == "partner-audit-CR-2001-2026-12.xlsx"
    fake_connector.clear()
    assert (await accept(bot_client, fake_connector, "quinn", consent)).status == 200
    [upload] = fake_connector.uploads.values()

    # A problem: named by row and column, nothing written.
    card = await sent_back(bot_client, fake_connector, file_host, filled(upload.data, {**GOOD_ANSWERS, "contacts": "x"}))
    assert "Row 12, column D" in json.dumps(card)
    async with db.sessions() as session:
        assert (await session.scalars(select(Audit))).all() == []

    card = await sent_back(bot_client, fake_connector, file_host, filled(upload.data, GOOD_ANSWERS))
    preview = json.dumps(card)
    assert "Dr Ada Example (Health)" in preview and "Overall grade: Good" in preview
    async with db.sessions() as session:
        assert (await session.scalars(select(Audit))).all() == []  # a preview writes nothing
    answer = await press(bot_client, fake_connector, card, "Confirm")
    assert "Imported" in answer or "recorded" in answer.lower(), answer
    async with db.sessions() as session:
        audit = (await session.scalars(select(Audit))).one()
        allocation = await session.get(Allocation, audit.allocation_id)
        assert (audit.form_name, audit.form_version, audit.overall_grade) == ("partnership", 1, "Good")
        assert audit.partner_auditor == "Dr Ada Example (Health)"
        assert audit.answers["agencies"] == ["Health", "Police"] and audit.submitted_at is not None
        assert allocation.state == "submitted"
        kept = await session.get(AuditFormVersion, ("partnership", 1))
        assert json.loads(kept.definition) == PARTNER_FORM
        lead = (await session.scalars(select(Person).where(Person.email == "sl.cin@council.gov.uk"))).one()
        asked = (await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "oversight-request"))).all()
        assert [m.person_id for m in asked] == [lead.id]
        assert (await session.scalars(select(TrailEvent.action).where(
            TrailEvent.action == "partner_audit_recorded"))).all() == ["partner_audit_recorded"]

    # Recorded once: the same workbook again is refused, as is another `partner form`.
    card = await sent_back(bot_client, fake_connector, file_host, filled(upload.data, GOOD_ANSWERS))
    assert "already submitted" in json.dumps(card)
    assert "already submitted" in await typed(bot_client, fake_connector, "quinn", "aad-quinn", "partner form CR-2001")


async def test_only_the_qa_unit_may_ask_for_a_partner_form(partnership, bot_client, fake_connector, db):
    said = await typed(bot_client, fake_connector, "sw1", "aad-sol", "partner form CR-2001")
    assert "sending you" not in said
    assert "No allocation of case CR-9999" in await typed(bot_client, fake_connector, "quinn", "aad-quinn",
                                                          "partner form CR-9999")
    # A declined audit is not "already submitted": it is reallocated first.
    async with db.sessions.begin() as session:
        (await session.scalars(select(Allocation).where(Allocation.case_ref == "CR-2001"))).one().state = "declined"
    said = await typed(bot_client, fake_connector, "quinn", "aad-quinn", "partner form CR-2001")
    assert "was declined by its auditor: reallocate it first (reallocate CR-2001)" in said
    assert "already submitted" not in said
    # Not a case reference (perhaps a child's name): refused by the council's format, never repeated.
    said = await typed(bot_client, fake_connector, "quinn", "aad-quinn", "partner form Jayden")
    assert "That case reference has no digits" in said and "JAYDEN" not in said.upper()



def test_the_partner_forms_sample_card_is_the_partner_form_not_the_register():
    from capabilities.audit_cycle.partnership import PARTNER_FORM

    said = json.dumps(PARTNER_FORM.sample())
    assert "Partnership audit" in said and "for a partner to fill in: case CR-1001" in said
    assert "register" not in said.lower()


def test_the_default_forms_answers_become_the_audits_columns():
    from capabilities.audit_forms.definitions import check_file as check_form
    from qa.form_answers import default_form_values

    default = check_form(forms_config.DEFAULT_DIR / "default.json").form
    values = default_form_values(default, {"overall_grade": "Good", "area_planning": "Requires Improvement",
                                           "area_outcomes": NOT_APPLICABLE, "strengths": "Clear plan.",
                                           "discussion_held": "yes", "seek_family_views": "no",
                                           "safeguarding_concern": "yes", "safeguarding_description": "Risk."})
    assert values == {"overall_grade": "Good", "key_areas": {"Planning": "Requires Improvement"},
                      "strengths": "Clear plan.", "improvements": "", "safeguarding_description": "Risk.",
                      "discussion_held": True, "seek_family_views": False, "safeguarding_concern": True}


KEY_AREA_QUESTIONS = ("area_narrative_history", "area_assessment_and_analysis", "area_planning", "area_relationship",
                      "area_outcomes", "area_supervision", "area_management_oversight")


async def test_a_partners_workbook_on_the_default_form_alerts_a_safeguarding_concern_and_shows_its_answers(
        forms_folder, services, bot_client, fake_connector, file_host, db):
    # With no partnership form installed, a partnership allocation falls back to the default form: the partner's
    # answers are the audit's as an auditor's would be (the oversight request's key areas, the flags), and an
    # immediate safeguarding concern is alerted at once.
    services.clock = fixed_clock(NOW)
    await act.add_people(db, *staff())
    async with db.sessions.begin() as session:
        auditor = (await session.scalars(select(Person).where(Person.email == "pm.cin@council.gov.uk"))).one()
        session.add(AuditMonth(month="2026-12", imported_at=NOW))
        await session.flush()
        session.add(Allocation(month="2026-12", case_ref="CR-2001", annex_a_list="List 7", service_area="Children in Need",
                               team="Team Alpha", auditor_id=auditor.id, state="allocated", form_name="default",
                               created_at=NOW, updated_at=NOW))
    await typed(bot_client, fake_connector, "quinn", "aad-quinn", "partner form CR-2001")
    await OutboxSender(services).deliver_due(NOW, wait_retries=0)
    [offer] = [m for m in fake_connector.delivered(act.personal_conversation_id("quinn"))
               if any(a["contentType"] == FILE_CONSENT for a in m.activity.get("attachments", []))]
    [consent] = [a for a in offer.activity["attachments"] if a["contentType"] == FILE_CONSENT]
    fake_connector.clear()
    assert (await accept(bot_client, fake_connector, "quinn", consent)).status == 200
    [upload] = fake_connector.uploads.values()
    answers = {"about_partner": "Dr Ada Example", "about_organisation": "Health", "overall_grade": "Inadequate",
               **{k: "Inadequate" for k in KEY_AREA_QUESTIONS}, "discussion_held": "yes",
               "safeguarding_concern": "yes", "safeguarding_description": "The plan does not address the new risk."}
    card = await sent_back(bot_client, fake_connector, file_host, filled(upload.data, answers))
    await press(bot_client, fake_connector, card, "Confirm")
    async with db.sessions() as session:
        audit = (await session.scalars(select(Audit))).one()
        sent = (await session.scalars(select(OutboxMessage))).all()
    assert audit.safeguarding_concern and audit.safeguarding_description == "The plan does not address the new risk."
    assert audit.key_areas["Planning"] == "Inadequate" and audit.discussion_held
    assert [m.kind for m in sent].count("safeguarding-alert") >= 1
    [oversight] = [m for m in sent if m.kind == "oversight-request"]
    shown = json.dumps(oversight.payload)
    assert "immediate safeguarding concern" in shown and "Not graded" not in shown
    assert "Dr Ada Example (Health), arranged by Pat Manager" in shown  # the partner answered, not the auditor
