"""Safeguarding ownership's cards from fictional data at their largest realistic size: the alert's
copies at each stage (unclaimed, re-sent unclaimed, owned, owned with the note), the out-of-hours
channel's card, the owner's chase, the QA unit's 40 concerns and the morning summary of a bank-holiday
weekend's out-of-hours concerns. Case references and staff names only. dialogs/samples.py adds these
to the catalogue (`cards dump`); the safeguarding outbox kinds take their samples from here."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from dialogs import audit_cards as ac
from dialogs import safeguarding_cards as sc
from qa.calendar import WorkingCalendar
from qa.safeguarding import out_of_hours

Card = dict[str, Any]
LONDON = ZoneInfo("Europe/London")
_CALENDAR = WorkingCalendar()  # England's bank holidays, London time
AT = datetime(2027, 1, 7, 10, 12, tzinfo=timezone.utc)
CASE = "CD-4810037"
OWNER = "Małgorzata Kowalczyk-Henderson"
_NOTE = ("Strategy discussion held with the police and health at 11:00; MASH referral made; the social worker "
         "visited the same afternoon and the safety plan was agreed with the family’s network. ")


def _view(**more: Any) -> sc.Ownership:
    return sc.Ownership(concern_id=100_001, **more)


def owned(**more: Any) -> sc.Ownership:
    return _view(owner=OWNER, owned_at=AT, note_due=AT + timedelta(hours=2), **more)


def alert(ownership: sc.Ownership, mine: bool = False) -> Card:
    """The alert card with its ownership part, the description at its longest."""
    return ac.safeguarding_alert_card(ac.SafeguardingAlert(
        case_ref=CASE, team="Safeguarding and Family Support Team East", service_area="Safeguarding and Family Support",
        auditor_name="Oluwaseun Adeyemi-Fitzgerald", description=("Concern seen in the case record. " * 80)
        [:ac.SAFEGUARDING_MAX], raised_at=AT, ownership=ownership, mine=mine), LONDON)


def lines(count: int) -> list[sc.ConcernLine]:
    """`count` concerns seven hours apart, out of hours as England's working calendar says (a weekend's or a
    bank holiday's always), every third unclaimed, every fourth without its note."""
    out = []
    for i in range(count):
        claimed = i % 3 != 0
        raised = AT - timedelta(hours=7 * i)
        out.append(sc.ConcernLine(f"CD-{4_810_000 + 37 * i}", raised, out_of_hours(raised, _CALENDAR),
                                  OWNER if claimed else None, 14 + i if claimed else None,
                                  95 + i if claimed and i % 4 else None))
    return out


def samples() -> dict[str, Card]:
    noted = owned(note=_NOTE * 7, noted_at=AT + timedelta(hours=1))
    return {
        "safeguarding_alert_unclaimed": alert(_view()),
        "safeguarding_alert_resent_unclaimed": alert(_view(unclaimed_sends=2)),
        "safeguarding_alert_owned_mine": alert(owned(), mine=True),
        "safeguarding_alert_owned_noted": alert(noted),
        "safeguarding_out_of_hours": sc.out_of_hours_card(_view(), CASE, AT, LONDON),
        "safeguarding_out_of_hours_owned": sc.out_of_hours_card(owned(), CASE, AT, LONDON),
        "safeguarding_note_chase": sc.note_chase_card(owned(), CASE, LONDON),
        "safeguarding_concerns": sc.concerns_card(lines(40), LONDON),
        "safeguarding_concerns_none": sc.concerns_card([], LONDON),
        "safeguarding_out_of_hours_summary": sc.out_of_hours_summary_card(
            [line for line in lines(24) if line.out_of_hours], date(2027, 1, 4), LONDON),
    }
