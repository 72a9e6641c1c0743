"""Supervision's cards from fictional data at their largest realistic size: a supervisor with 12
supervisees, a practitioner with 25 cases due, the whole service's 40 teams. Staff names and case
references only. dialogs/samples.py adds these to the catalogue (`cards dump`)."""
from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

from dialogs import supervision_cards as sc

Card = dict[str, Any]
TODAY = date(2026, 12, 23)
_NAMES = ("Oluwaseun Adebayo-Richardson", "Siobhán O’Donnell-McAllister", "Krzysztof Wiśniewski",
          "Małgorzata Kowalczyk-Henderson", "Aoife Ní Bhriain-Fitzgerald", "Chiamaka Okonkwo-Bamidele",
          "Bartholomew Featherstonehaugh", "Zeynep Çelik-Abernethy", "Nguyễn Thị Minh Khai-Laurent",
          "Radosław Przybylski-Thompson", "Anastasia Vasilakopoulou", "Guðrún Sigurðardóttir-Blake")
_TEAM = "Children in Care and Care Leavers Team North"
_AREAS = ("Children in Care and Care Leavers", "Safeguarding and Family Support", "Disabled Children’s Service",
          "Front Door and Early Help", "Fostering and Adoption")
SUPERVISOR = "Pia Marsh-Worthington"


def cases(count: int = 25) -> tuple[str, ...]:
    return tuple(f"CD-{4_810_000 + 37 * i}" for i in range(count))


def digest_view() -> sc.DigestView:
    """12 supervisees, each with an overdue 1:1, an agreement due and 25 cases due; the team's group line."""
    blocks = [sc.Block(f"Team {_TEAM}", (sc.Line(sc.LineKey(7, "group"), "group", TODAY + timedelta(days=8), "soon"),),
                       "Group reflective supervision, monthly")]
    for i, name in enumerate(_NAMES):
        pid = 100 + i
        lines = (
            sc.Line(sc.LineKey(pid, "one_to_one"), "one_to_one", TODAY - timedelta(days=9), "overdue", asye=i % 4 == 0,
                    short_last=sc.ShortOneToOne(TODAY - timedelta(days=37), 45, 90)),
            sc.Line(sc.LineKey(pid, "case"), "case", TODAY - timedelta(days=30), "overdue", cases(25)),
            sc.Line(sc.LineKey(pid, "agreement_review"), "agreement_review", TODAY, "today"),
            sc.Line(sc.LineKey.plan(pid, date(2026, 12, 2)), "one_to_one", None, "", recordable=False,
                    words=sc.plan_review_words(date(2026, 12, 2))),
        )
        blocks.append(sc.Block(name, lines))
    return sc.DigestView(TODAY, tuple(blocks))


def lead_digest_view() -> sc.DigestView:
    """The digest a service lead gets (a practice manager of theirs away for long): each case line with Exempt
    a case, and five cases already exempt (Lift an exemption)."""
    exempt = tuple(f"CD-{4_900_000 + 41 * i}" for i in range(5))
    blocks = tuple(sc.Block(b.title, tuple(dataclasses.replace(ln, exemptable=True, exempted=exempt)
                                           if ln.kind == "case" and ln.recordable else ln for ln in b.lines), b.subtitle)
                   for b in digest_view().blocks)
    return sc.DigestView(TODAY, blocks, on_behalf_of=SUPERVISOR)


def lead_digest_samples() -> dict[str, Card]:
    """The service lead's digest: as sent, with the exemption form or the lift form open on one line (a problem
    shown), after an exemption, and with a line on which every case is now exempt (not counted in the heading)."""
    digest = sc.supervision_digest_card(lead_digest_view())
    key = sc.LineKey(100, "case")
    line = lead_digest_view().blocks[1].lines[1]
    status = ("CD-4810000: exempt from eight-weekly case supervision (Oluwaseun Adebayo-Richardson, "
              "Wednesday 23 December 2026).")
    after = dataclasses.replace(line, case_refs=line.case_refs[1:], exempted=("CD-4810000", *line.exempted))
    return {
        "supervision_digest_lead": digest,
        "supervision_digest_lead_exempt_form": sc.open_exempt_form(key, cases(25), problem=(
            "The reason looks like it includes a date of birth. Please remove it. Nothing was changed."))(digest, {}),
        "supervision_digest_lead_lift_form": sc.open_lift_form(key, cases(25) + line.exempted, problem=(
            "CD-4810000 is not exempt from case supervision. Nothing was changed."))(digest, {}),
        "supervision_digest_lead_exempted": sc.show_case_line(key, after, after.exempted, status)(digest, {}),
        "supervision_digest_lead_none_due": sc.show_case_line(key, None, cases(25) + after.exempted, status)(digest, {}),
    }


