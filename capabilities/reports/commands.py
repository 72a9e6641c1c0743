"""`report` in chat (QA unit, deputy director, service leads for their areas): which report? Then
the chosen one is sent the same way as the monthly duty's: a card and the workbook offered by a
file consent card, written to the outbox due now and delivered at once."""
from __future__ import annotations

from datetime import date

from capabilities.press import UNREADABLE, Press, Reply
from capabilities.registry import CommandReply, Said
from capabilities.reports import config, delivery
from capabilities.reports.build import REGISTER, Request, month_name
from dialogs import report_cards as rc
from qa.audit_calendar import month_key
from qa.reports import ANNUAL, MONTHLY, QUARTERLY, add_months
from storage.models import TrailEvent
from storage.outbox import enqueue

ROLES = delivery.ROLES
SENDING = "I'm sending it to you here now: press Allow on the file card to save the workbook."


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
    scope = delivery.scope_of(said.person)
    if isinstance(scope, str):
        return CommandReply(rc.report_refused_card(scope), scope)
    label = " and ".join(scope) if scope else "the whole service"
    card = rc.report_menu_card(label, choices(said.ctx.calendar.local_date(said.now), config.from_env()))
    return CommandReply(card, "Which report would you like?")


async def send_report(press: Press) -> Reply:
    """A report menu button (verb report.send, data {"report": kind, "period": ...}): re-checks who
    may have it, then writes the card and the file consent card to the outbox, due now."""
    kind, period = press.data.get("report"), press.data.get("period")
    if not isinstance(kind, str) or not isinstance(period, str):
        return Reply(text=UNREADABLE)
    scope = delivery.scope_of(press.actor)
    if isinstance(scope, str):
        return Reply(text=scope)
    ctx, now = press.ctx, press.now
    today = ctx.calendar.local_date(now)
    async with ctx.db.sessions.begin() as session:
        try:
            if kind == REGISTER:
                payload = await delivery.register_payload(session, period, ctx.calendar, today, scope)
            else:
                payload = (await delivery.report_payload(session, Request.parse(kind, period), ctx.calendar,
                                                         today, scope))[0]
        except ValueError:
            return Reply(text=UNREADABLE)
        await enqueue(session, key=f"audit-report-asked:{kind}:{period}:{press.actor.id}:{now.isoformat()}",
                      kind=delivery.REPORT, person_id=press.actor.id, payload=payload, due_at=now, now=now)
        session.add(TrailEvent(subject_type="report", subject_id=None, month=None, actor_id=press.actor.id,
                               action="report_asked", via=f"card:{rc.SEND_VERB}",
                               detail={"report": kind, "period": period[:20], "areas": len(scope)}, at=now))
    return Reply(text=SENDING, deliver_now=True)
