"""The audit cycle's card buttons through the real app over HTTP: Teams-shaped adaptiveCard/action
invokes (and Action.Submit messages), the fake Bot Connector recording what the bot posts and
which messages it updates in place."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.clock import fixed_clock
from bot.sender import OutboxSender
from capabilities.audit_cycle import actions as audit_actions
from capabilities.audit_cycle import case_holder, duties, flow, kinds
from capabilities.kit import Status
from capabilities.supervision.audit_discussions import discuss_words, still_to_discuss
from dialogs import audit_cards as ac
from dialogs import case_holder_cards as ch
from dialogs.audit_cards import Verb
from dialogs.payload import Payload
from qa.calendar import WorkingCalendar
from storage import cycle
from storage.cycle import audits_to_discuss
from storage.models import Allocation, Audit, AuditMonth, Conversation, OutboxMessage, Person, TrailEvent
from storage.outbox import enqueue
from storage.reports import register_rows
from tests.support import activities as act
from tests.support.card_validator import validate
from tests.support.cards import buttons, executes, form, put_cards, signatures

NOW = datetime(2026, 12, 10, 10, 0, tzinfo=timezone.utc)  # Thursday, inside the send window
SATURDAY = datetime(2026, 12, 12, 11, 0, tzinfo=timezone.utc)
AREA = "Children in Need"
CARD = "application/vnd.microsoft.card.adaptive"
MESSAGE = "application/vnd.microsoft.activity.message"

PEOPLE = {  # key -> (role, team, service areas)
    "ann": ("practice_manager", "Team Gamma", AREA),  # audits both cases
    "pat": ("practitioner", "Team Alpha", AREA),  # holds the cases
    "pam": ("practice_manager", "Team Alpha", AREA),
    "sam": ("service_lead", "", AREA),
    "cal": ("service_lead", "", "Child Protection"),
    "hana": ("head_of_service", "", AREA),
    "dee": ("deputy_director", "", AREA),
    "quinn": ("qa_unit", "QA Unit", ""),
}
CASES = ("CR-1001", "CR-1002")


def name(key: str) -> str:
    return f"{key.title()} Example"


def chat(key: str) -> str:
    return act.personal_conversation_id(key)


@dataclass
class Desk:
    """The app, the fake connector and the roster, with what a test does to them."""

    client: Any
    fake: Any
    services: Any
    ids: dict[str, int]

    @property
    def db(self):
        return self.services.db

    async def press(self, key: str, verb: str, data: dict, reply_to: str) -> dict:
        activity = act.card_action(key, verb, data, service_url=self.fake.url, aad=f"aad-{key}", name=name(key))
        activity["replyToId"] = reply_to
        resp = await self.client.post("/api/messages", json=activity)
        assert resp.status == 200
        return await resp.json()

    async def deliver(self) -> None:
        await OutboxSender(self.services).deliver_due(self.services.clock(), wait_retries=0)

    async def sent_id(self, kind: str, key: str) -> str:
        """The Teams activity id of the message that carried `kind` to `key`."""
        async with self.db.sessions() as session:
            row = (await session.execute(select(OutboxMessage).where(
                OutboxMessage.kind == kind, OutboxMessage.person_id == self.ids[key],
                OutboxMessage.state == "sent").order_by(OutboxMessage.id.desc()))).scalars().first()
        assert row is not None and row.activity_id, f"no {kind} sent to {key}"
        return row.activity_id

    async def state(self, case: str = "CR-1001") -> str:
        async with self.db.sessions() as session:
            return (await session.get(Allocation, self.ids[case])).state

    async def events(self) -> list[TrailEvent]:
        async with self.db.sessions() as session:
            return list((await session.execute(select(TrailEvent).order_by(TrailEvent.id))).scalars())

    async def rows(self, kind: str) -> list[OutboxMessage]:
        async with self.db.sessions() as session:
            return list((await session.execute(
                select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id))).scalars())

    async def audit_id(self, case: str = "CR-1001") -> int:
        async with self.db.sessions() as session:
            allocation = await session.get(Allocation, self.ids[case])
            await session.refresh(allocation, ["audit"])
            return allocation.audit.id

    async def notice(self, *cases: str) -> str:
        """Ann's allocation notice listing `cases`, sent through the outbox; its activity id."""
        views = [ac.AllocationView(allocation_id=self.ids[c], case_ref=c, annex_a_list="List 6", team="Team Alpha",
                                   theme="", case_holder_name=name("pat"), deadline=date(2026, 12, 24))
                 for c in cases]
        async with self.db.sessions.begin() as session:
            await enqueue(session, key=f"allocation-notice:2026-12:{self.ids['ann']}:{'-'.join(cases)}",
                          kind="allocation-notice", person_id=self.ids["ann"],
                          payload=Payload.of(ac.allocation_notice_card(name("ann"), "December 2026", views), "Your audit allocation"),
                          due_at=self.services.clock(), now=self.services.clock())
        await self.deliver()
        return await self.sent_id("allocation-notice", "ann")


