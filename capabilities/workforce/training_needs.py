"""The training needs analysis (framework 9.2: "The content of the PDP is collated at team level and provides the
basis for individual, service and whole service-learning plans"; "The service training needs analysis is reviewed
annually"; rules qa/training_needs.py).

Each person's current PDP (pdp.py) is collated by team, service area and the whole service, and set beside the
audit key areas graded weakest over the period (the share judged Good or better in the register's audits, the
reports' figures: qa/reports.py). The QA unit and the principal social worker get it:

- as a workbook (openpyxl, with a bar chart; `workbook`), through Teams' file consent card: on demand
  (`training needs` in chat shows the headline and **Send me the workbook**), and each quarter from the
  `TrainingNeedsDuty` (on the 7th, as the audit reports go, after each month QA_TRAINING_NEEDS_MONTHS names;
  default the months of the framework's quarterly and annual reports: March, June, September, November);
- at the command line: `python -m bot training-needs [--out FILE.xlsx]`.

Who may have it is checked on the server at the command, the press and again when the file is made.
"""
from __future__ import annotations

import argparse
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl.chart import BarChart, Reference
from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.context import Context
from capabilities.duties import Occurrence
from capabilities.kit import Outcome, Status, refuse, unit, use_case
from capabilities.registry import (
    CliCommand,
    CommandError,
    CommandReply,
    ConfigurationError,
    FileMade,
    OutboxKind,
    Said,
    output_file,
)
from capabilities.settings import Env, text
from capabilities.workforce import topics as topic_file
from dialogs import pdp_cards as pc
from dialogs import report_cards as rc
from dialogs import workbooks
from dialogs.card_kit import format_month
from dialogs.payload import Payload
from qa.audit_calendar import month_key, parse_month_key
from qa.cadence import DayOfMonth
from qa.calendar import WorkingCalendar
from qa.framework import KEY_AREAS, Role
from qa.reports import QUARTERLY, WHOLE_SERVICE, add_months, analyse
from qa.supervision import add_months as add_calendar_months
from qa.training_needs import (
    AREA,
    CURRENT_MONTHS,
    TEAM,
    KeyAreaGrade,
    Plan,
    ScopeNeeds,
    TopicList,
    collate,
    current_plans,
    set_beside,
)
from storage import history
from storage import reports as stored_reports
from storage.outbox import Message, enqueue_many
from storage.people import active_people
from storage.training_needs import plans_since
from storage.workforce import workforce

READERS = frozenset({Role.QA_UNIT, Role.PRINCIPAL_SOCIAL_WORKER})
NOT_FOR_YOU = "The training needs analysis is for the QA unit and the principal social worker. Nothing was sent."
SENDING = "I'm sending the workbook to you here now: press Allow on the file card to save it."
OFFER = "training-needs"
MONTHS_ENV = "QA_TRAINING_NEEDS_MONTHS"
DEFAULT_MONTHS = (3, 6, 9, 11)  # March, June, September (quarterly reports) and November (the annual report)
REPORT_DAY = 7  # as the audit reports (capabilities/reports/duties.py): after the month's cycle has closed
LOOK_BACK = timedelta(days=20)
TITLE = "Training needs analysis"

log = logging.getLogger(__name__)


def _sample() -> dict:
    from dialogs import pdp_samples

    return pdp_samples.samples()["training_needs_quarterly"]


TRAINING_NEEDS = OutboxKind("training-needs-analysis", pc.training_needs_card, _sample)


def months_setting(env: Env | None = None) -> tuple[int, ...]:
    """QA_TRAINING_NEEDS_MONTHS: the months (numbers, comma-separated) after which the quarterly analysis goes;
    blank: DEFAULT_MONTHS, the months of framework 9.3's quarterly and annual reports (the reports' default
    QA_REPORT_QUARTER_MONTHS and QA_REPORT_ANNUAL_MONTH; reports import this capability, so it reads its own)."""
    value = text(env, MONTHS_ENV)
    if not value:
        return DEFAULT_MONTHS
    out = set()
    for part in value.split(","):
        part = part.strip()
        if not (part.isascii() and part.isdigit() and 1 <= int(part) <= 12):
            raise ConfigurationError(f"{MONTHS_ENV}: {part!r} is not a month number 1..12")
        out.add(int(part))
    return tuple(sorted(out))


def may_read(person) -> bool:
    return person is not None and person.active and person.role in READERS


# ---------------------------------------------------------------- the figures


