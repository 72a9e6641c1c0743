"""Every card the dialogs build, from realistic fictional data at its largest realistic size.

Shipped, not a test fixture: `python -m bot cards dump DIR` writes these (with the few cards the
Teams edge makes, bot/cards_dump.py) so anyone can check them with Microsoft's validator
(tools/validate-cards.js), and the card tests use the same catalogue.

Text fields are filled to their input's maxLength, lists to what one person realistically gets
at once, with some non-ASCII (curly quotes, dashes, accents) so the byte size is honest. Case
references and staff names only, never a child's details. Builders are called through their
modules (`ac.allocation_notice_card`) so a test can see which ones the catalogue uses.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, datetime, time, timezone
from typing import Any
from zoneinfo import ZoneInfo

from dialogs import alert_cards as alr
from dialogs import allocation_cards as alc
from dialogs import audit_cards as ac
from dialogs import (
    calendar_samples,
    case_holder_samples,
    cover_samples,
    form_samples,
    induction_samples,
    intake_cards,
    observation_samples,
    pdp_samples,
    safeguarding_samples,
    sample_reminder_cards,
    sample_samples,
    status_samples,
    supervision_samples,
    workforce_samples,
)
from dialogs import card_update as cu
from dialogs import common_cards as cc
from dialogs import delivery_cards as dc
from dialogs import digest as dg
from dialogs import escalation_cards as ec
from dialogs import good_practice_cards as gp
from dialogs import reallocation_cards as rlc
from dialogs import remedial_cards as rmc
from dialogs import report_cards as rc
from dialogs.broadcast_samples import broadcast_card_samples
from dialogs.payload import Payload
from qa import alerts as qal
from qa import escalations as qe
from qa import reports as qr
from qa.calendar import WorkingCalendar
from qa.deadlines import UPLOAD_WORKING_DAYS, due_no_earlier_than
from qa.framework import Role
from qa.reallocation import CHOICES_SHOWN

Card = dict[str, Any]

# Every card builder the catalogue covers ("module.function"). tests/test_cards_dump.py fails
# when a dialogs module gains a public *_card function missing here, or one listed here is not
# called while building sample_cards().
BUILDERS = (
    "dialogs.intake_cards.preview_card",
    "dialogs.intake_cards.choose_kind_card",
    "dialogs.intake_cards.refused_card",
    "dialogs.intake_cards.unknown_card",
    "dialogs.intake_cards.decided_card",
    "dialogs.audit_cards.allocation_notice_card",
    "dialogs.form_cards.form_page_card",
    "dialogs.sample_cards.proposal_card",
    "dialogs.sample_cards.sample_used_card",
    "dialogs.sample_cards.no_sample_card",
    "dialogs.sample_reminder_cards.extract_reminder_card",
    "dialogs.cover_cards.return_summary_card",
    "dialogs.cover_cards.who_covers_card",
    "dialogs.cover_cards.leaver_work_card",
    "dialogs.workforce_cards.asye_overdue_card",
    "dialogs.workforce_cards.asye_cohort_card",
    "dialogs.workforce_cards.swe_renewal_reminder_card",
    "dialogs.workforce_cards.swe_manager_card",
    "dialogs.workforce_cards.swe_compliance_card",
    "dialogs.induction_cards.plan_card",
    "dialogs.induction_cards.confirm_card",
    "dialogs.induction_cards.starter_overdue_card",
    "dialogs.induction_cards.manager_overdue_card",
    "dialogs.induction_cards.figures_card",
    "dialogs.induction_cards.induction_notice_card",
    "dialogs.pdp_cards.pdp_card",
    "dialogs.pdp_cards.pdp_notice_card",
    "dialogs.pdp_cards.training_needs_card",
    "dialogs.audit_cards.auditor_reminder_card",
    "dialogs.audit_cards.audit_overdue_card",
    "dialogs.audit_cards.supervisor_overdue_card",
    "dialogs.audit_cards.my_audits_card",
    "dialogs.audit_cards.audit_form_card",
    "dialogs.audit_cards.oversight_request_card",
    "dialogs.audit_cards.whole_audit_pages",
    "dialogs.audit_cards.oversight_digest_card",
    "dialogs.audit_cards.oversight_reminder_card",
    "dialogs.audit_cards.oversight_overdue_card",
    "dialogs.audit_cards.dispute_card",
    "dialogs.audit_cards.upload_request_card",
    "dialogs.audit_cards.safeguarding_alert_card",
    "dialogs.audit_cards.unreachable_auditors_card",
    "dialogs.audit_cards.decline_notice_card",
    "dialogs.reallocation_cards.reallocation_card",
    "dialogs.audit_cards.cycle_status_card",
    "dialogs.case_holder_cards.case_holder_notice_card",
    "dialogs.case_holder_cards.findings_card",
    "dialogs.case_holder_cards.reflection_card",
    "dialogs.case_holder_cards.action_named_card",
    "dialogs.case_holder_cards.thanks_card",
    "dialogs.case_holder_cards.draft_check_card",
    "dialogs.case_holder_cards.draft_comment_card",
    "dialogs.team_cards.team_card",
    "dialogs.team_cards.no_team_card",
    "dialogs.card_update.acted_card",
    "dialogs.card_update.polite_card",
    "dialogs.common_cards.welcome_card",
    "dialogs.common_cards.help_card",
    "dialogs.common_cards.whoami_card",
    "dialogs.allocation_cards.import_summary_card",
    "dialogs.allocation_cards.rejected_card",
    "dialogs.delivery_cards.delivery_backlog_card",
    "dialogs.digest.digest_activity",
    "dialogs.digest.digest_activities",
    "dialogs.observation_cards.observation_notice_card",
    "dialogs.observation_cards.observation_record_card",
    "dialogs.observation_cards.observations_card",
    "dialogs.observation_cards.practice_week_card",
    "dialogs.observation_cards.coverage_card",
    "dialogs.observation_cards.feedback_alert_card",
    "dialogs.observation_cards.feedback_digest_card",
    "dialogs.observation_cards.family_view_reminder_card",
    "dialogs.observation_cards.family_view_done_card",
    "dialogs.observation_cards.walk_digest_card",
    "dialogs.observation_cards.polite_message_card",
    "dialogs.report_cards.report_card",
    "dialogs.report_cards.report_menu_card",
    "dialogs.report_cards.report_refused_card",
    "dialogs.report_cards.file_offer_card",
    "dialogs.report_cards.file_saving_card",
    "dialogs.report_cards.file_saved_card",
    "dialogs.report_cards.file_not_saved_card",
    "dialogs.status_cards.status_card",
    "dialogs.status_cards.too_long_card",
    "dialogs.status_cards.close_month_card",
    "dialogs.status_cards.month_closed_card",
    "dialogs.status_cards.status_notice_card",
    "dialogs.status_cards.feedback_export_card",
    "dialogs.escalation_cards.moderation_request_card",
    "dialogs.escalation_cards.moderation_decided_card",
    "dialogs.escalation_cards.regrade_notice_card",
    "dialogs.escalation_cards.escalation_card",
    "dialogs.escalation_cards.escalation_qa_card",
    "dialogs.escalation_cards.plain_card",
    "dialogs.escalation_cards.dip_sample_card",
    "dialogs.escalation_cards.dip_learning_card",
    "dialogs.alert_cards.alert_form_card",
    "dialogs.alert_cards.alert_card",
    "dialogs.alert_cards.alert_news_card",
    "dialogs.alert_cards.alert_raised_card",
    "dialogs.alert_cards.open_alerts_card",
    "dialogs.remedial_cards.remedial_plan_card",
    "dialogs.good_practice_cards.good_practice_card",
    "dialogs.calendar_cards.calendar_card",
    "dialogs.calendar_cards.calendar_reminder_card",
    "dialogs.calendar_cards.survey_reminder_card",
    "dialogs.calendar_cards.organiser_card",
    "dialogs.broadcast_cards.broadcast_card",
    "dialogs.broadcast_cards.broadcast_chaser_card",
    "dialogs.broadcast_cards.acknowledged_card",
    "dialogs.broadcast_cards.corrected_card",
    "dialogs.broadcast_cards.preview_card",
    "dialogs.broadcast_cards.broadcast_list_card",
    "dialogs.broadcast_cards.broadcast_report_card",
    "dialogs.broadcast_cards.withdrawn_card",
    "dialogs.broadcast_cards.qa_unit_only_card",
    "dialogs.supervision_cards.supervision_digest_card",
    "dialogs.supervision_cards.supervision_record_card",
    "dialogs.supervision_cards.supervision_recorded_card",
    "dialogs.supervision_cards.supervision_confirm_card",
    "dialogs.supervision_cards.supervision_reminder_card",
    "dialogs.supervision_cards.supervision_escalation_card",
    "dialogs.supervision_cards.supervision_overview_card",
    "dialogs.supervision_cards.my_supervision_card",
    "dialogs.supervision_cards.supervision_compliance_card",
    "dialogs.supervision_cards.supervision_away_card",
    "dialogs.supervision_cards.supervision_notice_card",
    "dialogs.safeguarding_cards.out_of_hours_card",
    "dialogs.safeguarding_cards.note_chase_card",
    "dialogs.safeguarding_cards.concerns_card",
    "dialogs.safeguarding_cards.out_of_hours_summary_card",
)

LONDON = ZoneInfo("Europe/London")
DEADLINE = date(2026, 12, 24)  # a Thursday: the 28th falls on a bank-holiday Monday
OVERSIGHT_DUE = date(2027, 1, 6)
AT = datetime(2027, 1, 7, 10, 12, tzinfo=timezone.utc)  # a Thursday, the day after the oversight deadline
CALENDAR = WorkingCalendar()  # England's bank holidays: the samples' dates are working days in it
UPLOAD_BY = due_no_earlier_than(OVERSIGHT_DUE, AT, UPLOAD_WORKING_DAYS, CALENDAR)  # Monday 11 January 2027

_SENTENCE = ("Planning for the child’s next review was clear and timely – the plan was shared with the "
             "family and the network, and actions were followed up in supervision. ")

# Team and service-area names as long as the directory holds.
_TEAMS = ("Children in Care and Care Leavers Team North", "Safeguarding and Family Support Team East",
          "Disabled Children’s Service – Short Breaks", "Multi-Agency Safeguarding Hub (MASH)",
          "Edge of Care and Adolescent Support Team", "Fostering Assessment and Kinship Team")
_SERVICE_AREAS = ("Children in Care and Care Leavers", "Safeguarding and Family Support",
                  "Disabled Children’s Service", "Front Door and Early Help", "Fostering and Adoption",
                  "Youth Justice", "Leaving Care", "Child Protection Conferencing and Reviewing")
# Each team under its own service area, as the roster holds it.
_AREA_OF_TEAM = dict(zip(_TEAMS, (_SERVICE_AREAS[0], _SERVICE_AREAS[1], _SERVICE_AREAS[2], _SERVICE_AREAS[3],
                                  _SERVICE_AREAS[1], _SERVICE_AREAS[4]), strict=True))
# The Annex A list (Ofsted's numbering: 6 Children in need, 7 Child protection, 8 Children in care) a case
# of each team comes from.
_LIST_OF_TEAM = dict(zip(_TEAMS, ("List 8: Children in care", "List 7: Child protection", "List 6: Children in need",
                                  "List 1: Contacts", "List 6: Children in need", "List 8: Children in care"),
                         strict=True))
_AUDITORS = ("Oluwaseun Adebayo-Richardson", "Siobhán O’Donnell-McAllister", "Krzysztof Wiśniewski")
# Practitioners who hold the cases: never the auditor (an auditor audits alongside the case holder).
_CASE_HOLDERS = ("Chiamaka Okonkwo-Bamidele", "Aoife Ní Bhriain-Fitzgerald", "Zeynep Çelik-Abernethy")
_SERVICE_LEAD = "Sam Lee"
_QA_CONTACT = "Małgorzata Kowalczyk-Henderson"


def long_text(limit: int) -> str:
    """Realistic prose exactly `limit` characters long."""
    return (_SENTENCE * (limit // len(_SENTENCE) + 1))[:limit]


def case_ref(i: int) -> str:
    return f"CD-{4_810_000 + 37 * i}"


# --- the audit cycle's views ---

def allocations(count: int = 6) -> list[ac.AllocationView]:
    return [
        ac.AllocationView(
            allocation_id=100_000 + i,
            case_ref=case_ref(i),
            annex_a_list=_LIST_OF_TEAM[_TEAMS[i % len(_TEAMS)]],
            team=_TEAMS[i % len(_TEAMS)],
            theme="Neglect and the impact of parental substance misuse on younger children",
            case_holder_name=_CASE_HOLDERS[i % 3],
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
        auditor_name=_AUDITORS[0], case_holder_name=_CASE_HOLDERS[1],
        grade="Requires Improvement", key_areas={area: ac.GRADES[i % 4] for i, area in enumerate(ac.KEY_AREAS)},
        strengths=long_text(ac.STRENGTHS_MAX), improvements=long_text(ac.IMPROVEMENTS_MAX),
        discussion_held=True, seek_family_views=True, safeguarding_concern=True,
        submitted_on=date(2026, 12, 22), oversight_due=OVERSIGHT_DUE,
    )


# Working days of December 2026 before the audit deadline (the 19th and 20th are a weekend).
_DECEMBER_WORKING_DAYS = tuple(date(2026, 12, d) for d in (14, 15, 16, 17, 18, 21, 22, 23, 24))


def oversight_items(count: int = 40) -> list[ac.OversightItem]:
    return [
        ac.OversightItem(audit_id=200_000 + i, case_ref=case_ref(i), team=_TEAMS[i % len(_TEAMS)],
                         auditor_name=(_AUDITORS[0], _AUDITORS[2])[i % 2],
                         grade=ac.GRADES[i % 4], submitted_on=_DECEMBER_WORKING_DAYS[i % 9],
                         safeguarding_concern=i % 10 == 0)
        for i in range(count)
    ]


def dispute_view() -> ac.DisputeView:
    return ac.DisputeView(audit_id=200_001, case_ref="CD-4810037", team=_TEAMS[0], auditor_name=_AUDITORS[0],
                          disputed_by_name=_SERVICE_LEAD, reason=long_text(ac.DISPUTE_REASON_MAX), disputed_at=AT)


def upload_request(*, chase: bool = False) -> Card:
    """Oversight confirmed on Thursday 7 January, after the 6th: the upload is due two working days on."""
    return ac.upload_request_card(200_001, "CD-4810037", _SERVICE_LEAD, AT, LONDON, UPLOAD_BY,
                                  comment=long_text(ac.OVERSIGHT_COMMENT_MAX), chase=chase)


def _taker(i: int) -> str:
    """Choice `i` of who may take a case over, as qa.reallocation.choice_title words it (fewest audits first)."""
    n = i // 10
    return f"Practice Manager Number {i:03d} Adebayo-Richardson · {n} audit{'s' if n != 1 else ''} this month"


def reallocation_samples() -> dict[str, Card]:
    """`reallocate <case ref>`'s answers: the longest list a card offers, and nobody to offer."""
    view = rlc.ReallocationView(
        100_004, "CD-4810112", "December 2026", _TEAMS[0], _SERVICE_AREAS[0], _AUDITORS[0], "allocated",
        tuple((300_000 + i, _taker(i)) for i in range(CHOICES_SHOWN)), more=212)
    return {"reallocation": rlc.reallocation_card(view),
            "reallocation_nobody": rlc.reallocation_card(dataclasses.replace(view, choices=(), more=0,
                                                                             state="declined"))}


