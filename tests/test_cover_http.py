"""Cover for someone away (framework section 21) through the served app, `tick` and the fake Bot Connector,
on both databases: Sam (a service lead) marks himself away with Cal as cover; the urgent review and a
practice alert addressed to Sam go to Cal "covering for Sam Example"; Cal sends the update and responds to
the alert for Sam (the trail says so); Hana, not the cover, may not; Cal confirms an oversight for Sam; on
the morning Sam is back the open items come back to him with one summary card. A leaver's work moves to
their manager and the QA unit gets one card; `who covers` shows and changes a cover.

Oversight through the served app: Sam, who supervises nobody, marks himself away with `away`; the oversight
request he had is handed to Cal ("Covering for Sam Example") and Sam's copy updated in place; a request
written while he is away goes straight to Cal; Cal confirms by card press, counted as Sam's (the trail: Cal
for Sam); the audit cycle's digest goes to Cal with a trail row saying for whom; on return nothing comes back,
for no oversight is still to do, though the digest's card still has buttons."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from capabilities.audit_cycle import flow as audit_flow
from capabilities.audit_cycle import kinds as audit_kinds
from capabilities.escalations import alerts, kinds
from capabilities.escalations import flow as esc_flow
from dialogs import cover_cards as cc
from dialogs import supervision_cards as sc
from dialogs.alert_cards import CASE_REF, CATEGORY, DESCRIPTION, RESPONSE, TEAM
from dialogs.alert_cards import Verb as AlertVerb
from dialogs.audit_cards import Verb as AuditVerb
from dialogs.escalation_cards import UPDATE, Verb
from storage import cover as store
from storage.models import Alert, Allocation, Audit, AwayPeriod, OutboxMessage, Person
from tests.support.cards import form, put_cards
from tests.support.escalations import AREA, SET_UP, set_up, shown, utc

SUBMITTED = utc(2026, 12, 18, 9, 30)  # Friday 18 December 2026
AWAY_FROM, BACK = utc(2026, 12, 18, 9, 0), utc(2026, 12, 24, 8, 0)  # away 18th-23rd, back Thursday 24th


@pytest.fixture
async def desk(services, fake_connector, bot_client):
    d = await set_up(services, fake_connector, bot_client, {"CR-1001": SUBMITTED, "CR-1002": SUBMITTED})
    async with d.db.sessions.begin() as session:  # the roster's supervisor line: Sam's manager is Hana
        (await session.get(Person, d.ids["sam"])).supervisor_email = "hana@council.gov.uk"
        (await session.get(Person, d.ids["pam"])).supervisor_email = "sam@council.gov.uk"
    return d


async def rows_to(d, key: str, kind: str) -> list[OutboxMessage]:
    return await d.all(OutboxMessage, OutboxMessage.person_id == d.ids[key], OutboxMessage.kind == kind)


async def test_a_service_leads_work_goes_to_their_cover_and_comes_back(desk):
    d = desk
    # Sam marks himself away, naming Cal; a cover not on the roster is refused, nothing recorded.
    away = {sc.AWAY_WHO: str(d.ids["sam"]), sc.AWAY_FROM: "2026-12-18", sc.AWAY_TO: "2026-12-23"}
    body = await d.press("sam", sc.Verb.AWAY, {**away, sc.AWAY_COVER: "nobody@council.gov.uk"}, "x", AWAY_FROM)
    assert "can't find that cover on the roster" in shown(body)
    assert await d.all(AwayPeriod) == []
    body = await d.press("sam", sc.Verb.AWAY, {**away, sc.AWAY_COVER: "Cal@Council.gov.uk"}, "x", AWAY_FROM)
    assert "Recorded: Sam Example is away" in shown(body) and "their work goes to their cover" in shown(body)
    [period] = await d.all(AwayPeriod)
    assert period.cover_id == d.ids["cal"]

    # The urgent review: Sam's copy goes to Cal, covering for him; Hana gets her own.
    await d.tick(utc(2026, 12, 18, 9, 45))
    moderation = await d.moderation("CR-1001")
    await d.press("quinn", Verb.MODERATION_AGREE, {"moderation_id": moderation.id}, "x", utc(2026, 12, 18, 11))
    await d.tick(utc(2026, 12, 18, 11, 1))
    assert await rows_to(d, "sam", kinds.ESCALATION_NOTICE) == []
    [covering] = await rows_to(d, "cal", kinds.ESCALATION_NOTICE)
    assert covering.idempotency_key.endswith(f":{d.ids['sam']}")
    assert "Covering for Sam Example while they are away" in json.dumps(covering.payload)
    assert covering.payload["summary"].startswith("Covering for Sam Example: Urgent review")
    [moved] = await d.events(store.WORK_COVERED)
    assert (moved.subject_id, moved.detail["cover"], moved.detail["reason"]) == (d.ids["sam"], d.ids["cal"], "away")

    # Refusal: Pat, covering for nobody, may not send it.
    esc = {"escalation_id": (await d.escalation()).id}
    body = await d.press("pat", Verb.UPDATE_SEND, {**esc, UPDATE: "All fine"}, "x", utc(2026, 12, 21, 10))
    assert "Nothing was changed" in shown(body)
    # Cal, a service lead of another area, sends update 1 for Sam: it counts, and the trail says for whom.
    body = await d.press("cal", Verb.UPDATE_SEND, {**esc, UPDATE: "Strategy meeting held"}, covering.activity_id,
                         utc(2026, 12, 21, 10))
    assert "Update 1" in shown(body) and "sent by Cal Example" in shown(body)
    [sent] = await d.events(esc_flow.UPDATE_SENT)
    assert (sent.actor_id, sent.detail["on_behalf_of"]) == (d.ids["cal"], d.ids["sam"])

    # A practice alert for Team Alpha: Pam (practice manager) and Sam's copy, which goes to Cal.
    form = {CASE_REF: "CR-9001", TEAM: "Team Alpha", CATEGORY: "Drift or delay", DESCRIPTION: "No review of the plan"}
    await d.press("ira", AlertVerb.RAISE, form, "form", utc(2026, 12, 21, 10))
    await d.tick(utc(2026, 12, 21, 10, 1))
    [alert_copy] = await rows_to(d, "cal", kinds.ALERT_NOTICE)
    assert "Covering for Sam Example" in json.dumps(alert_copy.payload)
    [alert] = await d.all(Alert)
    ids = {"alert_id": alert.id}
    # Hana is Sam's manager but not his named cover, and no answerer of her own: refused, nothing recorded.
    body = await d.press("hana", AlertVerb.RESPOND, {**ids, RESPONSE: "Seen"}, "x", utc(2026, 12, 21, 11))
    assert "Only the team's practice manager" in shown(body)
    assert await d.events(alerts.RESPONDED) == []
    body = await d.press("cal", AlertVerb.RESPOND, {**ids, RESPONSE: "Review meeting booked"}, alert_copy.activity_id,
                         utc(2026, 12, 21, 11))
    assert "Review meeting booked" in shown(body)
    [responded] = await d.events(alerts.RESPONDED)
    assert (responded.actor_id, responded.detail["on_behalf_of"]) == (d.ids["cal"], d.ids["sam"])

    # Oversight: Cal confirms CR-1002's oversight for Sam (a service lead of its area), counted as Sam's.
    audit = await d.one(Audit, Audit.allocation_id == d.ids["CR-1002"])
    outcome = await audit_flow.confirm_oversight(d.services.context, d.ids["cal"], audit.id, "", now=utc(2026, 12, 21, 12),
                                                 via="card:test")
    assert outcome.changed, outcome.message
    [confirmed] = await d.events(audit_flow.OVERSIGHT_CONFIRMED)
    assert confirmed.detail["on_behalf_of"] == d.ids["sam"]
    # ... but not once Sam is back: the cover's right ends with the absence.
    audit1 = await d.one(Audit, Audit.allocation_id == d.ids["CR-1001"])
    late = await audit_flow.confirm_oversight(d.services.context, d.ids["cal"], audit1.id, "", now=BACK, via="card:test")
    assert not late.changed

    # `who covers` for the QA unit, while Sam is away.
    card = await d.say("quinn", "who covers", utc(2026, 12, 22, 10))
    assert "Sam Example" in json.dumps(card) and "Cal Example" in json.dumps(card)
    assert "escalation notice" in json.dumps(card) and "practice alert" in json.dumps(card)
    assert "QA unit" in await d.told("sam", "who covers", utc(2026, 12, 22, 10))  # the edge: for the QA unit only

    # The morning Sam is back: one summary card, and the open items (the urgent review still owes update 2;
    # the alert is still open) come back to him, without the cover line.
    await d.tick(utc(2026, 12, 24, 7, 31))
    async with d.db.sessions() as session:
        mine = list((await session.execute(select(OutboxMessage).where(
            OutboxMessage.person_id == d.ids["sam"]).order_by(OutboxMessage.id))).scalars())
    summary = [r for r in mine if r.kind == "cover-return-summary"]
    assert len(summary) == 1
    text = json.dumps(summary[0].payload)
    assert "Welcome back" in text and "Cal Example" in text and "alert responded" in text
    back = [r for r in mine if r.kind == "cover-given-back"]
    assert len(back) >= 2 and all("Covering for" not in json.dumps(r.payload) for r in back)
    assert await d.tick(utc(2026, 12, 24, 7, 45)) is not None  # a second sweep adds nothing
    async with d.db.sessions() as session:
        again = (await session.execute(select(OutboxMessage).where(
            OutboxMessage.person_id == d.ids["sam"], OutboxMessage.kind == "cover-return-summary"))).scalars().all()
    assert len(again) == 1


async def test_who_covers_changes_a_cover_and_a_leavers_work_moves(desk):
    d = desk
    away = {sc.AWAY_WHO: str(d.ids["sam"]), sc.AWAY_FROM: "2026-12-18", sc.AWAY_TO: "2026-12-23"}
    await d.press("sam", sc.Verb.AWAY, away, "x", AWAY_FROM)  # no cover named: his manager, Hana
    [period] = await d.all(AwayPeriod)
    assert period.cover_id is None
    card = await d.say("quinn", "who covers", utc(2026, 12, 18, 10))
    assert "Hana Example (their manager)" in json.dumps(card)
    # Someone not in the QA unit pressing the form's button: refused, nothing changed.
    body = await d.press("pam", cc.Verb.CHANGE, {cc.COVER_WHO: str(d.ids["sam"]), cc.COVER_EMAIL: "cal@council.gov.uk"},
                         "x", utc(2026, 12, 18, 10))
    assert "for the QA unit" in shown(body)
    body = await d.press("quinn", cc.Verb.CHANGE, {cc.COVER_WHO: str(d.ids["sam"]), cc.COVER_EMAIL: "not-an-email"},
                         "x", utc(2026, 12, 18, 10))
    assert "not an email address" in shown(body)
    body = await d.press("quinn", cc.Verb.CHANGE, {cc.COVER_WHO: str(d.ids["sam"]), cc.COVER_EMAIL: "cal@council.gov.uk"},
                         "x", utc(2026, 12, 18, 10))
    assert "Cover changed: Cal Example covers Sam Example" in shown(body)
    [period] = await d.all(AwayPeriod)
    assert period.cover_id == d.ids["cal"]

    # Pam (practice manager, Team Alpha; manager Sam) is marked left by a roster import: the alert she had
    # open goes to her manager, and Sam being away, on to his cover, Cal; the QA unit hears once.
    form = {CASE_REF: "CR-9001", TEAM: "Team Alpha", CATEGORY: "Drift or delay", DESCRIPTION: "No review of the plan"}
    await d.press("ira", AlertVerb.RAISE, form, "form", utc(2026, 12, 18, 10))
    await d.tick(utc(2026, 12, 18, 10, 1))
    assert len(await rows_to(d, "pam", kinds.ALERT_NOTICE)) == 1
    async with d.db.sessions.begin() as session:
        (await session.get(Person, d.ids["pam"])).left_at = utc(2026, 12, 18, 17)
    await d.tick(utc(2026, 12, 21, 7, 31))
    moved = [r for r in await rows_to(d, "cal", kinds.ALERT_NOTICE) if "Covering for Pam Example" in json.dumps(r.payload)]
    assert len(moved) == 1 and "who has left" in json.dumps(moved[0].payload)
    for qa in ("quinn", "qiana"):
        [told] = await rows_to(d, qa, "leaver-work-moved")
        assert "Pam Example" in json.dumps(told.payload) and "practice alert" in json.dumps(told.payload)


# -- oversight, through the served app: the audit cycle's own requests and digest ---------------------------

@pytest.fixture
async def oversight_desk(services, fake_connector, bot_client):
    """The escalations' people (no supervisor lines: Sam supervises nobody) and two allocations of Ann's,
    CR-2001 and CR-2002 in Sam's area, not yet started."""
    d = await set_up(services, fake_connector, bot_client, {})
    async with d.db.sessions.begin() as session:
        for ref in ("CR-2001", "CR-2002"):
            allocation = Allocation(month="2026-12", case_ref=ref, annex_a_list="List 6", service_area=AREA,
                                    team="Team Alpha", theme="", auditor_id=d.ids["ann"], case_holder_id=d.ids["pat"],
                                    state="allocated", notified_at=SET_UP, created_at=SET_UP, updated_at=SET_UP)
            session.add(allocation)
            await session.flush()
            d.ids[ref] = allocation.id
    return d


