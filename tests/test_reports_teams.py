"""The reports in Teams (issue 14 items 3 and 6), on both databases: the monthly analysis duty on
the 7th through `tick`, its card (a compact Table, under 28 KB) and the workbook sent through the
file consent flow over HTTP against the fake Bot Connector (accept: upload, then a file info
card; decline), and `report` in chat, with who may have what checked on the server."""
from __future__ import annotations

import io
import json
from datetime import datetime, timezone

import openpyxl
import pytest
from sqlalchemy import func, select

from bot import file_consent
from bot.clock import fixed_clock
from bot.tick import tick
from capabilities.catalogue import default_duties
from capabilities.reports.config import Schedule
from capabilities.reports.duties import AuditReportDuty
from dialogs.digest import MAX_ACTIVITY_BYTES, activity_bytes
from dialogs.report_cards import FILE_CONSENT, FILE_INFO, SEND_VERB
from qa.calendar import WorkingCalendar
from storage.models import OutboxMessage, TrailEvent
from tests.support import activities as act
from tests.support.cards import buttons
from tests.support.cli import run_cli
from tests.support.reports import add_history, add_people

SEVENTH = datetime(2026, 10, 7, 8, 5, tzinfo=timezone.utc)  # Wednesday 7 October, 09:05 in London
CARD = "application/vnd.microsoft.card.adaptive"


@pytest.fixture
async def council(db, services, fake_connector):
    people = await add_people(db, service_url=fake_connector.url)
    await add_history(db, people)
    services.clock = fixed_clock(SEVENTH)
    return people


def chat(name: str) -> str:
    return act.personal_conversation_id(name)


def offers(fake, name: str) -> list[tuple[dict, dict]]:
    """(card, consent attachment) of each report message sent to `name`."""
    out = []
    for call in fake.delivered(chat(name)):
        attachments = call.activity.get("attachments") or []
        consent = [a for a in attachments if a["contentType"] == FILE_CONSENT]
        if consent:
            [card] = [a["content"] for a in attachments if a["contentType"] == CARD]
            assert activity_bytes(call.activity) < MAX_ACTIVITY_BYTES
            out.append((card, consent[0]))
    return out


def table_rows(card: dict) -> list[list[str]]:
    table = next(e for e in card["body"] if e["type"] == "Table")
    return [[c["items"][0]["text"] for c in row["cells"]] for row in table["rows"]]


async def accept(bot_client, fake, name: str, consent: dict, action: str = "accept"):
    activity = act._personal("invoke", name, fake.url, None, f"{name} Example", act.TENANT)
    activity["name"] = "fileConsent/invoke"
    activity["value"] = fake.consent_answer(consent, action)
    activity["replyToId"] = "1:consent-card"
    resp = await bot_client.post("/api/messages", json=activity)
    await file_consent.settled()  # the upload runs after the answer, in the background
    return resp


def test_the_seventh_moves_to_the_next_working_day():
    cal = WorkingCalendar()
    duty = AuditReportDuty(cal, Schedule())
    # 7 November 2026 is a Saturday: October's analysis goes on Monday 9 November.
    [occurrence] = list(duty.occurrences(datetime(2026, 11, 9, 9, 5, tzinfo=timezone.utc)))
    assert occurrence.key == "2026-10" and cal.local_date(occurrence.due_at).isoformat() == "2026-11-09"
    assert not list(duty.occurrences(datetime(2026, 11, 6, 12, tzinfo=timezone.utc)))
    assert [r.kind for r in duty.requests("2026-09")] == ["monthly", "quarterly"]
    assert [(r.kind, r.period) for r in duty.requests("2026-11")] == [("monthly", "2026-11"), ("annual", "2026")]
    assert [(r.kind, r.period, r.months[0]) for r in AuditReportDuty(cal, Schedule((2,), 5)).requests("2026-02")] \
        == [("monthly", "2026-02", "2026-02"), ("quarterly", "2026-02", "2025-12")]