def audit_card_samples() -> dict[str, Card]:
    """The audit cycle's cards (dialogs/audit_cards.py): largest realistic case first, then the small variants."""
    six = allocations(6)
    alert = ac.SafeguardingAlert(case_ref="CD-4810037", team=_TEAMS[1], service_area=_SERVICE_AREAS[1],
                                 auditor_name=_AUDITORS[2], description=long_text(ac.SAFEGUARDING_MAX), raised_at=AT)
    decline = ac.DeclineView(allocation_id=100_003, case_ref="CD-4810111", team=_TEAMS[2], auditor_name=_AUDITORS[2],
                             reason=long_text(ac.DECLINE_REASON_MAX), declined_at=AT, auditor_id=300_999,
                             choices=tuple((300_000 + i, _taker(i)) for i in range(CHOICES_SHOWN)))
    unreachable = [(f"Practice Manager Number {i:02d} Adebayo-Richardson", f"practice.manager.{i:02d}@example.gov.uk",
                    ("App not installed for this person", "Blocked or uninstalled the bot",
                     "No Teams account found for this email")[i % 3]) for i in range(40)]
    # As of 7 January: submitted = awaiting oversight + disputed + oversight confirmed + complete; every
    # December audit not submitted (started or not) is past the 24 December deadline.
    status_rows = [ac.ServiceAreaStatus(area, allocated=48, started=12, submitted=31, overdue=17,
                                        awaiting_oversight=12, disputed=1, complete=16) for area in _SERVICE_AREAS]
    return {
        "allocation_notice": ac.allocation_notice_card(_AUDITORS[0], "December 2026", six),
        "allocation_notice_one": ac.allocation_notice_card(_SERVICE_LEAD, "December 2026", allocations(1)),
        "allocation_notice_moved": rlc.moved_section(
            ac.allocation_notice_card(_AUDITORS[0], "December 2026", six), six[1].allocation_id, six[1].case_ref,
            rlc.moved_words(_AUDITORS[1], "Quinn Okonkwo-Fairweather", AT, LONDON)),
        "auditor_reminder_7_days": ac.auditor_reminder_card("7 days", six),
        "auditor_reminder_2_working_days": ac.auditor_reminder_card("2 working days", six),
        "auditor_reminder_today": ac.auditor_reminder_card("today", allocations(1)),
        "audit_overdue": ac.audit_overdue_card(six),
        "supervisor_overdue": ac.supervisor_overdue_card(_SERVICE_LEAD, _AUDITORS[2], six),
        "audit_form_empty": ac.audit_form_card(six[0]),
        "audit_form_full_draft": ac.audit_form_card(six[0], full_draft()),
        "audit_form_full_draft_every_error": ac.audit_form_card(six[0], full_draft(), every_field_error()),
        "oversight_request": ac.oversight_request_card(audit_summary()),
        **{f"whole_audit_page_{n + 1}": page for n, page in enumerate(ac.whole_audit_pages(dataclasses.replace(
            audit_summary(), strengths="Clear chronology. " * 900, improvements="Plan needs dates. " * 900)))},
        "oversight_digest": ac.oversight_digest_card(_SERVICE_LEAD, oversight_items(40), OVERSIGHT_DUE),
        "oversight_digest_empty": ac.oversight_digest_card(_SERVICE_LEAD, [], OVERSIGHT_DUE),
        "oversight_reminder": ac.oversight_reminder_card(_SERVICE_LEAD, "3 working days", oversight_items(40),
                                                         OVERSIGHT_DUE),
        "oversight_overdue_service_lead": ac.oversight_overdue_card(_SERVICE_LEAD, oversight_items(40), OVERSIGHT_DUE),
        "oversight_overdue_head_of_service": ac.oversight_overdue_card(
            _SERVICE_LEAD, oversight_items(40), OVERSIGHT_DUE, head_of_service_name="Priya Raghunathan"),
        "dispute": ac.dispute_card(dispute_view(), LONDON),
        "upload_request": upload_request(),
        "upload_chase": upload_request(chase=True),
        "safeguarding_alert": ac.safeguarding_alert_card(alert, LONDON),
        "unreachable_auditors": ac.unreachable_auditors_card("December 2026", unreachable),
        "decline_notice": ac.decline_notice_card(decline, LONDON),
        "decline_notice_nobody_to_take_it": ac.decline_notice_card(dataclasses.replace(decline, choices=()), LONDON),
        **reallocation_samples(),
        "decline_notice_reallocated": cu.acted_card(
            f"Allocation declined: case {decline.case_ref}", f"Reallocated to {_AUDITORS[1]}", "Quinn Okonkwo-Fairweather",
            AT, LONDON, details=[("Case", decline.case_ref), ("Declined by", _AUDITORS[2]), ("New auditor", _AUDITORS[1])]),
        "cycle_status": ac.cycle_status_card("December 2026", status_rows, month="2026-12", as_of=AT, tz=LONDON,
                                              escalations=(12, 3), chased_uploads=[case_ref(i) for i in range(24)]),
        "cycle_status_empty": ac.cycle_status_card("December 2026", []),
        "my_audits": ac.my_audits_card(six),
        "my_audits_none": ac.my_audits_card([]),
        "acted_oversight_confirmed": cu.acted_card(f"Oversight needed: case {case_ref(1)}", "Oversight confirmed",
                                                   _SERVICE_LEAD, AT, LONDON,
                                                   details=[("Case", case_ref(1)), ("Team", _TEAMS[0])]),
        "polite_on_its_own": cu.polite_card([], {"audit_id": 1}, long_text(400), f"Oversight needed: case "
                                                                                 f"{case_ref(1)}"),
    }


