"""Files sent in the QA unit's chat in Microsoft 365 Agents Playground (tests/e2e/test_files_in_chat.py,
tests/e2e/test_sample_in_chat.py): the Playground stack for the QA unit, a file host on 127.0.0.1, and
the message Teams sends when a file is shared (see test_files_in_chat.py's docstring for how)."""
from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from playground import run as demo

DEMO_NOW = datetime(2099, 12, 1, 9, 0, tzinfo=UTC)  # as tests/e2e/conftest.py: a month far ahead
VIEWPORT = {"width": 1400, "height": 1000}
CHAT_ID = "a:demo-personal-chat-morgan-ellis"  # the QA unit's personal chat in playground/qa-unit
FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
STARTER = "nia.starter@demo-council.example.gov.uk"


@pytest.fixture(scope="module")
def files_stack(e2e_ready, shots, request, tmp_path_factory) -> Iterator[tuple]:
    cal = demo.WorkingCalendar()
    month = demo.demo_month(DEMO_NOW, cal)
    folder = tmp_path_factory.mktemp("playground-files")
    url = demo.prepare_database(folder / "demo.sqlite3", month)
    qa = demo.Instance(demo.QA_UNIT.folder, demo.free_port(), demo.QA_UNIT.who)
    stack = demo.Stack(url, folder / "logs", bot_port=demo.free_port(), instances=[qa])
    with stack:
        yield stack, qa, folder
        for log in (folder / "logs").glob("*.log"):
            shutil.copy(log, shots / f"test_files_in_chat-{log.name}")


@pytest.fixture
def file_host(files_stack) -> Iterator[tuple[Path, int]]:
    """A folder served on 127.0.0.1 (stands in for SharePoint/OneDrive): (folder, port)."""
    folder = files_stack[2] / "shared"
    folder.mkdir(exist_ok=True)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield folder, server.server_port
    finally:
        server.shutdown()
        thread.join()


def send_file(instance: demo.Instance, name: str, download_url: str, text: str) -> None:
    """The message Teams sends when a file is shared in the chat, sent as Morgan by the Playground
    (its custom-activity API: the template for her chat, then the activity)."""
    query = urllib.parse.urlencode({"conversationId": CHAT_ID})
    with urllib.request.urlopen(f"{instance.url}_internal/v1/customActivities/template?{query}") as resp:
        activity = json.loads(resp.read())
    activity.update(type="message", text=text, textFormat="plain", attachments=[
        {"contentType": FILE_DOWNLOAD_INFO, "name": name,
         "contentUrl": f"https://demo-council.sharepoint.com/personal/morgan_ellis/Documents/{name}",
         "content": {"downloadUrl": download_url, "uniqueId": "1F7A2B3C-0000-4000-8000-000000000001",
                     "fileType": name.rsplit(".", 1)[-1]}}])
    sent = urllib.request.Request(f"{instance.url}_internal/v1/customActivities", data=json.dumps(activity).encode(),
                                  headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(sent) as resp:
        assert resp.status == 200
