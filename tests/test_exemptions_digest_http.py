"""Case supervision exemptions from the digest, through the served app and the fake Bot Connector, on both
databases (framework 9.1: "case-level supervision should take place every eight weeks unless an exemption has
been agreed by a Service Lead").

Pia Marsh (practice manager) is away for a month, so Lee Adams, her service lead, gets the supervision digest for
her team; Ana Diaz's case supervision line (CR-1001, CR-1002, overdue) carries Exempt a case. Lee opens the form
in place, is told a reason naming a date of birth is refused, exempts CR-1002, then CR-1001 (the line is no
longer due: the heading's count drops by one), opens Lift an exemption and lifts CR-1002 (the line is due again:
the count is back). Ana (a practitioner) and Cal Other (the service lead of another area) are refused on the
server, whatever the card they press; nothing changes for them and only Lee's three presses are in the trail."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from bot.tick import tick
from dialogs import card_tree
from dialogs.supervision_cards import LineKey, Verb, input_id
from storage.models import CaseExemption, Conversation, OutboxMessage, Person, TrailEvent
from storage.models.supervision import AwayPeriod
from storage.supervision import EXEMPTED, EXEMPTION_LIFTED
from tests.support import activities as act
from tests.support.exemptions import email, set_up, shown
from tests.support.supervision import NAMES, aad, at

MORNING = at("2026-12-16T09:00")  # Ana's case supervision: overdue since Tuesday 15th
CAL_AAD = "00000000-0000-4000-8000-000000000099"


async def press(d, key: str, verb: str, data: dict, reply_to: str, now, *, aad_id: str | None = None,
                name: str | None = None) -> dict:
    """`key` presses `verb` with `data` on the message `reply_to`; the card the invoke answered with."""
    d.at(now)
    activity = act.card_action(key, verb, data, service_url=d.fake.url, aad=aad_id or aad(key),
                               name=name or NAMES[key])
    activity["replyToId"] = reply_to
    resp = await d.client.post("/api/messages", json=activity)
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    assert body["statusCode"] == 200, body
    return body["value"]


def count(card: dict) -> int:
    """The digest's "N items due" figure."""
    for node in card_tree.nodes(card):
        if m := re.search(r": ([0-9]+) items? due within two working days", str(node.get("text") or "")):
            return int(m.group(1))
    raise AssertionError("no count line")


def choices(card: dict, input_name: str) -> list[str]:
    [pick] = [n for n in card_tree.nodes(card) if n.get("type") == "Input.ChoiceSet" and
              str(n.get("id", "")).startswith(input_name)]
    return [c["value"] for c in pick["choices"]]


def buttons(card: dict) -> list[str]:
    return [a["title"] for a in card_tree.actions(card)]


async def trail(services) -> list[tuple]:
    async with services.db.sessions() as session:
        return [tuple(r) for r in (await session.execute(select(TrailEvent.action, TrailEvent.actor_id, TrailEvent.via)
                                                         .where(TrailEvent.action.in_((EXEMPTED, EXEMPTION_LIFTED)))
                                                         .order_by(TrailEvent.id))).all()]


async def exemptions(services) -> list[str]:
    async with services.db.sessions() as session:
        return sorted((await session.execute(select(CaseExemption.case_ref))).scalars().all())


