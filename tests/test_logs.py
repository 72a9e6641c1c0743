"""QA_LOG_FORMAT=json: one JSON object per line, with the activity or duty and timings; and a
month of the audit cycle logs no case reference, name, email or token (none at INFO or WARNING;
an ERROR's traceback keeps its frames and exception types, never an exception's text)."""
from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime

import pytest

from bot import logs
from bot.tick import tick
from capabilities.audit_cycle import flow
from capabilities.duties import Occurrence
from dialogs.audit_cards import Verb
from scheduler.sweep import sweep
from tests.support.audit_cycle import utc
from tests.support.month import DECEMBER, JANUARY, ROSTER, Month, email, name

TOKENS = ("eyJ", "MicrosoftAppPassword")
# What a careless exception might say (kept out of the line that raises it: a traceback shows source lines).
CARELESS = f"CR-1001 of {name('pat')} <{email('pat')}> Bearer eyJabcdefghij.klmnopqrst.uv"


class _Lines(logging.Handler):
    """Every record, as QA_LOG_FORMAT=json writes it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logs.formatter("json"))
        self.addFilter(logs._Context())
        self.lines: list[tuple[int, str, str]] = []  # (level, the line written, the message unscrubbed)

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.levelno, self.format(record), record.getMessage()))


@pytest.fixture
def lines() -> Iterator[_Lines]:
    handler = _Lines()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


class _FailingDuty:
    """A duty whose error quotes a case and a person, as a careless exception might."""

    name = "failing-for-the-test"

    def occurrences(self, now: datetime) -> list[Occurrence]:
        return [Occurrence(f"{now:%Y-%m-%d}", now)]

    async def run(self, session, occurrence: Occurrence, now: datetime) -> None:
        raise ValueError(CARELESS)


async def test_a_month_logs_no_case_reference_name_email_or_token(month: Month, lines: _Lines):
    m = month
    await m.tick(utc(2026, 12, 3, 9), several=frozenset({"quinn"}))
    notice_id = await m.sent_id("allocation-notice", "mo")
    await m.audit_case("mo", "CR-1001", notice_id, utc(2026, 12, 15, 19, 30))
    await m.tick(utc(2026, 12, 16, 9))
    request_id = await m.sent_id(flow.OVERSIGHT_REQUEST, "sam", "CR-1001")
    audit_id = (await m.allocation("CR-1001")).audit.id
    await m.press("sam", Verb.OVERSIGHT_CONFIRM, {"audit_id": audit_id}, request_id, utc(2026, 12, 16, 10))
    for day in (17, 22, 24, 29, 31):
        await m.tick(utc(2026, 12, day, 9))
    for day in (4, 6):  # the QA unit may get its unreached-auditor card beside its digest
        await m.tick(utc(2027, 1, day, 9), several=frozenset({"quinn"}))
    m.at(utc(2027, 1, 7, 9))  # the reports go too: several messages a person, so not m.tick
    assert (await tick(m.services, utc(2027, 1, 7, 9), wait_retries=0)).delivery.rows
    failed = await sweep(m.services, utc(2027, 1, 7, 10), [_FailingDuty()])
    assert failed.failed

    needles = [*DECEMBER, *JANUARY, *(name(k) for k in ROSTER), *(email(k) for k in ROSTER), "@council.gov.uk",
               *TOKENS]
    assert lines.lines
    for level, line, message in lines.lines:
        record = json.loads(line)  # one JSON object per line
        assert {"time", "level", "logger", "message"} <= set(record)
        if level < logging.INFO:
            continue
        written = [n for n in needles if n in line]
        assert written == [], (written, line)
        if level < logging.ERROR:  # below ERROR, nothing to scrub in the first place
            assert [n for n in needles if n in message] == [], message
    records = [json.loads(line) for _, line, _ in lines.lines]
    turns = [r for r in records if r["message"].startswith("turn handled")]
    assert turns and all(r["activity_id"] and r["duration_ms"] >= 0 for r in turns)
    ran = [r for r in records if r["message"].startswith("ran audit-cycle")]
    assert ran and all(r["duty"] == "audit-cycle" and "duration_ms" in r for r in ran)
    error = next(r for r in records if r["level"] == "ERROR" and r.get("duty") == _FailingDuty.name)
    assert "ValueError: (text withheld)" in error["exc_info"]


def test_the_scrubber_takes_out_emails_tokens_and_sql_parameters():
    text = ('(sqlite3.IntegrityError) UNIQUE constraint failed\n[SQL: INSERT INTO people (email) VALUES (?)]\n'
            "[parameters: ('pat@council.gov.uk', 'CR-1001')]\n(Background on this error at: https://sqlalche.me/e/20/gkpj)"
            " Authorization: Bearer abc.def password=hunter2")
    scrubbed = logs.scrub(text)
    for gone in ("pat@council.gov.uk", "CR-1001", "abc.def", "hunter2"):
        assert gone not in scrubbed
    assert "UNIQUE constraint failed" in scrubbed and "[SQL: INSERT INTO people" in scrubbed


def test_a_line_with_nothing_to_scrub_is_written_as_it_is_and_any_other_as_every_pattern_scrubs_it():
    """scrub skips its patterns only for an ASCII line none of them can match (every turn's
    "turn handled in 5 ms"): on every other line it gives what running them all gives."""
    lines = [
        "turn handled in 5 ms", "card action basics.whoami answered with a card", "ran audit-cycle in 12 ms",
        "mail pat@council.gov.uk", "Authorization: BEARER abc.def", "BASIC dXNlcjpwYXNz", "PassWord=hunter2",
        "api_KEY: 'x1'", "sig=abc&x=1", "a token eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.sflKxwRJ",
        "[parameters: ('pat@council.gov.uk', 'CR-1001')]\n", 'DETAIL:  Key (email)=(pat@x.gov.uk) already exists.',
        "\u212aey=hunter2",  # the Kelvin sign: (?i) folds it to k, so the line is not ASCII-only and all run
        "\u017fecret=hunter2",  # the long s, likewise
        "caf\u00e9 keyboard", "",
    ]
    for line in lines:
        assert logs.scrub(line) == logs._scrubbed(line), line
    assert logs.scrub("turn handled in 5 ms") == "turn handled in 5 ms"
    assert "hunter2" not in logs.scrub("\u212aey=hunter2") and "hunter2" not in logs.scrub("\u017fecret=hunter2")