@pytest.fixture
async def desk(db, services, fake_connector, bot_client) -> Desk:
    services.clock = fixed_clock(NOW)
    async with db.sessions.begin() as session:
        people = {key: Person(email=f"{key}@council.gov.uk", display_name=name(key), role=role, team=team,
                              service_area=areas, aad_object_id=f"aad-{key}", created_at=NOW, updated_at=NOW)
                  for key, (role, team, areas) in PEOPLE.items()}
        session.add_all(people.values())
        session.add(AuditMonth(month="2026-12", imported_at=NOW))
        await session.flush()
        for key, person in people.items():
            session.add(Conversation(conversation_id=chat(key), tenant_id=act.TENANT, service_url=fake_connector.url,
                                     bot_id=act.BOT_ID, user_id=act.user_id(key), aad_object_id=f"aad-{key}",
                                     person_id=person.id, reference={}, installed_at=NOW))
        allocations = [Allocation(month="2026-12", case_ref=ref, annex_a_list="List 6", service_area=AREA,
                                  team="Team Alpha", theme="", auditor_id=people["ann"].id,
                                  case_holder_id=people["pat"].id, state="allocated", created_at=NOW, updated_at=NOW)
                       for ref in CASES]
        session.add_all(allocations)
        await session.flush()
        ids = {key: p.id for key, p in people.items()} | {a.case_ref: a.id for a in allocations}
    return Desk(bot_client, fake_connector, services, ids)


async def submitted(desk: Desk, reply_to: str = "form-1", **changes) -> dict:
    await desk.press("ann", Verb.AUDIT_START, {"allocation_id": desk.ids["CR-1001"]}, "no-such-message")
    return await desk.press("ann", Verb.AUDIT_SUBMIT, form(desk.ids["CR-1001"], **changes), reply_to)


# -- start, draft, submit ----------------------------------------------------------------------

async def test_start_sends_the_form_and_updates_the_notice_in_place(desk):
    notice_id = await desk.notice(*CASES)
    desk.fake.clear()
    body = await desk.press("ann", Verb.AUDIT_START, {"allocation_id": desk.ids["CR-1001"]}, notice_id)
    assert body["statusCode"] == 200 and body["type"] == CARD
    updated = body["value"]
    assert put_cards(desk.fake, notice_id) == [updated]  # the message itself, and the same card
    shown = json.dumps(updated)
    assert "Audit started by Ann Example, Thursday 10 December 2026 at 10:00" in shown
    # The acted case: Start became Continue (and "I can't do this audit" stays); the other case is as it was.
    assert ("Continue audit", Verb.AUDIT_START, {"allocation_id": desk.ids["CR-1001"]}) in buttons(updated)
    assert ("Start audit", Verb.AUDIT_START, {"allocation_id": desk.ids["CR-1002"]}) in buttons(updated)
    assert ("Start audit", Verb.AUDIT_START, {"allocation_id": desk.ids["CR-1001"]}) not in buttons(updated)
    [form_message] = desk.fake.delivered(chat("ann"))
    [form_card] = form_message.cards
    assert form_card["body"][0]["text"] == "Audit: case CR-1001"
    assert {b[1] for b in buttons(form_card)} == {Verb.AUDIT_SAVE_DRAFT, Verb.AUDIT_SUBMIT}
    assert await desk.state() == "started" and await desk.state("CR-1002") == "allocated"
    [event] = await desk.events()
    assert (event.action, event.actor_id, event.via) == (flow.STARTED, desk.ids["ann"], "card:allocation_notice")


