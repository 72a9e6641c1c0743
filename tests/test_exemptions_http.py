"""Case supervision exemptions from Teams through the served app and the fake Bot Connector, on both
databases (framework 9.1: the service lead agrees an exemption): the service lead types `exempt CR-1002 <reason>`
and the practice manager's digest of that morning drops the case from Ana's case supervision line in place;
`lift exemption CR-1002` brings it back. A practice manager and the QA unit are told whom the commands are for;
a reason naming a date of birth is refused; a service lead of another area is refused by the use case."""
from __future__ import annotations

from sqlalchemy import select

from bot.sender import OutboxSender
from bot.tick import tick
from capabilities.catalogue import registry
from capabilities.context import Context
from capabilities.kit import Status
from capabilities.supervision import exemptions
from storage.models import CaseExemption, Person, TrailEvent
from storage.supervision import EXEMPTED, EXEMPTION_LIFTED
from tests.support.exemptions import email, set_up, shown
from tests.support.supervision import at


async def test_exempt_and_lift_by_command_the_supervisors_digest_follows(services, fake_connector, bot_client,
                                                                         tmp_path):
    d = await set_up(services, fake_connector, bot_client, tmp_path)
    morning = at("2026-12-16T09:00")  # Ana's case supervision: overdue since Tuesday 15th
    d.at(morning)
    report = await tick(services, morning, wait_retries=0)
    assert report.sweep.failed == []
    digest = await d.digest()
    assert digest.person_id is not None and digest.activity_id
    assert "(2 cases: CR-1001, CR-1002)" in shown(digest.payload["card"])

    # Not theirs: one sentence saying whom the commands are for; nothing changes.
    for key in ("pm", "qa"):
        said, card = await d.say(key, "exempt CR-1002 stable placement", at("2026-12-16T10:00"))
        assert card is None and said == registry().commands["exempt"].for_whom()
    said, card = await d.say("pm", "lift exemption CR-1002", at("2026-12-16T10:00"))
    assert said == registry().commands["lift exemption"].for_whom()
    # A reason is needed, and is screened for identifiers.
    _, card = await d.say("lead", "exempt CR-1002", at("2026-12-16T10:01"))
    assert "Please give the reason" in shown(card)
    _, card = await d.say("lead", "exempt CR-1002 child born 03/04/2015 settled", at("2026-12-16T10:01"))
    assert "date of birth" in shown(card).lower()
    async with services.db.sessions() as session:
        assert (await session.execute(select(CaseExemption))).scalars().all() == []

    _, card = await d.say("lead", "exempt cr-1002 Stable placement, plan on track", at("2026-12-16T10:05"))
    assert "CR-1002: exempt from eight-weekly case supervision" in shown(card) and "updated (1)" in shown(card)
    async with services.db.sessions() as session:
        [kept] = (await session.execute(select(CaseExemption))).scalars().all()
    assert (kept.case_ref, kept.reason) == ("CR-1002", "Stable placement, plan on track")
    await OutboxSender(services).deliver_due(at("2026-12-16T10:05"), wait_retries=0)
    [update] = [u for u in fake_connector.updates() if u.activity_id == digest.activity_id]
    assert "(1 case: CR-1001)" in shown(update.cards[-1]) and "CR-1002" not in shown(update.cards[-1])
    _, card = await d.say("lead", "exempt CR-1002 again", at("2026-12-16T10:06"))
    assert "already exempt" in shown(card)

    _, card = await d.say("lead", "lift exemption CR-1002", at("2026-12-16T10:10"))
    assert "CR-1002: exemption lifted" in shown(card)
    await OutboxSender(services).deliver_due(at("2026-12-16T10:10"), wait_retries=0)
    last = [u for u in fake_connector.updates() if u.activity_id == digest.activity_id][-1]
    assert "(2 cases: CR-1001, CR-1002)" in shown(last.cards[-1])
    async with services.db.sessions() as session:
        trail = (await session.execute(select(TrailEvent.action, TrailEvent.actor_id, TrailEvent.via).where(
            TrailEvent.action.in_((EXEMPTED, EXEMPTION_LIFTED))).order_by(TrailEvent.id))).all()
        lead = (await session.execute(select(Person.id).where(Person.email == email("lead")))).scalar_one()
    assert [tuple(t) for t in trail] == [(EXEMPTED, lead, "command:exempt"),
                                         (EXEMPTION_LIFTED, lead, "command:lift exemption")]


async def test_a_service_lead_of_another_area_is_refused(services, fake_connector, bot_client, tmp_path):
    await set_up(services, fake_connector, bot_client, tmp_path)
    now = at("2026-12-16T10:00")
    async with services.db.sessions.begin() as session:
        other = Person(email="cal@example.gov.uk", display_name="Cal Other", role="service_lead", team="",
                       service_area="Child Protection", created_at=now, updated_at=now)
        session.add(other)
        await session.flush()
        other_id = other.id
    ctx = Context(services.db, services.context.calendar, lambda: now)
    outcome = await exemptions.exempt(ctx, other_id, "CR-1002", "Plan on track", now=now, via="test")
    assert outcome.status == Status.REFUSED and "not in Cal Other's service areas" in outcome.message
    async with services.db.sessions() as session:
        assert (await session.execute(select(CaseExemption))).scalars().all() == []
