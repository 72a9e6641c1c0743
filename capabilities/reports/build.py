"""Making a report: which months a request covers, reading the register's rows (storage/reports.py),
computing the figures (qa/reports.py) and writing the workbook (workbook.py, register.py).

Used by the CLI, the monthly duty and the file consent flow alike, so all three give the same file.
"""
from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from capabilities.context import Context
from capabilities.reports import config, workbook
from capabilities.reports.register import stream_register
from dialogs.card_kit import format_month
from qa.audit_calendar import parse_month_key
from qa.calendar import WorkingCalendar
from qa.reports import (
    ANNUAL,
    MONTHLY,
    QUARTERLY,
    WHOLE_SERVICE,
    Analysis,
    RegisterRow,
    add_months,
    analyse,
    area_key,
    quarter_months,
    rows_from,
    year_months,
)
from storage import history
from storage import reports as stored

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")
KINDS = (MONTHLY, QUARTERLY, ANNUAL)
REGISTER = "register"


def month_name(month: str) -> str:
    year, mon = parse_month_key(month)
    return f"{MONTH_NAMES[mon - 1]} {year}"


@dataclass(frozen=True)
class Request:
    """A report asked for: its kind and period ("2026-11", "2026-Q4", "2026")."""

    kind: str
    period: str
    months: tuple[str, ...]

    @classmethod
    def parse(cls, kind: str, period: str, schedule: config.Schedule | None = None) -> Request:
        """ValueError with a plain message for a period that is not one."""
        schedule = schedule or config.from_env()
        if kind == MONTHLY:
            try:
                parse_month_key(period)
            except ValueError:
                raise ValueError(f"--month: give the month as YYYY-MM (e.g. 2026-11), not {period!r}") from None
            return cls(kind, period, (period,))
        if kind == QUARTERLY:
            try:
                if "-Q" not in period:  # the three months ending with a month (a schedule off the calendar quarters)
                    parse_month_key(period)
                    return cls(kind, period, (add_months(period, -2), add_months(period, -1), period))
                return cls(kind, period, quarter_months(period))
            except ValueError:
                raise ValueError(f"--quarter: give the quarter as YYYY-Qn (e.g. 2026-Q4), not {period!r}") from None
        if kind == ANNUAL:
            if not (period.isascii() and period.isdigit() and len(period) == 4 and int(period) > 1):
                raise ValueError(f"--year: give the year as YYYY (e.g. 2026), not {period!r}")
            return cls(kind, period, year_months(int(period), schedule.annual_month))
        raise ValueError(f"unknown report {kind!r}; the reports are {', '.join(KINDS)}")

    @classmethod
    def ending(cls, kind: str, month: str, schedule: config.Schedule) -> Request:
        """The report of `kind` whose last month is `month` (the duty's: a calendar quarter is
        named 2026-Q4, the annual report by its year)."""
        year, mon = parse_month_key(month)
        if kind == QUARTERLY:
            return cls.parse(kind, f"{year}-Q{mon // 3}" if mon % 3 == 0 else month, schedule)
        if kind == ANNUAL:
            return cls(kind, str(year), year_months(year, mon))
        return cls.parse(kind, month, schedule)

    @property
    def label(self) -> str:
        if self.kind == MONTHLY:
            return month_name(self.period)
        if self.kind == QUARTERLY and "-Q" in self.period:
            return f"{self.period.replace('-', ' ')} ({month_name(self.months[0])} to {month_name(self.months[-1])})"
        return f"{month_name(self.months[0])} to {month_name(self.months[-1])}"

    @property
    def title(self) -> str:
        return {MONTHLY: "Monthly audit analysis", QUARTERLY: "Quarterly audit report",
                ANNUAL: "Annual audit report"}[self.kind]

    def file_name(self, scope: str | None = None) -> str:
        stem = {MONTHLY: "audit-analysis-", QUARTERLY: "audit-report-", ANNUAL: "audit-report-annual-"}[self.kind]
        suffix = f"-{slug(scope)}" if scope else ""
        return f"{stem}{self.period}{suffix}.xlsx"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:60] or "area"


@dataclass(frozen=True)
class Made:
    """A workbook ready to send or save."""

    name: str
    data: bytes
    description: str  # one line: what it is
    analysis: Analysis | None = None


async def register_file(ctx: Context, first: str, last: str, out: Path) -> int:
    """The register of months `first`..`last` written to `out`; returns the number of rows."""
    async with ctx.db.sessions() as session:
        return await stream_register(out, _with_history(session, first, last, ctx.calendar), ctx.calendar,
                                     ctx.calendar.local_date(ctx.clock()), title=f"Audit register {first} to {last}",
                                     forms=await stored.kept_forms(session))


