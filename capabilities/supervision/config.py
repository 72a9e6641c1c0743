"""QA_SUPERVISION_<SETTING>: the cadences (qa.supervision.Cadences), each overridable, e.g.
QA_SUPERVISION_CASE_DAYS=42. Parsed once, with capabilities/settings.py, when the capability's duties
are built (start-up); the buttons and commands use the same parsed `Cadences`. A wrong value is one
line naming the variable (ConfigurationError), and the bot does not start."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from functools import cache

from capabilities.registry import ConfigurationError
from capabilities.settings import whole
from qa.supervision import CadenceError, Cadences

PREFIX = "QA_SUPERVISION_"
MOST = 3660  # no cadence is longer than ten years (in days, weeks or months)


def from_env(env: Mapping[str, str] | None = None) -> Cadences:
    """The framework's cadences, each overridden by QA_SUPERVISION_<FIELD> when set."""
    values = {f.name: whole(env, PREFIX + f.name.upper(), f.default, 1, MOST, "a whole number")
              for f in fields(Cadences)}
    try:
        return Cadences(**values)
    except CadenceError as exc:
        raise ConfigurationError(f"QA_SUPERVISION_*: {exc}") from None


@cache
def cadences() -> Cadences:
    """The process's cadences, parsed from the environment on first use (when the duties are built)."""
    return from_env()