# --- welcome, help, whoami ---

def profile() -> cc.Profile:
    """Someone with every detail long: several service areas, a supervisor."""
    return cc.Profile(name=_AUDITORS[1], role=Role.HEAD_OF_SERVICE, team=_TEAMS[0],
                      service_areas=list(_SERVICE_AREAS[:4]), supervisor_name="Priya Raghunathan")


def common_card_samples() -> dict[str, Card]:
    """Welcome (on the roster or not), help for each role (and when not understood), whoami."""
    lines = [long_text(160) for _ in range(8)]  # the registry gives each role's real lines (capabilities/basics.py)
    commands = [(f"command {i}", long_text(90)) for i in range(8)]
    cards = {
        "help_longest": cc.help_card(Role.PRACTICE_MANAGER, lines=lines, commands=commands, qa_contact=_QA_CONTACT),
        "help_nothing_yet": cc.help_card(Role.PRACTITIONER, commands=commands[:2], qa_contact=_QA_CONTACT),
        "help_not_understood": cc.help_card(Role.PRACTICE_MANAGER, lines=lines[:3], commands=commands[:3],
                                            not_understood=True, qa_contact=_QA_CONTACT),
        "help_not_on_roster": cc.help_card(None, not_understood=True, qa_contact=_QA_CONTACT),
        "help_unknown_role": cc.help_card("business_support_officer", commands=commands[:2],
                                          qa_contact=_QA_CONTACT),
        "welcome": cc.welcome_card(profile(), qa_contact=_QA_CONTACT),
        "welcome_not_on_roster": cc.welcome_card(None, qa_contact=_QA_CONTACT),
        "whoami": cc.whoami_card(profile(), teams_name=_AUDITORS[1], qa_contact=_QA_CONTACT),
        "whoami_not_on_roster": cc.whoami_card(None, teams_name="Krzysztof Wiśniewski (Agency)",
                                               qa_contact=_QA_CONTACT),
    }
    return cards


