"""Which work items are still to do, by their own state: the questions cover asks before handing a
notice to someone's cover or back to them on return (capabilities/cover/open_work.py; framework
section 21). Each takes the ids a notice's buttons carry and returns those whose item is still open.

- an audit awaiting oversight: its allocation is "submitted" (not confirmed, not disputed);
- a moderation not yet decided; a dip-sample item not yet moderated ("pending");
- an urgent review owing an update from its service lead or head of service (an update "owed");
- an urgent review the QA unit has not closed ("open");
- a practice alert not resolved ("open");
- a remedial plan with no actions yet or an action not done; a remedial action not done.

Plain queries; no Teams. Ids not found are not open.
"""
from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Alert,
    Allocation,
    Audit,
    DipSampleItem,
    Escalation,
    EscalationUpdate,
    Moderation,
    RemedialAction,
    RemedialPlan,
)


async def audits_awaiting_oversight(session: AsyncSession, audit_ids: Collection[int]) -> set[int]:
    """Those of `audit_ids` whose oversight is neither confirmed nor disputed yet."""
    if not audit_ids:
        return set()
    return set((await session.execute(select(Audit.id).join(Allocation, Allocation.id == Audit.allocation_id).where(
        Audit.id.in_(list(audit_ids)), Allocation.state == "submitted"))).scalars())


async def moderations_pending(session: AsyncSession, moderation_ids: Collection[int]) -> set[int]:
    """Those of `moderation_ids` the QA unit has not decided."""
    if not moderation_ids:
        return set()
    return set((await session.execute(select(Moderation.id).where(
        Moderation.id.in_(list(moderation_ids)), Moderation.state == "pending"))).scalars())


async def escalations_owing_update(session: AsyncSession, escalation_ids: Collection[int]) -> set[int]:
    """Those of `escalation_ids` (open) with an update owed and not yet received."""
    if not escalation_ids:
        return set()
    return set((await session.execute(select(Escalation.id).where(
        Escalation.id.in_(list(escalation_ids)), Escalation.state == "open",
        exists().where(EscalationUpdate.escalation_id == Escalation.id, EscalationUpdate.state == "owed")))).scalars())


async def escalations_open(session: AsyncSession, escalation_ids: Collection[int]) -> set[int]:
    """Those of `escalation_ids` the QA unit has not closed."""
    if not escalation_ids:
        return set()
    return set((await session.execute(select(Escalation.id).where(
        Escalation.id.in_(list(escalation_ids)), Escalation.state == "open"))).scalars())


async def dip_items_pending(session: AsyncSession, item_ids: Collection[int]) -> set[int]:
    """Those of the dip sample's `item_ids` not yet moderated."""
    if not item_ids:
        return set()
    return set((await session.execute(select(DipSampleItem.id).where(
        DipSampleItem.id.in_(list(item_ids)), DipSampleItem.state == "pending"))).scalars())


async def alerts_open(session: AsyncSession, alert_ids: Collection[int]) -> set[int]:
    """Those of `alert_ids` not resolved."""
    if not alert_ids:
        return set()
    return set((await session.execute(select(Alert.id).where(
        Alert.id.in_(list(alert_ids)), Alert.state == "open"))).scalars())


async def remedial_plans_open(session: AsyncSession, plan_ids: Collection[int]) -> set[int]:
    """Those of `plan_ids` with no actions yet, or an action not done."""
    if not plan_ids:
        return set()
    actions = select(RemedialAction.id).where(RemedialAction.plan_id == RemedialPlan.id)
    return set((await session.execute(select(RemedialPlan.id).where(
        RemedialPlan.id.in_(list(plan_ids)),
        ~actions.exists() | actions.where(RemedialAction.done_at.is_(None)).exists()))).scalars())


async def remedial_actions_open(session: AsyncSession, action_ids: Collection[int]) -> set[int]:
    """Those of `action_ids` not marked done."""
    if not action_ids:
        return set()
    return set((await session.execute(select(RemedialAction.id).where(
        RemedialAction.id.in_(list(action_ids)), RemedialAction.done_at.is_(None)))).scalars())
