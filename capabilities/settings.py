"""The one parser for capabilities' own settings (environment variables), used where each
capability is built (its config.py), never inside a use case or a rule: rules in qa/ are given
values. A wrong value is one line naming the variable (ConfigurationError)."""
from __future__ import annotations

import os
from collections.abc import Mapping

from capabilities.registry import ConfigurationError

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
