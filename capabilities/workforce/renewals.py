"""`registration` in chat (framework 9.2: the principal social worker "engages with Social Work England ...
testing out compliance"): Social Work England renewal by team for the latest renewal period opened (this year's
from its first day, else last year's): registered staff who confirmed they renewed with their CPD recorded, and
those not yet. The figures are the renewal duty's (duties.renewal_figures), so the card the period's reminders
send and this one agree. For the principal social worker only, checked on the server."""
from __future__ import annotations

from datetime import date

from capabilities.registry import CommandReply, Said
from capabilities.workforce import config
from capabilities.workforce.duties import renewal_figures
from dialogs import pdp_cards as pc
from dialogs import workforce_cards as wc
from qa.framework import Role
from qa.workforce import renewal_window
from storage.workforce import workforce

READERS = frozenset({Role.PRINCIPAL_SOCIAL_WORKER})
NOT_FOR_YOU = "Social Work England renewal by team is for the principal social worker."


def renewal_year(today: date, window=None) -> int:
    """The year of the latest renewal period opened by `today` (this year's from its first day)."""
    opens, _closes = renewal_window(today.year, window or config.swe_renewal())
    return today.year if today >= opens else today.year - 1


async def command(said: Said) -> CommandReply:
    """`registration`: renewal compliance by team (renewed with CPD recorded, not yet)."""
    person = said.person
    if person is None or not person.active or person.role not in READERS:
        return CommandReply(pc.pdp_notice_card(NOT_FOR_YOU, "Social Work England renewal"), NOT_FOR_YOU)
    today = said.ctx.calendar.local_date(said.now)
    year = renewal_year(today)
    async with said.ctx.db.sessions() as session:
        staff = await workforce(session, said.ctx.calendar.tz)
        _confirmed, teams = await renewal_figures(session, staff, year)
    view = wc.RenewalComplianceView(year, today, tuple(teams))
    return CommandReply(wc.swe_compliance_card(view), f"Social Work England renewal {year}: by team")
