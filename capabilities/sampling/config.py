"""The sample's settings, from the environment, parsed once by capabilities/settings.py where the
capability is built (its CLI; a wrong value is one line naming the variable, ConfigurationError).
Each has the framework's default (9.3):

- QA_SAMPLE_PER_MANAGER: cases each auditor gets at least (default 1: "managers are required to
  complete a minimum of one audit").
- QA_SAMPLE_MAX_PER_AUDITOR: cases an auditor gets at most in a month (default 2).
- QA_SAMPLE_SIZE: cases in all (default 0: one round, QA_SAMPLE_PER_MANAGER each).
- QA_SAMPLE_LOOKBACK_MONTHS: a case audited this many months back or fewer is not chosen (default 12).
- QA_SAMPLE_AUDITOR_FROM: `team` (another team, the same service area allowed: 9.3's "one audit for
  their service area") or `area` (another service area).
- QA_SAMPLE_AUDITOR_ROLES: the roles that audit, comma-separated (default practice_manager; any of
  qa.allocations.AUDITOR_ROLES).
- QA_SAMPLE_THEME_LISTS: which Annex A lists fit a themed month, `theme: list, list; theme: list`
  ("Missing children: List 6, List 8; Physical abuse: List 5, List 7").
- QA_SAMPLE_REMINDER_DAYS: working days before the allocation day (the 3rd, moved on to a working
  day) on which the QA unit is asked for the month's Annex A extract when the month has no
  allocations and no confirmed sample (default 5, from 1 to 15; qa/sample_reminder.py).
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from capabilities.registry import ConfigurationError
from capabilities.settings import environment, text, whole
from qa.allocations import AUDITOR_ROLES
from qa.identifiers import cell_problem
from qa.sample_reminder import DEFAULT_DAYS_BEFORE, MAX_DAYS_BEFORE
from qa.sampling import Rules, Separation

PER_ENV = "QA_SAMPLE_PER_MANAGER"
MAX_ENV = "QA_SAMPLE_MAX_PER_AUDITOR"
SIZE_ENV = "QA_SAMPLE_SIZE"
LOOKBACK_ENV = "QA_SAMPLE_LOOKBACK_MONTHS"
FROM_ENV = "QA_SAMPLE_AUDITOR_FROM"
ROLES_ENV = "QA_SAMPLE_AUDITOR_ROLES"
THEMES_ENV = "QA_SAMPLE_THEME_LISTS"
REMINDER_ENV = "QA_SAMPLE_REMINDER_DAYS"


def separation(env: Mapping[str, str] | None = None) -> Separation:
    value = text(env, FROM_ENV).casefold()
    if not value:
        return Separation.TEAM
    try:
        return Separation(value)
    except ValueError:
        raise ConfigurationError(f"{FROM_ENV} must be team or area, not {text(env, FROM_ENV)!r}") from None


def auditor_roles(env: Mapping[str, str] | None = None) -> frozenset[str]:
    value = text(env, ROLES_ENV)
    if not value:
        return Rules().auditor_roles
    roles = {r.strip().casefold().replace(" ", "_") for r in value.split(",") if r.strip()}
    wrong = sorted(roles - set(AUDITOR_ROLES))
    if wrong or not roles:
        raise ConfigurationError(f"{ROLES_ENV} names roles that do not audit case files: {', '.join(wrong) or value!r} "
                                 f"(any of {', '.join(sorted(AUDITOR_ROLES))})")
    return frozenset(roles)


def theme_lists(env: Mapping[str, str] | None = None) -> dict[str, tuple[str, ...]]:
    value = text(env, THEMES_ENV)
    found: dict[str, tuple[str, ...]] = {}
    for part in (p.strip() for p in value.split(";")):
        if not part:
            continue
        theme, colon, lists = part.partition(":")
        names = tuple(x.strip() for x in lists.split(",") if x.strip())
        if not colon or not theme.strip() or not names:
            raise ConfigurationError(f"{THEMES_ENV} must be `theme: list, list; theme: list`, not {part!r}")
        if cell_problem(theme) or any(cell_problem(n) for n in names):
            raise ConfigurationError(f"{THEMES_ENV} holds something that is not a theme or a list name: {part!r}")
        found[theme.strip().casefold()] = names
    return found


def from_env(env: Mapping[str, str] | None = None) -> Rules:
    """The rules the environment sets (ConfigurationError naming the variable for a wrong value)."""
    env = environment(env)
    per = whole(env, PER_ENV, 1, 0, 20, "a whole number of cases")
    most = whole(env, MAX_ENV, 2, 1, 50, "a whole number of cases")
    if most < per:
        raise ConfigurationError(f"{MAX_ENV} ({most}) must be at least {PER_ENV} ({per})")
    return Rules(per_auditor=per, max_per_auditor=most, size=whole(env, SIZE_ENV, 0, 0, 10_000, "a whole number of cases"),
                 lookback_months=whole(env, LOOKBACK_ENV, 12, 0, 60, "a whole number of months"),
                 separation=separation(env), auditor_roles=auditor_roles(env), theme_lists=theme_lists(env))


@cache
def rules() -> Rules:
    """The process's rules, read from the environment once."""
    return from_env()


def reminder_days(env: Mapping[str, str] | None = None) -> int:
    """QA_SAMPLE_REMINDER_DAYS: working days before the allocation day the QA unit is asked for the
    Annex A extract. ConfigurationError naming the variable for a wrong value."""
    return whole(environment(env), REMINDER_ENV, DEFAULT_DAYS_BEFORE, 1, MAX_DAYS_BEFORE, "a whole number of working days")
