"""`python -m bot doctor`: one line per thing to fix, exit 0 only when nothing must be fixed."""
from __future__ import annotations

import json
import zipfile
from datetime import datetime, timedelta, timezone

from bot.cli import main
from bot.doctor import examine, next_moments
from bot.settings import Settings
from capabilities.catalogue import default_duties
from storage.models import Allocation, AuditMonth, Conversation, Person

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)
TENANT = "3a0b3c51-3e1d-44f1-ba8e-9f82b6880005"


def settings(db, **more) -> Settings:
    return Settings(database_url=db.url, app_id="app-1", app_password="secret", allowed_tenants=frozenset({TENANT}),
                    **more)


def package(path, app_id: str):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", json.dumps({"bots": [{"botId": app_id}]}))
    return path


async def add(db, key: str, role: str, area: str, *, chat: bool, aad: bool = True) -> int:
    async with db.sessions.begin() as s:
        person = Person(email=f"{key}@council.gov.uk", display_name=f"{key.title()} Example", role=role,
                        team=f"{area} team", service_area=area, registered=True,
                        aad_object_id=f"00000000-0000-4000-8000-{abs(hash(key)) % 10**12:012d}" if aad else None,
                        created_at=NOW, updated_at=NOW)
        s.add(person)
        await s.flush()
        if chat:
            s.add(Conversation(conversation_id=f"a:{key}", tenant_id=TENANT, service_url="https://smba.example",
                               bot_id="28:bot", user_id=f"29:{key}", person_id=person.id, reference={},
                               installed_at=NOW - timedelta(days=3)))
        return person.id


async def test_an_empty_roster_and_no_package_must_be_fixed(db, tmp_path):
    found = await examine(settings(db), NOW, package=tmp_path / "missing.zip")
    fixes = [line for line in found.lines if line.startswith("fix:")]
    assert not found.healthy
    assert any("roster is empty" in line for line in fixes)
    assert any("no Teams package" in line for line in fixes)


async def test_every_gap_in_a_deployment_is_one_line(db, tmp_path):
    await add(db, "quinn", "qa_unit", "", chat=True)
    await add(db, "lead", "service_lead", "North", chat=False)
    auditor = await add(db, "pm", "practice_manager", "South", chat=False, aad=False)
    async with db.sessions.begin() as s:
        s.add(AuditMonth(month="2026-12", imported_at=NOW))
        await s.flush()
        s.add(Allocation(month="2026-12", case_ref="CR-1", annex_a_list="List 8", service_area="South",
                         team="South team", auditor_id=auditor, case_holder_id=auditor,
                         created_at=NOW, updated_at=NOW))
    found = await examine(settings(db), NOW, package=package(tmp_path / "teams-app.zip", "another-app"))
    text = "\n".join(found.lines)
    assert not found.healthy
    assert "fix: service area 'South' has no service lead" in text
    assert "'North'" not in text.split("no service lead")[0]  # North has its lead
    assert "built for app id another-app" in text
    assert "fix: 1 service lead(s) have no chat with the bot" in text and "lead@council.gov.uk" in text
    assert "fix: 1 auditor(s) have no chat with the bot" in text and "pm@council.gov.uk" in text
    assert "note: 1 people have no aad_object_id" in text
    assert "roster: 3 active people (practice_manager 1, qa_unit 1, service_lead 1)" in text


async def test_a_deployment_with_nothing_to_fix_exits_0(db, tmp_path, monkeypatch, capsys):
    await add(db, "quinn", "qa_unit", "", chat=True)
    await add(db, "lead", "service_lead", "North", chat=True)
    found = await examine(settings(db), NOW, package=package(tmp_path / "teams-app.zip", "app-1"))
    assert found.healthy, found.lines
    assert any(line.startswith("ok: time zone Europe/London; next: ") for line in found.lines)


def test_the_next_five_moments_are_the_duties_next_occurrences():
    duties = list(default_duties(Settings()))
    moments = next_moments(duties, NOW)
    assert len(moments) == 5 and moments == sorted(moments) and all(at > NOW for at, _ in moments)
    assert len({name for _, name in moments}) == 5
    # The audit cycle's next: Thursday 3 December 2026, 09:00 in London, the allocation notices.
    cycle = [d for d in duties if d.name == "audit-cycle"]
    assert next_moments(cycle, NOW) == [(datetime(2026, 12, 3, 9, tzinfo=timezone.utc), "audit-cycle")]


def test_wrong_settings_are_the_first_thing_to_fix(monkeypatch, capsys):
    monkeypatch.setenv("PORT", "not-a-port")
    assert main(["doctor"]) == 1
    assert capsys.readouterr().out.strip() == "fix: settings: PORT must be a whole number, not 'not-a-port'"