@dataclass(frozen=True)
class Analysis:
    """Everything the card and the workbook show, as of `day`."""

    day: date
    months: tuple[str, ...]  # the audits' period the key areas are graded over
    topics: TopicList
    staff: int  # people on the roster with a manager (whose appraisal the bot follows)
    plans: tuple[Plan, ...]  # the current plans
    scopes: tuple[ScopeNeeds, ...]  # whole service, service areas, teams
    grades: tuple[KeyAreaGrade, ...]

    @property
    def period(self) -> str:
        first, last = self.months[0], self.months[-1]
        return format_month(first) if first == last else f"{format_month(first)} to {format_month(last)}"

    @property
    def whole(self) -> ScopeNeeds:
        return self.scopes[0]

    def view(self, offer_button: bool = True) -> pc.TrainingNeedsView:
        beside = set_beside(self.grades, self.whole, self.topics)
        asked = tuple(pc.NeedLine(self.topics.label(t), n) for t, n in self.whole.ranked(self.topics))
        weakest = tuple(pc.WeakArea(b.grade.area, b.grade.good_or_better, b.grade.judged,
                                    tuple(self.topics.label(t) for t, _n in b.for_area))
                        for b in beside if b.grade is not None)
        return pc.TrainingNeedsView(self.day, self.period, len(self.plans), self.staff, asked, weakest, offer_button)


def period_ending(month: str) -> tuple[str, ...]:
    """The three months ending with `month` ("2026-09" -> 2026-07, 2026-08, 2026-09)."""
    return tuple(add_months(month, -n) for n in (2, 1, 0))


async def key_area_grades(session: AsyncSession, months: tuple[str, ...], cal: WorkingCalendar
                          ) -> tuple[KeyAreaGrade, ...]:
    """Each audit key area over `months`: audits judging it, and those judging it Good or better (the register's
    live and imported audits, qa/reports.py's figures)."""
    first, last = months[0], months[-1]
    rows = [*await history.register_rows(session, first, last, cal.tz),
            *await stored_reports.register_rows(session, first, last)]
    total = analyse(rows, QUARTERLY, months, cal).total(WHOLE_SERVICE)
    return tuple(KeyAreaGrade(area, judged, good) for area in KEY_AREAS
                 for good, judged in (total.good_or_better(area),))


async def analysis(session: AsyncSession, day: date, months: tuple[str, ...], cal: WorkingCalendar,
                   topics: TopicList) -> Analysis:
    """The analysis as of `day` (the council's local day), with key areas graded over `months`."""
    staff = await workforce(session, cal.tz)
    managed = sum(1 for s in staff.values() if s.supervisor_id is not None)
    plans = current_plans(await plans_since(session, add_calendar_months(day, -CURRENT_MONTHS)), day)
    return Analysis(day, months, topics, managed, tuple(plans), tuple(collate(plans)),
                    await key_area_grades(session, months, cal))


def last_quarter(day: date) -> tuple[str, ...]:
    """The three months ending with the month before `day`'s (on demand: the last three whole months)."""
    return period_ending(add_months(month_key(day.year, day.month), -1))


# ---------------------------------------------------------------- the workbook

SUMMARY, WHOLE_SHEET, AREAS_SHEET, TEAMS_SHEET, BESIDE_SHEET, NOTES_SHEET = (
    "Summary", "Whole service", "Service areas", "Teams", "Key areas beside needs", "Other learning needs")


def _rate(n: int, of: int) -> float | None:
    return round(n / of, 4) if of else None


def _matrix(sheet, a: Analysis, level: str, heading: str) -> None:
    ids = [t.id for t in a.topics.topics]
    extra = sorted({t for s in a.scopes for t in s.counts} - set(ids))  # tags no longer on the list
    workbooks.append(sheet, (heading, "Plans", *(a.topics.label(t) for t in ids + extra)))
    for s in a.scopes:
        if s.level == level:
            workbooks.append(sheet, (s.name, s.plans, *(s.counts.get(t, 0) for t in ids + extra)))