# --- the QA unit's allocation list, imported or refused ---

def import_outcome() -> alc.ImportOutcome:
    """A large council's month re-imported: more case references than the card's budget shows."""
    refs = [case_ref(i) for i in range(1_010)]
    sections = [("added", refs[:700]), ("updated", refs[700:950]),
                ("withdrawn (not in the file, not started)", refs[950:990]),
                ("kept as they are (already started; the file does not change them)", refs[990:1_005]),
                ("still declined (the file gives the same auditor; give another to reallocate)", refs[1_005:])]
    return alc.ImportOutcome(
        month="2026-12", file_name="QA allocations December 2026 – final, agreed at moderation (v3).xlsx",
        month_source="file name",
        counts=[("Added", 700), ("Updated", 250), ("Unchanged", 212), ("Withdrawn", 40),
                ("Kept (already started)", 15)],
        sections=sections, sheet="December 2026 allocations (v3)")  # Excel allows 31 characters


def import_problems(count: int = 120) -> list[str]:
    """What storage/allocations.py says of a bad list, as many as a badly pasted sheet gives."""
    areas = ", ".join(sorted(_SERVICE_AREAS))
    kinds = (
        lambda row: f"row {row}, column service_area: 'Childrens services north' is not a service area anyone "
                    f"on the roster works in (known: {areas})",
        lambda row: f"row {row}, column auditor_email: jo.bloggs@example.gov.uk is a practitioner on the roster; "
                    "audits are carried out by managers, the QA unit or the principal social worker, not "
                    "practitioners",
        lambda row: f"row {row}, column case_ref: contains spaces; a case reference is the case-management "
                    "system's id (letters, digits, - _ /), never a name",
        lambda row: f"row {row}, column case_holder_email: is the auditor; an auditor audits alongside the case "
                    "holder, not their own case",
    )
    return [kinds[i % len(kinds)](i + 2) for i in range(count)]


