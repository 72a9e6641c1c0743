"""An audit form definition sent to the bot in chat by the QA unit: previewed (the form, or every
problem with its line), put in use only on Confirm (the file in QA_FORMS_DIR, the version kept, the
process's forms re-read), an edited form refused unless it has a new version, anyone else turned away.

Over HTTP through the real app and the fake Bot Connector, on SQLite and PostgreSQL, the file served by
the stand-in file host (tests/support/chat_files.py), as tests/test_files_in_chat.py does.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.clock import fixed_clock
from capabilities.audit_forms import config, file_kind
from capabilities.audit_forms.duties import KeepFormVersionsDuty, forms_key
from storage.models import AuditFormVersion
from tests.support import activities as act
from tests.support.allocation_files import GOOD, csv_bytes
from tests.support.chat_files import file_message, post, staff
from tests.support.cli import ROOT, run_cli

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=timezone.utc)
FOSTERING = (ROOT / "docs" / "forms" / "fostering.json").read_text(encoding="utf-8")
DEFAULT = (config.DEFAULT_DIR / "default.json").read_text(encoding="utf-8")


async def setup(services, db) -> None:
    services.clock = fixed_clock(NOW)
    await act.add_people(db, *staff())


async def send(bot_client, fake, file_host, name: str, data: bytes, text: str = "") -> dict:
    """Quinn (QA unit) sends the file; the one card the bot answers with."""
    file_host.files[name] = data
    before = len(fake.delivered(act.personal_conversation_id("quinn")))
    await post(bot_client, file_message("quinn", "aad-quinn", service_url=fake.url, name=name, url=file_host.url(name),
                                        text=text))
    [reply] = fake.delivered(act.personal_conversation_id("quinn"))[before:]
    return reply.cards[0] if reply.cards else {"text": reply.text}


async def press(bot_client, fake, card: dict, title: str) -> str:
    """Quinn presses `title` on `card`; the bot's answer as JSON text."""
    [action] = [a for a in card["actions"] if a["type"] == "Action.Execute" and a["title"] == title]
    data = {k: v for k, v in action["data"].items() if not k.startswith("_")}
    resp = await bot_client.post("/api/messages", json=act.card_action("quinn", action["verb"], data,
                                                                        service_url=fake.url, aad="aad-quinn"))
    assert resp.status == 200, await resp.text()
    return json.dumps(await resp.json(), ensure_ascii=False)