async def test_save_draft_then_continue_shows_the_draft(desk):
    allocation_id = desk.ids["CR-1001"]
    await desk.press("ann", Verb.AUDIT_START, {"allocation_id": allocation_id}, "notice")
    draft = {"allocation_id": allocation_id, ac.OVERALL_GRADE: "Requires Improvement",
             ac.key_area_input_id("Planning"): "Good", ac.STRENGTHS: "Warm, persistent direct work"}
    body = await desk.press("ann", Verb.AUDIT_SAVE_DRAFT, draft, "form-1")
    assert body["type"] == CARD and "Draft saved Thursday 10 December 2026 at 10:00" in json.dumps(body["value"])
    assert await desk.state() == "started"

    desk.fake.clear()
    again = await desk.press("ann", Verb.AUDIT_START, {"allocation_id": allocation_id}, "notice")
    assert again["type"] == MESSAGE and "CR-1001" in again["value"]
    [resumed] = desk.fake.delivered(chat("ann"))
    inputs = {b["id"]: b for block in resumed.cards[0]["body"] for b in [block] if "id" in b}
    assert inputs[ac.OVERALL_GRADE]["value"] == "Requires Improvement"
    assert inputs[ac.key_area_input_id("Planning")]["value"] == "Good"
    assert inputs[ac.STRENGTHS]["value"] == "Warm, persistent direct work"
    assert "value" not in inputs[ac.key_area_input_id("Outcomes")]


async def test_submit_with_missing_answers_shows_what_is_wrong_and_submits_nothing(desk):
    await desk.press("ann", Verb.AUDIT_START, {"allocation_id": desk.ids["CR-1001"]}, "notice")
    desk.fake.clear()
    incomplete = form(desk.ids["CR-1001"], **{ac.OVERALL_GRADE: "", ac.key_area_input_id("Outcomes"): ""})
    body = await desk.press("ann", Verb.AUDIT_SUBMIT, incomplete, "form-1")
    assert body["type"] == CARD
    shown = json.dumps(body["value"])
    assert "Choose an overall grade." in shown and "Grade Outcomes." in shown
    assert "Please put right the 2 things marked below." in shown
    assert "The plan was clear" in shown  # what was typed stays on the form
    assert desk.fake.updates() == [] and desk.fake.delivered() == []
    assert await desk.state() == "started"
    assert await desk.rows(flow.OVERSIGHT_REQUEST) == []


async def test_submit_updates_the_form_in_place_and_the_service_lead_gets_the_oversight_request(desk):
    desk.fake.clear()
    body = await submitted(desk)
    assert body["type"] == CARD
    assert put_cards(desk.fake, "form-1") == [body["value"]]
    shown = json.dumps(body["value"])
    assert "Audit: case CR-1001" in shown and "Audit submitted by Ann Example" in shown
    assert buttons(body["value"]) == []
    assert await desk.state() == "submitted"
    [request] = await desk.rows(flow.OVERSIGHT_REQUEST)
    assert request.person_id == desk.ids["sam"] and request.state == "pending" and request.due_at == NOW
    await desk.deliver()
    [posted] = desk.fake.delivered(chat("sam"))
    assert "Oversight needed: case CR-1001" in posted.all_text()
    assert not desk.fake.delivered(chat("cal"))  # another area's service lead


async def test_someone_who_is_not_the_auditor_gets_a_polite_refusal(desk):
    notice_id = await desk.notice("CR-1001")
    desk.fake.clear()
    for verb, data in ((Verb.AUDIT_START, {"allocation_id": desk.ids["CR-1001"]}),
                       (Verb.AUDIT_SUBMIT, form(desk.ids["CR-1001"]))):
        body = await desk.press("pat", verb, data, notice_id)
        assert body["type"] == CARD
        assert "Only the auditor allocated this case, or the QA unit, can do this." in json.dumps(body["value"])
    assert desk.fake.updates() == [] and desk.fake.delivered() == []
    assert await desk.state() == "allocated" and await desk.events() == []


async def test_an_unreadable_action_changes_nothing(desk):
    body = await desk.press("ann", Verb.AUDIT_SUBMIT, {"allocation_id": "DROP TABLE"}, "form-1")
    assert body["type"] == MESSAGE and "couldn't read" in body["value"]
    assert await desk.events() == []


# -- safeguarding ------------------------------------------------------------------------------

async def test_a_safeguarding_concern_is_sent_to_the_four_roles_at_once(desk):
    desk.services.clock = fixed_clock(SATURDAY)  # outside the send window: only the alerts go now
    body = await submitted(desk, **{ac.SAFEGUARDING_CONCERN: "true",
                                    ac.SAFEGUARDING_DESCRIPTION: "Unexplained bruising seen on a visit"})
    assert "Escalated at once" in json.dumps(body["value"])
    alerted = [chat(k) for k in ("pam", "sam", "hana", "dee")]
    alert = "Raised by Ann Example while auditing case CR-1001"
    await desk.fake.wait_for(lambda f: all(any(alert in c.all_text() for c in f.delivered(conv)) for conv in alerted))
    for key in ("ann", "pat", "cal", "quinn"):
        assert not any(alert in c.all_text() for c in desk.fake.delivered(chat(key)))
    assert not any("Oversight needed" in c.all_text() for c in desk.fake.delivered(chat("sam")))
    [request] = await desk.rows(flow.OVERSIGHT_REQUEST)
    assert request.state == "pending" and request.due_at == datetime(2026, 12, 14, 9, tzinfo=timezone.utc)


