"""Exports in chat (issue 20 item 3), over HTTP against the fake Bot Connector, on both databases:
`feedback export` for the principal social worker and the QA unit, through the file consent card,
the same workbook `python -m bot feedback export` writes; refused to a service lead, typed or pressed.
(The register in chat is `report`'s "Audit register": tests/test_reports_teams.py.)"""
from __future__ import annotations

import io
import json

import openpyxl
import pytest
from sqlalchemy import select

from dialogs.report_cards import FILE_CONSENT
from dialogs.status_cards import FEEDBACK_VERB
from storage.models import TrailEvent
from tests.support import activities as act
from tests.support.cards import buttons
from tests.support.cli import run_cli
from tests.support.status import a_council, accept, chat, typed


@pytest.fixture
async def council(db, services, fake_connector):
    return await a_council(db, services, fake_connector)


def rows(data: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


async def test_feedback_export_through_the_file_consent_card(council, bot_client, fake_connector, db, tmp_path):
    [reply] = await typed(bot_client, fake_connector, "Paula", "feedback export")
    [menu] = reply.cards
    months = {title: data for title, verb, data in buttons(menu) if verb == FEEDBACK_VERB}
    assert list(months) == ["October 2026", "September 2026", "August 2026"]

    fake_connector.clear()
    resp = await bot_client.post("/api/messages", json=act.card_action(
        "Paula", FEEDBACK_VERB, months["August 2026"], service_url=fake_connector.url))
    assert "sending the workbook" in json.dumps(await resp.json())
    [offer] = fake_connector.delivered(chat("Paula"))
    [consent] = [a for a in offer.activity["attachments"] if a["contentType"] == FILE_CONSENT]
    assert consent["name"] == "feedback-2026-08.xlsx"
    fake_connector.clear()
    assert (await accept(bot_client, fake_connector, "Paula", consent)).status == 200
    [upload] = fake_connector.uploads.values()
    code, _, err = await run_cli(db, "feedback", "export", "--month", "2026-08", "--out", str(tmp_path / "f.xlsx"))
    assert code == 0, err
    assert rows(upload.data) == rows((tmp_path / "f.xlsx").read_bytes())  # the command line's very workbook
    assert len(rows(upload.data)) == 3  # the headers and August's two entries

    # The QA unit may; a service lead may not, typed or pressed, nor by accepting the consent card.
    [quinn] = await typed(bot_client, fake_connector, "Quinn", "export feedback")
    assert "Feedback export" in quinn.all_text()
    [nora] = await typed(bot_client, fake_connector, "Nora", "feedback export")
    assert '"feedback export" is for the QA unit and the principal social worker' in nora.all_text()
    resp = await bot_client.post("/api/messages", json=act.card_action(
        "Nora", FEEDBACK_VERB, months["August 2026"], service_url=fake_connector.url))
    assert "The feedback export is for the principal social worker" in json.dumps(await resp.json())
    fake_connector.clear()
    fake_connector.uploads.clear()
    assert (await accept(bot_client, fake_connector, "Nora", consent)).status == 200
    assert not fake_connector.uploads
    async with db.sessions() as session:
        trail = (await session.execute(select(TrailEvent.action, TrailEvent.actor_id, TrailEvent.month).where(
            TrailEvent.subject_type == "feedback"))).all()
    assert sorted(trail) == [("feedback_export_asked", council["Paula"], "2026-08"),
                             ("feedback_exported", council["Paula"], "2026-08")]
