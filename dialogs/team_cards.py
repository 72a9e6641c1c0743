"""A practice manager's `my team` card (framework 9.3: "Managers are provided with detailed feedback about
the judgements made regarding their teams"; 8: practice managers give "staff feedback about the quality of
their work"): their team's audits of the quarter whose oversight is confirmed, with grades, key areas,
strengths and improvements (cut short: the card stays within Teams' 28 KB), and the team's open remedial
actions. Pure: views in, Adaptive Card 1.5 JSON out; case references and staff names only."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from dialogs.card_kit import Element, card, container, excerpt, facts, format_day, heading, quote, subheading, text
from qa.framework import KEY_AREAS

AUDITS_SHOWN = 12  # audits on one card, the latest first
ACTIONS_SHOWN = 15
WORDS_SHOWN = 300  # characters of each audit's strengths and improvements
ACTION_SHOWN = 200


@dataclass(frozen=True)
class TeamAuditView:
    case_ref: str
    month_label: str
    case_holder: str | None
    auditor: str
    grade: str
    key_areas: Mapping[str, str]
    strengths: str
    improvements: str


@dataclass(frozen=True)
class OpenActionView:
    case_ref: str
    text: str
    target_on: date
    responsible: str | None
    overdue: bool


@dataclass(frozen=True)
class TeamView:
    team: str
    period: str  # "October to December 2026"
    audits: Sequence[TeamAuditView]
    before_oversight: int  # the team's audits of the period not yet through oversight
    actions: Sequence[OpenActionView]


def _audit(item: TeamAuditView) -> Element:
    who = f" · {item.case_holder}" if item.case_holder else ""
    areas = ", ".join(f"{area}: {item.key_areas.get(area, 'Not graded')}" for area in KEY_AREAS)
    return container([
        text(f"**{item.case_ref}** · {item.grade} · {item.month_label}{who} · audited by {item.auditor}",
             spacing="None"),
        text(areas, subtle=True, size="Small", spacing="None"),
        text("Strengths", weight="Bolder", size="Small", spacing="Small"),
        quote(excerpt(item.strengths, WORDS_SHOWN) or "None recorded.", italic=not item.strengths),
        text("Areas for improvement", weight="Bolder", size="Small", spacing="Small"),
        quote(excerpt(item.improvements, WORDS_SHOWN) or "None recorded.", italic=not item.improvements),
    ], separator=True)


def team_card(view: TeamView) -> Element:
    """The team's audits (oversight confirmed) of `view.period` and its open remedial actions."""
    body: list[Element] = [heading(f"Your team: {view.team}"), subheading(f"Audits, {view.period}")]
    count = len(view.audits)
    if count:
        shown = view.audits[:AUDITS_SHOWN]
        body.append(text(f"{count} audit{'s' if count != 1 else ''} with oversight confirmed"
                         + (f"; the latest {len(shown)} are shown." if count > len(shown) else "."), subtle=True))
        body += [_audit(item) for item in shown]
    else:
        body.append(text("No audit of your team's cases has had its oversight confirmed this quarter yet."))
    if view.before_oversight:
        n = view.before_oversight
        body.append(text(f"{n} more audit{'s are' if n != 1 else ' is'} still in progress or awaiting oversight: "
                         "the findings show here once oversight is confirmed.", subtle=True))
    body.append(subheading("Open remedial actions"))
    if not view.actions:
        body.append(text("None: every remedial action on your team's cases is done."))
    for action in view.actions[:ACTIONS_SHOWN]:
        who = action.responsible or "no one named"
        body.append(facts([(action.case_ref, f"By {format_day(action.target_on)}{' (overdue)' if action.overdue else ''}"
                                             f" · {who}")]))
        body.append(quote(excerpt(action.text, ACTION_SHOWN)))
    if len(view.actions) > ACTIONS_SHOWN:
        body.append(text(f"And {len(view.actions) - ACTIONS_SHOWN} more.", subtle=True))
    return card(body)


def no_team_card(message: str) -> Element:
    """`my team` for a practice manager the roster gives no team: why there is nothing to show."""
    return card([heading("Your team"), text(message)])
