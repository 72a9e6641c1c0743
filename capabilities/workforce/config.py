"""QA_WORKFORCE_APPRAISAL_WINDOW_END: the council's appraisal window, as the month and day every annual
appraisal is due by each year (MM-DD, e.g. 06-30); blank (the default): none, each appraisal is due a year after
the last (qa/workforce.py). Read where the duties are built; a wrong value is one line naming the variable
(ConfigurationError), and the bot does not start. The induction settings are at the end."""
from __future__ import annotations

import re
from datetime import date
from functools import cache
from pathlib import Path

from capabilities.registry import ConfigurationError
from capabilities.settings import Env, text, whole
from capabilities.workforce.induction_file import DEFAULT_FILE, check_file
from qa.induction import PlanDefinition

APPRAISAL_WINDOW_ENV = "QA_WORKFORCE_APPRAISAL_WINDOW_END"
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


def appraisal_window_end(env: Env | None = None) -> tuple[int, int] | None:
    """(month, day) from QA_WORKFORCE_APPRAISAL_WINDOW_END, or None when blank."""
    value = text(env, APPRAISAL_WINDOW_ENV)
    if not value:
        return None
    m = _MONTH_DAY.match(value)
    try:
        if m is None:
            raise ValueError
        date(2024, int(m.group(1)), int(m.group(2)))  # a leap year: 02-29 is a day
    except ValueError:
        raise ConfigurationError(f"{APPRAISAL_WINDOW_ENV} must be a month and day as MM-DD (e.g. 06-30), "
                                 f"not {value!r}") from None
    return int(m.group(1)), int(m.group(2))


SWE_RENEWAL_ENV = "QA_WORKFORCE_SWE_RENEWAL"
_PERIOD = re.compile(r"^(\d{2})-(\d{2})\.\.(\d{2})-(\d{2})$")


def swe_renewal(env: Env | None = None) -> tuple[tuple[int, int], tuple[int, int]]:
    """Social Work England's renewal period as ((month, day) opens, (month, day) closes) from
    QA_WORKFORCE_SWE_RENEWAL ("MM-DD..MM-DD"); blank: 1 September to 30 November (qa.workforce.DEFAULT_RENEWAL)."""
    from qa.workforce import DEFAULT_RENEWAL

    value = text(env, SWE_RENEWAL_ENV)
    if not value:
        return DEFAULT_RENEWAL
    m = _PERIOD.match(value)
    try:
        if m is None:
            raise ValueError
        om, od, cm, cd = (int(g) for g in m.groups())
        if date(2023, om, od) >= date(2023, cm, cd):  # within one calendar year, opening first
            raise ValueError
    except ValueError:
        raise ConfigurationError(f"{SWE_RENEWAL_ENV} must be the renewal period's opening and closing days as "
                                 f"MM-DD..MM-DD within one year (e.g. 09-01..11-30), not {value!r}") from None
    return (om, od), (cm, cd)


# ---------------------------------------------------------------- induction (capabilities/workforce/induction.py)

INDUCTION_PLAN_ENV = "QA_INDUCTION_PLAN_FILE"
NEW_STARTER_MONTHS_ENV = "QA_INDUCTION_NEW_STARTER_MONTHS"
MANAGER_AFTER_ENV = "QA_INDUCTION_MANAGER_AFTER"


def induction_plan(env: Env | None = None) -> PlanDefinition:
    """The council's induction plan (qa.induction.PlanDefinition) from QA_INDUCTION_PLAN_FILE, default the one
    shipped (capabilities/workforce/induction_plan.json). Raises ConfigurationError naming the variable and each
    problem with its line."""
    path = Path(text(env, INDUCTION_PLAN_ENV) or DEFAULT_FILE)
    checked = check_file(path)
    if checked.plan is None:
        raise ConfigurationError(f"{INDUCTION_PLAN_ENV} ({path}): the induction plan cannot be used:\n"
                                 + "\n".join(f"{path.name} {p}" for p in checked.problems))
    return checked.plan


@cache
def plan_in_use() -> PlanDefinition:
    """The process's induction plan, read once (at start, when the duties are built: a bad file stops start-up)."""
    return induction_plan()


def new_starter_months(env: Env | None = None) -> int:
    """QA_INDUCTION_NEW_STARTER_MONTHS: someone whose roster start_date is within this many months gets an induction
    plan without their manager marking them (default 3; 0: only those marked)."""
    return whole(env, NEW_STARTER_MONTHS_ENV, 3, 0, 12, "a whole number of months")


def manager_after(env: Env | None = None) -> int:
    """QA_INDUCTION_MANAGER_AFTER: working days after the starter's nudge about an overdue induction element that
    their manager is told (default 5)."""
    return whole(env, MANAGER_AFTER_ENV, 5, 1, 30, "a whole number of working days")
