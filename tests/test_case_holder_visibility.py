"""Who sees an audit's findings (framework 9.3; docs/privacy.md "The case holder"), on both databases: every
use case on the findings card answers only the allocation's case holder, and only once oversight is
confirmed; anyone else (the auditor, the supervisor, another practitioner) and the case holder before
oversight are refused in the same words, which describe nothing of the audit, and nothing is written."""
from __future__ import annotations

from sqlalchemy import select

from capabilities.audit_cycle import case_holder
from capabilities.context import Context
from capabilities.kit import Status
from qa.calendar import WorkingCalendar
from storage.models import Audit, TrailEvent
from tests.support.escalations import confirm_oversight, set_up, utc

AT = utc(2026, 12, 21, 12)


def calls(audit_id: int):
    return {"reflect": lambda ctx, who: case_holder.reflect(ctx, who, audit_id, "I will plan visits with school.",
                                                            now=AT, via="test"),
            "ask_supervision": lambda ctx, who: case_holder.ask_supervision(ctx, who, audit_id, now=AT, via="test"),
            "agree_forum": lambda ctx, who: case_holder.agree_forum(ctx, who, audit_id, now=AT, via="test")}


async def test_only_the_case_holder_and_only_after_oversight(services, fake_connector, bot_client):
    d = await set_up(services, fake_connector, bot_client, {"CR-1001": utc(2026, 12, 18, 9)}, grade="Good")
    ctx = Context(db=d.db, calendar=WorkingCalendar(), clock=lambda: AT)
    audit = await d.one(Audit, Audit.allocation_id == d.ids["CR-1001"])
    # Before oversight: not even the case holder.
    for name, call in calls(audit.id).items():
        outcome = await call(ctx, d.ids["pat"])
        assert outcome.status == Status.REFUSED and outcome.message == case_holder.NOT_YOURS, name
    await confirm_oversight(d, "CR-1001", utc(2026, 12, 21, 10), grade="Good")
    # After oversight: someone else's audit, whoever they are.
    for who in ("ann", "pam", "sam", "quinn", "paula"):
        for name, call in calls(audit.id).items():
            outcome = await call(ctx, d.ids[who])
            assert outcome.status == Status.REFUSED and "CR-1001" not in outcome.message, (who, name)
    async with d.db.sessions() as session:
        assert (await session.execute(select(TrailEvent).where(
            TrailEvent.action.like("case_holder_%")))).scalars().all() == []
    # The case holder, now: each one works.
    for name, call in calls(audit.id).items():
        assert (await call(ctx, d.ids["pat"])).status in (Status.DONE, Status.ALREADY), name


async def test_only_good_or_outstanding_is_offered_for_a_practice_forum(services, fake_connector, bot_client):
    d = await set_up(services, fake_connector, bot_client, {"CR-1001": utc(2026, 12, 18, 9)})
    await confirm_oversight(d, "CR-1001", utc(2026, 12, 21, 10), grade="Requires Improvement")
    ctx = Context(db=d.db, calendar=WorkingCalendar(), clock=lambda: AT)
    audit = await d.one(Audit, Audit.allocation_id == d.ids["CR-1001"])
    outcome = await case_holder.agree_forum(ctx, d.ids["pat"], audit.id, now=AT, via="test")
    assert outcome.status == Status.REFUSED and "Good or Outstanding" in outcome.message
    assert (await d.one(Audit, Audit.id == audit.id)).forum_agreed_at is None
