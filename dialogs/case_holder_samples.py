"""The case holder's cards and the action owner's notice from fictional data at their largest
realistic size (full-length strengths, improvements and reflection; three remedial actions). Staff
names and case references only. dialogs/samples.py adds these to the catalogue (`cards dump`)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from dialogs import audit_cards as ac
from dialogs import case_holder_cards as ch
from dialogs import team_cards as tc

Card = dict[str, Any]
LONDON = ZoneInfo("Europe/London")
AT = datetime(2027, 1, 7, 10, 12, tzinfo=timezone.utc)
_AUDITOR = "Oluwaseun Adebayo-Richardson"
_HOLDER = "Siobhán O’Donnell-McAllister"
_LEAD = "Krzysztof Wiśniewski"


def _long(limit: int) -> str:
    words = "Clear “voice of the child” in visits — plans SMART and reviewed; ré-assessment timely. "
    return (words * (limit // len(words) + 1))[:limit].rstrip()


def notice(*, arranged: bool = False, held: bool = False) -> ch.CaseHolderNotice:
    return ch.CaseHolderNotice(allocation_id=100_001, case_ref="CD-4810037", month_label="December 2026",
                               case_holder_name=_HOLDER, auditor_name=_AUDITOR, deadline=date(2026, 12, 24),
                               conversation_on=date(2026, 12, 15) if arranged or held else None,
                               conversation_held_at=AT if held else None)


def findings(*, reflected: bool = False) -> ch.Findings:
    actions = tuple(ch.ActionItem(_long(500), date(2027, 2, 1 + n), _HOLDER if n % 2 == 0 else None) for n in range(3))
    return ch.Findings(audit_id=200_001, case_ref="CD-4810037", auditor_name=_AUDITOR, oversight_by=_LEAD,
                       grade="Requires Improvement",
                       key_areas={area: ac.GRADES[i % 4] for i, area in enumerate(ac.KEY_AREAS)},
                       strengths=_long(ac.STRENGTHS_MAX), improvements=_long(ac.IMPROVEMENTS_MAX), actions=actions,
                       reflection=_long(ch.REFLECTION_MAX) if reflected else None,
                       reflected_at=AT if reflected else None, supervision_asked=reflected)


def good_findings(*, agreed: bool = False) -> ch.Findings:
    return ch.Findings(audit_id=200_002, case_ref="CD-4810038", auditor_name=_AUDITOR, oversight_by=_LEAD,
                       grade="Outstanding", key_areas={area: "Outstanding" for area in ac.KEY_AREAS},
                       strengths=_long(ac.STRENGTHS_MAX), improvements=_long(ac.IMPROVEMENTS_MAX),
                       forum_agreed_at=AT if agreed else None)


def supervision_findings() -> ch.Findings:
    """A supervision audit's findings on the supervision form (framework 9.1): its answers, two of them long."""
    answers = (("Overall grade of the supervision file", "Good"), ("A signed supervision agreement is on file", "Yes"),
               ("1:1 sessions recorded on the file in the last three months", "3"),
               ("What is working well in this supervision", _long(4000)), ("What needs to improve", _long(4000)))
    return replace(good_findings(), case_ref="SUP-300042", grade="Good", kind="supervision", supervisee_name=_HOLDER,
                   answers=answers, strengths="", improvements="")


def thanks() -> ch.Thanks:
    return ch.Thanks(case_ref="CD-4810038", grade="Outstanding", case_holder_name=_HOLDER, auditor_name=_AUDITOR,
                     strengths=_long(ac.STRENGTHS_MAX))


def draft(*, commented: bool = False) -> ch.DraftCheck:
    return ch.DraftCheck(audit_id=200_003, case_ref="CD-4810039", auditor_name=_AUDITOR, shared_at=AT,
                         grade="Requires Improvement",
                         key_areas={area: ac.GRADES[i % 4] for i, area in enumerate(ac.KEY_AREAS)},
                         strengths=_long(ac.STRENGTHS_MAX), improvements=_long(ac.IMPROVEMENTS_MAX),
                         comment=_long(ch.COMMENT_MAX) if commented else None, commented_at=AT if commented else None)