async def test_with_a_running_sender_the_turn_wakes_it_instead(desk):
    woken = []
    desk.services.sender = type("Sender", (), {"wake": lambda self: woken.append(True)})()
    await submitted(desk, **{ac.SAFEGUARDING_CONCERN: "true", ac.SAFEGUARDING_DESCRIPTION: "Left alone overnight"})
    assert woken == [True]
    assert all(r.state == "pending" for r in await desk.rows(flow.SAFEGUARDING_ALERT))  # the sender's to send


# -- oversight, dispute, upload ----------------------------------------------------------------

async def test_confirm_oversight_asks_for_the_upload_and_uploaded_completes(desk):
    await submitted(desk)
    await desk.deliver()
    request_id = await desk.sent_id(flow.OVERSIGHT_REQUEST, "sam")
    audit_id = await desk.audit_id()
    wrong = await desk.press("cal", Verb.OVERSIGHT_CONFIRM, {"audit_id": audit_id}, request_id)
    refusal = json.dumps(wrong["value"])
    # Issue 9: a refusal names nothing the person could not already see (no area, no case ref).
    assert "Only a service lead for the audit's service area" in refusal
    assert AREA not in refusal and "CR-1001" not in refusal

    body = await desk.press("sam", Verb.OVERSIGHT_CONFIRM, {"audit_id": audit_id, ac.OVERSIGHT_COMMENT: "Agreed"},
                            request_id)
    assert put_cards(desk.fake, request_id) == [body["value"]]
    assert "Oversight confirmed by Sam Example" in json.dumps(body["value"]) and buttons(body["value"]) == []
    assert await desk.state() == "oversight_confirmed"
    await desk.deliver()
    upload_id = await desk.sent_id(flow.UPLOAD_REQUEST, "ann")
    assert any("Upload the audit: case CR-1001" in c.all_text() for c in desk.fake.delivered(chat("ann")))

    done = await desk.press("ann", Verb.AUDIT_UPLOADED, {"audit_id": audit_id}, upload_id)
    assert "Uploaded to Care Director by Ann Example" in json.dumps(done["value"])
    assert put_cards(desk.fake, upload_id) == [done["value"]]
    assert await desk.state() == "complete"
    trail = [(e.action, e.via) for e in await desk.events()]
    assert trail[-2:] == [(flow.OVERSIGHT_CONFIRMED, "card:oversight_request"), (flow.UPLOADED, "card:upload_request")]


async def test_a_dispute_reaches_the_auditor_and_qa_unit_and_the_resolution_is_recorded(desk):
    await submitted(desk)
    await desk.deliver()
    audit_id = await desk.audit_id()
    request_id = await desk.sent_id(flow.OVERSIGHT_REQUEST, "sam")
    missing = await desk.press("sam", Verb.OVERSIGHT_DISPUTE, {"audit_id": audit_id}, request_id)
    assert missing["type"] == MESSAGE and "reason" in missing["value"]  # the card stays for a second try
    assert await desk.state() == "submitted"

    body = await desk.press("sam", Verb.OVERSIGHT_DISPUTE,
                            {"audit_id": audit_id, ac.DISPUTE_REASON: "Planning graded too high"}, request_id)
    assert "Disputed by Sam Example" in json.dumps(body["value"])
    assert await desk.state() == "disputed"
    await desk.deliver()
    for key in ("ann", "quinn"):
        assert any("Audit disputed: case CR-1001" in c.all_text() and "Planning graded too high" in c.all_text()
                   for c in desk.fake.delivered(chat(key)))
    dispute_id = await desk.sent_id(flow.DISPUTE, "quinn")
    resolved = await desk.press("quinn", Verb.DISPUTE_RESOLVE,
                                {"audit_id": audit_id, ac.RESOLUTION: "Regraded after discussion"}, dispute_id)
    assert "Resolution recorded by Quinn Example" in json.dumps(resolved["value"])
    assert put_cards(desk.fake, dispute_id) == [resolved["value"]]
    assert await desk.state() == "submitted"  # back with the service lead
    event = (await desk.events())[-1]
    assert (event.action, event.actor_id, event.via) == (flow.RESOLVED, desk.ids["quinn"], "card:dispute")
    assert len(await desk.rows(flow.OVERSIGHT_REQUEST)) == 2