def workbook(a: Analysis) -> bytes:
    """The analysis as .xlsx bytes: Summary; Whole service (each topic's plans and share, with a bar chart);
    Service areas and Teams (plans per topic); Key areas beside needs (weakest first, beside the most asked);
    Other learning needs (the screened notes, by team, no names)."""
    book = workbooks.openpyxl_workbook()
    summary = book.active
    summary.title = SUMMARY
    workbooks.append(summary, (f"{TITLE}, {a.day.isoformat()}",))
    workbooks.append(summary, ("Current personal development plans (appraisals in the last twelve months)",
                               len(a.plans)))
    workbooks.append(summary, ("Staff with a manager on the roster", a.staff))
    workbooks.append(summary, ("Audit key areas graded over", a.period))
    workbooks.append(summary, ("Learning topics list", f"{a.topics.name}, version {a.topics.version}"))
    workbooks.append(summary, ())
    workbooks.append(summary, ("Each person's latest plan is counted once, in their team and in each of their "
                               "service areas (the roster's, today). Topic tags and dates only: the plans "
                               "themselves are in the council's records.",))

    whole = book.create_sheet(WHOLE_SHEET)
    workbooks.append(whole, ("Learning topic", "Group", "Plans asking", "Share of plans"))
    ranked = dict(a.whole.ranked(a.topics))
    order = [t.id for t in a.topics.topics]
    rows = sorted(order, key=lambda t: (-ranked.get(t, 0), order.index(t)))
    by_id = a.topics.by_id()
    for t in rows:
        n = ranked.get(t, 0)
        workbooks.append(whole, (by_id[t].label, by_id[t].group, n, _rate(n, a.whole.plans)))
    for cell in whole["D"][1:]:
        cell.number_format = "0%"
    if rows:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Learning asked for, whole service"
        chart.y_axis.title = "Plans"
        chart.add_data(Reference(whole, min_col=3, min_row=1, max_row=len(rows) + 1), titles_from_data=True)
        chart.set_categories(Reference(whole, min_col=1, min_row=2, max_row=len(rows) + 1))
        chart.height, chart.width = max(7.5, 0.6 * len(rows)), 18
        whole.add_chart(chart, "F2")
    whole.column_dimensions["A"].width = 50

    _matrix(book.create_sheet(AREAS_SHEET), a, AREA, "Service area")
    _matrix(book.create_sheet(TEAMS_SHEET), a, TEAM, "Team")

    beside = book.create_sheet(BESIDE_SHEET)
    workbooks.append(beside, (f"Audit key areas graded weakest, {a.period}, beside the learning most asked for",))
    workbooks.append(beside, ("Rank", "Key area", "Audits judging it", "Good or better", "Good or better rate",
                              "Learning on the list for this key area (plans asking)", "Learning most asked for",
                              "Plans asking"))
    for b in set_beside(a.grades, a.whole, a.topics):
        g = b.grade
        workbooks.append(beside, (
            b.rank, g.area if g else None, g.judged if g else None, g.good_or_better if g else None,
            g.rate if g else None, "; ".join(f"{a.topics.label(t)} ({n})" for t, n in b.for_area) or None,
            a.topics.label(b.topic[0]) if b.topic else None, b.topic[1] if b.topic else None))
    for cell in beside["E"][2:]:
        cell.number_format = "0%"

    notes = book.create_sheet(NOTES_SHEET)
    workbooks.append(notes, ("Team", "Appraisal month", "Other learning need"))
    for p in sorted((p for p in a.plans if p.note), key=lambda p: (p.team.casefold(), p.appraisal_on)):
        workbooks.append(notes, (p.team, f"{p.appraisal_on:%Y-%m}", p.note))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def file_name(day: date) -> str:
    return f"training-needs-{day.isoformat()}.xlsx"


def description(a: Analysis) -> str:
    return (f"{TITLE}, {a.day.isoformat()}: {len(a.plans):,} current plan{'s' if len(a.plans) != 1 else ''}, "
            f"key areas graded {a.period}")


# ---------------------------------------------------------------- in chat


async def command(said: Said) -> CommandReply:
    """`training needs`: the headline for the QA unit and the principal social worker, with the workbook's button."""
    if not may_read(said.person):
        return CommandReply(pc.pdp_notice_card(NOT_FOR_YOU, TITLE), NOT_FOR_YOU)
    day = said.ctx.calendar.local_date(said.now)
    async with said.ctx.db.sessions() as session:
        a = await analysis(session, day, last_quarter(day), said.ctx.calendar, topic_file.in_use())
    return CommandReply(pc.training_needs_card(a.view()), TITLE)