def allocation_card_samples() -> dict[str, Card]:
    return {
        "allocation_import_summary": alc.import_summary_card(import_outcome()),
        "allocation_import_summary_no_cases": alc.import_summary_card(alc.ImportOutcome(
            "2026-12", "allocations-2026-12.csv", "message", [("Added", 0)], [])),
        "allocation_import_rejected": alc.rejected_card("2026-12", "QA allocations December 2026.xlsx",
                                                        "current", import_problems(),
                                                        sheet="December 2026 allocations (v3)"),
    }


# --- several notices to one person at one moment (one message) ---

def payload(card: Card, summary: str) -> dict[str, Any]:
    """An outbox row's stored payload, as the duties write it."""
    return Payload.of(card, summary).to_json()


def _digest_cards(payloads: Sequence[dict[str, Any]]) -> list[Card]:
    return [activity["attachments"][0]["content"] for activity, _ in dg.digest_activities(payloads)]


def digest_samples() -> dict[str, Card]:
    """Three notices as one card, and the 28th for a service lead who also audits and supervises
    (oversight digest, their own overdue audits, a supervisee's, a dispute, an upload request),
    split into messages under 28 KB."""
    three = [
        payload(ac.auditor_reminder_card("today", allocations(1)), "Audit due today: case CD-4810000"),
        payload(upload_request(), "Upload the audit: case CD-4810037"),
        payload(ac.dispute_card(dispute_view(), LONDON), "Audit disputed: case CD-4810037"),
    ]
    busy_day = [
        payload(ac.oversight_digest_card(_SERVICE_LEAD, oversight_items(40), OVERSIGHT_DUE),
                "40 audits awaiting your oversight"),
        payload(ac.audit_overdue_card(allocations(2)), "Audits overdue"),
        payload(ac.supervisor_overdue_card(_SERVICE_LEAD, _AUDITORS[2], allocations(6)),
                f"Overdue audits: {_AUDITORS[2]}"),
        payload(ac.dispute_card(dispute_view(), LONDON), "Audit disputed: case CD-4810037"),
        payload(upload_request(), "Upload the audit: case CD-4810037"),
    ]
    cards = {"digest_of_three": dg.digest_activity(three)["attachments"][0]["content"]}
    cards.update({f"digest_busy_day_{n}": card for n, card in enumerate(_digest_cards(busy_day), start=1)})
    return cards