async def test_review_from_the_digest_sends_the_oversight_request(desk):
    await submitted(desk)
    desk.fake.clear()
    audit_id = await desk.audit_id()
    body = await desk.press("sam", Verb.OVERSIGHT_OPEN, {"audit_id": audit_id}, "digest-1")
    assert body["type"] == MESSAGE and "CR-1001" in body["value"]
    [posted] = desk.fake.delivered(chat("sam"))
    assert "Oversight needed: case CR-1001" in posted.all_text()
    assert {b[1] for b in buttons(posted.cards[0])} == {Verb.AUDIT_READ, Verb.OVERSIGHT_CONFIRM, Verb.OVERSIGHT_DISPUTE}
    [read] = [b for b in buttons(posted.cards[0]) if b[1] == Verb.AUDIT_READ]
    assert read == ("Read the whole audit", Verb.AUDIT_READ, {"audit_id": audit_id, "page_id": 1})
    assert desk.fake.updates() == []


# -- old copies, declines, digests ---------------------------------------------------------------

async def test_acting_on_an_old_copy_again_is_answered_politely_and_changes_nothing(desk):
    notice_id = await desk.notice(*CASES)
    await desk.press("ann", Verb.AUDIT_START, {"allocation_id": desk.ids["CR-1001"]}, notice_id)
    await desk.press("ann", Verb.AUDIT_SUBMIT, form(desk.ids["CR-1001"]), "form-1")
    events, updates = len(await desk.events()), len(desk.fake.updates())

    again = await desk.press("ann", Verb.AUDIT_SUBMIT, form(desk.ids["CR-1001"]), "form-1")
    assert ("This audit was already submitted by Ann Example on Thursday 10 December 2026 at 10:00"
            in json.dumps(again["value"]))
    old_notice = await desk.press("ann", Verb.AUDIT_START, {"allocation_id": desk.ids["CR-1001"]}, notice_id)
    shown = json.dumps(old_notice["value"])
    assert "already submitted" in shown
    assert ("Start audit", Verb.AUDIT_START, {"allocation_id": desk.ids["CR-1002"]}) in buttons(old_notice["value"])
    assert not [b for b in buttons(old_notice["value"]) if b[2] == {"allocation_id": desk.ids["CR-1001"]}]
    assert len(await desk.events()) == events and len(desk.fake.updates()) == updates
    assert len(await desk.rows(flow.OVERSIGHT_REQUEST)) == 1


async def test_i_cant_do_this_audit_tells_the_qa_unit(desk):
    notice_id = await desk.notice(*CASES)
    allocation_id = desk.ids["CR-1001"]
    body = await desk.press("ann", Verb.ALLOCATION_DECLINE,
                            {"allocation_id": allocation_id, ac.decline_reason_input_id(allocation_id): "I know the family"},
                            notice_id)
    assert put_cards(desk.fake, notice_id) == [body["value"]]
    assert "Declined by Ann Example" in json.dumps(body["value"])
    assert ("Start audit", Verb.AUDIT_START, {"allocation_id": desk.ids["CR-1002"]}) in buttons(body["value"])
    assert await desk.state() == "declined" and await desk.state("CR-1002") == "allocated"
    await desk.deliver()
    assert any("Allocation declined: case CR-1001" in c.all_text() and "I know the family" in c.all_text()
               for c in desk.fake.delivered(chat("quinn")))
    [event] = await desk.events()
    assert event.action == flow.DECLINED and "family" not in json.dumps(event.detail)


async def test_a_digest_is_rebuilt_with_only_the_acted_notice_changed(desk):
    await submitted(desk)
    audit_id = await desk.audit_id()
    # Sam confirms before his request was sent (straight through the flow): the upload request is due.
    await flow.confirm_oversight(desk.services.context, desk.ids["sam"], audit_id, "", now=NOW, via="card:test")
    # The upload request and a second allocation notice fall due together: one message, two notices.
    digest_id = await desk.notice("CR-1002")
    assert await desk.sent_id(flow.UPLOAD_REQUEST, "ann") == digest_id
    [original] = [c for c in desk.fake.delivered(chat("ann")) if "You have 2 updates" in c.all_text()]

    body = await desk.press("ann", Verb.AUDIT_UPLOADED, {"audit_id": audit_id}, digest_id)
    updated = body["value"]
    assert put_cards(desk.fake, digest_id) == [updated]
    assert updated["body"][0]["text"] == "You have 2 updates"
    shown = json.dumps(updated)
    assert "Uploaded to Care Director by Ann Example" in shown
    assert not [b for b in buttons(updated) if b[1] == Verb.AUDIT_UPLOADED]
    assert [b for b in buttons(updated) if b[2] == {"allocation_id": desk.ids["CR-1002"]}] == \
        [b for b in buttons(original.cards[0]) if b[2] == {"allocation_id": desk.ids["CR-1002"]}]
    assert await desk.state() == "complete"


