"""Every audit-cycle card built from realistic sample data, at its largest realistic size.

Used by the card tests and by tools/validate-cards.js (through tests/test_cards_validate.py).
Text fields are filled to their input's maxLength, with some non-ASCII (curly quotes,
dashes) so the byte size is honest.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from dialogs import audit_cards as ac

LONDON = ZoneInfo("Europe/London")
DEADLINE = date(2026, 12, 24)  # a Thursday: the 28th falls on a bank-holiday Monday
OVERSIGHT_DUE = date(2027, 1, 6)

_SENTENCE = ("Planning for the child’s next review was clear and timely – the plan was shared with the "
             "family and the network, and actions were followed up in supervision. ")

# Team and service-area names as long as the directory holds.
_TEAMS = ("Children in Care and Care Leavers Team North", "Safeguarding and Family Support Team East",
          "Disabled Children’s Service – Short Breaks", "Multi-Agency Safeguarding Hub (MASH)",
          "Edge of Care and Adolescent Support Team", "Fostering Assessment and Kinship Team")
_SERVICE_AREAS = ("Children in Care and Care Leavers", "Safeguarding and Family Support",
                  "Disabled Children’s Service", "Front Door and Early Help", "Fostering and Adoption",
                  "Youth Justice", "Leaving Care", "Child Protection Conferencing and Reviewing")


def long_text(limit: int) -> str:
    """Realistic prose exactly `limit` characters long."""
    return (_SENTENCE * (limit // len(_SENTENCE) + 1))[:limit]


def allocations(count: int = 6) -> list[ac.AllocationView]:
    return [
        ac.AllocationView(
            allocation_id=100_000 + i,
            case_ref=f"CD-{4_810_000 + 37 * i}",
            annex_a_list=("List 8: Children in care", "List 6: Children in need", "List 7: Child protection",
                          "List 9: Care leavers", "List 1: Contacts", "List 5: Section 47 enquiries")[i % 6],
            team=_TEAMS[i % len(_TEAMS)],
            theme="Neglect and the impact of parental substance misuse on younger children",
            case_holder_name=("Oluwaseun Adebayo-Richardson", "Siobhán O’Donnell-McAllister",
                              "Krzysztof Wiśniewski")[i % 3],
            deadline=DEADLINE,
            started=i % 2 == 1,
        )
        for i in range(count)
    ]


def full_draft() -> dict[str, Any]:
    return {
        ac.OVERALL_GRADE: "Requires Improvement",
        "key_areas": {area: ac.GRADES[i % 4] for i, area in enumerate(ac.KEY_AREAS)},
        ac.STRENGTHS: long_text(ac.STRENGTHS_MAX),
        ac.IMPROVEMENTS: long_text(ac.IMPROVEMENTS_MAX),
        ac.DISCUSSION_HELD: True,
        ac.SEEK_FAMILY_VIEWS: True,
        ac.SAFEGUARDING_CONCERN: True,
        ac.SAFEGUARDING_DESCRIPTION: long_text(ac.SAFEGUARDING_MAX),
    }


def every_field_error() -> dict[str, str]:
    errors = {input_id: "Please choose a grade for this key area." for input_id in ac.FORM_INPUT_IDS}
    errors[ac.OVERALL_GRADE] = "Please choose an overall grade."
    errors[ac.SAFEGUARDING_DESCRIPTION] = "Please describe the safeguarding concern you found."
    errors["deadline"] = "This month's audits closed on Thursday 24 December 2026."
    return errors


def audit_summary() -> ac.AuditSummary:
    return ac.AuditSummary(
        audit_id=200_001, case_ref="CD-4810037", team=_TEAMS[0], service_area=_SERVICE_AREAS[0],
        auditor_name="Oluwaseun Adebayo-Richardson", case_holder_name="Siobhán O’Donnell-McAllister",
        grade="Requires Improvement", key_areas={area: ac.GRADES[i % 4] for i, area in enumerate(ac.KEY_AREAS)},
        strengths=long_text(ac.STRENGTHS_MAX), improvements=long_text(ac.IMPROVEMENTS_MAX),
        discussion_held=True, seek_family_views=True, safeguarding_concern=True,
        submitted_on=date(2026, 12, 22), oversight_due=OVERSIGHT_DUE,
    )


def oversight_items(count: int = 40) -> list[ac.OversightItem]:
    return [
        ac.OversightItem(audit_id=200_000 + i, case_ref=f"CD-{4_810_000 + 37 * i}", team=_TEAMS[i % len(_TEAMS)],
                         auditor_name=("Oluwaseun Adebayo-Richardson", "Krzysztof Wiśniewski")[i % 2],
                         grade=ac.GRADES[i % 4], submitted_on=date(2026, 12, 14 + i % 10),
                         safeguarding_concern=i % 10 == 0)
        for i in range(count)
    ]


def all_samples() -> list[tuple[str, dict[str, Any]]]:
    """(name, card) for every card, largest realistic case first, plus the small variants."""
    at = datetime(2027, 1, 7, 10, 12, tzinfo=timezone.utc)
    six = allocations(6)
    dispute = ac.DisputeView(audit_id=200_001, case_ref="CD-4810037", team=_TEAMS[0],
                             auditor_name="Oluwaseun Adebayo-Richardson", disputed_by_name="Sam Lee",
                             reason=long_text(ac.DISPUTE_REASON_MAX), disputed_at=at)
    alert = ac.SafeguardingAlert(case_ref="CD-4810037", team=_TEAMS[1], service_area=_SERVICE_AREAS[1],
                                 auditor_name="Krzysztof Wiśniewski", description=long_text(ac.SAFEGUARDING_MAX),
                                 raised_at=at)
    decline = ac.DeclineView(allocation_id=100_003, case_ref="CD-4810111", team=_TEAMS[2],
                             auditor_name="Krzysztof Wiśniewski", reason=long_text(ac.DECLINE_REASON_MAX),
                             declined_at=at)
    unreachable = [(f"Practice Manager Number {i:02d} Adebayo-Richardson", f"practice.manager.{i:02d}@example.gov.uk",
                    ("App not installed for this person", "Blocked or uninstalled the bot",
                     "No Teams account found for this email")[i % 3]) for i in range(40)]
    status_rows = [ac.ServiceAreaStatus(area, allocated=48, started=40, submitted=31, overdue=3,
                                        awaiting_oversight=12, disputed=1, complete=18) for area in _SERVICE_AREAS]
    return [
        ("allocation_notice", ac.allocation_notice_card("Oluwaseun Adebayo-Richardson", "December 2026", six)),
        ("allocation_notice_one", ac.allocation_notice_card("Sam Lee", "December 2026", allocations(1))),
        ("auditor_reminder_7_days", ac.auditor_reminder_card("7 days", six)),
        ("auditor_reminder_2_working_days", ac.auditor_reminder_card("2 working days", six)),
        ("auditor_reminder_today", ac.auditor_reminder_card("today", allocations(1))),
        ("audit_overdue", ac.audit_overdue_card(six)),
        ("supervisor_overdue", ac.supervisor_overdue_card("Sam Lee", "Krzysztof Wiśniewski", six)),
        ("audit_form_empty", ac.audit_form_card(six[0])),
        ("audit_form_full_draft", ac.audit_form_card(six[0], full_draft())),
        ("audit_form_full_draft_every_error", ac.audit_form_card(six[0], full_draft(), every_field_error())),
        ("oversight_request", ac.oversight_request_card(audit_summary())),
        ("oversight_digest", ac.oversight_digest_card("Sam Lee", oversight_items(40), OVERSIGHT_DUE)),
        ("oversight_digest_empty", ac.oversight_digest_card("Sam Lee", [], OVERSIGHT_DUE)),
        ("oversight_reminder", ac.oversight_reminder_card("Sam Lee", "3 working days", oversight_items(40),
                                                          OVERSIGHT_DUE)),
        ("oversight_overdue_service_lead", ac.oversight_overdue_card("Sam Lee", oversight_items(40), OVERSIGHT_DUE)),
        ("oversight_overdue_head_of_service", ac.oversight_overdue_card(
            "Sam Lee", oversight_items(40), OVERSIGHT_DUE, head_of_service_name="Priya Raghunathan")),
        ("dispute", ac.dispute_card(dispute, LONDON)),
        ("upload_request", ac.upload_request_card(200_001, "CD-4810037", "Sam Lee", at, LONDON, OVERSIGHT_DUE,
                                                  comment=long_text(ac.OVERSIGHT_COMMENT_MAX))),
        ("safeguarding_alert", ac.safeguarding_alert_card(alert, LONDON)),
        ("unreachable_auditors", ac.unreachable_auditors_card("December 2026", unreachable)),
        ("decline_notice", ac.decline_notice_card(decline, LONDON)),
        ("cycle_status", ac.cycle_status_card("December 2026", status_rows, month="2026-12", as_of=at, tz=LONDON)),
        ("cycle_status_empty", ac.cycle_status_card("December 2026", [])),
        ("my_audits", ac.my_audits_card(six)),
        ("my_audits_none", ac.my_audits_card([])),
        ("acted_oversight_confirmed", ac.acted_card("Oversight needed: case CD-4810037", "Oversight confirmed",
                                                    "Sam Lee", at, LONDON,
                                                    details=[("Case", "CD-4810037"), ("Team", _TEAMS[0])])),
    ]