def team(*, empty: bool = False) -> tc.TeamView:
    audits = [tc.TeamAuditView(case_ref=f"CD-48100{n:02d}", month_label=("October 2026", "November 2026")[n % 2],
                               case_holder=_HOLDER, auditor=_AUDITOR, grade=ac.GRADES[n % 4],
                               key_areas={area: ac.GRADES[(n + i) % 4] for i, area in enumerate(ac.KEY_AREAS)},
                               strengths=_long(ac.STRENGTHS_MAX), improvements=_long(ac.IMPROVEMENTS_MAX))
              for n in range(20)]
    weekdays = [d for d in (date(2027, 1, 4) + timedelta(days=i) for i in range(40)) if d.weekday() < 5]
    actions = [tc.OpenActionView(case_ref=f"CD-48100{n:02d}", text=_long(500), target_on=weekdays[n],
                                 responsible=_HOLDER if n % 2 else None, overdue=n < 3) for n in range(20)]
    return tc.TeamView(team="North Safeguarding and Assessment Team 3", period="October to December 2026",
                       audits=[] if empty else audits, before_oversight=4, actions=[] if empty else actions)


def reflection() -> ch.Reflection:
    return ch.Reflection(case_ref="CD-4810037", case_holder_name=_HOLDER, reflection=_long(ch.REFLECTION_MAX),
                         reflected_at=AT)


def named_action() -> ch.NamedAction:
    return ch.NamedAction(action_id=300_001, case_ref="CD-4810037", text=_long(500), target_on=date(2027, 2, 1),
                          asked_by=_LEAD, done_verb="remedial.done")


def samples() -> dict[str, Card]:
    return {
        "case_holder_notice": ch.case_holder_notice_card(notice(), LONDON),
        "case_holder_notice_arranged": ch.case_holder_notice_card(notice(arranged=True), LONDON),
        "case_holder_notice_held": ch.case_holder_notice_card(notice(held=True), LONDON),
        "audit_findings": ch.findings_card(findings(), LONDON),
        "audit_findings_reflected": ch.findings_card(findings(reflected=True), LONDON),
        "case_holder_reflection_auditor": ch.reflection_card(reflection(), LONDON, to_supervisor=False),
        "case_holder_reflection_supervisor": ch.reflection_card(reflection(), LONDON, to_supervisor=True),
        "action_named": ch.action_named_card(named_action()),
        "action_named_done": ch.action_named_card(replace(named_action(), done_by=_HOLDER, done_at=AT), LONDON),
        "audit_findings_good": ch.findings_card(good_findings(), LONDON),
        "case_holder_notice_supervision": ch.case_holder_notice_card(
            replace(notice(), case_ref="SUP-300042", kind="supervision"), LONDON),
        "audit_findings_supervision": ch.findings_card(supervision_findings(), LONDON),
        "audit_findings_supervision_supervisor": ch.findings_card(supervision_findings(), LONDON,
                                                                  for_supervisor=True),
        "audit_findings_good_agreed": ch.findings_card(good_findings(agreed=True), LONDON),
        "good_practice_thanks": ch.thanks_card(thanks()),
        "my_team": tc.team_card(team()),
        "my_team_empty": tc.team_card(team(empty=True)),
        "my_team_no_team": tc.no_team_card("The roster gives you no team, so I can't show your team's audits."),
        "draft_check": ch.draft_check_card(draft(), LONDON),
        "draft_check_commented": ch.draft_check_card(draft(commented=True), LONDON),
        "draft_comment": ch.draft_comment_card(ch.DraftComment(case_ref="CD-4810039", case_holder_name=_HOLDER,
                                                               comment=_long(ch.COMMENT_MAX), commented_at=AT), LONDON),
    }
