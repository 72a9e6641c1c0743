"""`report` in chat (who gets which: access.py): which report? The
chosen one's button (actions.send_report) sends it the same way as the monthly duty's."""
from __future__ import annotations

from datetime import date

from capabilities.registry import CommandReply, Said
from capabilities.reports import access, config
from capabilities.reports.build import REGISTER, month_name
from dialogs import report_cards as rc
from qa.audit_calendar import month_key
from qa.reports import ANNUAL, MONTHLY, QUARTERLY, add_months


def choices(today: date, schedule: config.Schedule) -> list[rc.ReportChoice]:
    """The latest closed month's analysis, quarter, year, and the last twelve months' register."""
    last = add_months(month_key(today.year, today.month), -1)
    year, mon = int(last[:4]), int(last[5:])
    quarter_end = add_months(last, -(mon % 3))
    annual_year = year if mon >= schedule.annual_month else year - 1
    quarter = f"{quarter_end[:4]}-Q{int(quarter_end[5:]) // 3}"
    first = add_months(last, -11)
    return [
        rc.ReportChoice(f"Monthly analysis, {month_name(last)}", MONTHLY, last),
        rc.ReportChoice(f"Quarterly report, {quarter.replace('-', ' ')}", QUARTERLY, quarter),
        rc.ReportChoice(f"Annual report, {annual_year}", ANNUAL, str(annual_year)),
        rc.ReportChoice(f"Audit register, {month_name(first)} to {month_name(last)}", REGISTER, f"{first}..{last}"),
    ]


async def report_menu(said: Said) -> CommandReply:
    scope = access.scope_of(said.person)
    if isinstance(scope, str):
        return CommandReply(rc.report_refused_card(scope), scope)
    label = (f"your team, {scope.team}" if scope.team else
             " and ".join(scope.areas) if scope.areas else "the whole service")
    card = rc.report_menu_card(label, choices(said.ctx.calendar.local_date(said.now), config.from_env()))
    return CommandReply(card, "Which report would you like?")