def delivery_card_samples() -> dict[str, Card]:
    return {"delivery_backlog": dc.delivery_backlog_card(12_345, AT, LONDON, age="26 hours 59 minutes")}


def _figures(allocated: int, *, on_time: int, late: int, declined: int, grades: tuple[int, int, int, int],
             disputes: int, resolved: int, safeguarding: int, family_views: int) -> qr.Figures:
    """A period's figures that add up: completed = on time + late = the grades; the rest not yet submitted."""
    completed = on_time + late
    if sum(grades) != completed or completed > allocated:
        raise ValueError("sample figures must add up")
    return qr.Figures(allocated=allocated, completed=completed, on_time=on_time, late=late, declined=declined,
                      outstanding=allocated - completed, grades=dict(zip(ac.GRADES, grades, strict=True)),
                      disputes=disputes, disputes_resolved=resolved, safeguarding=safeguarding,
                      family_views=family_views)


def report_view(areas: int = 12) -> rc.ReportCardView:
    """A whole-service analysis: every headline figure, twelve long-named service areas."""
    # The quarter against the three quarters before, as qa/reports.py reads Figures: completed is on time
    # plus late, completed plus not yet submitted is allocated, the grades add up to completed. Each
    # arrow is read by whether up is good for its figure.
    now = _figures(480, on_time=410, late=42, declined=9, grades=(41, 238, 139, 34), disputes=12, resolved=10,
                   safeguarding=6, family_views=188)
    before = (_figures(455, on_time=371, late=57, declined=12, grades=(30, 221, 143, 34), disputes=9, resolved=9,
                       safeguarding=4, family_views=160),
              _figures(462, on_time=388, late=49, declined=7, grades=(35, 229, 140, 33), disputes=14, resolved=11,
                       safeguarding=6, family_views=171),
              _figures(471, on_time=395, late=51, declined=10, grades=(38, 236, 141, 31), disputes=12, resolved=12,
                       safeguarding=5, family_views=182))
    lines = []
    for label, read in qr.HEADLINE:
        previous = tuple(read(f) for f in before)
        trend = qr.arrow(read(now), previous)
        lines.append(rc.FigureLine(label, read(now), previous, trend, qr.reading(trend, qr.GOOD_WAY.get(label, 0))))
    lines = tuple(lines)
    names = (*_SERVICE_AREAS, "Family Help – Locality North", "Family Help – Locality South",
             "Children with Disabilities – Transitions", "Unaccompanied Asylum-Seeking Children")
    # Completed is on time plus late; not yet submitted is the rest of those allocated.
    area_lines = tuple(rc.AreaLine(names[i % len(names)], 45, 41, 38, 3, 4) for i in range(areas))
    return rc.ReportCardView(title="Quarterly audit report", period="2026 Q4 (October 2026 to December 2026)",
                             scope="Whole service", before=("Jan\u2013Mar 2026", "Apr\u2013Jun 2026", "Jul\u2013Sep 2026"),
                             lines=lines,
                             areas=area_lines, extra=(("Supervision on time", "94%"), ("Observations", "31"),
                                    ("Inadequate grades moderated", "14: 11 agreed, 2 regraded, 1 pending"),
                                    ("Dip-sample moderation (Oct\u2013Dec 2026)",
                                     "150 sampled: 131 agreed, 17 differed, 2 not yet moderated (89% of those moderated agreed)"),
                                    ("Escalations", "11: 9 closed (7 on time); updates 19 on time, 4 late"),
                                    ("Re-audits", "12: Good 3, Requires Improvement 6, Inadequate 2, 1 not submitted"),
                                    ("Observation coverage", "412 of 468 supervisees observed in 12 months (88%)"),
                                    ("Feedback", "1,204 entries (37 not possible to ask): 46 complaints, "
                                                 "212 compliments")),
                             file_name="audit-report-2026-Q4.xlsx")


def report_card_samples() -> dict[str, Card]:
    choices = [rc.ReportChoice("Monthly analysis, November 2026", "monthly", "2026-11"),
               rc.ReportChoice("Quarterly report, 2026 Q3", "quarterly", "2026-Q3"),
               rc.ReportChoice("Annual report, 2026", "annual", "2026"),
               rc.ReportChoice("Audit register, December 2025 to November 2026", "register", "2025-12..2026-11")]
    return {
        "report_card_whole_service": rc.report_card(report_view()),
        "report_menu": rc.report_menu_card("Children in Care and Care Leavers North and Children in Need South",
                                           choices),
        "report_refused": rc.report_refused_card("Reports are for the QA unit, the deputy director and service "
                                                 "leads (for their service areas). Nothing was sent."),
        "report_file_offer": rc.file_offer_card("Audit register, December 2025 to November 2026",
                                                "The audit register, December 2025 to November 2026: 6,000 allocations"),
        "file_saving": rc.file_saving_card("audit-analysis-2026-11-children-in-care-north.xlsx",
                                           rc.report_card(report_view())),
        "file_saving_alone": rc.file_saving_card("audit-register-2025-12-to-2026-11.xlsx"),
        "file_saved": rc.file_saved_card("audit-analysis-2026-11-children-in-care-north.xlsx"),
        "file_not_saved": rc.file_not_saved_card(
            "audit-analysis-2026-11-children-in-care-north.xlsx",
            "I couldn't save the file to your OneDrive after three tries. Type \"report\" to ask for it again."),
    }


