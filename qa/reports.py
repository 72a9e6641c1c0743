"""The audit register and the audit analysis's figures (framework 9.3: "Audit completion" b, the
QA unit's spreadsheet of all audit activities and their outcomes; "Moderation and Management
oversight", monthly analysis and quarterly/annual reports on trends; "Analysis of findings", the
seven key areas compared with previous periods).

Pure: plain rows in (`RegisterRow`, read by storage/reports.py), figures out. No SQL, no Teams,
no clock: `today` and the working calendar are parameters. Dates are the council's local dates
(the calendar's time zone); an audit is on time when its submission's local date is on or before
the month's audit deadline (the 28th, moved back to a working day: qa/audit_calendar.py).

Definitions (per month of allocation, per service area and for the whole service):
- allocated: the month's allocations (one per case);
- completed: the auditor submitted (whatever happened after: oversight, dispute, upload);
  completed = on time + late;
- on time / late: completed by / after the audit deadline;
- outstanding: not submitted (allocated, started or declined now); allocated = completed + outstanding;
- declined: allocations the auditor declined at least once (reallocated or not);
- grades: the overall grade of completed audits; key areas: each key area's judgement in them;
- disputes: completed audits a service lead disputed; open (still disputed), resolved (the
  auditor or QA unit recorded a resolution) and, of those, confirmed since by oversight;
- safeguarding concerns, family views asked (the auditor will seek them), discussions held: counts
  of completed audits.
Moderation, escalation, re-audit and dip-sample columns come from the escalations issue (10);
see RegisterRow. Their figures, per month of allocation too (framework 9.3, "Inadequate or Requires
Improvement cases" and "Moderation and Management oversight"):
- moderated: completed audits graded Inadequate the QA unit moderated; agreed, regraded (and
  pending = moderated - agreed - regraded); agreement rate = agreed / (agreed + regraded);
- escalations: the urgent reviews opened on the month's audits; closed; closed on time (closed
  with no update sent late); their updates sent on time (by the end of the due day) and late;
- dip sample: completed audits sampled; agreed; differed (the panel member would give another
  grade); agreement rate = agreed / (agreed + differed);
- re-audits: the month's allocations that re-audit an earlier Inadequate case; their grades once
  submitted (`reaudits(rows, months)` lists each beside its original).
- lists: the month's allocations per Annex A list, and of them those the bot's sample drew
  (9.3 "Selection and distribution": "how chosen" says sampled, with the seed).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from qa.allocations import UPLOADED, was_sampled
from qa.audit_calendar import cycle_dates, month_key, parse_month_key
from qa.calendar import WorkingCalendar
from qa.forms import NOT_APPLICABLE
from qa.framework import GRADES, KEY_AREAS
from qa.observations import COMPLAINT, COMPLIMENT, FEEDBACK_SOURCES, observation_due

WHOLE_SERVICE = "Whole service"
GOOD_OR_BETTER = ("Outstanding", "Good")
ON_TIME, LATE, OVERDUE = "on time", "late", "overdue"
UP, DOWN, SAME, NONE = "\u2191", "\u2193", "\u2192", "\u2013"  # ↑ ↓ → –
# What an arrow means for the children: read with the figure's good direction (GOOD_WAY).
BETTER, WORSE, NO_CHANGE = "better", "worse", "no change"
# Audits allocated and not submitted: never "Outstanding", which is the top grade a line below.
NOT_YET_SUBMITTED = "Not yet submitted"
CONFIRMED_STATES = ("oversight_confirmed", "complete")
MONTHLY, QUARTERLY, ANNUAL = "monthly", "quarterly", "annual"


class RegisterRow(NamedTuple):
    """One allocation as the register shows it: plain values (storage/reports.py reads them)."""

    month: str
    case_ref: str
    annex_a_list: str
    service_area: str
    team: str
    theme: str
    auditor: str
    case_holder: str
    state: str
    allocated_at: datetime | None
    started_at: datetime | None
    submitted_at: datetime | None
    oversight_at: datetime | None
    uploaded_at: datetime | None
    grade: str | None
    key_areas: dict | None
    discussion_held: bool | None
    family_views: bool | None
    safeguarding: bool | None
    disputed_at: datetime | None
    resolved_at: datetime | None
    declines: int
    # Moderation of an Inadequate grade: None (not moderated), "pending", "agreed",
    # "regraded" (to `moderated_grade`).
    moderation: str | None = None
    moderated_grade: str | None = None
    # The escalation after an agreed Inadequate: None, "open" or "closed"; its updates sent on time
    # (by the end of their due day), sent late, and the earliest due instant of those still owed.
    escalation: str | None = None
    updates_on_time: int = 0
    updates_late: int = 0
    update_owed_due: datetime | None = None
    # The re-audit of this (original) allocation: its month (None: none), and its grade once submitted.
    reaudit_month: str | None = None
    reaudit_grade: str | None = None
    # When this allocation IS a re-audit: the original's month and grade.
    reaudit_of: str | None = None
    original_grade: str | None = None
    # The monthly dip-sample moderation: None (not sampled), "pending", "agreed", "disagreed"
    # (the panel member would give `dip_grade`).
    dip_sample: str | None = None
    dip_grade: str | None = None
    # The case holder sent their reflection on the findings (its text stays with the audit, not here).
    reflection_received: bool = False
    # An audit done before the bot, from the QA unit's past register (storage/history.py): completed,
    # even without a submitted date (then neither on time nor late).
    imported: bool = False
    # The audit form (qa/forms.py): "name vN" of the audit's form, else of the allocation's; for a form
    # other than the default, a submitted audit's answers by question id and, from its grade questions
    # that inform a key area, (key area, grade or "Not applicable") pairs (qa/form_answers.py).
    form: str = ""
    answers: dict | None = None
    area_answers: tuple[tuple[str, str], ...] = ()
    # How the case was chosen (qa/allocations.py UPLOADED): "uploaded", "sampled, seed N", "re-audit".
    how_chosen: str = UPLOADED


# -- months ----------------------------------------------------------------------------------

def add_months(month: str, n: int) -> str:
    """add_months("2026-01", -1) == "2025-12"."""
    year, mon = parse_month_key(month)
    index = year * 12 + mon - 1 + n
    return month_key(index // 12, index % 12 + 1)


def months_between(first: str, last: str) -> tuple[str, ...]:
    """Every month from `first` to `last`, inclusive; ValueError when last is before first."""
    if parse_month_key(last) < parse_month_key(first):
        raise ValueError(f"{last} is before {first}")
    out, month = [first], first
    while month != last:
        month = add_months(month, 1)
        out.append(month)
    return tuple(out)


def quarter_months(quarter: str) -> tuple[str, ...]:
    """"2026-Q4" -> ("2026-10", "2026-11", "2026-12"); ValueError otherwise."""
    parts = quarter.split("-Q") if isinstance(quarter, str) else []
    if len(parts) != 2 or not (parts[0].isdigit() and len(parts[0]) == 4) or parts[1] not in ("1", "2", "3", "4"):
        raise ValueError(f"a quarter looks like 2026-Q4, got {quarter!r}")
    last = month_key(int(parts[0]), int(parts[1]) * 3)
    return months_between(add_months(last, -2), last)


def year_months(year: int, last_month: int = 11) -> tuple[str, ...]:
    """The twelve months of the annual report of `year`, ending with `last_month` of that year
    (November by default: the annual report is the November one)."""
    last = month_key(year, last_month)
    return months_between(add_months(last, -11), last)


def report_day(month: str, cal: WorkingCalendar) -> date:
    """The day the analysis of `month` goes out: the 7th of the month after (the day after the
    oversight deadline of the 6th, which only ever moves back), moved on to the next working day
    when it is not one."""
    year, mon = parse_month_key(add_months(month, 1))
    return cal.next_working_day(date(year, mon, 7), include_self=True)


# -- the register ----------------------------------------------------------------------------

def area_key(area: str) -> str:
    """Service areas match ignoring case and spacing, as people type them."""
    return " ".join(area.split()).casefold()


_DEADLINES: dict[tuple[str, WorkingCalendar], date] = {}


def audit_deadline(month: str, cal: WorkingCalendar) -> date:
    """`month`'s audit deadline (qa/audit_calendar.py), remembered: asked once per row."""
    key = (month, cal)
    found = _DEADLINES.get(key)
    if found is None:
        found = _DEADLINES[key] = cycle_dates(*parse_month_key(month), cal).audit_deadline
    return found


