"""The workforce duties of framework 9.2 (induction, appraisals, personal development) and 9.1's ASYE year,
as plain rules: dates in, dates out. Pure: no database, no Teams, no clock (`today` is a parameter).

ASYE review points (framework 9.1: "ASYE Supervision will be weekly for the first six weeks ..."; the
assessed and supported year in employment has its reviews and a final assessment):
- the three-, six- and twelve-month reviews are due that many calendar months after the roster's
  asye_start_date (the day clamped to the month's end: an ASYE starting on 31 August has the
  three-month review on 30 November);
- the final assessment is due FINAL_AFTER_DAYS (28) days after the twelve-month review's month date:
  the assessor's final report and the council's moderation follow the last review, so the two are not
  asked for on one day (a choice made here; the framework names no date);
- a date on a weekend or bank holiday moves to the NEXT working day (the review cannot be asked for
  before its months are up), unlike supervision's cadences, which move to the day before;
- a point due before the day the bot first held the person's record (go-live, or the day the roster brought
  them in) is taken as held outside the bot (BEFORE_RECORD): a council going live with ASYEs half-way through
  their year is not told that every earlier review is overdue;
- a point is open until recorded as held (date only, no content); it shows in the supervisor's digest
  from two working days before it is due (qa.supervision.standing) and, if still not held five working
  days after its due day, goes to the supervisor's own supervisor (qa.supervision.escalates_on).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from qa.calendar import WorkingCalendar
from qa.supervision import LATER, OVERDUE, Cadences, add_months, escalates_on, standing

REVIEW_3 = "asye_review_3"
REVIEW_6 = "asye_review_6"
REVIEW_12 = "asye_review_12"
FINAL = "asye_final"
ASYE_POINTS = (REVIEW_3, REVIEW_6, REVIEW_12, FINAL)
ASYE_TITLES = {REVIEW_3: "ASYE three-month review", REVIEW_6: "ASYE six-month review",
               REVIEW_12: "ASYE twelve-month review", FINAL: "ASYE final assessment"}
REVIEW_MONTHS = {REVIEW_3: 3, REVIEW_6: 6, REVIEW_12: 12}
FINAL_AFTER_DAYS = 28

HELD = "held"
BEFORE_RECORD = "before_record"  # due before the bot held the person's record: not asked for


def next_working(d: date, cal: WorkingCalendar) -> date:
    """`d` on a working day, else the next working day (a review is never asked for early)."""
    return cal.next_working_day(d, include_self=True)


def asye_due_dates(start: date, cal: WorkingCalendar) -> dict[str, date]:
    """Each ASYE review point's due date, in ASYE_POINTS order, for an ASYE year starting on `start`."""
    out = {point: next_working(add_months(start, months), cal) for point, months in REVIEW_MONTHS.items()}
    out[FINAL] = next_working(add_months(start, 12) + timedelta(days=FINAL_AFTER_DAYS), cal)
    return out


@dataclass(frozen=True)
class PointStatus:
    """One review point of one ASYE as of a day: its due date, when held (None: not yet), and its standing
    (held, overdue, today, soon, later)."""

    point: str
    due: date
    held_on: date | None
    standing: str

    @property
    def title(self) -> str:
        return ASYE_TITLES[self.point]


def asye_points(start: date, held: Mapping[str, date], today: date, cal: WorkingCalendar,
                cadences: Cadences = Cadences(), on_record_from: date | None = None) -> list[PointStatus]:
    """Every review point of an ASYE year starting on `start`, with `held` (point -> day held) as of `today`;
    points due before `on_record_from` (the day the bot first held the record) and not recorded are
    BEFORE_RECORD."""
    out = []
    for point, due in asye_due_dates(start, cal).items():
        if point in held:
            out.append(PointStatus(point, due, held[point], HELD))
        elif on_record_from is not None and due < on_record_from:
            out.append(PointStatus(point, due, None, BEFORE_RECORD))
        else:
            out.append(PointStatus(point, due, None, standing(due, today, cal, cadences.soon_working_days)))
    return out


def asye_digest_points(start: date, held: Mapping[str, date], today: date, cal: WorkingCalendar,
                       cadences: Cadences = Cadences(), on_record_from: date | None = None) -> list[PointStatus]:
    """The points for the supervisor's digest on `today`: not held, and due within two working days, today or
    overdue."""
    return [p for p in asye_points(start, held, today, cal, cadences, on_record_from)
            if p.standing not in (HELD, BEFORE_RECORD, LATER)]


def asye_escalations(start: date, held: Mapping[str, date], today: date, cal: WorkingCalendar,
                     cadences: Cadences = Cadences(), on_record_from: date | None = None) -> list[PointStatus]:
    """The points whose notice goes to the supervisor's supervisor on `today`: still not held from five working
    days after the due day (for 30 days, so one held back is sent late rather than never; keyed once)."""
    return [p for p in asye_points(start, held, today, cal, cadences, on_record_from)
            if p.standing == OVERDUE and escalates_on(p.due, today, cal, cadences)]


def asye_in_cohort(points: list[PointStatus], start: date, today: date) -> bool:
    """Whether the principal social worker's monthly cohort lists this ASYE on `today`: from a month before the
    start until the final assessment is held (an ASYE whose final assessment is overdue stays listed)."""
    final = next(p for p in points if p.point == FINAL)
    return start <= today + timedelta(days=31) and final.standing not in (HELD, BEFORE_RECORD)


def point_words(p: PointStatus) -> str:
    """A point's status in a few words: "held 2 Feb 2027", "overdue since 4 May 2027", "due 1 Dec 2027"."""
    day = f"{p.due.day} {p.due:%b %Y}"
    if p.standing == HELD and p.held_on is not None:
        return f"held {p.held_on.day} {p.held_on:%b %Y}"
    if p.standing == BEFORE_RECORD:
        return f"due {day}, before the bot's records"
    return f"overdue since {day}" if p.standing == OVERDUE else f"due {day}"
