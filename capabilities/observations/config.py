"""Observations' settings, read where the capability is built (its duties). The practice weeks come
from the QA calendar; QA_PRACTICE_WEEKS, which once listed them, is retired: a deployment that
still sets it is stopped at start-up with one line naming it, rather than left wondering why its
dates are not used."""
from __future__ import annotations

from capabilities.registry import ConfigurationError
from capabilities.settings import Env, text

RETIRED_PRACTICE_WEEKS_ENV = "QA_PRACTICE_WEEKS"


def from_env(env: Env | None = None) -> None:
    """ConfigurationError when QA_PRACTICE_WEEKS is set (not blank): it is no longer read."""
    if text(env, RETIRED_PRACTICE_WEEKS_ENV):
        raise ConfigurationError(f"{RETIRED_PRACTICE_WEEKS_ENV} is no longer read: the practice weeks come from the "
                                 "QA calendar (python -m bot calendar import FILE, rows of kind practice_week); "
                                 "remove the variable")