# -- figures ---------------------------------------------------------------------------------

@dataclass
class Figures:
    """One month's (or several months') figures for one scope; see the module's definitions."""

    allocated: int = 0
    completed: int = 0
    on_time: int = 0
    late: int = 0
    declined: int = 0
    outstanding: int = 0
    grades: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GRADES, 0))
    key_areas: dict[str, dict[str, int]] = field(
        default_factory=lambda: {area: dict.fromkeys(GRADES, 0) for area in KEY_AREAS})
    # Questions informing a key area answered "not applicable" (forms as data), counted apart from the grades.
    key_areas_na: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KEY_AREAS, 0))
    disputes: int = 0
    disputes_open: int = 0
    disputes_resolved: int = 0
    disputes_resolved_confirmed: int = 0
    safeguarding: int = 0
    family_views: int = 0
    discussions: int = 0
    themes: dict[str, int] = field(default_factory=dict)  # theme -> completed themed audits
    moderated: int = 0
    moderation_agreed: int = 0
    moderation_regraded: int = 0
    escalations: int = 0
    escalations_closed: int = 0
    escalations_closed_on_time: int = 0
    updates_on_time: int = 0
    updates_late: int = 0
    dip_sampled: int = 0
    dip_agreed: int = 0
    dip_differed: int = 0
    reaudits: int = 0
    reaudit_grades: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GRADES, 0))
    # Annex A list -> cases allocated from it, and of those how many the bot's sample drew (9.3).
    lists: dict[str, int] = field(default_factory=dict)
    lists_sampled: dict[str, int] = field(default_factory=dict)

    @property
    def moderation_pending(self) -> int:
        return self.moderated - self.moderation_agreed - self.moderation_regraded

    @property
    def moderation_agreement_rate(self) -> float | None:
        """Inadequate grades agreed / decided (agreed + regraded), 0..1; None when none was decided."""
        decided = self.moderation_agreed + self.moderation_regraded
        return self.moderation_agreed / decided if decided else None

    @property
    def dip_agreement_rate(self) -> float | None:
        """Dip-sampled grades agreed / decided (agreed + differed), 0..1; None when none was decided."""
        decided = self.dip_agreed + self.dip_differed
        return self.dip_agreed / decided if decided else None

    @property
    def on_time_rate(self) -> float | None:
        """On time / completed with a submitted date (on time + late), 0..1; None when there is none.
        (Every audit done in the bot has one; an imported one may not.)"""
        dated = self.on_time + self.late
        return self.on_time / dated if dated else None

    def good_or_better(self, area: str) -> tuple[int, int]:
        """(Outstanding + Good, all judged) for key area `area`."""
        counts = self.key_areas[area]
        return sum(counts[g] for g in GOOD_OR_BETTER), sum(counts.values())

    def add(self, row: RegisterRow, cal: WorkingCalendar) -> None:
        self.allocated += 1
        self.declined += row.declines > 0
        self.lists[row.annex_a_list] = self.lists.get(row.annex_a_list, 0) + 1
        if was_sampled(row.how_chosen):
            self.lists_sampled[row.annex_a_list] = self.lists_sampled.get(row.annex_a_list, 0) + 1
        if row.reaudit_of is not None:
            self.reaudits += 1
            if row.submitted_at is not None and row.grade in self.reaudit_grades:
                self.reaudit_grades[row.grade] += 1
        if row.submitted_at is None and not row.imported:
            self.outstanding += 1
            return
        self.completed += 1
        if row.submitted_at is None:
            pass  # an imported audit whose submitted date the old register did not give
        elif cal.local_date(row.submitted_at) <= audit_deadline(row.month, cal):
            self.on_time += 1
        else:
            self.late += 1
        if row.grade in self.grades:
            self.grades[row.grade] += 1
        for area, grade in (*(row.key_areas or {}).items(), *row.area_answers):
            if area in self.key_areas and grade in GRADES:
                self.key_areas[area][grade] += 1
            elif area in self.key_areas_na and grade == NOT_APPLICABLE:
                self.key_areas_na[area] += 1
        if row.disputed_at is not None:
            self.disputes += 1
            self.disputes_open += row.state == "disputed"
            if row.resolved_at is not None:
                self.disputes_resolved += 1
                self.disputes_resolved_confirmed += row.state in CONFIRMED_STATES
        self.safeguarding += bool(row.safeguarding)
        self.family_views += bool(row.family_views)
        self.discussions += bool(row.discussion_held)
        if row.theme:
            self.themes[row.theme] = self.themes.get(row.theme, 0) + 1
        if row.moderation is not None:
            self.moderated += 1
            self.moderation_agreed += row.moderation == "agreed"
            self.moderation_regraded += row.moderation == "regraded"
        if row.escalation is not None:
            self.escalations += 1
            closed = row.escalation == "closed"
            self.escalations_closed += closed
            self.escalations_closed_on_time += closed and not row.updates_late
            self.updates_on_time += row.updates_on_time
            self.updates_late += row.updates_late
        if row.dip_sample is not None:
            self.dip_sampled += 1
            self.dip_agreed += row.dip_sample == "agreed"
            self.dip_differed += row.dip_sample == "disagreed"

    def merge(self, other: Figures) -> Figures:
        """The sum of two scopes' or months' figures (a new object)."""
        out = Figures()
        for name in ("allocated", "completed", "on_time", "late", "declined", "outstanding", "disputes",
                     "disputes_open", "disputes_resolved", "disputes_resolved_confirmed", "safeguarding",
                     "family_views", "discussions", *COUNTS):
            setattr(out, name, getattr(self, name) + getattr(other, name))
        out.reaudit_grades = {g: self.reaudit_grades[g] + other.reaudit_grades[g] for g in GRADES}
        out.grades = {g: self.grades[g] + other.grades[g] for g in GRADES}
        out.key_areas = {a: {g: self.key_areas[a][g] + other.key_areas[a][g] for g in GRADES} for a in KEY_AREAS}
        out.key_areas_na = {a: self.key_areas_na[a] + other.key_areas_na[a] for a in KEY_AREAS}
        out.themes = dict(self.themes)
        for theme, n in other.themes.items():
            out.themes[theme] = out.themes.get(theme, 0) + n
        for mine, theirs, merged in ((self.lists, other.lists, out.lists),
                                     (self.lists_sampled, other.lists_sampled, out.lists_sampled)):
            merged.update(mine)
            for name, n in theirs.items():
                merged[name] = merged.get(name, 0) + n
        return out


