"""A supervision audit (framework 9.1's Supervision Audit Framework, on 9.3's schedule), through the served app,
the fake Bot Connector and `tick`, on both databases: the QA unit's allocation list names a supervisee's
supervision file (audit_kind supervision, the supervisee in case_holder_email); the auditor's notice names the
supervision file with the register's facts; Start shows them beside the supervision form's first page; the
audit is submitted to the service lead's oversight like any other; once confirmed, the findings reach the
supervisee and their supervisor, in words for supervision, with no case named. A row whose auditor is the
supervisee's supervisor is refused, naming row and column."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import update

from capabilities.audit_forms import config
from dialogs import case_holder_cards as ch
from dialogs import form_cards as fc
from dialogs.audit_cards import Verb
from qa.allocations import COLUMNS
from storage.allocations import import_allocations
from storage.models import Allocation, Audit, OutboxMessage, Person, SupervisionSession
from tests.support import activities as act
from tests.support.allocation_files import csv_bytes
from tests.support.card_validator import card_problems
from tests.support.chat_files import file_message, post
from tests.support.escalations import chat, set_up, shown, utc

IMPORTED = utc(2026, 12, 1, 10, 0)  # before the month's notice (the 3rd)
NOTICE = utc(2026, 12, 3, 10, 0)  # Thursday 3 December: the allocation notice goes
AT = utc(2026, 12, 8, 10, 0)
HEADER = [*COLUMNS, "audit_kind"]
MAX_CARD_BYTES = 28 * 1024


def listed(auditor: str) -> dict[str, str]:
    return {"case_ref": "", "annex_a_list": "", "service_area": "", "team": "", "auditor_email": auditor,
            "case_holder_email": "pat@council.gov.uk", "theme": "", "audit_kind": "Supervision audit"}


async def quinn_sends(d, file_host, rows: list[dict]) -> dict:
    """Quinn (QA unit) sends the list; the one reply's card (a preview, or a refusal)."""
    name = "allocations-2026-12.csv"
    file_host.files[name] = csv_bytes(rows, HEADER)
    d.at(IMPORTED)
    before = len(d.fake.delivered(chat("quinn")))
    await post(d.client, file_message("quinn", "aad-quinn", service_url=d.fake.url, name=name,
                                      url=file_host.url(name)))
    [reply] = d.fake.delivered(chat("quinn"))[before:]
    return reply.cards[0]


async def confirm(d, preview: dict) -> None:
    [action] = [a for a in preview["actions"] if a["title"] == "Confirm"]
    data = {k: v for k, v in action["data"].items() if not k.startswith("_")}
    resp = await d.client.post("/api/messages", json=act.card_action("quinn", action["verb"], data,
                                                                      service_url=d.fake.url, aad="aad-quinn"))
    assert resp.status == 200, await resp.text()


def said(card: dict) -> str:
    return json.dumps(card, ensure_ascii=False)


SEEN: list[dict] = []


def checked(card: dict) -> dict:
    """The card, within Teams' 28 KB, kept for the parser at the end (one Node run)."""
    assert len(said(card).encode("utf-8")) < MAX_CARD_BYTES
    SEEN.append(card)
    return card


async def supervised(d) -> None:
    """Pat is supervised by Pam, with two 1:1s and an agreement review on the register."""
    async with d.db.sessions.begin() as session:
        await session.execute(update(Person).where(Person.id == d.ids["pat"])
                              .values(supervisor_email="pam@council.gov.uk"))
        for kind, held, minutes in (("one_to_one", date(2026, 10, 20), 90), ("one_to_one", date(2026, 11, 17), 60),
                                    ("agreement_review", date(2026, 9, 1), None)):
            session.add(SupervisionSession(subject=f"person:{d.ids['pat']}", supervisee_id=d.ids["pat"],
                                           supervisor_id=d.ids["pam"], team="Team Alpha", kind=kind, held_on=held,
                                           duration_minutes=minutes, via="test", recorded_at=IMPORTED))


ANSWERS = {
    "overall_grade": "Good", "agreement_in_place": "yes", "agreement_reviewed": "yes", "frequency_kept": "Good",
    "sessions_seen": 2, "length_kept": "no", "records_timely": "yes", "reflective_discussion": "Good",
    "case_direction": "Requires Improvement", "wellbeing": "Good", "actions_smart": "Good", "supervisee_voice": "yes",
    "working_well": "Reflective, regular 1:1s", "needs_to_improve": "Record the reasons for case direction"}


