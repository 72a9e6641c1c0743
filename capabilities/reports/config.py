"""When the quarterly and annual reports go out, from the environment:

- QA_REPORT_QUARTER_MONTHS: the months whose analysis also carries the quarterly report (the three
  months ending with it), comma-separated numbers; default 3,6,9 (March, June, September).
- QA_REPORT_ANNUAL_MONTH: the month whose analysis also carries the annual report (the twelve
  months ending with it); default 11 (November).

The defaults are framework 9.3's 2023 audit schedule ("Reports / reviews"): quarterly reports in
March, June and September, the annual report in November, and a monthly report in every other month,
December included (the annual report covers the year's last quarter).

Read where the capability is built (its duties, its CLI command); a wrong value is one line naming
the variable (ConfigurationError), and the bot does not start.
"""
from __future__ import annotations

from dataclasses import dataclass

from capabilities.registry import ConfigurationError
from capabilities.settings import Env, text

QUARTER_ENV = "QA_REPORT_QUARTER_MONTHS"
ANNUAL_ENV = "QA_REPORT_ANNUAL_MONTH"


@dataclass(frozen=True)
class Schedule:
    quarter_months: tuple[int, ...] = (3, 6, 9)
    annual_month: int = 11


def _month(text: str, variable: str) -> int:
    text = text.strip()
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= 12):
        raise ConfigurationError(f"{variable}: {text!r} is not a month number 1..12")
    return int(text)


def from_env(env: Env | None = None) -> Schedule:
    default = Schedule()
    quarters = text(env, QUARTER_ENV)
    months = tuple(sorted({_month(p, QUARTER_ENV) for p in quarters.split(",")})) if quarters \
        else default.quarter_months
    annual = text(env, ANNUAL_ENV)
    return Schedule(months, _month(annual, ANNUAL_ENV) if annual else default.annual_month)