def sample_cards() -> dict[str, Card]:
    """Every card the dialogs can build, by file-safe name."""
    cards: dict[str, Card] = {}
    for part in (audit_card_samples(), common_card_samples(), allocation_card_samples(), digest_samples(),
                 delivery_card_samples(), observation_samples.observation_card_samples(), report_card_samples(), escalation_card_samples(), alert_card_samples(), remedial_card_samples(), good_practice_card_samples(), broadcast_card_samples(), supervision_samples.samples(),
                 calendar_samples.samples(), case_holder_samples.samples(), safeguarding_samples.samples(),
                 cover_samples.samples(), status_samples.samples(), status_samples.export_samples(),
                 intake_cards.samples(), sample_samples.samples(), workforce_samples.samples(),
                 form_samples.samples(allocations(6)[0], audit_summary()),
                 sample_reminder_cards.samples(), induction_samples.samples(),
                 pdp_samples.samples()):
        clash = cards.keys() & part.keys()
        if clash:
            raise ValueError(f"sample names used twice: {sorted(clash)}")
        cards.update(part)
    return cards


# --- escalations ---

def escalation_case() -> ec.CaseFacts:
    return ec.CaseFacts(case_ref="CD-4810037", month="2026-12", service_area=_SERVICE_AREAS[0], team=_TEAMS[0],
                        auditor_name=_AUDITORS[0], grade="Inadequate",
                        key_areas={area: ac.GRADES[i % 4] for i, area in enumerate(ac.KEY_AREAS)},
                        strengths=long_text(ac.STRENGTHS_MAX), improvements=long_text(ac.IMPROVEMENTS_MAX))


def escalation_view(*, sent: int = 2, more: int = 1, closed: bool = False) -> ec.EscalationView:
    """An escalation with `sent` updates sent (full length) and the rest owed, `more` asked for."""
    # Escalated on Thursday 7 January: update 1 is due 3 working days on (Tuesday 12), update 2 a week on
    # (Thursday 14), a further one when the QA unit asked (Tuesday 19); each sent the working day before.
    due = (qe.first_update_due(AT, CALENDAR).due_on, qe.second_update_due(AT, CALENDAR).due_on, date(2027, 1, 19))
    lines = []
    for n in range(1, 3 + more):
        done = n <= sent
        sent_at = datetime.combine(CALENDAR.previous_working_day(due[n - 1]), time(15, 30), tzinfo=timezone.utc)
        lines.append(ec.UpdateLine(number=n, due_on=due[n - 1], state="sent" if done else "owed",
                                   sent_by=_SERVICE_LEAD if done else None, sent_at=sent_at if done else None,
                                   text=long_text(qe.UPDATE_MAX) if done else ""))
    closed_at = datetime(2027, 1, 20, 11, 0, tzinfo=timezone.utc)  # the Wednesday after the last update
    return ec.EscalationView(escalation_id=300_001, case=escalation_case(), opened_at=AT, updates=tuple(lines),
                             closed_by=_QA_CONTACT if closed else None, closed_at=closed_at if closed else None)


def dip_item(decided: bool = False) -> ec.DipItemView:
    case = ec.CaseFacts(**{**escalation_case().__dict__, "grade": "Good", "month": "2026-11"})
    return ec.DipItemView(item_id=900_001, case=case, sample_month="2026-11", position=12, of=40,
                          decided_by=_QA_CONTACT if decided else None, decided_at=AT if decided else None,
                          agreed=not decided, grade_given="Requires Improvement" if decided else "",
                          comment=long_text(qe.REASON_MAX) if decided else "")


def escalation_card_samples() -> dict[str, Card]:
    pending = ec.ModerationView(moderation_id=400_001, case=escalation_case())
    regraded = ec.ModerationView(moderation_id=400_001, case=escalation_case(), decided=ec.Decided(
        by=_QA_CONTACT, at=AT, agreed=False, grade="Requires Improvement", reason=long_text(qe.REASON_MAX)))
    agreed = ec.ModerationView(moderation_id=400_001, case=escalation_case(), decided=ec.Decided(
        by=_QA_CONTACT, at=AT, agreed=True, grade="Inadequate"))
    return {
        "moderation_request": ec.moderation_request_card(pending, LONDON),
        "moderation_request_error": ec.moderation_request_card(
            pending, LONDON, "Please give the reason for the regrade."),
        "moderation_regraded": ec.moderation_decided_card(regraded, LONDON),
        "moderation_agreed": ec.moderation_decided_card(agreed, LONDON),
        "regrade_notice": ec.regrade_notice_card(regraded, LONDON),
        "escalation_new": ec.escalation_card(escalation_view(sent=0, more=0), LONDON, "new",
                                             asked_by="Quinn Abernethy-Montgomery"),
        "escalation_overdue_error": ec.escalation_card(
            escalation_view(sent=2, more=1), LONDON, "overdue",
            "Update looks like it contains a date of birth. Please remove it."),
        "escalation_closed": ec.escalation_card(escalation_view(sent=3, more=1, closed=True), LONDON),
        "escalation_qa_update": ec.escalation_qa_card(escalation_view(sent=3, more=1), LONDON, "update", 3,
                                                      "The further update must be due after today."),
        "escalation_qa_overdue": ec.escalation_qa_card(escalation_view(sent=1, more=0), LONDON, "overdue", 2),
        "escalation_qa_closed": ec.escalation_qa_card(escalation_view(sent=3, more=1, closed=True), LONDON),
        "dip_sample": ec.dip_sample_card(dip_item(), LONDON, "Please add a comment."),
        "dip_sample_decided": ec.dip_sample_card(dip_item(decided=True), LONDON),
        "dip_learning": ec.dip_learning_card(dip_item(decided=True), LONDON),
        "escalation_nothing_changed": ec.plain_card(
            "Moderation: case CD-4810037",
            "Oluwaseun Adebayo-Richardson already agreed this Inadequate grade on Thursday 7 January 2027 at "
            "10:12. Nothing was changed."),
    }