async def test_a_supervision_audit_from_the_list_to_the_findings(services, fake_connector, bot_client, file_host):
    config.forms_in_use.cache_clear()  # the shipped folder: default and supervision
    SEEN.clear()
    d = await set_up(services, fake_connector, bot_client, {})
    await supervised(d)

    # The auditor is Pat's supervisor: refused, naming row and column; nothing written.
    refused = await quinn_sends(d, file_host, [listed("pam@council.gov.uk")])
    assert "row 2, column auditor_email: is pat@council.gov.uk's supervisor" in said(refused)
    assert await d.all(Allocation) == []

    preview = await quinn_sends(d, file_host, [listed("ann@council.gov.uk")])
    await confirm(d, preview)
    [allocation] = await d.all(Allocation)
    assert (allocation.case_ref, allocation.form_name, allocation.case_holder_id, allocation.team) == (
        f"SUP-{d.ids['pat']}", "supervision", d.ids["pat"], "Team Alpha")

    # The 3rd: Ann's notice names the supervision file, with the register's facts; Pat is told.
    await d.tick(NOTICE)
    notice = checked((await d.sent("allocation-notice", "ann")).payload["card"])
    assert f"Supervision file of Pat Example (SUP-{d.ids['pat']})" in said(notice)
    assert "1 supervision file to audit" in said(notice) and "Case SUP" not in said(notice)
    assert "Pam Example" in said(notice) and "2: 20 Oct 2026, 17 Nov 2026" in said(notice)
    assert "Short: 60 minutes (standard 90)" in said(notice)
    told = checked((await d.sent("case-holder-notice", "pat")).payload["card"])
    assert "Your supervision file is in the December 2026 audit" in said(told) and "Your case" not in said(told)

    # Start: the register's facts beside the supervision form's first page.
    d.at(AT)
    before = len(d.fake.delivered(chat("ann")))
    await d.press("ann", Verb.AUDIT_START, {"allocation_id": allocation.id}, "notice", AT)
    [first] = [c for call in d.fake.delivered(chat("ann"))[before:] for c in call.cards]
    checked(first)
    assert "Audit: supervision file of Pat Example" in said(first) and "Supervision audit (version 1)" in said(first)
    assert "The supervision register today" in said(first) and "Agreement last reviewed" in said(first)
    pages = fc.pages(config.in_use("supervision")[0])
    for page in pages:
        data = {"allocation_id": allocation.id, "page_id": page.number,
                **{fc.input_id(q): ANSWERS[q] for q in page.question_ids if q in ANSWERS}}
        if page.number == len(pages):
            break
        body = await d.press("ann", fc.Verb.FORM_NEXT, data, "form", AT)
        assert f"Page {page.number + 1} of {len(pages)}" in shown(body), shown(body)
        assert "The supervision register today" not in shown(body)  # page 1's alone
    body = await d.press("ann", fc.Verb.FORM_SUBMIT, data, "form", AT)
    assert "Audit submitted" in shown(body)
    audit = await d.one(Audit, Audit.allocation_id == allocation.id)
    assert audit.overall_grade == "Good" and audit.form_name == "supervision"

    # The service lead's oversight, then the findings to the supervisee and the supervisor.
    [request] = await d.all(OutboxMessage, OutboxMessage.kind == "oversight-request")
    assert f"Oversight needed: supervision file of Pat Example (SUP-{d.ids['pat']})" in said(checked(request.payload["card"]))
    assert "Record the reasons for case direction" in said(request.payload["card"])
    await d.tick(AT)
    await d.press("sam", Verb.OVERSIGHT_CONFIRM, {"audit_id": audit.id, "oversight_comment": ""}, "request", AT)
    await d.tick(utc(2026, 12, 8, 10, 30))
    mine = checked((await d.sent("audit-findings", "pat")).payload["card"])
    theirs = checked((await d.sent("audit-findings", "pam")).payload["card"])
    assert "The audit of your supervision file" in said(mine)
    assert "The audit of Pat Example's supervision file" in said(theirs) and "as their supervisor" in said(theirs)
    for card in (mine, theirs):
        assert "Record the reasons for case direction" in said(card) and "practice forum" not in said(card)
        assert "your case" not in said(card).casefold()
    upload = checked((await d.sent("upload-request", "ann")).payload["card"])
    assert "supervision record" in said(upload) and "Care Director" not in said(upload)
    assert not theirs.get("actions")  # the supervisee's card has the buttons; the supervisor's copy none
    rows = await d.all(OutboxMessage, OutboxMessage.kind == "good-practice-thanks")
    assert rows == []  # the supervisor has the findings themselves: no separate thank-you

    # Pat's reflection reaches the auditor and Pam, about the supervision file.
    await d.press("pat", ch.Verb.FINDINGS_REFLECT, {"audit_id": audit.id, ch.REFLECTION: "Useful: I will bring "
                                                    "an agenda to each 1:1"}, "findings", AT)
    await d.tick(utc(2026, 12, 8, 11, 0))
    for key in ("ann", "pam"):
        reflection = checked((await d.sent("case-holder-reflection", key)).payload["card"])
        assert "Reflection on the audit of Pat Example's supervision file" in said(reflection)
    assert card_problems(SEEN) == [[]] * len(SEEN)  # Microsoft's Adaptive Card parser: each card valid


async def test_a_supervision_audit_off_the_schedule_is_imported_and_said(db):
    async with db.sessions.begin() as session:
        for key, role, supervisor in (("ann", "practice_manager", None), ("pam", "practice_manager", None),
                                      ("pat", "practitioner", "pam@council.gov.uk")):
            session.add(Person(email=f"{key}@council.gov.uk", display_name=key.title(), role=role, team="Team Alpha",
                               service_area="Children in Need", supervisor_email=supervisor, created_at=IMPORTED,
                               updated_at=IMPORTED))
    source = (csv_bytes([listed("ann@council.gov.uk")], HEADER), "list.csv")
    report = await import_allocations(db, source, "2026-11", IMPORTED, actor_id=None, via="test",
                                      forms=config.forms_in_use())
    assert report.added == 1 and report.describe().splitlines()[-1] == (
        "1 supervision audit allocated in 2026-11, a month the schedule does not mark for supervision audits "
        "(months 2, 4, 6, 8, 10, 12); allowed")
    report = await import_allocations(db, source, "2026-12", IMPORTED, actor_id=None, via="test",
                                      forms=config.forms_in_use(), supervision_months=(12,))
    assert report.added == 1 and report.schedule_notes == []
