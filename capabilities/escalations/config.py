"""QA_ALERT_CHASE_DAYS: working days a practice alert may stay unresolved before it is chased to the
practice manager and service lead (default 5, framework section 14); twice as many and it goes to
the head of service and the QA unit. Read where the capability's duties and use cases are built; a
wrong value is one line naming the variable (ConfigurationError)."""
from __future__ import annotations

import os
from collections.abc import Mapping

from capabilities.registry import ConfigurationError
from qa.alerts import CHASE_WORKING_DAYS

ENV = "QA_ALERT_CHASE_DAYS"


def chase_days(env: Mapping[str, str] | None = None) -> int:
    value = (os.environ if env is None else env).get(ENV, "").strip()
    if not value:
        return CHASE_WORKING_DAYS
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 60:
        raise ConfigurationError(f"{ENV} must be a whole number of working days from 1 to 60, not {value!r}")
    return int(value)
