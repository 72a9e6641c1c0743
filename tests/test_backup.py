"""The restore drill: back up mid-month, restore into a fresh database, carry on with `tick`:
nothing lost, nothing sent twice. SQLite through `python -m bot backup` (the online backup API, taken
while the bot is serving), PostgreSQL through pg_dump and pg_restore as docs/operations.md says."""
from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.backup import backup
from bot.cli import main
from capabilities.audit_cycle import flow
from capabilities.registry import CommandError
from storage.db import Database
from storage.migrate import schema_state
from storage.models import Allocation, Audit, DutyRun, OutboxMessage, TrailEvent
from tests.support import databases
from tests.support.audit_cycle import utc
from tests.support.month import Month


async def _counts(db: Database) -> dict[str, int]:
    async with db.sessions() as session:
        return {model.__tablename__: (await session.execute(select(func.count()).select_from(model))).scalar_one()
                for model in (Allocation, Audit, DutyRun, OutboxMessage, TrailEvent)}


async def _restore_postgres(url: str, tmp_path: Path) -> str:
    """pg_dump the database at `url` and pg_restore it into a new, empty one; the new one's address."""
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    plain = url.replace("postgresql+asyncpg://", "postgresql://")
    dump = tmp_path / "qa-bot.dump"
    name = f"qa_restore_{uuid.uuid4().hex[:8]}"
    await _admin(f'CREATE DATABASE "{name}"')
    restored = plain.rsplit("/", 1)[0] + f"/{name}"
    for command in (["pg_dump", "--format=custom", f"--file={dump}", plain],
                    ["pg_restore", "--no-owner", f"--dbname={restored}", str(dump)]):
        done = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    return restored


async def _admin(statement: str) -> None:
    conn = await databases._admin_connect()
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def test_back_up_mid_month_restore_and_carry_on(month: Month, tmp_path):
    m = month
    # -- the first half of December on the live database ----------------------------------------
    await m.tick(utc(2026, 12, 3, 9))
    notice_id = await m.sent_id("allocation-notice", "mo")
    await m.audit_case("mo", "CR-1001", notice_id, utc(2026, 12, 15, 19, 30))

    # -- back up (SQLite: while the app is serving), restore into a fresh database ------------------
    before = await _counts(m.db)
    if m.db.is_postgresql:
        restored_url = await _restore_postgres(m.db.url, tmp_path)
    else:
        copy = backup(m.db.url, tmp_path / "backup.sqlite3")
        assert copy.revision and copy.size > 0
        with pytest.raises(CommandError, match="exists already"):
            backup(m.db.url, copy.path)
        restored_path = tmp_path / "restored" / "qa-bot.sqlite3"
        restored_path.parent.mkdir()
        shutil.copyfile(copy.path, restored_path)  # restore: the file goes back where DATABASE_URL points
        restored_url = f"sqlite:///{restored_path}"
    live = m.services.db
    m.services.db = restored = Database(restored_url)
    try:
        assert (await schema_state(restored.engine)).at_head
        assert await _counts(restored) == before  # nothing lost

        # -- the rest of the month on the restored database ------------------------------------------
        assert await m.tick(utc(2026, 12, 15, 19, 31)) == {}
        assert await m.tick(utc(2026, 12, 16, 9)) == {"sam": [["Oversight needed: case CR-1001"]]}
        request_id = await m.sent_id(flow.OVERSIGHT_REQUEST, "sam", "CR-1001")
        assert request_id
        assert await m.tick(utc(2026, 12, 17, 9)) == {"mo": [["Audit due in 7 days"]], "meg": [["Audit due in 7 days"]]}
        assert await m.tick(utc(2026, 12, 3, 9)) == {}  # the notices sent before the backup are not sent again
        per_chat = Counter((chat, json.dumps(h)) for _, chat, h in m.log)
        assert [k for k, n in per_chat.items() if n > 1] == []  # nothing sent twice
    finally:
        m.services.db = live
        await restored.dispose()
        if restored.is_postgresql:
            await _admin(f'DROP DATABASE IF EXISTS "{restored_url.rsplit("/", 1)[1]}" WITH (FORCE)')


def test_backup_says_how_for_postgresql_and_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgresql://qa@127.0.0.1:1/qa")
    assert main(["backup", "--out", str(tmp_path / "qa.dump")]) == 1
    said = capsys.readouterr().err.strip()
    assert "pg_dump --format=custom" in said and "pg_restore" in said and "127.0.0.1" not in said
    assert not (tmp_path / "qa.dump").exists()