# -- Action.Submit, for clients without Universal Actions ---------------------------------------

async def test_an_action_submit_message_does_the_same(desk):
    notice_id = await desk.notice("CR-1001")
    desk.fake.clear()
    message = act.message("ann", "", service_url=desk.fake.url, aad="aad-ann", name=name("ann"))
    message.pop("text")
    message["value"] = {"verb": Verb.AUDIT_START,  # as the button sends it: signed by the bot
                        **act.TEST_SIGNER.sign_data(Verb.AUDIT_START, {"allocation_id": desk.ids["CR-1001"]})}
    message["replyToId"] = notice_id
    resp = await desk.client.post("/api/messages", json=message)
    assert resp.status == 201
    assert await desk.state() == "started"
    [updated] = put_cards(desk.fake, notice_id)
    assert "Audit started by Ann Example" in json.dumps(updated)
    [form_message] = desk.fake.delivered(chat("ann"))
    assert form_message.cards[0]["body"][0]["text"] == "Audit: case CR-1001"

    refused = act.message("pat", "", service_url=desk.fake.url, aad="aad-pat", name=name("pat"))
    refused.pop("text")
    refused["value"] = {"verb": Verb.AUDIT_SUBMIT, **form(desk.ids["CR-1001"]),
                        **act.TEST_SIGNER.sign_data(Verb.AUDIT_SUBMIT, {"allocation_id": desk.ids["CR-1001"]})}
    resp = await desk.client.post("/api/messages", json=refused)
    assert resp.status == 201
    [answer] = desk.fake.delivered(chat("pat"))
    assert "Only the auditor allocated this case" in answer.all_text()
    assert await desk.state() == "started"


# -- the cards the edge makes ------------------------------------------------------------------

def test_cards_made_from_sent_cards_pass_microsofts_card_parser():
    """Acted, polite and rebuilt cards, checked with tools/validate-cards.js like the builders' own."""
    from dialogs import samples as card_samples

    tz = card_samples.LONDON
    cases = card_samples.allocations(3)
    first = {"allocation_id": cases[0].allocation_id}
    notice = ac.allocation_notice_card("Ann Example", "December 2026", cases)
    single = ac.allocation_notice_card("Ann Example", "December 2026", cases[:1])
    digest = ac.oversight_digest_card("Sam Example", card_samples.oversight_items(3), date(2027, 1, 6))
    review = {"audit_id": buttons(digest)[0][2]["audit_id"]}
    upload = ac.upload_request_card(9, "CR-9", "Sam Example", NOW, tz, date(2027, 1, 6))

    def row(content: dict, kind: str) -> OutboxMessage:
        return OutboxMessage(kind=kind, payload={"text": kind, "summary": kind, "card": content})

    started = audit_actions.Acted("Audit started", "Ann Example", NOW, tz, [("Case", cases[0].case_ref)],
                                  audit_actions.keep_for(Verb.AUDIT_START, first))
    uploaded = audit_actions.Acted("Uploaded to Care Director", "Ann Example", NOW, tz, [("Case", "CR-9")],
                                   audit_actions.keep_for(Verb.AUDIT_UPLOADED, {"audit_id": 9}))
    view = cases[0]
    saved = audit_actions.reply_for(
        Verb.AUDIT_SAVE_DRAFT, flow.AuditOutcome(Status.DONE, allocation_id=view.allocation_id, case_ref=view.case_ref,
                                                 at=NOW, view=view, draft=card_samples.full_draft()), [], first, tz)
    made = {
        "notice, one case started": started.apply(notice, first),
        "notice of one case, started": started.apply(single, first),
        "notice, one case refused": audit_actions.polite_card([row(notice, "allocation-notice")], first,
                                                              Verb.AUDIT_START, flow.NOT_ON_ROSTER),
        "refusal on its own": audit_actions.polite_card([], first, Verb.AUDIT_SUBMIT, flow.NOT_FOUND, "CR-1"),
        "digest item already done": audit_actions.polite_card([row(digest, "service-lead-digest")], review,
                                                              Verb.OVERSIGHT_OPEN, "Oversight was already confirmed."),
        "two notices, one uploaded": audit_actions.rebuild(
            [row(upload, "upload_request"), row(notice, "allocation-notice")], {"audit_id": 9}, uploaded.apply),
        "form, draft saved": saved.card,
    }
    assert all(made.values())
    rc, report = validate(made.items())
    assert [c["name"] for c in report["cards"]] == list(made)
    assert {c["name"]: c["problems"] for c in report["cards"] if c["problems"]} == {}
    assert rc == 0


