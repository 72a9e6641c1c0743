"""A file cannot take the bot down: every import reads its file off the event loop, so /healthz
answers while a 100,000-row file is read; limits refuse a file before it is parsed, in chat and
from the CLI, with the settings' values."""
from __future__ import annotations

import asyncio
import threading
import time
from datetime import datetime, timezone

import pytest

from bot.settings import Settings, SettingsError
from qa.tabular import MB, ReadLimits
from storage import files
from storage.allocations import AllocationsRejected, import_allocations
from storage.roster import RosterRejected, import_roster
from tests.support.allocation_files import csv_bytes, row

NOW = datetime(2026, 12, 1, 10, tzinfo=timezone.utc)
WAIT = 30.0  # seconds a gate waits before the test fails instead of hanging


def hundred_thousand_rows() -> bytes:
    return csv_bytes([row(f"CR-{n}") for n in range(100_000)])


async def test_healthz_answers_while_a_100000_row_file_is_read(bot_client, services, monkeypatch):
    started, release = threading.Event(), threading.Event()
    read = files.read_table_bytes

    def gated(*args):
        # On the worker thread: the read has begun and stays in progress until /healthz has answered.
        started.set()
        if not release.wait(WAIT):
            raise AssertionError("/healthz never answered while the file was read: the read blocks the loop")
        return read(*args)

    monkeypatch.setattr(files, "read_table_bytes", gated)
    data = hundred_thousand_rows()
    importing = asyncio.create_task(import_allocations(services.db, (data, "december.csv"), "2026-12", NOW,
                                                       actor_id=None, via="test"))
    assert await asyncio.to_thread(started.wait, WAIT)
    asked = time.perf_counter()
    resp = await bot_client.get("/healthz")
    answered = time.perf_counter() - asked
    assert resp.status == 200 and not importing.done()
    assert answered < 1.0, answered  # milliseconds in practice; 1 s leaves room for a loaded CI machine
    release.set()
    # Read and checked whole (off the loop too): nobody in it is on the roster, so nothing is written.
    with pytest.raises(AllocationsRejected) as caught:
        await importing
    assert "is not on the roster" in str(caught.value)


async def test_a_file_over_the_row_limit_is_refused_by_the_chat_and_cli_imports(db, tmp_path):
    limits = ReadLimits(max_rows=2)
    data = csv_bytes([row("CR-1"), row("CR-2"), row("CR-3")])
    with pytest.raises(AllocationsRejected, match=r"more than the 2 the bot reads \(QA_FILE_MAX_ROWS\)"):
        await import_allocations(db, (data, "list.csv"), "2026-12", NOW, actor_id=None, via="test", limits=limits)
    path = tmp_path / "roster.csv"
    path.write_bytes(b"email\n" + b"a@council.gov.uk\n" * 300)
    with pytest.raises(RosterRejected, match=r"MB the bot reads \(QA_FILE_MAX_UNZIPPED_MB\)"):
        await import_roster(db, path, NOW, limits=ReadLimits(max_unzipped_bytes=1024))


def test_the_limits_are_settings_parsed_once_with_defaults():
    assert Settings.from_env({}, dotenv=False).file_limits == ReadLimits(max_rows=100_000,
                                                                         max_unzipped_bytes=200 * MB)
    parsed = Settings.from_env({"QA_FILE_MAX_ROWS": "5000", "QA_FILE_MAX_UNZIPPED_MB": "20"}, dotenv=False)
    assert parsed.file_limits == ReadLimits(max_rows=5000, max_unzipped_bytes=20 * MB)
    for name, value in (("QA_FILE_MAX_ROWS", "0"), ("QA_FILE_MAX_ROWS", "lots"), ("QA_FILE_MAX_UNZIPPED_MB", "-1")):
        with pytest.raises(SettingsError, match=name):
            Settings.from_env({name: value}, dotenv=False)


def test_the_served_context_carries_the_limits(services):
    assert services.context.files == services.settings.file_limits