async def test_monthly_analysis_on_the_seventh_and_the_workbook_through_file_consent(
        council, services, bot_client, fake_connector, db):
    report = await tick(services, SEVENTH, wait_retries=0, duties=default_duties(services.settings))
    assert ("audit-report", "2026-09") in report.sweep.ran
    # September is a quarter month: the monthly analysis and the quarterly report, to each of them.
    for name in ("Quinn", "Dee", "Nora", "Sol"):
        assert len(offers(fake_connector, name)) == 2, name
    for name in ("Aud", "Ben", "Pat", "Pip"):
        assert not offers(fake_connector, name), name
    (quinn_monthly, quinn_consent), (quinn_quarterly, _) = offers(fake_connector, "Quinn")
    rows = table_rows(quinn_monthly)
    assert rows[0] == ["Figure", "Now", "Jun 2026", "Jul 2026", "Aug 2026", "Trend"]
    assert rows[1] == ["Allocated", "4", "\u2013", "3", "3", "\u2191"]
    assert rows[4] == ["Late", "1", "\u2013", "1", "0", "\u2191 worse"]
    assert "Whole service" in json.dumps(quinn_monthly) and "South" in json.dumps(quinn_monthly)
    assert table_rows(quinn_quarterly)[1][:2] == ["Allocated", "10"]
    assert quinn_consent["name"] == "audit-analysis-2026-09.xlsx"
    assert quinn_consent["content"]["acceptContext"] == {"offer": "report", "report": "monthly", "period": "2026-09",
                                                         "_s": "offer,period,report",  # signed by the bot
                                                         "_sig": quinn_consent["content"]["acceptContext"]["_sig"]}
    assert quinn_consent["content"]["sizeInBytes"] > 1000
    (nora_monthly, nora_consent), _ = offers(fake_connector, "Nora")
    assert table_rows(nora_monthly)[1] == ["Allocated", "2", "\u2013", "2", "1", "\u2191"]
    assert nora_consent["name"] == "audit-analysis-2026-09-north.xlsx"

    # Nora allows it: the workbook (North only) is uploaded, then a file info card is sent.
    fake_connector.clear()
    resp = await accept(bot_client, fake_connector, "Nora", nora_consent)
    assert resp.status == 200
    [upload] = fake_connector.uploads.values()
    assert upload.content_range == f"bytes 0-{len(upload.data) - 1}/{len(upload.data)}"
    wb = openpyxl.load_workbook(io.BytesIO(upload.data))
    assert sorted(r[1].value for r in wb["Register"].iter_rows(min_row=2)) == ["CR-S1", "CR-S2"]
    [info_call] = fake_connector.delivered(chat("Nora"))
    [info] = [a for a in info_call.activity["attachments"] if a["contentType"] != CARD]
    assert info["contentType"] == FILE_INFO and info["contentUrl"].endswith("/audit-analysis-2026-09-north.xlsx")
    assert info["content"]["uniqueId"] == upload.name and info["content"]["fileType"] == "xlsx"

    # Declining uploads nothing and says how to ask again.
    fake_connector.clear()
    fake_connector.uploads.clear()
    resp = await accept(bot_client, fake_connector, "Quinn", quinn_consent, "decline")
    assert resp.status == 200 and not fake_connector.uploads
    assert "haven't saved it" in fake_connector.delivered(chat("Quinn"))[0].text

    # A practitioner accepting a consent card (forwarded or forged) gets nothing.
    fake_connector.clear()
    resp = await accept(bot_client, fake_connector, "Pat", quinn_consent)
    assert resp.status == 200 and not fake_connector.uploads
    assert "Reports are for the QA unit" in fake_connector.delivered(chat("Pat"))[0].all_text()

    # The same tick again writes nothing more.
    async with db.sessions() as session:
        before = await session.scalar(select(func.count()).select_from(OutboxMessage))
    await tick(services, SEVENTH, wait_retries=0, duties=default_duties(services.settings))
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == before
        sent = (await session.execute(select(TrailEvent).where(TrailEvent.action == "report_sent"))).scalars().all()
    assert [(e.detail["report"], e.detail["period"], e.detail["areas"]) for e in sent] == [("monthly", "2026-09", 1)]


