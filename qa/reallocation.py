"""Who may take over an audit the QA unit moves (framework 9.3: the QA unit distributes the month's
allocations and reallocates a case an auditor cannot do). Pure: plain values in, plain values out.

An eligible auditor is active on the roster, in one of the roles that audit case files
(`qa.allocations.AUDITOR_ROLES`: practice managers and above, the QA unit, the principal social
worker), not the case holder, not the case holder's own line manager (an audit is an independent
look at the manager's oversight too: framework 9.3 has managers audit cases outside their own
team's line), and not the auditor the case is moving from. They are offered fewest audits this
month first, then by name, so the month's work spreads evenly.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from qa.allocations import AUDITOR_ROLES

# Choices one card offers. Each choice is about 90 bytes of card JSON (a long name and its count), so
# 150 keep the decline card, digest and all, well within Teams' 28 KB; the fewest-audits end of the
# list is the end a QA officer wants, and a name further down can still be given by moving the case
# in the month's file.
CHOICES_SHOWN = 150


@dataclass(frozen=True)
class Candidate:
    """Someone on the roster who might take the audit: id, name, role, active, and this month's audits."""

    person_id: int
    name: str
    role: str
    active: bool = True
    audits_this_month: int = 0


def why_not(candidate: Candidate, *, case_holder_id: int | None, line_manager_id: int | None,
            current_auditor_id: int | None) -> str | None:
    """Why `candidate` may not take the audit (one phrase, for a person), or None when they may."""
    if not candidate.active:
        return "has left the roster"
    if candidate.role not in AUDITOR_ROLES:
        return "is not in a role that audits case files (practice managers and above)"
    if candidate.person_id == current_auditor_id:
        return "is already this case's auditor"
    if candidate.person_id == case_holder_id:
        return "holds the case"
    if candidate.person_id == line_manager_id:
        return "is the case holder's line manager"
    return None


def eligible(candidates: Iterable[Candidate], *, case_holder_id: int | None, line_manager_id: int | None,
             current_auditor_id: int | None) -> list[Candidate]:
    """The candidates who may take the audit, fewest audits this month first, then by name
    (case-insensitive), then by id so the order never depends on the database's."""
    found = [c for c in candidates if why_not(c, case_holder_id=case_holder_id, line_manager_id=line_manager_id,
                                               current_auditor_id=current_auditor_id) is None]
    return sorted(found, key=lambda c: (c.audits_this_month, c.name.casefold(), c.person_id))


def with_counts(people: Iterable[tuple[int, str, str, bool]], counts: Mapping[int, int]) -> list[Candidate]:
    """Candidates from (id, name, role, active) rows and {person id: audits this month}."""
    return [Candidate(pid, name, role, active, counts.get(pid, 0)) for pid, name, role, active in people]


def choice_title(candidate: Candidate) -> str:
    """How a choice reads on the card: the name and this month's audits ("Sam Lee · 2 audits this month")."""
    n = candidate.audits_this_month
    return f"{candidate.name} · {n} audit{'s' if n != 1 else ''} this month"
