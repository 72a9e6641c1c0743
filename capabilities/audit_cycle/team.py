"""`my team`, for practice managers (framework 9.3: "Managers are provided with detailed feedback about the
judgements made regarding their teams"; 8: practice managers give "staff feedback about the quality of their
work"): the quarter's audits of their team's cases whose oversight is confirmed (grade, key areas, strengths
and improvements, in the audit's words), and the team's remedial actions not yet done.

Why a command and not the `report` workbook: the register and analysis carry grades and key areas but, by
design, never strengths, improvements or actions (docs/privacy.md); this card is the manager's feedback in
Teams. A practice manager sees only their own team's (the roster's `team`), and only after oversight, as the
case holder does; anyone else typing it is told whom it is for by the registry, and nothing is read.
"""
from __future__ import annotations

from capabilities.registry import CommandReply, Said
from dialogs import team_cards as tc
from dialogs.card_kit import format_month
from qa.reports import period_label, quarter_months
from storage.team import team_audits, team_open_actions

NO_TEAM = ("The roster gives you no team, so I can't show your team's audits. Please ask the QA unit to update "
           "the roster.")


def this_quarter(year: int, month: int) -> tuple[str, ...]:
    """The calendar quarter holding `month`: (2026, 11) -> ("2026-10", "2026-11", "2026-12")."""
    return quarter_months(f"{year}-Q{(month - 1) // 3 + 1}")


async def my_team(said: Said) -> CommandReply:
    """The practice manager's team: this quarter's audits after oversight, and the open remedial actions."""
    person = said.person
    if person is None or not person.team:
        return CommandReply(tc.no_team_card(NO_TEAM), NO_TEAM)
    today = said.ctx.calendar.local_date(said.now)
    months = this_quarter(today.year, today.month)
    async with said.ctx.db.sessions() as session:
        audits, pending = await team_audits(session, person.team, months)
        actions = await team_open_actions(session, person.team)
    view = tc.TeamView(
        team=person.team, period=period_label(months),
        audits=[tc.TeamAuditView(a.case_ref, format_month(a.month), a.case_holder, a.auditor, a.grade, a.key_areas,
                                 a.strengths, a.improvements) for a in audits],
        before_oversight=pending,
        actions=[tc.OpenActionView(a.case_ref, a.text, a.target_on, a.responsible, a.target_on < today)
                 for a in actions])
    return CommandReply(tc.team_card(view), f"{person.team}: {len(audits)} audit{'s' if len(audits) != 1 else ''} "
                                            f"this quarter after oversight, {len(actions)} open "
                                            f"action{'s' if len(actions) != 1 else ''}")
