"""Status in chat (issue 20 item 2), over HTTP against the fake Bot Connector, on both databases:
`escalations`, `alerts` by area, `supervision status`, `observations status`, `delivery` and
`close month`, each typed by a role it serves (the same figures as the command line, a service lead
only their areas) and by one it does not (one sentence saying who it is for); the confirm card
closing a month (one trail row); and figures past Teams' 28 KB offered as a workbook through the
file consent card."""
from __future__ import annotations

import io
import json
from datetime import datetime, timezone

import openpyxl
import pytest
from sqlalchemy import select

from dialogs.report_cards import FILE_CONSENT
from dialogs.status_cards import CLOSE_VERB, MAX_CARD_BYTES, WORKBOOK_VERB, card_bytes
from storage.models import AuditMonth, Person, TrailEvent
from tests.support import activities as act
from tests.support.cards import buttons
from tests.support.cli import run_cli
from tests.support.reports import DOMAIN, SET_UP
from tests.support.status import a_council, accept, chat, typed


@pytest.fixture
async def council(db, services, fake_connector):
    return await a_council(db, services, fake_connector)


async def card_of(bot_client, fake, name: str, words: str) -> dict:
    [reply] = await typed(bot_client, fake, name, words)
    [card] = reply.cards
    assert card_bytes(card) < MAX_CARD_BYTES
    return card


def table_rows(card: dict) -> list[list[str]]:
    table = next(e for e in card["body"] if e["type"] == "Table")
    return [[c["items"][0]["text"] for c in row["cells"]] for row in table["rows"]]


async def told_who(bot_client, fake, name: str, words: str) -> str:
    [reply] = await typed(bot_client, fake, name, words)
    return reply.all_text()


async def test_escalations_the_whole_service_and_a_service_leads_areas(council, bot_client, fake_connector, db):
    card = await card_of(bot_client, fake_connector, "Quinn", "escalations")
    assert table_rows(card) == [["Service area", "Moderations pending", "Escalations open", "Updates due",
                                 "Updates overdue"], ["North", "1", "0", "0", "0"], ["South", "1", "0", "0", "0"],
                                ["Total", "2", "0", "0", "0"]]
    words = json.dumps(card, ensure_ascii=False)
    assert "Dip sample 2026-08" in words and "Re-audit of CR-A2" in words  # as the command line prints them
    code, out, _ = await run_cli(db, "escalations", "status")
    assert code == 0 and [line.split()[:2] for line in out.splitlines() if line.startswith(("North", "South"))] \
        == [["North", "1"], ["South", "1"]]
    assert table_rows(await card_of(bot_client, fake_connector, "Paula", "escalation status"))[-1][1] == "2"

    nora = await card_of(bot_client, fake_connector, "Nora", "escalations")
    assert table_rows(nora)[1:] == [["North", "1", "0", "0", "0"], ["Total", "1", "0", "0", "0"]]
    assert "South" not in json.dumps(nora) and "Re-audit" not in json.dumps(nora)

    assert '"escalations" is for' in await told_who(bot_client, fake_connector, "Pat", "escalations")
    assert '"escalations" is for' in await told_who(bot_client, fake_connector, "Aud", "escalations")


async def test_alerts_by_service_area(council, bot_client, fake_connector, db):
    from storage.models import Alert

    async with db.sessions.begin() as session:
        for n, area in enumerate(("North", "North", "South")):
            session.add(Alert(case_ref=f"CR-77{n}", service_area=area, team=f"{area} team", category="Drift",
                              raised_by_id=council["Quinn"], raised_at=datetime(2026, 9, 1 + n, 9, tzinfo=timezone.utc),
                              state="open", description="Plan out of date"))
    card = await card_of(bot_client, fake_connector, "Quinn", "alerts")
    assert table_rows(card) == [["Service area", "Open", "Chased", "Escalated"], ["North", "2", "2", "2"],
                                ["South", "1", "1", "1"], ["Total", "3", "3", "3"]]
    assert '"alerts" is for' in await told_who(bot_client, fake_connector, "Nora", "alerts")


async def test_supervision_status_for_the_service_and_for_a_service_lead(council, bot_client, fake_connector):
    whole = json.dumps(await card_of(bot_client, fake_connector, "Quinn", "supervision status"))
    assert "September 2026" in whole and "North team" in whole and "South team" in whole
    assert "South team" in json.dumps(await card_of(bot_client, fake_connector, "Paula", "supervision status"))
    nora = json.dumps(await card_of(bot_client, fake_connector, "Nora", "supervision status"))
    assert "North team" in nora and "South team" not in nora
    assert '"supervision status" is for' in await told_who(bot_client, fake_connector, "Aud", "supervision status")
    assert '"supervision status" is for' in await told_who(bot_client, fake_connector, "Dee", "supervision status")


async def test_observations_status_as_the_command_line_counts(council, bot_client, fake_connector, db):
    card = await card_of(bot_client, fake_connector, "Quinn", "observations status")
    rows = table_rows(card)
    code, out, _ = await run_cli(db, "observations", "status", "--on", "2026-10-07")
    assert code == 0
    total = next(line for line in out.splitlines() if line.startswith("Total"))  # "Total: 2 of 4"
    assert rows[-1][2:4] == [total.split()[1], total.split()[3]]
    nora = table_rows(await card_of(bot_client, fake_connector, "Nora", "observations status"))
    assert {row[0] for row in nora[1:-1]} == {"North"}
    assert '"observations status" is for' in await told_who(bot_client, fake_connector, "Pat", "observations status")