async def test_the_service_lead_exempts_and_lifts_from_the_digest_others_refused(services, fake_connector,
                                                                                 bot_client, tmp_path):
    d = await set_up(services, fake_connector, bot_client, tmp_path)
    async with services.db.sessions.begin() as session:
        ids = {p.email: p.id for p in (await session.execute(select(Person))).scalars()}
        session.add(AwayPeriod(person_id=ids[email("pm")], first_day=date(2026, 12, 14), last_day=date(2027, 1, 15),
                               recorded_by_id=ids[email("pm")], recorded_at=at("2026-12-11T12:00")))
        cal = Person(email="cal@example.gov.uk", display_name="Cal Other", role="service_lead", team="",
                     service_area="Child Protection", aad_object_id=CAL_AAD, created_at=MORNING, updated_at=MORNING)
        session.add(cal)
    resp = await bot_client.post("/api/messages", json=act.installation_add(
        "cal", service_url=fake_connector.url, aad=CAL_AAD, name="Cal Other"))
    assert resp.status == 201
    async with services.db.sessions() as session:
        assert (await session.execute(select(Conversation).where(Conversation.aad_object_id == CAL_AAD))
                ).scalar_one().person_id is not None

    d.at(MORNING)
    assert (await tick(services, MORNING, wait_retries=0)).sweep.failed == []
    async with services.db.sessions() as session:
        [digest] = [r for r in (await session.execute(select(OutboxMessage).where(
            OutboxMessage.kind == "supervision-digest"))).scalars() if "Pia Marsh's team" in shown(r.payload)]
    assert digest.person_id == ids[email("lead")] and digest.activity_id  # Pia's team, to Lee while she is away
    sent = digest.payload["card"]
    assert "(2 cases: CR-1001, CR-1002)" in shown(sent) and "Exempt a case" in buttons(sent)
    items = count(sent)
    line = str(LineKey(ids[email("ana")], "case"))

    # Not theirs: a practitioner and another area's service lead are refused on every press; nothing changes.
    for verb in (Verb.EXEMPT_OPEN, Verb.EXEMPT):
        body = await press(d, "ana", verb, {"line": line, input_id("exempt_case", LineKey.parse(line)): "CR-1002",
                                            input_id("exempt_reason", LineKey.parse(line)): "Stable"},
                           "1:other", at("2026-12-16T09:30"))
        assert "Only a service lead can exempt a case" in shown(body)
    body = await press(d, "cal", Verb.EXEMPT_OPEN, {"line": line}, "1:other", at("2026-12-16T09:31"),
                       aad_id=CAL_AAD, name="Cal Other")
    assert "not in Cal Other's service areas" in shown(body)
    key = LineKey.parse(line)
    body = await press(d, "cal", Verb.EXEMPT, {"line": line, input_id("exempt_case", key): "CR-1002",
                                               input_id("exempt_reason", key): "Plan on track"},
                       "1:other", at("2026-12-16T09:32"), aad_id=CAL_AAD, name="Cal Other")
    assert "not in Cal Other's service areas" in shown(body)
    assert await exemptions(services) == [] and await trail(services) == []

    # Lee: the form in place of the line's buttons, with the cases due on it.
    form = await press(d, "lead", Verb.EXEMPT_OPEN, {"line": line}, digest.activity_id, at("2026-12-16T10:00"))
    assert choices(form, "exempt_case") == ["CR-1001", "CR-1002"] and count(form) == items
    refused = await press(d, "lead", Verb.EXEMPT, {"line": line, input_id("exempt_case", key): "CR-1002",
                                                   input_id("exempt_reason", key): "born 03/04/2015, settled"},
                          digest.activity_id, at("2026-12-16T10:01"))
    assert "date of birth" in shown(refused).lower() and choices(refused, "exempt_case") == ["CR-1001", "CR-1002"]
    missing = await press(d, "lead", Verb.EXEMPT, {"line": line, input_id("exempt_case", key): "CR-1002"},
                          digest.activity_id, at("2026-12-16T10:01"))
    assert "Please give the reason" in shown(missing)
    assert await exemptions(services) == []

    one = await press(d, "lead", Verb.EXEMPT, {"line": line, input_id("exempt_case", key): "CR-1002",
                                               input_id("exempt_reason", key): "Stable placement, plan on track"},
                      digest.activity_id, at("2026-12-16T10:05"))
    assert "(1 case: CR-1001). Exempt: CR-1002" in shown(one) and count(one) == items
    assert "CR-1002: exempt from eight-weekly case supervision (Lee Adams" in shown(one)
    assert {"Exempt a case", "Lift an exemption", "Record supervision"} <= set(buttons(one))
    # The digest itself is changed in place (UpdateActivity), not sent again.
    assert "(1 case: CR-1001)" in shown(fake_connector.updates()[-1].cards[-1])
    assert fake_connector.updates()[-1].activity_id == digest.activity_id

    both = await press(d, "lead", Verb.EXEMPT, {"line": line, input_id("exempt_case", key): "CR-1001",
                                                input_id("exempt_reason", key): "Closing this month"},
                       digest.activity_id, at("2026-12-16T10:10"))
    assert "Case supervision: none due now. Exempt: CR-1001, CR-1002" in shown(both)
    assert count(both) == items - 1  # the line is no longer due
    assert "Exempt a case" not in buttons(both) and "Lift an exemption" in buttons(both)
    assert await exemptions(services) == ["CR-1001", "CR-1002"]

    # Lift: Ana and Cal refused; Lee lifts CR-1002 and the line is due again.
    for who, extra in (("ana", {}), ("cal", {"aad_id": CAL_AAD, "name": "Cal Other"})):
        body = await press(d, who, Verb.EXEMPT_LIFT, {"line": line, input_id("lift_case", key): "CR-1002"},
                           "1:other", at("2026-12-16T10:12"), **extra)
        assert "Nothing was changed" in shown(body)
    lift = await press(d, "lead", Verb.EXEMPT_LIFT_OPEN, {"line": line}, digest.activity_id, at("2026-12-16T10:15"))
    assert choices(lift, "lift_case") == ["CR-1001", "CR-1002"]
    lifted = await press(d, "lead", Verb.EXEMPT_LIFT, {"line": line, input_id("lift_case", key): "CR-1002"},
                         digest.activity_id, at("2026-12-16T10:16"))
    assert "(1 case: CR-1002). Exempt: CR-1001" in shown(lifted) and count(lifted) == items
    assert "CR-1002: exemption lifted" in shown(lifted)
    again = await press(d, "lead", Verb.EXEMPT_LIFT, {"line": line, input_id("lift_case", key): "CR-1002"},
                        digest.activity_id, at("2026-12-16T10:17"))
    assert "CR-1002 is not exempt" in shown(again)
    assert await exemptions(services) == ["CR-1001"]

    lee = ids[email("lead")]
    via = "card:supervision-digest"
    assert await trail(services) == [(EXEMPTED, lee, via), (EXEMPTED, lee, via), (EXEMPTION_LIFTED, lee, via)]
    async with services.db.sessions() as session:
        kept = (await session.execute(select(OutboxMessage).where(OutboxMessage.id == digest.id))).scalar_one()
    assert "(1 case: CR-1002). Exempt: CR-1001" in shown(kept.payload["card"])  # what the message shows now