async def register_made(session: AsyncSession, cal: WorkingCalendar, today: date, first: str, last: str,
                        areas: tuple[str, ...] = (), *, team: str | None = None) -> Made:
    """The register as bytes, limited to `areas` when given (a service lead's), and to `team`'s
    allocations when given (a practice manager's)."""
    keys = {area_key(a) for a in areas}
    out = io.BytesIO()
    count = await stream_register(out, _with_history(session, first, last, cal), cal, today,
                                  keep=(lambda r: in_scope(r, keys, team)) if keys or team else None,
                                  forms=await stored.kept_forms(session))
    scope = team or (" and ".join(areas) if areas else None)
    name = f"audit-register-{first}-to-{last}{'-' + slug(scope) if scope else ''}.xlsx"
    label = f"{format_month(first)} to {format_month(last)}"
    return Made(name, out.getvalue(), f"The audit register, {label}: {count:,} allocation{'' if count == 1 else 's'}")


async def _with_history(session: AsyncSession, first: str, last: str,
                        cal: WorkingCalendar) -> AsyncIterator[RegisterRow]:
    """The register's rows: the imported past audits (marked Imported; they come before the bot's
    own months), then the live allocations a chunk at a time."""
    for row in await history.register_rows(session, first, last, cal.tz):
        yield row
    async for row in stored.stream_register_rows(session, first, last):
        yield row


async def register_rows(session: AsyncSession, request: Request, cal: WorkingCalendar | None = None
                        ) -> list[RegisterRow]:
    """The register's rows `load` computes `request`'s figures from, every service area's: the live
    allocations and the imported past audits (storage.history), so trends reach back before the bot."""
    first, last = rows_from(request.months), request.months[-1]
    live = await stored.register_rows(session, first, last)
    past = await history.register_rows(session, first, last, (cal or WorkingCalendar()).tz)
    return past + live if past else live


async def load(session: AsyncSession, request: Request, cal: WorkingCalendar, today: date,
               areas: tuple[str, ...] = (), rows: Sequence[RegisterRow] | None = None, *,
               team: str | None = None) -> workbook.ReportData:
    """The figures and rows for `request`, for the whole service or (areas given) for those areas,
    read in `session`; each section's own rows too (Section.load). `rows`: `register_rows(session,
    request)` already read (the monthly duty reads them once for every service lead's report)."""
    if rows is None:
        rows = await register_rows(session, request, cal)
    if team:  # a practice manager's: their team's allocations only, every figure from those
        rows = [r for r in rows if in_scope(r, set(), team)]
    analysis = analyse(rows, request.kind, request.months, cal, areas)
    keys = {area_key(a) for a in areas}
    own = [r for r in rows if r.month in request.months and in_scope(r, keys, None)]
    data = workbook.ReportData(
        title=request.title, period_label=request.label,
        scope_label=team or (" and ".join(areas) if areas else WHOLE_SERVICE), analysis=analysis, rows=own,
        cal=cal, today=today, areas=tuple(areas))
    for section in workbook.SECTIONS:
        if section.load is not None:
            data.extra[section.name] = await section.load(session, data)
    return data


def in_scope(row: RegisterRow, area_keys: set[str], team: str | None) -> bool:
    """Whether a register row is within some service areas (their `area_key`s; empty: any) and, when
    `team` is given, that team's (compared without case)."""
    return ((not area_keys or area_key(row.service_area) in area_keys)
            and (team is None or row.team.casefold() == team.casefold()))


def made(request: Request, data: workbook.ReportData, areas: tuple[str, ...] = (), *,
         team: str | None = None) -> Made:
    """The workbook of `data`, named and described."""
    total = data.analysis.total(data.analysis.scopes[0])
    description = (f"{request.title}, {data.scope_label}, {request.label}: {total.allocated} allocated, "
                   f"{total.completed} completed, {total.on_time} on time")
    return Made(request.file_name(team or (" and ".join(areas) if areas else None)), workbook.write_analysis(data),
                description, data.analysis)


async def analysis_file(ctx: Context, request: Request, area: tuple[str, ...] | None) -> Made:
    """The analysis workbook for `request` (whole service when `area` is None or empty)."""
    areas = tuple(area or ())
    async with ctx.db.sessions() as session:
        data = await load(session, request, ctx.calendar, ctx.calendar.local_date(ctx.clock()), areas)
    return made(request, data, areas)