COUNTS = ("moderated", "moderation_agreed", "moderation_regraded", "escalations", "escalations_closed",
          "escalations_closed_on_time", "updates_on_time", "updates_late", "dip_sampled", "dip_agreed",
          "dip_differed", "reaudits")


class ReauditLine(NamedTuple):
    """A re-audit beside its original (plain values from the register's rows)."""

    case_ref: str
    service_area: str
    original_month: str
    original_grade: str | None
    month: str
    grade: str | None  # None until submitted


def reaudits(rows: Iterable[RegisterRow], months: Sequence[str], areas: Sequence[str] = ()) -> list[ReauditLine]:
    """The re-audits allocated in `months` (limited to `areas` when given, matched by area_key), by
    month and case reference, each with its original's month and grade."""
    wanted, only = set(months), {area_key(a) for a in areas}
    found = [ReauditLine(r.case_ref, r.service_area, r.reaudit_of, r.original_grade, r.month,
                     r.grade if r.submitted_at is not None else None)
             for r in rows if r.reaudit_of is not None and r.month in wanted
             and (not only or area_key(r.service_area) in only)]
    return sorted(found, key=lambda r: (r.month, r.case_ref))


# The figures each report compares with the months before: (label, how to read it).
HEADLINE: tuple[tuple[str, Callable[[Figures], int]], ...] = (
    ("Allocated", lambda f: f.allocated),
    ("Completed", lambda f: f.completed),
    ("On time", lambda f: f.on_time),
    ("Late", lambda f: f.late),
    ("Declined", lambda f: f.declined),
    (NOT_YET_SUBMITTED, lambda f: f.outstanding),
    *((grade, (lambda g: lambda f: f.grades[g])(grade)) for grade in GRADES),
    ("Disputes", lambda f: f.disputes),
    ("Disputes resolved", lambda f: f.disputes_resolved),
    ("Safeguarding concerns", lambda f: f.safeguarding),
    ("Family views asked", lambda f: f.family_views),
)


