"""The audit sample's reads and writes (framework 9.3, qa/sampling.py): what the rules need from the
database (the roster, the cases audited lately in the register and the imported history, the
re-audits owed, the month's theme), and the proposal kept until the QA unit confirms it.

Nothing of the Annex A extract is stored but what a pick holds: case reference, list, team, service
area, case holder and auditor (roster ids)."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from qa import emails
from qa.audit_calendar import parse_month_key
from qa.sampling import Auditor, Case, Owed, Proposal
from storage.models import (
    Allocation,
    CalendarEvent,
    ImportedAudit,
    Person,
    Reaudit,
    SamplePick,
    SampleProposal,
    TrailEvent,
)


@dataclass
class Roster:
    """The roster as the sample reads it: auditors, who a case holder is, their line manager, and each
    team's service area (the area most of its people work in)."""

    auditors: list[Auditor]
    by_key: dict[str, int]  # email key or casefolded display name (when one person has it) -> id
    manager_of: dict[int, int]  # person -> line manager (the roster's supervisor)
    area_of_team: dict[str, str]  # team casefolded -> service area
    emails: dict[int, str]
    names: dict[int, str]

    def holder_of(self, text: str) -> int | None:
        """The roster id an "Allocated Worker" cell names (an email, or a name only one person has)."""
        text = " ".join(text.split())
        if "@" in text:
            found = emails.key(text)
            return self.by_key.get(found) if found else None
        return self.by_key.get(text.casefold())


async def roster(session: AsyncSession) -> Roster:
    people = (await session.execute(select(Person.id, Person.email, Person.display_name, Person.role, Person.team,
                                           Person.service_area, Person.supervisor_email, Person.left_at))).all()
    by_email = {p.email.lower(): p.id for p in people}
    names = Counter(p.display_name.casefold() for p in people)
    by_key: dict[str, int] = dict(by_email)
    for p in people:
        if names[p.display_name.casefold()] == 1:
            by_key.setdefault(p.display_name.casefold(), p.id)
    areas: dict[str, Counter[str]] = defaultdict(Counter)
    for p in people:
        for area in (a.strip() for a in p.service_area.split(";")):
            if area and p.team and p.left_at is None:
                areas[p.team.casefold()][area] += 1
    return Roster(
        auditors=[Auditor(p.id, p.display_name, p.role, p.team, tuple(a.strip() for a in p.service_area.split(";") if a.strip()),
                          p.left_at is None) for p in people],
        by_key=by_key,
        manager_of={p.id: by_email[p.supervisor_email.lower()] for p in people
                    if p.supervisor_email and p.supervisor_email.lower() in by_email},
        area_of_team={team: max(sorted(c), key=lambda a: c[a]) for team, c in areas.items()},
        emails={p.id: p.email for p in people},
        names={p.id: p.display_name for p in people},
    )


def _month_back(month: str, months: int) -> str:
    year, number = parse_month_key(month)
    index = year * 12 + number - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


async def audited_since(session: AsyncSession, month: str, lookback: int) -> dict[str, str]:
    """{case ref: the latest month it was allocated or audited} over `lookback` months to `month`
    (this month's own allocations included), from the register and the imported history."""
    first = _month_back(month, lookback)
    found: dict[str, str] = {}
    for model in (Allocation, ImportedAudit):
        rows = await session.execute(select(model.case_ref, func.max(model.month))
                                     .where(model.month >= first, model.month <= month).group_by(model.case_ref))
        for ref, last in rows:
            found[ref] = max(last, found.get(ref, ""))
    return found


async def owed_reaudits(session: AsyncSession, month: str, people: Roster) -> list[Owed]:
    """The re-audits escalations owe `month` (an agreed Inadequate grade the month before), with the
    auditor their allocation has."""
    rows = await session.execute(select(Allocation).join(Reaudit, Reaudit.allocation_id == Allocation.id)
                                 .where(Reaudit.month == month))
    return [Owed(Case(a.case_ref, a.annex_a_list, a.team, a.service_area, a.case_holder_id,
                      people.manager_of.get(a.case_holder_id) if a.case_holder_id else None), a.auditor_id)
            for a in rows.scalars()]


