"""What a use case needs from the running bot, and nothing of Teams: the database, the working
calendar (time zone, bank holidays, send window), the clock, and the limits on files it reads."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from qa.calendar import WorkingCalendar
from qa.tabular import DEFAULT_LIMITS, ReadLimits
from storage.db import Database

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Context:
    db: Database
    calendar: WorkingCalendar
    clock: Clock  # aware UTC datetimes; only the edge passes the wall clock in
    files: ReadLimits = DEFAULT_LIMITS  # QA_FILE_MAX_ROWS, QA_FILE_MAX_UNZIPPED_MB (bot/settings.py)