async def test_a_button_the_bot_did_not_send_is_refused(desk):
    """Issue 9: ids on buttons are signed (bot/card_signing.py); made-up or altered data changes nothing."""
    notice_id = await desk.notice("CR-1001")
    [sent] = desk.fake.delivered(chat("ann"))
    assert signatures(sent.cards[0]) and all(signatures(sent.cards[0]))
    real = next(a for a in executes(sent.cards[0]) if a["verb"] == Verb.AUDIT_START)["data"]
    for data in ({"allocation_id": desk.ids["CR-1001"]},  # no signature: made up
                 {**real, "allocation_id": desk.ids["CR-1001"] + 1},  # another case, the same signature
                 {**real, "_sig": "0" * 32}):
        activity = act.card_action("ann", Verb.AUDIT_START, data, service_url=desk.fake.url, aad="aad-ann",
                                   name=name("ann"), signed=False)
        activity["replyToId"] = notice_id
        resp = await desk.client.post("/api/messages", json=activity)
        body = await resp.json()
        assert resp.status == 200 and "couldn't check this card's button" in json.dumps(body["value"])
    assert await desk.state() == "allocated" and await desk.events() == []
    activity = act.card_action("ann", Verb.AUDIT_START, real, service_url=desk.fake.url, aad="aad-ann",
                               name=name("ann"), signed=False)  # exactly as sent: accepted
    activity["replyToId"] = notice_id
    assert (await desk.client.post("/api/messages", json=activity)).status == 200
    assert await desk.state() == "started"


# -- the case holder's side: told, the conversation, the findings, the reflection, supervision ----

CAL = WorkingCalendar()



async def _told(desk) -> None:
    """The allocation notice moment: every allocation of the month notified (auditor and case holder)."""
    async with desk.db.sessions.begin() as session:
        await session.execute(update(Person).where(Person.id == desk.ids["pat"])
                              .values(supervisor_email="pam@council.gov.uk"))
        allocations = await cycle.allocations_to_notify(session, "2026-12")
        await duties.notify_allocations(session, CAL, "2026-12", allocations, NOW, NOW, late=False)
    await desk.deliver()


def _texts(desk, key: str) -> str:
    return " ".join(c.all_text() for c in desk.fake.delivered(chat(key)))


async def test_told_with_the_auditor_then_the_conversation_shows_on_their_card(desk):
    await _told(desk)
    mine = _texts(desk, "pat")
    assert "Your case CR-1001 is in the December 2026 audit" in mine and "CR-1002" in mine
    assert "Ann Example is auditing case CR-1001" in mine and "seven key areas" in mine
    assert "talk with you about the case before they submit" in mine
    assert "CR-1001" not in _texts(desk, "sam")  # nobody else hears of it
    notice_id = await desk.sent_id(kinds.ALLOCATION_NOTICE, "ann")
    pat_notice = await desk.sent_id(kinds.CASE_HOLDER_NOTICE, "pat")
    allocation_id = desk.ids["CR-1001"]

    # Someone else may not arrange it.
    refused = await desk.press("pat", ch.Verb.CONVERSATION_HELD, {"allocation_id": allocation_id}, pat_notice)
    assert "Only the auditor allocated this case" in json.dumps(refused["value"])

    body = await desk.press("ann", ch.Verb.CONVERSATION_ARRANGED,
                            {"allocation_id": allocation_id, ch.conversation_input_id(allocation_id): "2026-12-15"},
                            notice_id)
    assert "Conversation arranged for Tuesday 15 December 2026 by Ann Example" in json.dumps(body["value"])
    assert ("Start audit", Verb.AUDIT_START, {"allocation_id": allocation_id}) in buttons(body["value"])
    await desk.deliver()
    [arranged] = put_cards(desk.fake, pat_notice)
    assert "Arranged for Tuesday 15 December 2026" in json.dumps(arranged)

    body = await desk.press("ann", ch.Verb.CONVERSATION_HELD, {"allocation_id": allocation_id}, notice_id)
    assert "Conversation held by Ann Example" in json.dumps(body["value"])
    await desk.deliver()
    assert "Held: Ann Example recorded the conversation" in json.dumps(put_cards(desk.fake, pat_notice)[-1])

    desk.fake.clear()
    await desk.press("ann", Verb.AUDIT_START, {"allocation_id": allocation_id}, notice_id)
    [form_message] = desk.fake.delivered(chat("ann"))
    toggles = {b["id"]: b for b in form_message.cards[0]["body"] if b.get("type") == "Input.Toggle"}
    assert toggles[ac.DISCUSSION_HELD]["value"] == "true"  # filled from Conversation held