# Which way each headline figure moving is good news: 1 up, -1 down, 0 neither (a count to read in
# context: more allocations, disputes or safeguarding concerns raised are not good or bad in themselves).
GOOD_WAY: dict[str, int] = {
    "Allocated": 0, "Completed": 1, "On time": 1, "Late": -1, "Declined": -1, NOT_YET_SUBMITTED: -1,
    "Outstanding": 1, "Good": 1, "Requires Improvement": -1, "Inadequate": -1,
    "Disputes": 0, "Disputes resolved": 1, "Safeguarding concerns": 0, "Family views asked": 1,
}


def reading(arrow_: str, good_way: int) -> str:
    """What an arrow says for a figure whose good direction is `good_way` (1 up, -1 down, 0 neither):
    BETTER or WORSE, NO_CHANGE for SAME, "" when there is nothing to compare or no good direction."""
    if arrow_ == SAME:
        return NO_CHANGE
    if arrow_ not in (UP, DOWN) or not good_way:
        return ""
    return BETTER if (arrow_ == UP) == (good_way > 0) else WORSE


@dataclass(frozen=True)
class Trend:
    """A figure of the report's period against the three periods of the same length before it
    (oldest first; None: no allocations then)."""

    label: str
    value: int
    previous: tuple[int | None, ...]
    arrow: str  # UP / DOWN / SAME against the mean of the previous months that had allocations; NONE if none did
    reading: str = ""  # BETTER / WORSE / NO_CHANGE by the figure's good direction (GOOD_WAY); "" if neither

    @property
    def words(self) -> str:
        """The arrow with what it means, as the card and the workbook say it: "↑ worse", "→ no change"."""
        return f"{self.arrow} {self.reading}" if self.reading else self.arrow


