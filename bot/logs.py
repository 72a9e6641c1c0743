"""Logging: set up once per process by the CLI (`configure`).

QA_LOG_FORMAT=text (the default) writes a line a person reads; `json` writes one JSON object per
line (python-json-logger) for a log collector: time, level, logger, message, and the context
the line was written in: the Teams activity being handled (`activity_id`, `activity_type`), the
duty being swept (`duty`, `occurrence`) and timings (`duration_ms`), each given as `extra=` or
taken from `ACTIVITY` below.

What a line may hold (docs/privacy.md): ids, counts, error types, never message text. An ERROR
line carries its traceback, and an exception's text can quote what it was handling (a database
error repeats the statement's parameters, a check names the case), so a traceback keeps its frames
and each exception's type but not its text; and every line is scrubbed (`scrub`) of email
addresses, tokens and SQL parameters before it is written, in either format.
"""
from __future__ import annotations

import logging
import re
import sys
import traceback
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

# The activity being handled on this task (set by bot/app.py for each turn): (id, type).
ACTIVITY: ContextVar[tuple[str, str] | None] = ContextVar("qa_activity", default=None)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[\w\-.~+/=]+")
_JWT = re.compile(r"\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*")
_SECRET = re.compile(r"(?i)((?:password|secret|token|sig|key)[\"']?\s*[=:]\s*[\"']?)[^\s\"'&,;)]+")
# SQLAlchemy's errors end with the statement and its parameters: the parameters may be anything stored.
_SQL_PARAMETERS = re.compile(r"\[parameters: .*?\]\s*(?=\n|\(Background|$)", re.S)
_POSTGRES_DETAIL = re.compile(r"(DETAIL:\s+Key \(.*?\)=)\(.*?\)", re.S)


# What each pattern above cannot match without (in ASCII text, case-insensitively where the pattern
# is): a line with none of them, such as every turn's "turn handled in 5 ms", is written as it is
# without running the patterns over it.
_NEEDS = ("[parameters:", "detail:", "eyj", "bearer", "basic", "password", "secret", "token", "sig", "key", "@")


def scrub(text: str) -> str:
    """`text` with email addresses, bearer tokens and JWTs, secrets given as key=value, SQL
    parameters and PostgreSQL's key details replaced by a placeholder."""
    if text.isascii():  # (?i) also folds a few letters outside ASCII (the Kelvin sign to k): those run all
        folded = text.lower()
        if not any(needed in folded for needed in _NEEDS):
            return text
    return _scrubbed(text)


def _scrubbed(text: str) -> str:
    """scrub, every pattern run."""
    text = _SQL_PARAMETERS.sub("[parameters: (scrubbed)] ", text)
    text = _POSTGRES_DETAIL.sub(r"\1(scrubbed)", text)
    text = _JWT.sub("(token)", text)
    text = _BEARER.sub(r"\1 (token)", text)
    text = _SECRET.sub(r"\1(secret)", text)
    return _EMAIL.sub("(email)", text)


def traceback_text(exc_info: tuple) -> str:
    """A traceback's frames and exception types, every exception's own text withheld (chained ones too)."""
    found = traceback.TracebackException(*exc_info)
    seen: set[int] = set()
    todo = [found]
    while todo:
        one = todo.pop()
        if id(one) in seen:
            continue
        seen.add(id(one))
        one._str = "(text withheld)"  # what str(exc) said: it may quote the data it was handling
        todo += [e for e in (one.__cause__, one.__context__) if e is not None]
        todo += list(getattr(one, "exceptions", None) or ())
    return "".join(found.format()).rstrip("\n")


class _Context(logging.Filter):
    """Adds the turn's activity to each record written while it is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        activity = ACTIVITY.get()
        if activity is not None and not hasattr(record, "activity_id"):
            record.__dict__.update(activity_id=activity[0], activity_type=activity[1])
        return True


class _ScrubbedText(logging.Formatter):
    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        return traceback_text(ei)

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class _ScrubbedJson(JsonFormatter):
    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        return traceback_text(ei)

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def formatter(log_format: str) -> logging.Formatter:
    """The formatter for QA_LOG_FORMAT (`text` or `json`)."""
    if log_format == "json":
        return _ScrubbedJson("%(asctime)s %(levelname)s %(name)s %(message)s",
                             rename_fields={"asctime": "time", "levelname": "level", "name": "logger"})
    return _ScrubbedText("%(asctime)s %(levelname)s %(name)s: %(message)s")


def configure(log_format: str = "text", level: int = logging.INFO) -> None:
    """Send the root logger's records to stderr in `log_format`, at `level` and above. Alembic's
    and aiohttp's chatter below WARNING is left out: a start says what matters in a few lines.
    Like logging.basicConfig, it leaves logging alone when someone else set it up (a test runner)."""
    root = logging.getLogger()
    if any(not getattr(h, "qa_bot", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.qa_bot = True  # ours: replaced by the next configure
    handler.setFormatter(formatter(log_format))
    handler.addFilter(_Context())
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("alembic", "apscheduler", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
