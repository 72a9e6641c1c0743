"""Sample status cards (fictional, at their largest realistic size), for `cards dump` and the card checks."""
from __future__ import annotations

from dialogs import status_cards as sc

AREAS = ("Children in Care and Care Leavers North", "Children in Care and Care Leavers South",
         "Children in Need and Child Protection East", "Children in Need and Child Protection West",
         "Family Help – Early Help Hubs", "Multi-Agency Safeguarding Hub (MASH) and Assessment",
         "Disabled Children’s Service", "Fostering, Adoption and Permanence", "Youth Justice Service",
         "Leaving Care and Supported Accommodation", "Edge of Care and Family Support", "Court and Legal Team")
AT = "Monday 7 December 2026 at 09:05"


def escalations_view() -> sc.StatusView:
    rows = tuple((area, 3 + n % 4, 12 + n, n % 5, n % 3) for n, area in enumerate(AREAS))
    total = ("Total", *(sum(r[i] for r in rows) for i in range(1, 5)))
    notes = tuple(f"Dip sample 2026-{m:02d}: 24 of 240 audits drawn, 24 moderated, 3 graded differently"
                  for m in (9, 10, 11))
    notes += tuple(f"Re-audit of CR-{100200 + n}: 2026-0{n % 9 + 1} Inadequate \u2192 2026-1{n % 2} "
                   "Requires Improvement" for n in range(20))
    return sc.StatusView("escalations", "Escalations", "the whole service", AT,
                         ("Service area", "Moderations pending", "Escalations open", "Updates due",
                          "Updates overdue"), rows, total, notes)


def samples() -> dict[str, dict]:
    view = escalations_view()
    return {
        "status_escalations": sc.status_card(view),
        "status_empty": sc.status_card(sc.StatusView("delivery", "Delivery to Teams", "the whole service", AT,
                                                     ("Messages", "Count"), (), empty="Nothing to show.")),
        "status_too_long": sc.too_long_card(sc.StatusView(
            "observations", "Observation coverage", "the whole service", AT, ("Service area", "Team"),
            tuple((AREAS[n % len(AREAS)], f"Team {n}") for n in range(2400)))),
        "status_notice": sc.status_notice_card("Observation coverage", "The roster gives you no service area, so I "
                                               "have no figures for you. Please ask the QA unit to check the roster."),
        "close_month": sc.close_month_card([sc.MonthToClose("2026-10", 1240, 12), sc.MonthToClose("2026-11", 1310, 96),
                                            sc.MonthToClose("2026-12", 1288, 1288)]),
        "close_month_nothing": sc.close_month_card([]),
        "month_closed": sc.month_closed_card("2026-11", "November 2026 closed by Małgorzata Kowalczyk-Henderson, "
                                             "Monday 7 December 2026 at 09:05: it takes no more allocations. 1,310 "
                                             "allocations, 96 not complete."),
    }


def export_samples() -> dict[str, dict]:
    return {"feedback_export": sc.feedback_export_card(["2026-12", "2026-11", "2026-10"])}