def arrow(value: float, previous: Sequence[float | None]) -> str:
    known = [p for p in previous if p is not None]
    if not known:
        return NONE
    mean = sum(known) / len(known)
    return UP if value > mean else DOWN if value < mean else SAME


@dataclass(frozen=True)
class Analysis:
    """Figures per (scope, month) for a report's months and the three periods of the same length
    before them (the monthly analysis: the three months before; a quarter: the three quarters
    before; a year: the three years before).

    `scopes` is WHOLE_SERVICE then each service area (as first spelt in the rows, sorted);
    `months` the report's own months, `periods` the three periods before (oldest first) and
    `before` their months, in order.
    """

    kind: str  # MONTHLY | QUARTERLY | ANNUAL
    months: tuple[str, ...]
    before: tuple[str, ...]
    periods: tuple[tuple[str, ...], ...]
    scopes: tuple[str, ...]
    figures: dict[tuple[str, str], Figures]

    def of(self, scope: str, month: str) -> Figures:
        return self.figures.get((scope, month)) or Figures()

    def total(self, scope: str, months: Iterable[str] | None = None) -> Figures:
        out = Figures()
        for month in self.months if months is None else months:
            out = out.merge(self.of(scope, month))
        return out

    @property
    def areas(self) -> tuple[str, ...]:
        return self.scopes[1:]

    def trends(self, scope: str) -> list[Trend]:
        """Each headline figure of the report's months (their total) against each of the three
        periods before them."""
        now = self.total(scope)
        past = [total if total.allocated else None for total in (self.total(scope, p) for p in self.periods)]
        out = []
        for label, read in HEADLINE:
            previous = tuple(read(p) if p is not None else None for p in past)
            trend = arrow(read(now), previous)
            out.append(Trend(label, read(now), previous, trend, reading(trend, GOOD_WAY.get(label, 0))))
        return out

    def direction(self, scope: str, area: str) -> tuple[float | None, float | None, str]:
        """Key area `area`'s share judged Good or better (0..1) in the report's months against
        the three periods before (together), and its direction of travel (an arrow)."""
        now, before = self.total(scope).good_or_better(area), self.total(scope, self.before).good_or_better(area)
        share_now = now[0] / now[1] if now[1] else None
        share_before = before[0] / before[1] if before[1] else None
        if share_now is None or share_before is None:
            return share_now, share_before, NONE
        return share_now, share_before, arrow(share_now, [share_before])


