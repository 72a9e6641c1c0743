"""The one parser for capabilities' own settings (environment variables), used where each
capability is built (its config.py), never inside a use case or a rule: rules in qa/ are given
values. A wrong value is one line naming the variable (ConfigurationError)."""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import cache

from capabilities.registry import ConfigurationError
from qa.identifiers import DEFAULT_CASE_REFS, CaseRefFormat

Env = Mapping[str, str]


def environment(env: Env | None) -> Env:
    """`env` if given (tests, the CLI's checks), else the process environment."""
    return os.environ if env is None else env


def text(env: Env | None, name: str) -> str:
    """The variable's value, trimmed ("" when unset)."""
    return environment(env).get(name, "").strip()


def whole(env: Env | None, name: str, default: int, low: int, high: int, what: str) -> int:
    """A whole number from `low` to `high` (inclusive), `default` when unset or blank.
    Raises ConfigurationError naming `name` and `what` it must be, e.g. "a whole number of working days"."""
    value = text(env, name)
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
        raise ConfigurationError(f"{name} must be {what} from {low} to {high}, not {value!r}")
    return int(value)


def yes_no(env: Env | None, name: str, default: bool) -> bool:
    """A yes/no setting: yes, true, on or 1; no, false, off or 0 (case ignored); `default` when unset
    or blank. Raises ConfigurationError naming `name` for anything else."""
    value = text(env, name).casefold()
    if not value:
        return default
    if value in ("yes", "true", "on", "1"):
        return True
    if value in ("no", "false", "off", "0"):
        return False
    raise ConfigurationError(f"{name} must be yes or no, not {text(env, name)!r}")


CASE_REF_ENV = "QA_CASE_REF_PATTERN"


def case_ref_format(env: Env | None = None) -> CaseRefFormat:
    """QA_CASE_REF_PATTERN: the council's case-reference format, a regular expression (Python's) a
    whole case reference must match, case ignored; default qa.identifiers.DEFAULT_CASE_REF_PATTERN
    (4 to 20 letters, digits, - / _ and .). Whatever it allows, qa.identifiers.case_ref_problem still
    refuses a reference without a digit, a postcode, a valid NHS number and a date. Raises
    ConfigurationError naming the variable for a pattern that does not compile or matches nothing
    but the empty string."""
    value = text(env, CASE_REF_ENV)
    if not value:
        return DEFAULT_CASE_REFS
    try:
        re.compile(value)
    except re.error as exc:
        raise ConfigurationError(f"{CASE_REF_ENV} is not a regular expression ({exc.msg}): {value!r}") from None
    if re.fullmatch(value, ""):
        raise ConfigurationError(f"{CASE_REF_ENV} must not match an empty case reference: {value!r}")
    return CaseRefFormat(value)


@cache
def case_refs() -> CaseRefFormat:
    """The process's case-reference format, read from the environment once (at start-up, when the
    audit cycle's duties are built: a wrong value stops the bot)."""
    return case_ref_format()