# --- practice alerts ---

def alert_view(responses: int = 3, resolved: bool = False, i: int = 0) -> alr.AlertView:
    return alr.AlertView(
        alert_id=500_001 + i, case_ref=case_ref(i), team=_TEAMS[i % len(_TEAMS)],
        service_area=_AREA_OF_TEAM[_TEAMS[i % len(_TEAMS)]],
        category=qal.CATEGORIES[i % len(qal.CATEGORIES)], description=long_text(qal.DESCRIPTION_MAX),
        raised_by=_AUDITORS[1], raised_by_role="independent reviewing officer", raised_at=AT,
        responses=tuple(alr.ResponseLine(by=_AUDITORS[n % 3], at=AT, text=long_text(qal.RESPONSE_MAX))
                        for n in range(responses)),
        resolved_by=_SERVICE_LEAD if resolved else None, resolved_at=AT if resolved else None)


def alert_card_samples() -> dict[str, Card]:
    teams = [f"{team} {n}" for n in range(1, 9) for team in _TEAMS]  # 48 teams
    values = {alr.CASE_REF: "CD-4810037", alr.TEAM: teams[0], alr.CATEGORY: qal.CATEGORIES[0],
              alr.DESCRIPTION: long_text(qal.DESCRIPTION_MAX)}
    return {
        "alert_form": alr.alert_form_card(teams, values, "The concern looks like it contains a date of birth. "
                                                         "Please remove it."),
        "alert_new": alr.alert_card(alert_view(0), LONDON, "new"),
        "alert_chase": alr.alert_card(alert_view(3), LONDON, "chase", 5,
                                      "Please say what actions were agreed."),
        "alert_escalated": alr.alert_card(alert_view(3), LONDON, "escalated", 10, buttons=False),
        "alert_resolved": alr.alert_card(alert_view(3, resolved=True), LONDON),
        "alert_response": alr.alert_news_card(alert_view(3), LONDON, "response"),
        "alert_resolved_news": alr.alert_news_card(alert_view(3, resolved=True), LONDON, "resolved"),
        "alert_raised": alr.alert_raised_card(alert_view(0), LONDON, 3),
        "open_alerts": alr.open_alerts_card([alert_view(2, i=i) for i in range(30)], LONDON, AT, 41, areas=[
            (f"Children in Care and Care Leavers {side}", 9 + n, 4, n) for n, side in enumerate(
                ("North", "South", "East", "West", "Central", "Coastal"))]),
        "open_alerts_none": alr.open_alerts_card([], LONDON, AT),
    }


# --- remedial actions ---

def remedial_plan(actions: int = 8, done: int = 3) -> rmc.PlanView:
    return rmc.PlanView(plan_id=600_001, case_ref="CD-4810037", month="2026-12", team=_TEAMS[0],
                       service_area=_SERVICE_AREAS[0], grade="Requires Improvement",
                       actions=tuple(rmc.ActionLine(action_id=700_000 + n, text=long_text(qe.ACTION_MAX),
                                                   target_on=CALENDAR.add_working_days(date(2027, 1, 8), n + 1),
                                                   responsible=_AUDITORS[n % 3],
                                                   done_by=_SERVICE_LEAD if n < done else None,
                                                   done_at=AT if n < done else None)
                                     for n in range(actions)))


def remedial_card_samples() -> dict[str, Card]:
    people = [(800_000 + n, f"{_AUDITORS[n % 3]} {n}") for n in range(60)]
    return {
        "remedial_plan_new": rmc.remedial_plan_card(remedial_plan(0, 0), LONDON, people, "new"),
        "remedial_plan_overdue": rmc.remedial_plan_card(remedial_plan(8, 3), LONDON, people, "overdue",
                                                       "The target date has passed; please pick today or a later day."),
    }


# --- good practice ---

def good_practice_items(count: int = 30) -> list[gp.GoodPracticeItem]:
    items = [gp.GoodPracticeItem(case_ref=case_ref(i), month_label=("October 2026", "November 2026", "December 2026")[i % 3],
                                 service_area=_AREA_OF_TEAM[_TEAMS[i % len(_TEAMS)]], team=_TEAMS[i % len(_TEAMS)],
                                 grade="Outstanding" if i % 4 == 0 else "Good", auditor_name=_AUDITORS[i % 3],
                                 strengths=long_text(ac.STRENGTHS_MAX), forum_agreed=i % 2 == 0) for i in range(count)]
    return sorted(items, key=lambda item: item.service_area)  # the card groups them by service area


def good_practice_card_samples() -> dict[str, Card]:
    return {"good_practice": gp.good_practice_card("October to December 2026", good_practice_items(), 57),
            "good_practice_none": gp.good_practice_card("October to December 2026", [])}
