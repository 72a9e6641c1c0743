"""A roster sent in chat (capabilities/intake): how long the QA unit waits for the preview, and for
Confirm, with a 20,000-person roster on SQLite (issue target: preview under 5 s, Confirm under 10 s).

In this process, on a migrated SQLite database in a temporary folder: the served app (bot/app.py,
no scheduler) over HTTP, the fake Bot Connector (devtools.fake_connector), and a stand-in file host
on 127.0.0.1 serving the file the message's file.download.info attachment points at (as Teams
sends a file in a personal chat). The QA-unit member (the roster's first person) is on record.

- preview: POST /api/messages with the file, timed until the turn is answered (the bot has
  downloaded the file, recognised its kind from the columns, held it, run the import as a dry run
  in one rolled-back transaction, and posted the preview card to the fake connector).
- both: wall time, and the process's CPU time meanwhile (all its threads: the file is read in a
  worker thread), which is what the wall time would be with a core to itself; on a shared machine
  the wall time is the CPU time stretched by the other work.
- confirm: the preview card's Confirm pressed (invoke adaptiveCard/action, the card's own signed
  data), timed until the answer (the import written in batches of QA_IMPORT_BATCH_ROWS, default
  1,000, with SQLite's 120 ms gap between two).

Two cases (--case): `first`, an empty database receiving the whole roster (20,000 added: the
heaviest write), and `monthly`, the same roster on record already and a month's changes sent (1%
changed, 0.5% left, 0.5% joined). --format xlsx (as a council exports it) or csv.
Run: python -m bench.intake [--people 20000] [--case first|monthly|both] [--format xlsx|csv]
"""
from __future__ import annotations

import argparse
import asyncio
import io
import os
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import xlsxwriter
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import insert

from bench.common import machine, today
from bench.roster import HEADER, person_rows
from devtools.fake_connector import FakeConnector

TENANT = "tenant-1"
NOW = datetime(2026, 12, 7, 10, tzinfo=timezone.utc)
CHAT = "a:personal-qa"
FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"


def roster_bytes(rows: list[dict[str, str]], fmt: str) -> bytes:
    if fmt == "csv":
        lines = [",".join(HEADER)] + [",".join(p[h] for h in HEADER) for p in rows]
        return ("\n".join(lines) + "\n").encode()
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = book.add_worksheet("Roster")
    sheet.write_row(0, 0, HEADER)
    for r, person in enumerate(rows, start=1):
        sheet.write_row(r, 0, [person[h] for h in HEADER])
    book.close()
    return out.getvalue()