async def month_theme(session: AsyncSession, month: str) -> str:
    """The title of the QA calendar's thematic audit in `month` ("" when none)."""
    year, number = parse_month_key(month)
    first = date(year, number, 1)
    last = date(year + number // 12, number % 12 + 1, 1)
    title = await session.scalar(select(CalendarEvent.title).where(
        CalendarEvent.kind == "thematic_audit", CalendarEvent.starts_on < last, CalendarEvent.ends_on >= first)
        .order_by(CalendarEvent.starts_on).limit(1))
    return title or ""


async def allocations_in(session: AsyncSession, month: str) -> int:
    return await session.scalar(select(func.count()).select_from(Allocation).where(Allocation.month == month)) or 0


class SampleConfirmed(Exception):  # noqa: N818 - what happened, as the person reads it
    """The month's sample was already confirmed: it is changed through its allocations now."""


async def store_proposal(session: AsyncSession, proposal: Proposal, *, source_name: str, summary: dict[str, Any],
                         actor_id: int | None, now: datetime, via: str) -> int:
    """Keep `proposal` as the month's, in place of an unconfirmed one; one trail row. Raises
    SampleConfirmed when the month's sample was confirmed already. Returns the proposal's id."""
    old = await session.scalar(select(SampleProposal).where(SampleProposal.month == proposal.month).with_for_update())
    if old is not None:
        if old.confirmed_at is not None:
            raise SampleConfirmed(f"the sample for {proposal.month} was confirmed on {old.confirmed_at:%Y-%m-%d}; "
                                  "its allocations are changed by an allocation list or Reallocate now")
        await session.execute(delete(SamplePick).where(SamplePick.proposal_id == old.id))
        await session.execute(delete(SampleProposal).where(SampleProposal.id == old.id))
    row = SampleProposal(month=proposal.month, seed=proposal.seed, source_name=source_name[:300],
                         theme=proposal.theme[:200], summary=summary, proposed_by_id=actor_id, proposed_at=now)
    session.add(row)
    await session.flush()
    await _insert_picks(session, row.id, proposal)
    session.add(TrailEvent(actor_id=actor_id, subject_type="month", subject_id=None, month=proposal.month,
                           action="sample_proposed", via=via, at=now,
                           detail={"seed": proposal.seed, "picks": len(proposal.picks), "unmet": len(proposal.unmet),
                                   "replaced": old is not None}))
    return row.id


async def _insert_picks(session: AsyncSession, proposal_id: int, proposal: Proposal, *, start: int = 0) -> None:
    """The picks, then the spares (eligible cases not drawn, state "spare"), in batches."""
    rows = [{"proposal_id": proposal_id, "position": start + n, "case_ref": p.case.case_ref,
             "annex_a_list": p.case.annex_a_list, "service_area": p.case.service_area, "team": p.case.team,
             "case_holder_id": p.case.case_holder_id, "auditor_id": p.auditor_id, "reaudit": p.reaudit,
             "state": PICKED} for n, p in enumerate(proposal.picks)]
    rows += [{"proposal_id": proposal_id, "position": start + len(rows) + n, "case_ref": c.case_ref,
              "annex_a_list": c.annex_a_list, "service_area": c.service_area, "team": c.team,
              "case_holder_id": c.case_holder_id, "auditor_id": None, "reaudit": False, "state": SPARE}
             for n, c in enumerate(proposal.spares)]
    for first in range(0, len(rows), 1000):
        await session.execute(insert(SamplePick), rows[first:first + 1000])


PICKED, SPARE, OUT = "picked", "spare", "out"


@dataclass
class StoredPick:
    case_ref: str
    annex_a_list: str
    service_area: str
    team: str
    case_holder_id: int | None
    auditor_id: int | None
    reaudit: bool


def _stored(p: SamplePick) -> StoredPick:
    return StoredPick(p.case_ref, p.annex_a_list, p.service_area, p.team, p.case_holder_id, p.auditor_id, p.reaudit)


async def proposal_of(session: AsyncSession, month: str, *, lock: bool = False
                      ) -> tuple[SampleProposal, list[StoredPick]] | None:
    """The month's proposal and its picks (those in the sample) in order, or None. `lock`: the
    proposal's row is locked for a change (FOR UPDATE; SQLite has one writer anyway)."""
    query = select(SampleProposal).where(SampleProposal.month == month)
    row = await session.scalar(query.with_for_update() if lock else query)
    if row is None:
        return None
    picks = await session.execute(select(SamplePick).where(SamplePick.proposal_id == row.id, SamplePick.state == PICKED)
                                  .order_by(SamplePick.position, SamplePick.id))
    return row, [_stored(p) for p in picks.scalars()]


async def spares_of(session: AsyncSession, proposal_id: int) -> list[StoredPick]:
    """The proposal's eligible cases not drawn, in the draw's order (what a swap may take)."""
    rows = await session.execute(select(SamplePick).where(SamplePick.proposal_id == proposal_id, SamplePick.state == SPARE)
                                 .order_by(SamplePick.position, SamplePick.id))
    return [_stored(p) for p in rows.scalars()]


async def move_pick(session: AsyncSession, proposal_id: int, case_ref: str, auditor_id: int) -> None:
    """The case in the sample goes to `auditor_id` (the rules checked by the caller)."""
    await session.execute(update(SamplePick).where(SamplePick.proposal_id == proposal_id, SamplePick.state == PICKED,
                                                   SamplePick.case_ref == case_ref).values(auditor_id=auditor_id))


async def take_out(session: AsyncSession, proposal_id: int, case_ref: str) -> None:
    """The case leaves the sample and is not drawn again for this proposal."""
    await session.execute(update(SamplePick).where(SamplePick.proposal_id == proposal_id, SamplePick.state == PICKED,
                                                   SamplePick.case_ref == case_ref).values(state=OUT))


async def swap_pick(session: AsyncSession, proposal_id: int, case_ref: str, spare_ref: str) -> None:
    """`spare_ref` (a spare) takes `case_ref`'s place in the sample, auditor and position; `case_ref` goes out."""
    old = await session.scalar(select(SamplePick).where(SamplePick.proposal_id == proposal_id,
                                                        SamplePick.state == PICKED, SamplePick.case_ref == case_ref))
    new = await session.scalar(select(SamplePick).where(SamplePick.proposal_id == proposal_id,
                                                        SamplePick.state == SPARE, SamplePick.case_ref == spare_ref))
    if old is None or new is None:
        return
    new.state, new.auditor_id, new.position = PICKED, old.auditor_id, old.position
    old.state = OUT


async def replace_draw(session: AsyncSession, row: SampleProposal, proposal: Proposal) -> None:
    """The proposal drawn again (`proposal`, its new seed, picks and spares) in place of what was in
    the sample and spare; the cases taken out stay out."""
    await session.execute(delete(SamplePick).where(SamplePick.proposal_id == row.id, SamplePick.state != OUT))
    start = (await session.scalar(select(func.max(SamplePick.position)).where(SamplePick.proposal_id == row.id)) or 0) + 1
    await _insert_picks(session, row.id, proposal, start=start)
    row.seed = proposal.seed
    row.summary = {**(row.summary or {}), "unmet": proposal.unmet}


async def mark_confirmed(session: AsyncSession, month: str, *, actor_id: int | None, now: datetime, via: str,
                         allocated: int) -> None:
    row = await session.scalar(select(SampleProposal).where(SampleProposal.month == month).with_for_update())
    if row is None:
        return
    row.confirmed_at, row.confirmed_by_id = now, actor_id
    session.add(TrailEvent(actor_id=actor_id, subject_type="month", subject_id=None, month=month,
                           action="sample_confirmed", via=via, at=now, detail={"seed": row.seed, "allocated": allocated}))


def past_proposals(p: Any, kind: str) -> Any:
    """The retention condition: proposals of months past the audit records' period, as allocations."""
    return SampleProposal.month < p.first_kept_month()


def past_picks(p: Any, kind: str) -> Any:
    """Their picks (purged first)."""
    return SamplePick.proposal_id.in_(select(SampleProposal.id).where(SampleProposal.month < p.first_kept_month()))


async def latest_proposal(session: AsyncSession) -> tuple[SampleProposal, list[StoredPick]] | None:
    """The proposal made last (of any month), with its picks, or None."""
    month = await session.scalar(select(SampleProposal.month).order_by(SampleProposal.proposed_at.desc(),
                                                                        SampleProposal.id.desc()).limit(1))
    return None if month is None else await proposal_of(session, month)


async def sample_confirmed(session: AsyncSession, month: str) -> bool:
    """Whether `month`'s sample was used (confirmed into its allocations)."""
    return await session.scalar(select(SampleProposal.id).where(
        SampleProposal.month == month, SampleProposal.confirmed_at.is_not(None))) is not None


async def sample_proposed(session: AsyncSession, month: str) -> bool:
    """Whether `month` has a proposed sample (used or not)."""
    return await session.scalar(select(SampleProposal.id).where(SampleProposal.month == month)) is not None
