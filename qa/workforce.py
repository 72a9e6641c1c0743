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


# ---------------------------------------------------------------- annual appraisal (framework 9.2)
#
# "Appraisals must be undertaken annually in accordance with the City Council procedure."
# - Without an appraisal window (the default): due twelve calendar months after the last appraisal held, else
#   after the start date, else after the day the bot first held the record (an established member of staff
#   at go-live is due a year on: the bot cannot know their last appraisal);
# - with the council's window (QA_WORKFORCE_APPRAISAL_WINDOW_END, a month and day such as 06-30: every
#   appraisal by that day each year): due by the first window end at least six months after that same day,
#   so a new starter is not asked within months of joining, and one held in this year's window is next due
#   in next year's;
# - a due date on a weekend or bank holiday moves to the next working day, as for ASYE reviews.

APPRAISAL = "appraisal"
APPRAISAL_MIN_MONTHS = 6  # with a window: the least time from the last appraisal (or the start) to the next


def appraisal_base(last_held: date | None, start_date: date | None, on_record_from: date) -> date:
    """The day the next appraisal counts from: the last held, else the start date, else the day on record."""
    return last_held or start_date or on_record_from


def appraisal_due(last_held: date | None, start_date: date | None, on_record_from: date, cal: WorkingCalendar,
                  window_end: tuple[int, int] | None = None) -> date:
    """The day the next annual appraisal is due (see the notes above); `window_end` is (month, day) or None."""
    base = appraisal_base(last_held, start_date, on_record_from)
    if window_end is None:
        return next_working(add_months(base, 12), cal)
    earliest = add_months(base, APPRAISAL_MIN_MONTHS)
    month, day = window_end
    for year in (earliest.year, earliest.year + 1):
        end = _window_day(year, month, day)
        if end >= earliest:
            return next_working(end, cal)
    raise AssertionError("unreachable: next year's window end is always after")


def _window_day(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:  # 29 February in a common year: the 28th
        return date(year, month, day - 1)


def appraisal_in_date(due: date, as_of: date) -> bool:
    """Whether an appraisal due on `due` is in date on `as_of` (not yet overdue)."""
    return due >= as_of


# ---------------------------------------------------------------- Social Work England renewal (framework 9.2)
#
# "The Principal Social Worker engages with Social Work England ... regarding professional training and
# registration requirements ... testing out compliance." Registered social workers renew each year in
# Social Work England's renewal period, recording their CPD; by default the period opens on 1 September and
# closes on 30 November (QA_WORKFORCE_SWE_RENEWAL, "MM-DD..MM-DD", for the regulator's dates if they change).
# - The bot asks for confirmation by the last working day on or before the closing day (a closing day on a
#   Sunday: confirm by the Friday, when managers can still chase), the "confirm-by" day;
# - the person is reminded on the first working day of the period, 20 working days and 5 working days before
#   the confirm-by day, unless they have confirmed (renewed and CPD recorded: one press);
# - their manager (the supervisor the roster names) is told 10 working days before the confirm-by day, and the
#   first working day after the closing day, of their supervisees not yet confirmed; the principal social
#   worker gets the compliance by team on those two days too.

SWE_RENEWAL = "swe_renewal"
DEFAULT_RENEWAL = ((9, 1), (11, 30))  # (opens (month, day), closes (month, day))
PERSON = "person"
MANAGER = "manager"


@dataclass(frozen=True)
class RenewalMoment:
    """A day the renewal reminders go: to the person (PERSON) or to their manager and the principal social worker
    (MANAGER); `name` keys it ("opens", "20-days", "5-days", "10-days", "closed")."""

    name: str
    day: date
    audience: str


def renewal_window(year: int, window: tuple[tuple[int, int], tuple[int, int]] = DEFAULT_RENEWAL) -> tuple[date, date]:
    """The renewal period's first and last day in `year` (the closing day may be on a weekend)."""
    (om, od), (cm, cd) = window
    return _window_day(year, om, od), _window_day(year, cm, cd)


def confirm_by(year: int, cal: WorkingCalendar,
               window: tuple[tuple[int, int], tuple[int, int]] = DEFAULT_RENEWAL) -> date:
    """The last working day on or before the renewal period's closing day."""
    return cal.previous_working_day(renewal_window(year, window)[1], include_self=True)


def renewal_moments(year: int, cal: WorkingCalendar,
                    window: tuple[tuple[int, int], tuple[int, int]] = DEFAULT_RENEWAL) -> list[RenewalMoment]:
    """The year's reminder days, in order (see the notes above)."""
    opens, closes = renewal_window(year, window)
    by = confirm_by(year, cal, window)
    moments = [RenewalMoment("opens", next_working(opens, cal), PERSON),
               RenewalMoment("20-days", cal.add_working_days(by, -20), PERSON),
               RenewalMoment("10-days", cal.add_working_days(by, -10), MANAGER),
               RenewalMoment("5-days", cal.add_working_days(by, -5), PERSON),
               RenewalMoment("closed", cal.next_working_day(closes), MANAGER)]
    # A short period (the regulator's dates changed) drops reminders that would fall before it opens.
    return sorted((m for m in moments if m.day >= moments[0].day), key=lambda m: m.day)