@use_case(Outcome)
async def send_workbook(ctx: Context, actor_id: int | None, *, now: datetime, via: str) -> Outcome:
    """Queue the offer of the training needs workbook to the actor (QA unit or PSW), due now; one trail row
    (`training_needs_asked`: the plans counted)."""
    day = ctx.calendar.local_date(now)
    async with unit(ctx, actor_id, now=now, via=via, not_on_roster=NOT_FOR_YOU) as act:
        if not may_read(act.actor):
            refuse(NOT_FOR_YOU)
        a = await analysis(act.session, day, last_quarter(day), ctx.calendar, topic_file.in_use())
        data = workbook(a)
        consent = rc.file_consent_attachment(file_name(day), description(a), len(data), {"offer": OFFER})
        payload = Payload.of(rc.file_offer_card(TITLE, description(a)), TITLE, attachments=(consent,))
        await act.notify(TRAINING_NEEDS, [act.actor], payload, due_at=now,
                         key=lambda pid: f"training-needs:{pid}:{now.isoformat()}")
        act.trail("workforce", None, "training_needs_asked", plans=len(a.plans))
    return Outcome(Status.DONE, SENDING, urgent=True)


async def make_file(ctx: Context, person, context, now: datetime) -> FileMade | str:
    """The workbook a consent card offered, made now for the person who allowed it (who may have it re-checked):
    as of today, the key areas over the three months ending with the offer's `month`, else the last three."""
    if not may_read(person):
        return NOT_FOR_YOU
    day = ctx.calendar.local_date(now)
    month = context.get("month")
    try:
        months = period_ending(month) if isinstance(month, str) and parse_month_key(month) else last_quarter(day)
    except ValueError:
        months = last_quarter(day)
    async with ctx.db.sessions() as session:
        a = await analysis(session, day, months, ctx.calendar, topic_file.in_use())
    return FileMade(file_name(day), workbook(a), "xlsx")


# ---------------------------------------------------------------- each quarter


class TrainingNeedsDuty:
    """On the 7th (the next working day when it is not one), at the send time, after each month `months` names:
    the analysis to the QA unit and the principal social worker (the card and the workbook through the file
    consent card), key areas graded over the three months ending with that month; nothing when no current plan has
    been recorded. Keyed by month and person."""

    name = "training-needs"

    def __init__(self, cal: WorkingCalendar, months: Iterable[int] = DEFAULT_MONTHS,
                 topics: TopicList | None = None) -> None:
        self.cal, self.months, self._topics = cal, tuple(months), topics
        self.cadence = DayOfMonth(cal, REPORT_DAY, key_month=-1)  # keyed by the month just ended ("2026-09")

    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        return [o for o in self.cadence.between(now - LOOK_BACK, now)
                if parse_month_key(o.key)[1] in self.months]

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        day = self.cal.local_date(occurrence.due_at)
        a = await analysis(session, day, period_ending(occurrence.key), self.cal, self._topics or topic_file.in_use())
        if not a.plans:  # as the reports send nothing for a month with no allocations
            log.info("training needs %s: no current personal development plans, nothing sent", occurrence.key)
            return
        data = workbook(a)
        consent = rc.file_consent_attachment(file_name(day), description(a), len(data),
                                             {"offer": OFFER, "month": occurrence.key})
        payload = Payload.of(TRAINING_NEEDS.card(a.view(offer_button=False)), f"{TITLE}, {a.period}",
                             attachments=(consent,))
        due = self.cal.send_time_for(occurrence.due_at, now)
        people = await active_people(session, sorted(READERS))
        await enqueue_many(session, [Message(f"{TRAINING_NEEDS}:{occurrence.key}:{p.id}", TRAINING_NEEDS, p.id,
                                             payload, due) for p in people], now=now)


# ---------------------------------------------------------------- the command line


def _add(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default=None, help="the .xlsx file to write (default: training-needs-DATE.xlsx in "
                                                    "QA_OUTPUT_DIR)")


async def _run(args: argparse.Namespace, ctx: Context) -> int:
    day = ctx.calendar.local_date(ctx.clock())
    out = Path(args.out) if args.out else output_file(args, file_name(day))
    if out.suffix.lower() != ".xlsx":
        raise CommandError(f"--out: the workbook's name must end .xlsx, not {out.name!r}")
    async with ctx.db.sessions() as session:
        a = await analysis(session, day, last_quarter(day), ctx.calendar, topic_file.in_use())
    try:
        out.write_bytes(workbook(a))
    except OSError as exc:
        raise CommandError(f"--out: {out} cannot be written: {exc.strerror or exc.__class__.__name__}") from None
    print(f"{description(a)}: written to {out}")
    return 0


CLI = CliCommand("training-needs", "the training needs analysis (personal development plans by team, service "
                 "area and whole service, beside the audit key areas graded weakest) as an Excel workbook",
                 _add, _run)
