"""QA_RETENTION: the council's retention periods, as comma-separated `kind=days` overrides of
qa.retention.DEFAULT_DAYS, e.g. `QA_RETENTION=outbox=60,audit_records=2557`. Blank means the defaults.

Read where the capability is built (its duties, its CLI command); a wrong value is one line naming
the variable (ConfigurationError), and the bot does not start.
"""
from __future__ import annotations

from capabilities.registry import ConfigurationError
from capabilities.settings import Env, text
from qa.retention import KINDS, Retention, RetentionError

ENV = "QA_RETENTION"
EXAMPLE = "outbox=90,duty_runs=400"


def parse(text: str) -> Retention:
    """The periods `text` sets ("kind=days, ..."), the defaults for the rest."""
    overrides: dict[str, int] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        kind, equals, days = (s.strip() for s in part.partition("="))
        if not equals or not kind:
            raise ConfigurationError(f"{ENV} takes kind=days pairs separated by commas (e.g. {EXAMPLE}), "
                                     f"not {part!r}")
        if kind not in KINDS:
            raise ConfigurationError(f"{ENV}: unknown kind {kind!r}; the kinds are {', '.join(KINDS)}")
        if kind in overrides:
            raise ConfigurationError(f"{ENV}: {kind} is given twice")
        if not (days.isascii() and days.isdigit()):
            raise ConfigurationError(f"{ENV}: {kind} must be a whole number of days, not {days!r}")
        overrides[kind] = int(days)
    try:
        return Retention.with_overrides(overrides)
    except RetentionError as exc:
        raise ConfigurationError(f"{ENV}: {exc}") from None


def from_env(env: Env | None = None) -> Retention:
    return parse(text(env, ENV))
