"""Case supervision exemptions from Teams through the served app and the fake Bot Connector, on both
databases (framework 9.1: the service lead agrees an exemption): the service lead types `exempt CR-1002 <reason>`
and the practice manager's digest of that morning drops the case from Ana's case supervision line in place;
`lift exemption CR-1002` brings it back. A practice manager and the QA unit are told whom the commands are for;
a reason naming a date of birth is refused; a service lead of another area is refused by the use case."""
from __future__ import annotations

import json

from sqlalchemy import select

from bot.clock import fixed_clock
from bot.sender import OutboxSender
from bot.tick import tick
from capabilities.catalogue import registry
from capabilities.context import Context
from capabilities.kit import Status
from capabilities.supervision import exemptions
from storage.models import CaseExemption, OutboxMessage, Person, TrailEvent
from storage.roster import import_roster
from storage.supervision import EXEMPTED, EXEMPTION_LIFTED, import_caseload, import_sessions
from tests.support import activities as act
from tests.support.supervision import CASELOAD_COLUMNS, NAMES, SESSION_COLUMNS, aad, at, write_csv, write_roster


def email(key: str) -> str:
    return f"{key}@example.gov.uk"


class Desk:
    def __init__(self, client, fake, services) -> None:
        self.client, self.fake, self.services = client, fake, services

    def at(self, now) -> None:
        self.services.clock = fixed_clock(now)

    async def say(self, key: str, words: str, now) -> tuple[str, dict | None]:
        self.at(now)
        resp = await self.client.post("/api/messages", json=act.message(
            key, words, service_url=self.fake.url, aad=aad(key), name=NAMES[key]))
        assert resp.status in (200, 201), await resp.text()
        answer = self.fake.delivered(act.personal_conversation_id(key))[-1]
        return answer.text, (answer.cards[0] if answer.cards else None)

    async def digest(self) -> OutboxMessage:
        async with self.services.db.sessions() as session:
            return (await session.execute(select(OutboxMessage).where(
                OutboxMessage.kind == "supervision-digest").order_by(OutboxMessage.id.desc()))).scalars().first()


async def set_up(services, fake, client, tmp_path) -> Desk:
    d = Desk(client, fake, services)
    await import_roster(services.db, write_roster(tmp_path / "roster.csv"), at("2026-11-02T09:00"))
    d.at(at("2026-11-30T10:00"))
    for key in NAMES:
        resp = await client.post("/api/messages", json=act.installation_add(key, service_url=fake.url, aad=aad(key),
                                                                            name=NAMES[key]))
        assert resp.status == 201, await resp.text()
    history = [[email("pm"), email("lead"), "one_to_one", "2026-11-30", "90", ""],
               [email("ana"), email("pm"), "one_to_one", "2026-12-10", "90", ""],
               [email("ben"), email("pm"), "one_to_one", "2026-12-14", "90", ""]]
    now = at("2026-12-15T12:00")
    await import_sessions(services.db, write_csv(tmp_path / "h.csv", SESSION_COLUMNS, history), now,
                          services.context.calendar.tz)
    caseload = [["CR-1001", email("ana"), "2026-10-20"], ["CR-1002", email("ana"), "2026-10-20"]]
    await import_caseload(services.db, write_csv(tmp_path / "c.csv", CASELOAD_COLUMNS, caseload), now,
                          services.context.calendar.tz)
    return d


def shown(card: dict | None) -> str:
    return json.dumps(card, ensure_ascii=False)


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