async def test_findings_after_oversight_reflection_and_the_supervision_line(desk):
    await _told(desk)
    await submitted(desk)
    await desk.deliver()
    audit_id = await desk.audit_id()
    # Before oversight: refused, and nothing said of the audit.
    early = await desk.press("pat", ch.Verb.FINDINGS_SUPERVISION, {"audit_id": audit_id}, "x")
    assert "only of audits of your own cases, once oversight is confirmed" in json.dumps(early["value"])
    request_id = await desk.sent_id("oversight-request", "sam")
    desk.fake.clear()
    await desk.press("sam", Verb.OVERSIGHT_CONFIRM, {"audit_id": audit_id}, request_id)
    await desk.deliver()
    findings = _texts(desk, "pat")
    assert "The audit of your case CR-1001" in findings and "The plan was clear" in findings
    assert findings.index("The plan was clear") < findings.index("Visits could be timelier")  # strengths first
    findings_id = await desk.sent_id(kinds.AUDIT_FINDINGS, "pat")

    # Someone else's audit: the auditor, the supervisor, anyone but the case holder.
    for other in ("ann", "pam"):
        no = await desk.press(other, ch.Verb.FINDINGS_REFLECT, {"audit_id": audit_id, ch.REFLECTION: "x"}, "y")
        assert "only of audits of your own cases" in json.dumps(no["value"])
    # Identifiers are screened like every other free text.
    bad = await desk.press("pat", ch.Verb.FINDINGS_REFLECT,
                           {"audit_id": audit_id, ch.REFLECTION: "Born 12/03/2015, lives at SW1A 1AA"}, findings_id)
    assert bad["type"] == "application/vnd.microsoft.activity.message"

    desk.fake.clear()
    body = await desk.press("pat", ch.Verb.FINDINGS_REFLECT,
                            {"audit_id": audit_id, ch.REFLECTION: "I will plan visits around school."}, findings_id)
    shown = json.dumps(body["value"])
    forum = [("Agree to use in a practice forum", ch.Verb.FINDINGS_FORUM, {"audit_id": audit_id})]  # graded Good
    assert "Your reflection" in shown and "next 1:1 supervision" in shown and buttons(body["value"]) == forum
    assert put_cards(desk.fake, findings_id) == [body["value"]]
    await desk.deliver()
    assert "I will plan visits around school." in _texts(desk, "ann")
    assert "Discuss the audit of case CR-1001" in _texts(desk, "pam")  # pat's supervisor

    async with desk.db.sessions() as session:
        audit = await session.get(Audit, audit_id)
        assert audit.case_holder_reflection == "I will plan visits around school."
        [row] = [r for r in await register_rows(session, "2026-12", "2026-12") if r.case_ref == "CR-1001"]
        assert row.reflection_received
        asked = await audits_to_discuss(session, [desk.ids["pat"]])
    [(allocation_id, ref, at)] = asked[desk.ids["pat"]]
    assert (allocation_id, ref) == (desk.ids["CR-1001"], "CR-1001") and discuss_words(ref) == (
        "Discuss the audit of case CR-1001")
    # On the digest until a 1:1 on or after the day asked is recorded.
    assert still_to_discuss(at, None, CAL) and still_to_discuss(at, date(2026, 12, 1), CAL)
    assert not still_to_discuss(at, date(2026, 12, 10), CAL)

    again = await desk.press("pat", ch.Verb.FINDINGS_SUPERVISION, {"audit_id": audit_id}, findings_id)
    assert "next 1:1 supervision" in json.dumps(again["value"]) and buttons(again["value"]) == forum  # as it stands


async def test_no_notice_when_the_case_holder_is_the_auditor_or_absent(desk):
    async with desk.db.sessions.begin() as session:
        await session.execute(update(Allocation).where(Allocation.id == desk.ids["CR-1002"])
                              .values(case_holder_id=desk.ids["ann"]))
        await session.execute(update(Allocation).where(Allocation.id == desk.ids["CR-1001"])
                              .values(case_holder_id=None))
    await _told(desk)
    assert await desk.rows(kinds.CASE_HOLDER_NOTICE) == []


async def test_the_digest_provider_leaves_out_audits_not_asked(desk):
    async with desk.db.sessions() as session:
        assert await audits_to_discuss(session, [desk.ids["pat"]]) == {}
        assert (await session.execute(select(Allocation.conversation_on))).scalars().all() == [None, None]
    assert case_holder.notice_key(7) == "case-holder-notice:7:"
