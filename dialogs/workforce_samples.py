"""Workforce cards from fictional data at their largest realistic size: a supervisor's digest with ASYE review
points, the overdue notice, a cohort of 90 ASYEs. Staff names only. dialogs/samples.py adds these to the
catalogue (`cards dump`)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from dialogs import supervision_cards as sc
from dialogs import workforce_cards as wc
from dialogs.card_kit import format_day
from qa.calendar import WorkingCalendar

Card = dict[str, Any]
TODAY = date(2026, 12, 1)
_NAME = "Siobhán O’Donnell-McAllister"
_FIRST = ("Siobhán", "Oluwaseun", "Krzysztof", "Małgorzata", "Aoife", "Chiamaka", "Bartholomew", "Zeynep",
          "Guðrún", "Radosław")
_LAST = ("O’Donnell-McAllister", "Adebayo-Richardson", "Wiśniewski", "Kowalczyk-Henderson", "Ní Bhriain",
         "Okonkwo-Bamidele", "Featherstonehaugh", "Çelik-Abernethy", "Sigurðardóttir-Blake", "Przybylski-Thompson")
_AREAS = ("Children in Care and Care Leavers", "Safeguarding and Family Support", "Disabled Children’s Service",
          "Front Door and Early Help", "Fostering and Adoption", "Youth Justice", "Leaving Care",
          "Child Protection Conferencing and Reviewing", "Family Help")
_LOCALITIES = ("North", "South", "East", "West", "Central", "Coastal", "Rural", "City", "Riverside", "Hillside")


def _name(i: int) -> str:
    """The i-th of 100 different staff names (a sample lists each person once)."""
    return f"{_FIRST[i % 10]} {_LAST[i // 10 % 10]}"


def _team(i: int) -> str:
    """The i-th of 90 different teams, each named under its own service area."""
    return f"{_AREAS[i % 9]} – {_LOCALITIES[i // 9 % 10]} Team"
_TEAM = "Children in Care and Care Leavers Team North"
SUPERVISOR = "Pia Marsh-Worthington"
CAL = WorkingCalendar()


def _working(d: date) -> date:
    """Every day a sample card names is a working day (tests/test_sample_data.py)."""
    return CAL.next_working_day(d, include_self=True)


def digest_view() -> sc.DigestView:
    """A supervisor with 12 ASYEs, each with their 1:1 and two review points (one overdue, one due)."""
    blocks = []
    for i in range(12):
        one_to_one = sc.Line(sc.LineKey(100 + i, "one_to_one"), "one_to_one", TODAY, "today", asye=True)
        blocks.append(sc.Block(_name(i), (
            one_to_one,
            wc.asye_line(100 + i, "asye_review_3", _working(TODAY - timedelta(days=9)), "overdue"),
            wc.asye_line(100 + i, "asye_review_6", _working(TODAY + timedelta(days=1)), "soon"),
            wc.appraisal_line(100 + i, _working(TODAY - timedelta(days=30)), "overdue"))))
    return sc.DigestView(TODAY, tuple(blocks))


def cohort_view(count: int = 90) -> wc.CohortView:
    rows = []
    for i in range(count):
        start = _working(date(2026, 1 + i % 12, 1 + i % 28))
        rows.append(wc.CohortRow(_name(i), _TEAM, start, SUPERVISOR, (
            ("asye_review_3", f"held {format_day(_working(start + timedelta(days=92)))}"),
            ("asye_review_6", f"overdue since {format_day(_working(start + timedelta(days=183)))}"),
            ("asye_review_12", f"due {format_day(_working(start + timedelta(days=365)))}"),
            ("asye_final", f"due {format_day(_working(start + timedelta(days=393)))}"))))
    return wc.CohortView(TODAY, tuple(rows), count)


def samples() -> dict[str, Card]:
    digest = sc.supervision_digest_card(digest_view())
    return {
        "supervision_digest_asye": digest,
        "supervision_digest_asye_held": sc.close_line(wc.AsyeLineKey(100, "asye_review", None, "asye_review_3"),
                                                      wc.asye_held_words("asye_review_3", TODAY))(digest, {}),
        "asye_overdue": wc.asye_overdue_card(wc.AsyeOverdueView(_NAME, SUPERVISOR, "asye_final", TODAY)),
        "asye_cohort": wc.asye_cohort_card(cohort_view()),
        "asye_cohort_small": wc.asye_cohort_card(cohort_view(3)),
        "swe_renewal_reminder": wc.swe_renewal_reminder_card(wc.RenewalReminderView(2026, date(2026, 11, 30),
                                                                                  date(2026, 11, 30))),
        "swe_manager": wc.swe_manager_card(wc.RenewalManagerView(2026, date(2026, 11, 30), False,
                                                                 tuple(_name(i) for i in range(90)))),
        "swe_compliance": wc.swe_compliance_card(wc.RenewalComplianceView(2026, date(2026, 11, 16), tuple(
            (_team(i), i % 9, 9) for i in range(90)))),
    }