async def test_delivery_for_the_qa_unit_only(council, bot_client, fake_connector):
    rows = table_rows(await card_of(bot_client, fake_connector, "Quinn", "delivery"))
    assert rows[0] == ["Messages", "Count"] and [r[0] for r in rows[1:4]] == [
        "Waiting to go (due)", "Not yet due", "Being sent now"]
    assert '"delivery" is for the QA unit' in await told_who(bot_client, fake_connector, "Nora", "delivery")
    assert '"delivery" is for the QA unit' in await told_who(bot_client, fake_connector, "Paula", "outbox status")


async def test_close_month_with_its_confirm_card(council, bot_client, fake_connector, db):
    card = await card_of(bot_client, fake_connector, "Quinn", "close month")
    confirms = [(title, data) for title, verb, data in buttons(card) if verb == CLOSE_VERB]
    assert [title for title, _ in confirms] == ["Confirm: close July 2026", "Confirm: close August 2026",
                                                "Confirm: close September 2026"]
    # Someone else pressing it (a forwarded card) closes nothing.
    resp = await bot_client.post("/api/messages", json=act.card_action(
        "Nora", CLOSE_VERB, {"month": "2026-09"}, service_url=fake_connector.url))
    assert "Closing a month is for the QA unit" in json.dumps(await resp.json())
    resp = await bot_client.post("/api/messages", json=act.card_action(
        "Quinn", CLOSE_VERB, {"month": "2026-09"}, service_url=fake_connector.url))
    assert resp.status == 200
    answer = json.dumps(await resp.json(), ensure_ascii=False)
    assert "September 2026 closed by Quinn Example" in answer and "takes no more allocations" in answer
    again = await bot_client.post("/api/messages", json=act.card_action(
        "Quinn", CLOSE_VERB, {"month": "2026-09"}, service_url=fake_connector.url))
    assert "already closed" in json.dumps(await again.json())
    async with db.sessions() as session:
        closed = dict((await session.execute(select(AuditMonth.month, AuditMonth.closed_at))).all())
        trail = (await session.execute(select(TrailEvent).where(TrailEvent.action == "month_closed"))).scalars().all()
    assert closed["2026-09"] is not None and closed["2026-08"] is None
    assert [(t.month, t.actor_id, t.via) for t in trail] == [("2026-09", council["Quinn"], f"card:{CLOSE_VERB}")]
    later = await card_of(bot_client, fake_connector, "Quinn", "close month")
    assert "September 2026" not in json.dumps(later)
    assert '"close month" is for the QA unit' in await told_who(bot_client, fake_connector, "Paula", "close month")


async def test_figures_past_28_kb_come_as_a_workbook(council, bot_client, fake_connector, db):
    async with db.sessions.begin() as session:  # 400 teams of one, each supervised: 400 lines of coverage
        session.add_all(Person(email=f"worker{n}@{DOMAIN}", display_name=f"Worker {n}", role="practitioner",
                               team=f"North assessment team {n:03d}", service_area="North",
                               supervisor_email=f"aud@{DOMAIN}", created_at=SET_UP, updated_at=SET_UP)
                        for n in range(400))
    card = await card_of(bot_client, fake_connector, "Quinn", "observations status")
    assert "too many to show in Teams" in json.dumps(card)
    [(title, verb, data)] = buttons(card)
    assert verb == WORKBOOK_VERB and data == {"status": "observations"}

    # A practitioner pressing it (forwarded) is refused; nothing is queued for them.
    resp = await bot_client.post("/api/messages", json=act.card_action("Pat", verb, data, service_url=fake_connector.url))
    assert "Observation coverage is for the QA unit" in json.dumps(await resp.json())
    fake_connector.clear()
    resp = await bot_client.post("/api/messages", json=act.card_action("Quinn", verb, data,
                                                                        service_url=fake_connector.url))
    assert "sending the workbook" in json.dumps(await resp.json())
    [offer] = [c for c in fake_connector.delivered(chat("Quinn"))
               if any(a["contentType"] == FILE_CONSENT for a in c.activity.get("attachments") or [])]
    [consent] = [a for a in offer.activity["attachments"] if a["contentType"] == FILE_CONSENT]
    assert consent["name"] == "observations-status-2026-10-07.xlsx"
    assert consent["content"]["acceptContext"]["offer"] == "status"

    fake_connector.clear()
    resp = await accept(bot_client, fake_connector, "Pat", consent)  # not for a practitioner: nothing uploaded
    assert resp.status == 200 and not fake_connector.uploads
    resp = await accept(bot_client, fake_connector, "Quinn", consent)
    assert resp.status == 200
    [upload] = fake_connector.uploads.values()
    sheet = openpyxl.load_workbook(io.BytesIO(upload.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1] == ["Service area", "Team", "Observed", "People", "Share"]
    assert sum(1 for row in values if row[1] and str(row[1]).startswith("North assessment team")) == 400
    async with db.sessions() as session:
        trail = (await session.execute(select(TrailEvent.action, TrailEvent.actor_id).where(
            TrailEvent.subject_type == "status"))).all()
    assert sorted(trail) == [("status_exported", council["Quinn"]), ("status_workbook_asked", council["Quinn"])]
