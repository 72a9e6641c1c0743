"""End-to-end fixtures: the bot and two Microsoft 365 Agents Playground instances on free ports
and a throwaway SQLite database, driven in Debian's headless Chromium through Playwright.

Needs /usr/bin/chromium (apt-get install chromium), tools/node_modules (npm ci --prefix tools)
and playwright (requirements-dev.txt). Without them the tests skip, except on CI (CI=true),
where they fail: .ci/run installs all three.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from playground import run as demo
from tests.e2e.files import file_host, files_stack  # noqa: F401 - fixtures: a file sent in the QA unit's chat

CHROMIUM = Path("/usr/bin/chromium")
# The recipe that works on a closed network (docs: teams-platform-notes.md); no browser download.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SHOTS = demo.ROOT / "build" / "e2e"
# The demo month is picked from this instant, not from today, so every run plays the same month.
# It lies far ahead because the served bot also sweeps by the real clock: a moment of the demo
# month already past by today would run at start-up, before the Playgrounds are open (see
# playground/run.py), and a test's tick at that moment would then find it done. December 2099 falls
# on the same weekdays as December 2026: notices Thursday 3rd, the deadline moved to Thursday 24th.
DEMO_NOW = datetime(2099, 12, 1, 9, 0, tzinfo=UTC)


def _missing() -> list[str]:
    missing = []
    if not CHROMIUM.exists():
        missing.append("/usr/bin/chromium (apt-get install chromium)")
    if not demo.PLAYGROUND_BIN.exists():
        missing.append("tools/node_modules (npm ci --prefix tools)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright (pip install -r requirements-dev.txt)")
    return missing


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def e2e_ready() -> None:
    missing = _missing()
    if missing:
        message = "end-to-end tests need " + ", ".join(missing)
        if on_ci():
            pytest.fail(message + " (CI=true: install them, do not skip)", pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="session")
def shots(e2e_ready) -> Path:
    """build/e2e/, emptied once per run: one screenshot per step."""
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    return SHOTS


@dataclass
class Demo:
    stack: demo.Stack
    month: str
    cal: demo.WorkingCalendar
    auditor: demo.Instance
    service_lead: demo.Instance

    @property
    def database_url(self) -> str:
        return self.stack.database_url


@pytest.fixture(scope="module")
def demo_stack(e2e_ready, shots: Path, request: pytest.FixtureRequest,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo roster and month on a fresh database; the bot and both Playgrounds on free ports."""
    cal = demo.WorkingCalendar()
    month = demo.demo_month(DEMO_NOW, cal)
    folder = tmp_path_factory.mktemp("playground")
    url = demo.prepare_database(folder / "demo.sqlite3", month)
    auditor = demo.Instance(demo.AUDITOR.folder, demo.free_port(), demo.AUDITOR.who)
    service_lead = demo.Instance(demo.SERVICE_LEAD.folder, demo.free_port(), demo.SERVICE_LEAD.who)
    stack = demo.Stack(url, folder / "logs", bot_port=demo.free_port(), instances=[auditor, service_lead])
    with stack:
        yield Demo(stack, month, cal, auditor, service_lead)
        # The logs beside the screenshots, for a failed run's post-mortem.
        module = request.module.__name__.rsplit(".", 1)[-1]
        for log in (folder / "logs").glob("*.log"):
            shutil.copy(log, shots / f"{module}-{log.name}")


@pytest.fixture(scope="module")
def browser(e2e_ready) -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