def record_form(kind: str = "case") -> sc.RecordForm:
    return sc.RecordForm(sc.LineKey(100, "case"), _NAMES[0], kind, TODAY, due_cases=cases(25), asye_switch=True,
                         problem="A case supervision on 2026-12-23 is already recorded; check the date.",
                         plans=tuple(TODAY - timedelta(days=28 * i) for i in range(sc.MAX_PLANS, 0, -1)))  # Wednesdays


def samples() -> dict[str, Card]:
    digest = sc.supervision_digest_card(digest_view())
    opened = sc.open_form(record_form())(digest, {})
    recorded = sc.close_line(sc.LineKey(100, "case"), sc.recorded_words(sc.RecordedView(
        _NAMES[0], SUPERVISOR, "case", TODAY, 60, TODAY + timedelta(days=56), 25)))(opened, {})
    recorded = sc.close_note(sc.LineKey.plan(100, date(2026, 12, 2)), sc.plan_reviewed_words(date(2026, 12, 2)))(recorded, {})
    people = [sc.PersonDue(100 + i, name, (
        sc.DueRow("one_to_one", TODAY - timedelta(days=9), "overdue", asye=i % 4 == 0),  # a Monday
        sc.DueRow("case", TODAY + timedelta(days=1), "soon", case_count=25),
        sc.DueRow("agreement_review", TODAY + timedelta(days=120), "later")), away=i == 3)
        for i, name in enumerate(_NAMES)]
    teams = tuple(sc.TeamCompliance(f"{_AREAS[i // 8]} – Team {i % 8 + 1} (Locality {'North South East West'.split()[i % 4]})",
                                    _AREAS[i // 8], 12, (11, 12), (2, 3), (9, 11), (12, 12), i % 3 != 0, (8, 10), 2,
                                    (10, 12))
                  for i in range(40))
    return {
        "supervision_digest": digest,
        "supervision_digest_form_open": opened,
        "supervision_digest_recorded": recorded,
        "supervision_digest_booking": sc.open_book_form(sc.LineKey(100, "one_to_one"), TODAY, problem=(
            "Give the day it is booked for: today or later."))(digest, {}),
        "supervision_digest_on_behalf": sc.supervision_digest_card(
            sc.DigestView(TODAY, digest_view().blocks[:6], on_behalf_of=SUPERVISOR)),
        **lead_digest_samples(),
        "supervision_record": sc.supervision_record_card(record_form()),
        "supervision_record_by_supervisee": sc.supervision_record_card(sc.RecordForm(
            sc.LineKey(100, "one_to_one"), _NAMES[0], "one_to_one", TODAY, by_supervisee=True)),
        "supervision_reminder": sc.supervision_reminder_card(sc.ReminderView(100, SUPERVISOR, TODAY, asye=True)),
        "supervision_escalation": sc.supervision_escalation_card(sc.EscalationView(
            _NAMES[1], SUPERVISOR, "case", TODAY - timedelta(days=9), 25)),
        "supervision_recorded": sc.supervision_recorded_card(sc.RecordedView(
            _NAMES[0], SUPERVISOR, "one_to_one", TODAY, 90, TODAY + timedelta(days=28))),
        "supervision_confirm": sc.supervision_confirm_card(sc.ConfirmView(9001, _NAMES[0], "case", TODAY, 90, 25)),
        "supervision_confirm_no_duration": sc.supervision_confirm_card(sc.ConfirmView(9002, _NAMES[1], "one_to_one",
                                                                                      TODAY, None)),
        "supervision_compliance_service": sc.supervision_compliance_card(sc.ComplianceView(
            "2026-11", "November 2026", "the whole service", teams)),
        "supervision_group_figures": sc.supervision_compliance_card(sc.ComplianceView(
            "2026-11", "November 2026", "the whole service", teams, group_only=True)),
        "supervision_compliance_lead": sc.supervision_compliance_card(sc.ComplianceView(
            "2026-11", "November 2026", "your service areas' teams", teams[:8])),
        "supervision_overview": sc.supervision_overview_card(TODAY, people),
        "my_supervision": sc.my_supervision_card(TODAY, people[0], SUPERVISOR),
        "my_supervision_no_supervisor": sc.my_supervision_card(TODAY, None, None),
        "supervision_notice": sc.supervision_notice_card("Your supervision", "I can't match you to anyone active "
                                                         "on the roster, so I can't show or record supervision."),
        "supervision_recorded_alone": sc.supervision_notice_card(f"Supervision: {_NAMES[0]}", sc.recorded_words(
            sc.RecordedView(_NAMES[0], SUPERVISOR, "case", TODAY, 600, TODAY + timedelta(days=56), 25)), good=True),
        "supervision_away": sc.supervision_away_card(sc.AwayView(
            tuple([(7, SUPERVISOR)] + [(100 + i, n) for i, n in enumerate(_NAMES)]), TODAY,
            tuple(f"{n}: Monday 4 January 2027 to Friday 15 January 2027" for n in _NAMES[:4]),
            problem="The last day away is before the first.", done="Recorded: Ana Diaz is away.")),
    }
