"""Fictional data, at its largest realistic size, for the QA calendar's and broadcasts' cards:
`cards dump` and the card checks render every builder from here."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from dialogs import broadcast_cards as bc
from dialogs import calendar_cards as cc
from qa.broadcasts import Counts

Card = dict


def broadcast_card_samples() -> dict[str, Card]:
    events = [cc.EventView("practice_week", "Winter practice week", date(2027, 1, 11), date(2027, 1, 15),
                           "Each day: case audits alongside the case holders, direct observations booked with the "
                           "QA unit, and a themed forum at 15:00 (Monday the child's voice, Tuesday neglect, "
                           "Wednesday planning and review, Thursday management oversight, Friday what we learned). "
                           "Feedback from children and families gathered in the week is shared at Friday's forum."),
              cc.EventView("learning_forum", "Learning and Improvement Forum", date(2027, 1, 19), date(2027, 1, 19),
                           starts_at=time(15), ends_at=time(17)),
              cc.EventView("survey", "Staff survey window", date(2027, 1, 25), date(2027, 2, 5),
                           "Ten minutes, anonymous."),
              cc.EventView("thematic_audit", "Neglect thematic audit", date(2027, 2, 1), date(2027, 2, 26)),
              cc.EventView("assurance_clinic", "CRH audit session", date(2027, 2, 10), date(2027, 2, 10),
                           starts_at=time(13, 30), ends_at=time(16, 30))]
    # The last twelve months' monthly forums and reflective groups, as their organisers marked them.
    attended = [cc.EventView(kind, title, day, day) for day, kind, title in (
        (date(2026, m, d), "learning_forum", "Learning and Improvement Forum")
        for m, d in ((2, 17), (3, 17), (4, 21), (5, 19), (6, 16), (7, 21), (9, 15), (10, 20), (11, 17), (12, 15))
    )] + [cc.EventView("reflective_group", "Practice managers' reflective group", date(2026, 11, 25),
                       date(2026, 11, 25))]
    return {"qa_calendar": cc.calendar_card(events, start=date(2027, 1, 4), end=date(2027, 3, 1), attended=attended),
            "qa_calendar_empty": cc.calendar_card([], start=date(2027, 1, 4), end=date(2027, 3, 1)),
            **notice_samples()}


_MESSAGE = ("**Winter practice week** runs from Monday 11 January to Friday 15 January 2027.\n\n"
            "- Managers: please book your observations with the QA unit by Friday.\n"
            "- Everyone: a themed forum each afternoon at 15:00; the Learning and Improvement Forum follows on "
            "Tuesday 19 January, 15:00 to 17:00.\n\n"
            + "Thank you for all you do to keep children at the centre of our practice. " * 20)
NOTICE = bc.NoticeView(7, "Winter practice week: what to expect", _MESSAGE, "https://intranet.example/qa",
                       "The practice week plan", ask_ack=True)
_AT = datetime(2027, 1, 11, 9, 0, tzinfo=timezone.utc)
_LONDON = ZoneInfo("Europe/London")


def notice_samples() -> dict[str, Card]:
    counts = Counts()
    by_area: dict[str, Counts] = {}
    areas = ["Family Help", "Children in Care", "Child Protection", "Care Leavers", "Fostering", "Adoption",
             "Disabled Children", "Early Help", "Youth Justice", "Front Door", ""]
    statuses = [("sent", None, True, True), ("sent", None, True, False), ("sent", None, False, False),
                ("failed", "blocked", False, False), ("failed", "not installed", False, False),
                ("failed", "uninstalled", False, False), ("failed", "not found", False, False),
                ("queued", None, False, False)]
    for n in range(10_000):
        status, reason, read, ack = statuses[n % len(statuses)]
        counts.add(status, reason, read, ack)
        by_area.setdefault(areas[n % len(areas)], Counts()).add(status, reason, read, ack)
    report = bc.ReportView(7, NOTICE.title, _AT, "sending", True, counts, dict(sorted(by_area.items())),
                           _AT + timedelta(hours=3), finished=False)
    lines = [bc.BroadcastLine(n, f"Notice number {n}: " + "a long title about the practice week " * 3, _AT, "sending",
                              10_000 - n) for n in range(1, 11)]
    return {
        "broadcast": bc.broadcast_card(NOTICE),
        "broadcast_chaser": bc.broadcast_chaser_card(NOTICE),
        "broadcast_acknowledged": bc.acknowledged_card(NOTICE, _AT + timedelta(hours=1), _LONDON),
        "broadcast_corrected": bc.corrected_card(NOTICE, _AT + timedelta(hours=2), _LONDON),
        "broadcast_preview": bc.preview_card(NOTICE, audience="role=practice_manager; area=Family Help",
                                             recipients=9_876, when="Monday 11 January 2027 at 09:00"),
        "broadcast_list": bc.broadcast_list_card(lines, _LONDON),
        "broadcast_report": bc.broadcast_report_card(report, _LONDON),
        "broadcast_withdrawn": bc.withdrawn_card(NOTICE.title),
        "broadcast_qa_unit_only": bc.qa_unit_only_card(),
    }