async def submit(d, ref: str, at) -> int:
    """Ann starts and submits `ref` graded Good at `at` (the oversight request is written); its audit's id."""
    await d.press("ann", AuditVerb.AUDIT_START, {"allocation_id": d.ids[ref]}, f"notice-{ref}", at)
    await d.press("ann", AuditVerb.AUDIT_SUBMIT, form(d.ids[ref]), f"form-{ref}", at)
    return (await d.one(Audit, Audit.allocation_id == d.ids[ref])).id


async def test_a_service_leads_oversight_goes_to_their_cover_who_confirms_it_for_them(oversight_desk):
    d = oversight_desk
    # Thursday 17 December: CR-2001 is submitted; Sam's oversight request reaches him.
    audit1 = await submit(d, "CR-2001", utc(2026, 12, 17, 10))
    await d.tick(utc(2026, 12, 17, 10, 1))
    [sams] = await rows_to(d, "sam", audit_kinds.OVERSIGHT_REQUEST)
    assert sams.state == "sent" and sams.activity_id

    # Sam supervises nobody, yet `away` is his (a service lead receives work): he is away 18th-24th, Cal covers.
    card = await d.say("sam", "away", utc(2026, 12, 17, 11))
    assert sc.AWAY_COVER in json.dumps(card)
    away = {sc.AWAY_WHO: str(d.ids["sam"]), sc.AWAY_FROM: "2026-12-18", sc.AWAY_TO: "2026-12-24",
            sc.AWAY_COVER: "cal@council.gov.uk"}
    body = await d.press("sam", sc.Verb.AWAY, away, "x", utc(2026, 12, 17, 11))
    assert "Recorded: Sam Example is away" in shown(body)

    # Friday morning, the absence begins: the request still awaiting oversight goes to Cal, covering for Sam,
    # and Sam's earlier copy is updated in place to say who is covering it.
    await d.tick(utc(2026, 12, 18, 7, 31))
    await d.tick(utc(2026, 12, 18, 8, 1))
    [handed] = await rows_to(d, "cal", audit_kinds.OVERSIGHT_REQUEST)
    assert handed.state == "sent" and "Covering for Sam Example while they are away" in json.dumps(handed.payload)
    assert "CR-2001" in json.dumps(handed.payload)
    [sams_now] = put_cards(d.fake, sams.activity_id)
    assert "While you are away, Cal Example is covering this" in json.dumps(sams_now)
    assert "Oversight" in json.dumps(sams_now) and "CR-2001" in json.dumps(sams_now)

    # CR-2002 is submitted while Sam is away: its request goes straight to Cal, marked, and none to Sam.
    audit2 = await submit(d, "CR-2002", utc(2026, 12, 18, 10))
    await d.tick(utc(2026, 12, 18, 10, 1))
    assert len(await rows_to(d, "sam", audit_kinds.OVERSIGHT_REQUEST)) == 1
    [direct] = [r for r in await rows_to(d, "cal", audit_kinds.OVERSIGHT_REQUEST) if "CR-2002" in json.dumps(r.payload)]
    assert direct.payload["summary"].startswith("Covering for Sam Example: Oversight needed: case CR-2002")
    assert direct.idempotency_key.endswith(f":{d.ids['sam']}")

    # Cal (a service lead of another area) confirms CR-2002 from the card: it counts as Sam's oversight, and
    # the trail says Cal acted for Sam.
    body = await d.press("cal", AuditVerb.OVERSIGHT_CONFIRM, {"audit_id": audit2}, direct.activity_id,
                         utc(2026, 12, 18, 11))
    assert "Oversight confirmed" in shown(body) and "Cal Example" in shown(body)
    assert (await d.one(Allocation, Allocation.id == d.ids["CR-2002"])).state == "oversight_confirmed"
    [confirmed] = await d.events(audit_flow.OVERSIGHT_CONFIRMED)
    assert (confirmed.actor_id, confirmed.detail["on_behalf_of"]) == (d.ids["cal"], d.ids["sam"])
    # Pat, covering for nobody, may not confirm CR-2001: nothing changes.
    body = await d.press("pat", AuditVerb.OVERSIGHT_CONFIRM, {"audit_id": audit1}, "x", utc(2026, 12, 18, 11))
    assert "Only a service lead for the audit's service area" in shown(body)
    assert (await d.one(Allocation, Allocation.id == d.ids["CR-2001"])).state == "submitted"

    # The audit cycle's own duty: Thursday 24th's oversight digest for Sam goes to Cal, and its trail row says
    # for whom, as the kit's rows for a cover acting do.
    await d.tick(utc(2026, 12, 24, 9, 1))
    [digest] = await rows_to(d, "cal", audit_kinds.SERVICE_LEAD_DIGEST)
    assert "Covering for Sam Example" in json.dumps(digest.payload) and "CR-2001" in json.dumps(digest.payload)
    [by_duty] = [e for e in await d.events(store.WORK_COVERED) if e.detail["kind"] == audit_kinds.SERVICE_LEAD_DIGEST]
    assert (by_duty.via, by_duty.actor_id, by_duty.detail["on_behalf_of"], by_duty.detail["cover"]) == (
        "duty:audit-cycle", None, d.ids["sam"], d.ids["cal"])
    assert all(e.detail["on_behalf_of"] == d.ids["sam"] for e in await d.events(store.WORK_COVERED))
    # Cal confirms CR-2001 from the request handed to him: the digest's card keeps its buttons, but its work is done.
    body = await d.press("cal", AuditVerb.OVERSIGHT_CONFIRM, {"audit_id": audit1}, handed.activity_id,
                         utc(2026, 12, 24, 10))
    assert "Oversight confirmed" in shown(body)
    async with d.db.sessions() as session:
        digest = await session.get(OutboxMessage, digest.id)
    assert "oversight.open" in json.dumps(digest.payload)

    # Tuesday 29th (after Christmas and the Boxing Day holiday), Sam is back: one summary of what Cal did for
    # him, and nothing comes back, for no oversight is still to do.
    await d.tick(utc(2026, 12, 29, 7, 31))
    [summary] = await rows_to(d, "sam", "cover-return-summary")
    text = json.dumps(summary.payload)
    assert "Welcome back" in text and "Cal Example: oversight confirmed" in text and "Nothing is left open" in text
    assert await rows_to(d, "sam", "cover-given-back") == []