def analyse(rows: Iterable[RegisterRow], kind: str, months: Sequence[str], cal: WorkingCalendar,
            areas: Iterable[str] = ()) -> Analysis:
    """The figures of `months` (and of the three periods of as many months before them) from the
    register's rows (`rows_from(months)` is the first month they need).

    `rows` may hold other months: they are ignored. `areas` limits the report to those service
    areas (a service lead's): then the first scope (WHOLE_SERVICE) totals those areas only;
    empty: every area, and the first scope is the whole service.
    """
    if kind not in (MONTHLY, QUARTERLY, ANNUAL):
        raise ValueError(f"unknown report kind {kind!r}")
    if not months:
        raise ValueError("a report needs at least one month")
    months = tuple(months)
    size = len(months)
    periods = tuple(tuple(add_months(m, -size * n) for m in months) for n in (3, 2, 1))
    before = tuple(m for p in periods for m in p)
    wanted = set(months) | set(before)
    only = {area_key(a) for a in areas}
    names: dict[str, str] = {}
    figures: dict[tuple[str, str], Figures] = {}
    for row in rows:
        if row.month not in wanted:
            continue
        key = area_key(row.service_area)
        if only and key not in only:
            continue
        name = names.setdefault(key, " ".join(row.service_area.split()))
        for scope in (WHOLE_SERVICE, name):
            found = figures.get((scope, row.month))
            if found is None:
                found = figures[(scope, row.month)] = Figures()
            found.add(row, cal)
    shown = sorted(names.values(), key=str.casefold)
    return Analysis(kind=kind, months=months, before=before, periods=periods, scopes=(WHOLE_SERVICE, *shown),
                    figures=figures)


def rows_from(months: Sequence[str]) -> str:
    """The first month `analyse` needs rows of, for a report of `months` (in order)."""
    return add_months(months[0], -3 * len(months))


MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def period_label(months: Sequence[str]) -> str:
    """A short name for months in order: "Aug 2026", "Apr–Jun 2026", "Dec 2024–Nov 2025"."""
    (y1, m1), (y2, m2) = parse_month_key(months[0]), parse_month_key(months[-1])
    if len(months) == 1:
        return f"{MONTH_ABBREVIATIONS[m1 - 1]} {y1}"
    if y1 == y2:
        return f"{MONTH_ABBREVIATIONS[m1 - 1]}\u2013{MONTH_ABBREVIATIONS[m2 - 1]} {y2}"
    return f"{MONTH_ABBREVIATIONS[m1 - 1]} {y1}\u2013{MONTH_ABBREVIATIONS[m2 - 1]} {y2}"


def percent(share: float | None) -> str:
    return "\u2013" if share is None else f"{round(share * 100)}%"


# -- moderation, escalations, re-audits ---------------------------------------------------------

def dip_months(a: Analysis) -> tuple[str, ...]:
    """The months whose dip samples a report shows on its card: the report's months; for the
    monthly analysis the month before (its own month's sample is drawn on the 10th of the next
    month, after the analysis goes out on the 7th)."""
    return (add_months(a.months[0], -1),) if a.kind == MONTHLY else a.months


def _grades(counts: dict[str, int]) -> str:
    return ", ".join(f"{g} {n}" for g, n in counts.items() if n)


def moderation_lines(a: Analysis, scope: str) -> list[tuple[str, str]]:
    """The card's lines for moderation, dip sample, escalations and re-audits of `scope`: (label,
    value), value in words ("1: 1 agreed, 0 regraded")."""
    f = a.total(scope)
    dip = a.total(scope, dip_months(a))
    moderation = f"{f.moderated}: {f.moderation_agreed} agreed, {f.moderation_regraded} regraded"
    if f.moderation_pending:
        moderation += f", {f.moderation_pending} pending"
    sample = f"{dip.dip_sampled} sampled: {dip.dip_agreed} agreed, {dip.dip_differed} differed"
    if waiting := dip.dip_sampled - dip.dip_agreed - dip.dip_differed:  # the counts add up to the sample
        sample += f", {waiting} not yet moderated"
    if dip.dip_agreement_rate is not None:
        sample += f" ({percent(dip.dip_agreement_rate)} of those moderated agreed)"
    escalations = (f"{f.escalations}: {f.escalations_closed} closed ({f.escalations_closed_on_time} on time); "
                   f"updates {f.updates_on_time} on time, {f.updates_late} late")
    submitted = sum(f.reaudit_grades.values())
    reaudit = f"{f.reaudits}" + (f": {_grades(f.reaudit_grades)}" if submitted else "")
    if f.reaudits > submitted:
        reaudit += f"{',' if submitted else ':'} {f.reaudits - submitted} not submitted"
    return [("Inadequate grades moderated", moderation),
            (f"Dip-sample moderation ({period_label(dip_months(a))})", sample),
            ("Escalations", escalations), ("Re-audits", reaudit)]


