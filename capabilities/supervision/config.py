"""QA_SUPERVISION_<SETTING>: the cadences (qa.supervision.Cadences), each overridable, e.g.
QA_SUPERVISION_CASE_DAYS=42, and the 1:1's standard length QA_SUPERVISION_ONE_TO_ONE_MINUTES (90: framework
9.1's one and a half hours). QA_PRACTICE_DEVELOPMENT_TEAM: the roster team that is the Practice Development
Team (framework 9.1: it monitors each team's monthly group supervision), whose members get the group
supervision figures; default "Practice Development Team", empty for none. Parsed once, with capabilities/settings.py, when the capability's duties
are built (start-up); the buttons and commands use the same parsed `Cadences`. A wrong value is one
line naming the variable (ConfigurationError), and the bot does not start."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from functools import cache

from capabilities.registry import ConfigurationError
from capabilities.settings import Env, environment, whole
from qa.supervision import CadenceError, Cadences

PREFIX = "QA_SUPERVISION_"
PRACTICE_DEVELOPMENT_ENV = "QA_PRACTICE_DEVELOPMENT_TEAM"
PRACTICE_DEVELOPMENT_DEFAULT = "Practice Development Team"
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


def practice_development_team_from_env(env: Env | None = None) -> str:
    """The roster team named the Practice Development Team ("" when set empty: nobody gets its figures).
    Raises ConfigurationError for a name longer than a roster team can be (200 characters)."""
    values = environment(env)
    name = " ".join(values[PRACTICE_DEVELOPMENT_ENV].split()) if PRACTICE_DEVELOPMENT_ENV in values \
        else PRACTICE_DEVELOPMENT_DEFAULT
    if len(name) > 200:
        raise ConfigurationError(f"{PRACTICE_DEVELOPMENT_ENV} must be a team's name (at most 200 characters)")
    return name


@cache
def practice_development_team() -> str:
    """The process's Practice Development Team, parsed from the environment on first use."""
    return practice_development_team_from_env()
