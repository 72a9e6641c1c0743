"""What a practice manager's `my team` reads (framework 9.3: "Managers are provided with detailed feedback
about the judgements made regarding their teams"; 8: practice managers give "staff feedback about the
quality of their work"): their team's audits of some months whose oversight is confirmed, how many are
still before oversight, and their team's remedial actions not yet done. Plain queries, by team name
(compared without case), so the audit cycle reads escalations' remedial actions without importing them."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import Allocation, Audit, Person, RemedialAction, RemedialPlan

AFTER_OVERSIGHT = ("oversight_confirmed", "complete")


@dataclass(frozen=True)
class TeamAudit:
    """One audit of the team's, its oversight confirmed: the audit's own words."""

    case_ref: str
    month: str
    case_holder: str | None
    auditor: str
    grade: str
    key_areas: dict[str, str] = field(default_factory=dict)
    strengths: str = ""
    improvements: str = ""


@dataclass(frozen=True)
class OpenAction:
    """A remedial action on one of the team's cases, not yet marked done."""

    case_ref: str
    text: str
    target_on: date
    responsible: str | None


async def team_audits(session: AsyncSession, team: str, months: Sequence[str]) -> tuple[list[TeamAudit], int]:
    """The team's audits of `months` whose oversight is confirmed (latest month first, then case ref), and the
    number of the team's allocations of those months not there yet (allocated, started, submitted, disputed)."""
    holder, auditor = aliased(Person), aliased(Person)
    same_team = func.lower(Allocation.team) == team.casefold()
    rows = (await session.execute(
        select(Allocation.case_ref, Allocation.month, holder.display_name, auditor.display_name, Audit)
        .join(Audit, Audit.allocation_id == Allocation.id)
        .join(auditor, auditor.id == Allocation.auditor_id)
        .outerjoin(holder, holder.id == Allocation.case_holder_id)
        .where(same_team, Allocation.month.in_(list(months)), Allocation.state.in_(AFTER_OVERSIGHT))
        .order_by(Allocation.month.desc(), Allocation.case_ref))).all()
    audits = [TeamAudit(ref, month, holder_name, auditor_name, audit.overall_grade or "Not graded",
                        dict(audit.key_areas or {}), audit.strengths or "", audit.improvements or "")
              for ref, month, holder_name, auditor_name, audit in rows]
    pending = (await session.execute(
        select(func.count()).select_from(Allocation)
        .where(same_team, Allocation.month.in_(list(months)), Allocation.state.not_in(AFTER_OVERSIGHT),
               Allocation.state != "withdrawn"))).scalar_one()
    return audits, pending


async def team_open_actions(session: AsyncSession, team: str) -> list[OpenAction]:
    """The remedial actions on the team's cases not yet done, by target day."""
    rows = (await session.execute(
        select(Allocation.case_ref, RemedialAction.text, RemedialAction.target_on, Person.display_name)
        .join(RemedialPlan, RemedialPlan.id == RemedialAction.plan_id)
        .join(Allocation, Allocation.id == RemedialPlan.allocation_id)
        .outerjoin(Person, Person.id == RemedialAction.responsible_id)
        .where(func.lower(Allocation.team) == team.casefold(), RemedialAction.done_at.is_(None))
        .order_by(RemedialAction.target_on, RemedialAction.id))).all()
    return [OpenAction(ref, text, on, name) for ref, text, on, name in rows]