# -- observation coverage and feedback (quarterly and annual reports) ---------------------------

class CoveragePerson(NamedTuple):
    """A supervisee (an active person with a supervisor on the roster) as the coverage counts them."""

    service_areas: tuple[str, ...]
    team: str
    last_observed: date | None  # their latest observation on or before the report's last day


class CoverageLine(NamedTuple):
    service_area: str
    team: str
    observed: int  # observed in the twelve months up to the report's last day
    people: int

    @property
    def share(self) -> float | None:
        return self.observed / self.people if self.people else None


def observation_coverage(people: Iterable[CoveragePerson], as_of: date,
                         areas: Sequence[str] = ()) -> list[CoverageLine]:
    """Observation coverage (framework section 11: each supervisee observed at least once in every
    twelve months; the rule is qa.observations.observation_due) on `as_of` (a local date: the
    report's last day), per service area (the person's first) and team, sorted; `areas` keeps
    people with one of those areas (area_key), counted under the first of them."""
    only = [area_key(a) for a in areas]
    counts: dict[tuple[str, str], list[int]] = {}
    for person in people:
        if only:
            mine = [a for a in person.service_areas if area_key(a) in only]
            if not mine:
                continue
            area = mine[0]
        else:
            area = person.service_areas[0] if person.service_areas else ""
        seen_total = counts.setdefault((area, person.team), [0, 0])
        seen_total[0] += not observation_due(person.last_observed, as_of)
        seen_total[1] += 1
    return [CoverageLine(a, t, seen, total) for (a, t), (seen, total) in sorted(counts.items())]


class FeedbackRow(NamedTuple):
    """A feedback entry as the reports count it (no words, no names)."""

    created_at: datetime
    source: str  # "" for "not possible to ask" (an audit's family view)
    service_area: str
    how_given: str  # the channel (conversation, letter or email ...)
    rating: int | None
    not_possible: bool
    kind: str = ""  # complaint, compliment, or comment or suggestion


NOT_POSSIBLE = "Not possible to ask"
RATING_LABELS = (*(f"{n} of 5" for n in range(1, 6)), "No rating")


@dataclass
class FeedbackCounts:
    """One month's feedback entries: by source (FEEDBACK_SOURCES, then NOT_POSSIBLE), by rating
    (RATING_LABELS), complaints and compliments (the entry's kind)."""

    entries: int = 0
    by_source: dict[str, int] = field(default_factory=lambda: dict.fromkeys((*FEEDBACK_SOURCES, NOT_POSSIBLE), 0))
    by_rating: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RATING_LABELS, 0))
    complaints: int = 0
    compliments: int = 0


def feedback_counts(rows: Iterable[FeedbackRow], months: Sequence[str], cal: WorkingCalendar,
                    areas: Sequence[str] = ()) -> dict[str, FeedbackCounts]:
    """month -> the feedback recorded in it (the council's local month of `created_at`), for each
    of `months` (empty months too); `areas` keeps entries of those service areas (area_key). An
    entry whose source is not one of FEEDBACK_SOURCES (none: "not possible to ask") counts as
    NOT_POSSIBLE."""
    out = {m: FeedbackCounts() for m in months}
    only = {area_key(a) for a in areas}
    for row in rows:
        d = cal.local_date(row.created_at)
        counts = out.get(month_key(d.year, d.month))
        if counts is None or (only and area_key(row.service_area) not in only):
            continue
        counts.entries += 1
        source = row.source if row.source in FEEDBACK_SOURCES and not row.not_possible else NOT_POSSIBLE
        counts.by_source[source] += 1
        counts.by_rating[f"{row.rating} of 5" if row.rating in (1, 2, 3, 4, 5) else "No rating"] += 1
        counts.complaints += row.kind == COMPLAINT
        counts.compliments += row.kind == COMPLIMENT
    return out