def monthly_changes(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """A month later: every 100th practitioner changed team, every 200th left, as many joined."""
    out, leavers = [], 0
    for n, person in enumerate(rows):
        if person["role"] == "practitioner" and n % 200 == 7:
            leavers += 1
            continue
        if person["role"] == "practitioner" and n % 100 == 3:
            person = dict(person, team=person["team"] + " (reorganised)")
        out.append(person)
    template = next(p for p in rows if p["role"] == "practitioner")
    out += [dict(template, email=f"joiner{i:05d}@council.example.gov.uk", display_name=f"Joiner {i}",
                 aad_object_id=str(uuid.UUID(int=10**12 + i))) for i in range(leavers)]
    return out


def _activity(kind: str, quinn: dict[str, str], service_url: str) -> dict:
    return {"type": kind, "id": f"bench-{uuid.uuid4().hex[:8]}", "channelId": "msteams", "serviceUrl": service_url,
            "timestamp": "2026-12-07T10:00:00.000Z", "locale": "en-GB",
            "from": {"id": "29:user-qa", "name": quinn["display_name"], "aadObjectId": quinn["aad_object_id"]},
            "recipient": {"id": "28:bot-id", "name": "QA"},
            "conversation": {"id": CHAT, "conversationType": "personal", "tenantId": TENANT},
            "channelData": {"tenant": {"id": TENANT}}}


def file_message(quinn: dict[str, str], service_url: str, name: str, url: str) -> dict:
    activity = _activity("message", quinn, service_url)
    activity["text"] = ""
    activity["attachments"] = [{"contentType": FILE_DOWNLOAD_INFO, "name": name,
                                "contentUrl": f"https://council-my.sharepoint.com/personal/{name}",
                                "content": {"downloadUrl": url, "uniqueId": str(uuid.uuid4()),
                                            "fileType": name.rsplit(".", 1)[-1]}}]
    return activity


def press(quinn: dict[str, str], service_url: str, action: dict) -> dict:
    activity = _activity("invoke", quinn, service_url)
    activity["name"] = "adaptiveCard/action"
    activity["replyToId"] = "1:preview"
    activity["value"] = {"action": {"type": "Action.Execute", "id": "confirm", "verb": action["verb"],
                                    "data": action["data"]}, "trigger": "manual"}
    return activity


async def one_case(case: str, people: int, fmt: str) -> dict[str, float | int | str]:
    from bot.app import create_app
    from bot.clock import fixed_clock
    from bot.services import Services
    from bot.settings import Settings
    from storage.db import Database
    from storage.migrate import upgrade
    from storage.models import Conversation, Person
    from storage.roster import import_roster

    rows = person_rows(people)
    quinn = rows[0]
    assert quinn["role"] == "qa_unit"
    sent = monthly_changes(rows) if case == "monthly" else rows
    name = f"roster.{fmt}"
    data = roster_bytes(sent, fmt)
    files = {name: data}

    async def serve(request: web.Request) -> web.Response:
        return web.Response(body=files[request.match_info["name"]], content_type="application/octet-stream")

    host_app = web.Application()
    host_app.router.add_get("/files/{name}", serve)
    host = TestServer(host_app, host="127.0.0.1")
    await host.start_server()
    fake = await FakeConnector().start()
    with tempfile.TemporaryDirectory() as work:
        db = Database(f"sqlite:///{Path(work) / 'bench.sqlite3'}")
        await upgrade(db.engine)
        if case == "monthly":  # last month's roster on record (not timed)
            path = Path(work) / "last-month.csv"
            path.write_bytes(roster_bytes(rows, "csv"))
            await import_roster(db, path, NOW - timedelta(days=30))
        async with db.sessions.begin() as s:
            if case == "first":
                await s.execute(insert(Person.__table__), [
                    {"email": quinn["email"], "display_name": quinn["display_name"], "role": "qa_unit",
                     "team": quinn["team"], "service_area": "", "registered": False,
                     "aad_object_id": quinn["aad_object_id"], "created_at": NOW, "updated_at": NOW}])
            person_id = (await s.execute(Person.__table__.select().where(
                Person.__table__.c.email == quinn["email"]))).first().id
            await s.execute(insert(Conversation.__table__), [
                {"conversation_id": CHAT, "tenant_id": TENANT, "service_url": fake.url, "bot_id": "28:bot-id",
                 "user_id": "29:user-qa", "person_id": person_id, "reference": {},
                 "installed_at": NOW - timedelta(days=7)}])
        services = Services.create(Settings(database_url=db.url), db=db, clock=fixed_clock(NOW))
        client = TestClient(TestServer(create_app(services.settings, services, run_scheduler=False)))
        await client.start_server()
        try:
            began, cpu = time.perf_counter(), time.process_time()
            resp = await client.post("/api/messages", json=file_message(
                quinn, fake.url, name, str(host.make_url(f"/files/{name}"))))
            preview_s, preview_cpu = time.perf_counter() - began, time.process_time() - cpu
            assert resp.status in (200, 201), await resp.text()
            [card] = fake.delivered(CHAT)[-1].cards
            facts = {f["title"]: f["value"] for part in card["body"] if part.get("type") == "FactSet"
                     for f in part["facts"]}
            assert "Added" in facts, card
            [confirm] = [a for a in card["actions"] if a["title"] == "Confirm"]
            began, cpu = time.perf_counter(), time.process_time()
            resp = await client.post("/api/messages", json=press(quinn, fake.url, confirm))
            confirm_s, confirm_cpu = time.perf_counter() - began, time.process_time() - cpu
            answer = await resp.text()
            assert resp.status == 200 and "Imported" in answer, answer[:500]
        finally:
            await client.close()
            await fake.stop()
            await host.close()
            await services.close()
            await db.dispose()
    return {"case": case, "rows": len(sent), "bytes": len(data), "preview": preview_s, "confirm": confirm_s,
            "preview_cpu": preview_cpu, "confirm_cpu": confirm_cpu,
            "facts": ", ".join(f"{k} {v}" for k, v in facts.items())}


async def main(people: int, cases: list[str], fmt: str) -> str:
    lines = [f"bench.intake, {today()}, {machine()}, load average at start {os.getloadavg()[0]:.1f}"]
    for case in cases:
        r = await one_case(case, people, fmt)
        lines.append(f"{r['case']}: {r['rows']:,}-row .{fmt} ({int(r['bytes']) / 1e6:.1f} MB): preview answered in "
                     f"{r['preview']:.2f} s ({r['preview_cpu']:.2f} s of CPU), Confirm answered in "
                     f"{r['confirm']:.2f} s ({r['confirm_cpu']:.2f} s of CPU); {r['facts']}")
    lines.append(f"load average at end {os.getloadavg()[0]:.1f}")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.intake", description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--case", choices=("first", "monthly", "both"), default="both")
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    args = parser.parse_args()
    chosen = ["first", "monthly"] if args.case == "both" else [args.case]
    print(asyncio.run(main(args.people, chosen, args.format)))