def facts_of(card: dict) -> dict[str, str]:
    return {f["title"]: f["value"] for part in card["body"] if part.get("type") == "FactSet" for f in part["facts"]}


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A forms folder holding the default form, used by the process for the test."""
    forms = tmp_path / "forms"
    forms.mkdir()
    (forms / "default.json").write_text(DEFAULT, encoding="utf-8")
    monkeypatch.setenv("QA_FORMS_DIR", str(forms))
    config.forms_in_use.cache_clear()
    yield forms
    monkeypatch.delenv("QA_FORMS_DIR")
    config.forms_in_use.cache_clear()


def edited(text: str, *, version: int | None = None, label: str | None = None) -> str:
    data = json.loads(text)
    if version is not None:
        data["version"] = version
    if label is not None:
        data["sections"][0]["questions"][0]["label"] = label
    return json.dumps(data, indent=2)


async def kept(db) -> list[tuple[str, int]]:
    async with db.sessions() as s:
        return [(k.name, k.version) for k in (await s.execute(
            select(AuditFormVersion).order_by(AuditFormVersion.name, AuditFormVersion.version))).scalars()]


async def test_a_definition_is_previewed_then_put_in_use_on_confirm_and_listed(
        bot_client, services, fake_connector, file_host, db, folder):
    await setup(services, db)
    card = await send(bot_client, fake_connector, file_host, "fostering.json", FOSTERING.encode())
    seen = json.dumps(card)
    assert facts_of(card)["For"] == ("Fostering audit tool: a case audit form for service areas: Fostering, "
                                     "version 1 (17 questions)")
    assert facts_of(card)["New form"] == "1" and "a new form: fostering version 1" in seen
    assert "The fostering household: 4 questions" in seen
    assert sorted(p.name for p in folder.iterdir()) == ["default.json"] and await kept(db) == []  # a preview only

    answer = await press(bot_client, fake_connector, card, "Confirm")
    assert "fostering.json was imported as an audit form definition" in answer
    assert (folder / "fostering.json").read_text(encoding="utf-8") == FOSTERING
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temporary file left
    assert await kept(db) == [("fostering", 1)]
    assert [f.ref for f in config.forms_in_use()] == [f.ref for f in config.load()]  # the process re-read it
    assert {f.name for f in config.forms_in_use()} == {"default", "fostering"}

    # From now on an allocation list is read against it: no form for these service areas, said in the preview.
    preview = await send(bot_client, fake_connector, file_host, "december.csv", csv_bytes(GOOD), "2026-12")
    assert "2 allocations on the default form: no case audit form for the service area Children in Need" \
        in json.dumps(preview)

    # A new version: what changed is said; the version it replaces is kept too.
    services.clock = fixed_clock(NOW + timedelta(minutes=5))
    v2 = edited(FOSTERING, version=2, label="Is the child's plan reviewed on time?")
    card = await send(bot_client, fake_connector, file_host, "fostering-v2.json", v2.encode())
    seen = json.dumps(card)
    assert facts_of(card)["New version"] == "1" and "version 2 of fostering in place of version 1" in seen
    assert "imported as an audit form definition" in await press(bot_client, fake_connector, card, "Confirm")
    assert sorted(p.name for p in folder.iterdir()) == ["default.json", "fostering.json"]
    assert json.loads((folder / "fostering.json").read_text(encoding="utf-8"))["version"] == 2
    assert await kept(db) == [("fostering", 1), ("fostering", 2)]

    code, out, err = await run_cli(db, "forms", "list", env={"QA_FORMS_DIR": str(folder)})
    assert code == 0, err
    assert "  fostering v2  case audit  service areas: Fostering" in out
    assert "1 older version kept (audits started on them keep them):" in out and "  fostering v1  (" in out


async def test_a_bad_definition_shows_every_problem_with_its_line_and_nothing_is_written(
        bot_client, services, fake_connector, file_host, db, folder):
    await setup(services, db)
    bad = FOSTERING.replace('"key_area": "Management oversight",', '"key_area": "Oversight",', 1)
    line = next(n for n, text in enumerate(bad.splitlines(), start=1) if '"Oversight"' in text)
    card = await send(bot_client, fake_connector, file_host, "fostering.json", bad.encode())
    seen = json.dumps(card)
    assert "Not imported" in seen and f"line {line}: question" in seen and "'Oversight' is not a key area" in seen
    assert "Confirm" not in seen
    card = await send(bot_client, fake_connector, file_host, "broken.json", b'{"name": "x",\n "title": }')
    assert "line 2, column 11: not valid JSON" in json.dumps(card)
    assert sorted(p.name for p in folder.iterdir()) == ["default.json"] and await kept(db) == []


async def test_an_edited_form_with_the_same_version_is_refused(bot_client, services, fake_connector, file_host, db,
                                                               folder):
    await setup(services, db)
    await press(bot_client, fake_connector,
                await send(bot_client, fake_connector, file_host, "fostering.json", FOSTERING.encode()), "Confirm")
    services.clock = fixed_clock(NOW + timedelta(minutes=5))
    same_version = edited(FOSTERING, label="A question reworded")
    card = await send(bot_client, fake_connector, file_host, "fostering.json", same_version.encode())
    seen = json.dumps(card)
    assert "Not imported" in seen and "version 1 is already kept with other questions" in seen
    assert "give it version 2" in seen
    assert (folder / "fostering.json").read_text(encoding="utf-8") == FOSTERING
    # The same file again is nothing to do.
    card = await send(bot_client, fake_connector, file_host, "fostering.json", FOSTERING.encode())
    assert facts_of(card)["Unchanged"] == "1"


async def test_a_folder_the_bot_cannot_write_is_said_and_nothing_is_kept(
        bot_client, services, fake_connector, file_host, db, folder, monkeypatch):
    # The tests run as root, whom permissions do not stop: the file system's answers are stood in for.
    await setup(services, db)
    card = await send(bot_client, fake_connector, file_host, "fostering.json", FOSTERING.encode())

    def refuse(path, text):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(file_kind, "write_atomically", refuse)
    answer = await press(bot_client, fake_connector, card, "Confirm")
    assert "cannot be written by the bot" in answer and "QA_FORMS_DIR" in answer
    assert await kept(db) == [] and sorted(p.name for p in folder.iterdir()) == ["default.json"]
    assert {f.name for f in config.forms_in_use()} == {"default"}

    monkeypatch.setattr(file_kind.os, "access", lambda path, mode: False)
    card = await send(bot_client, fake_connector, file_host, "fostering2.json", FOSTERING.encode())
    assert "cannot be written by the bot" in json.dumps(card) and "Confirm" not in json.dumps(card)


def test_a_definition_is_written_whole_or_not_at_all(tmp_path):
    target = tmp_path / "form.json"
    target.write_text("old", encoding="utf-8")
    file_kind.write_atomically(target, "new")
    assert target.read_text(encoding="utf-8") == "new" and [p.name for p in tmp_path.iterdir()] == ["form.json"]


async def test_only_the_qa_unit_may_send_a_definition(bot_client, services, fake_connector, file_host, db, folder):
    await setup(services, db)
    file_host.files["fostering.json"] = FOSTERING.encode()
    await post(bot_client, file_message("sol", "aad-sol", service_url=fake_connector.url, name="fostering.json",
                                        url=file_host.url("fostering.json")))
    [reply] = fake_connector.delivered(act.personal_conversation_id("sol"))
    assert "Only the QA unit" in reply.text and file_host.fetched == []
    assert sorted(p.name for p in folder.iterdir()) == ["default.json"]


async def test_the_forms_in_use_are_kept_once_each_time_they_change(db, folder):
    duty = KeepFormVersionsDuty()
    [occurrence] = duty.occurrences(NOW)
    for _ in range(2):  # idempotent
        async with db.sessions.begin() as session:
            await duty.run(session, occurrence, NOW)
    assert await kept(db) == [("default", 1)]
    (folder / "fostering.json").write_text(FOSTERING, encoding="utf-8")
    config.reload()
    assert forms_key() != occurrence.key