async def test_report_in_chat(council, services, bot_client, fake_connector, db):
    fake_connector.clear()
    resp = await bot_client.post("/api/messages", json=act.message("Sol", "report", service_url=fake_connector.url))
    assert resp.status == 201
    [reply] = fake_connector.delivered(chat("Sol"))
    [menu] = reply.cards
    choices = {title: data for title, verb, data in buttons(menu) if verb == SEND_VERB}
    assert list(choices) == ["Monthly analysis, September 2026", "Quarterly report, 2026 Q3", "Annual report, 2025",
                             "Audit register, October 2025 to September 2026"]
    register = choices["Audit register, October 2025 to September 2026"]
    fake_connector.clear()
    resp = await bot_client.post("/api/messages", json=act.card_action(
        "Sol", SEND_VERB, {"report": register["report"], "period": register["period"]},
        service_url=fake_connector.url))
    assert resp.status == 200
    assert "sending it to you" in json.dumps(await resp.json())
    [(card, consent)] = offers(fake_connector, "Sol")
    assert consent["name"] == "audit-register-2025-10-to-2026-09-south.xlsx"
    resp = await accept(bot_client, fake_connector, "Sol", consent)
    assert resp.status == 200
    [upload] = fake_connector.uploads.values()
    ws = openpyxl.load_workbook(io.BytesIO(upload.data))["Register"]
    assert sorted(r[1].value for r in ws.iter_rows(min_row=2)) == ["CR-A2", "CR-A3", "CR-J3", "CR-S3", "CR-S4"]

    # A practitioner is told reports are not for them; a forged button changes nothing.
    fake_connector.clear()
    await bot_client.post("/api/messages", json=act.message("Pat", "report", service_url=fake_connector.url))
    assert '"report" is for practice managers' in fake_connector.delivered(chat("Pat"))[0].all_text()
    resp = await bot_client.post("/api/messages", json=act.card_action(
        "Pat", SEND_VERB, {"report": "monthly", "period": "2026-09"}, service_url=fake_connector.url))
    assert "Reports are for the QA unit" in json.dumps(await resp.json())
    async with db.sessions() as session:
        asked = (await session.execute(select(TrailEvent).where(TrailEvent.action == "report_asked"))).scalars().all()
    assert len(asked) == 1 and asked[0].detail["report"] == "register"


@pytest.mark.parametrize("value", [{"action": "accept", "uploadInfo": "x"}, {"action": "accept", "context": [1]},
                                   {"action": "maybe"}, {"action": "accept", "context": {"offer": "nope"},
                                                         "uploadInfo": {"uploadUrl": "ftp://x/y"}}])
async def test_a_malformed_consent_answer_changes_nothing(council, bot_client, fake_connector, value):
    activity = act._personal("invoke", "Quinn", fake_connector.url, None, "Quinn Example", act.TENANT)
    activity["name"] = "fileConsent/invoke"
    activity["value"] = value
    fake_connector.clear()
    resp = await bot_client.post("/api/messages", json=activity)
    assert resp.status in (200, 400) and not fake_connector.uploads
    if resp.status == 200:  # well-formed but not ours to answer: says so, uploads nothing
        assert "couldn't tell which file" in fake_connector.delivered(act.personal_conversation_id("Quinn"))[0].text


async def test_the_seventh_through_the_tick_command(council, db, fake_connector):
    code, out, err = await run_cli(db, "tick", "--now", SEVENTH.isoformat(), "--wait-retries", "0")
    assert code == 0, err
    assert "audit-report 2026-09" in out
    assert [consent["name"] for _, consent in offers(fake_connector, "Sol")] == [
        "audit-analysis-2026-09-south.xlsx", "audit-report-2026-Q3-south.xlsx"]
    assert len(offers(fake_connector, "Dee")) == 2
