"""One recipient decides; every other recipient's copy is updated in place (capabilities/copies.py),
through the served app and the fake Bot Connector on both databases: a moderation request to three
QA-unit members (one copy still waiting to be sent), a dip-sample item to the moderation panel, a
practice alert and its escalated copies (sent inside a digest), an urgent review's update and close,
a remedial action marked done. A press on an updated or old copy changes nothing."""
from __future__ import annotations

import json

import pytest

from capabilities.escalations import dip_sample, flow, kinds, remedial
from dialogs.alert_cards import CASE_REF, CATEGORY, DESCRIPTION, RESPONSE, TEAM
from dialogs.alert_cards import Verb as AlertVerb
from dialogs.escalation_cards import DIP_COMMENT, DIP_GRADE, GRADE, MORE_DUE, REASON, UPDATE, Verb
from dialogs.remedial_cards import RESPONSIBLE, TARGET, TEXT
from dialogs.remedial_cards import Verb as RemedialVerb
from storage.models import Alert, DipSampleItem, Moderation, OutboxMessage, RemedialAction, RemedialPlan
from storage.outbox import sent_rows
from tests.support.copies import add_person, buttons, deliver, rows, updated_cards
from tests.support.escalations import chat, confirm_oversight, set_up, shown, utc

SUBMITTED = utc(2026, 12, 18, 9, 30)  # Friday 18 December 2026
AGREED = utc(2026, 12, 18, 11)


@pytest.fixture
async def desk(services, fake_connector, bot_client):
    d = await set_up(services, fake_connector, bot_client, {"CR-1001": SUBMITTED})
    await add_person(d, "quincy", "qa_unit", "QA Unit")
    return d


async def test_a_moderation_decided_updates_every_other_qa_members_copy(desk):
    d = desk
    # Quincy's request meets a 429: it waits to be sent again.
    d.fake.fail_next(429, conversation=chat("quincy"), retry_after=1)
    await deliver(d, utc(2026, 12, 18, 9, 45))
    moderation = await d.one(Moderation)
    ids = {"moderation_id": moderation.id}
    copies = {k: (await d.sent(kinds.MODERATION_REQUEST, k)).activity_id for k in ("quinn", "qiana")}
    [waiting] = [r for r in await rows(d, kinds.MODERATION_REQUEST) if r.person_id == d.ids["quincy"]]
    assert waiting.state == "retrying"

    body = await d.press("quinn", Verb.MODERATION_AGREE, ids, copies["quinn"], AGREED)
    assert "Agreed: Inadequate by Quinn Example, Friday 18 December 2026 at 11:00" in shown(body)
    # In the decision's transaction: one update in place, of Qiana's sent copy (Quinn's is the pressed one).
    [update] = await rows(d, kinds.MODERATION_DECIDED)
    assert (update.person_id, update.payload["replaces"], update.state) == (d.ids["qiana"], copies["qiana"],
                                                                           "pending")
    assert "Agreed: Inadequate by Quinn Example" in str(update.payload["card"])

    await deliver(d, utc(2026, 12, 18, 11, 1))
    [qiana_now] = updated_cards(d, "qiana", copies["qiana"])
    assert "Agreed: Inadequate by Quinn Example, Friday 18 December 2026 at 11:00" in qiana_now
    assert buttons(qiana_now) == 0  # nothing left to press
    assert len(updated_cards(d, "quinn", copies["quinn"])) == 1  # the press's own update, not a second
    # Quincy's request went out late, showing the decision rather than asking for one.
    [late] = [c for call in d.fake.delivered(chat("quincy")) for c in call.cards
              if c["body"][0]["text"].startswith("Moderation")]
    assert late["body"][0]["text"] == "Moderation: case CR-1001" and buttons(json.dumps(late)) == 0
    assert "Agreed: Inadequate by Quinn Example" in str(late)

    # The updated copy's message carries the request's row, which records what it now shows.
    [carried] = await sent_rows(d.db, copies["qiana"], chat("qiana"), d.ids["qiana"])
    assert carried.kind == kinds.MODERATION_REQUEST and "Agreed: Inadequate by Quinn" in str(carried.payload)

    # A press on the updated copy (or on an old one the client kept) changes nothing.
    again = await d.press("qiana", Verb.MODERATION_REGRADE, {**ids, GRADE: "Good", REASON: "No"}, copies["qiana"],
                          utc(2026, 12, 18, 11, 5))
    assert "Quinn Example already agreed this Inadequate grade" in shown(again)
    again = await d.press("quincy", Verb.MODERATION_AGREE, ids, "old-copy", utc(2026, 12, 18, 11, 5))
    assert "Quinn Example already agreed this Inadequate grade" in shown(again)
    assert await d.grade("CR-1001") == "Inadequate"
    moderation = await d.one(Moderation)
    assert (moderation.state, moderation.decided_by_id) == ("agreed", d.ids["quinn"])
    assert len(await d.events(flow.MODERATION_AGREED, flow.MODERATION_REGRADED)) == 1
    assert len(await rows(d, kinds.MODERATION_DECIDED)) == 1
    puts = len(d.fake.updates())  # the two presses' answers, over the pressed messages
    await deliver(d, utc(2026, 12, 18, 11, 10))
    assert len(d.fake.updates()) == puts  # nothing more to update
    assert [(r.state, r.attempts) for r in await rows(d, kinds.MODERATION_DECIDED)] == [("sent", 1)]


async def test_a_regrade_from_a_digest_free_copy_updates_the_others_and_not_the_pressed_one(desk):
    d = desk
    await deliver(d, utc(2026, 12, 18, 9, 45))
    ids = {"moderation_id": (await d.one(Moderation)).id}
    copies = {k: (await d.sent(kinds.MODERATION_REQUEST, k)).activity_id for k in ("quinn", "qiana", "quincy")}
    body = await d.press("qiana", Verb.MODERATION_REGRADE,
                         {**ids, GRADE: "Requires Improvement", REASON: "Plan was reviewed on time"}, copies["qiana"],
                         AGREED)
    assert "Regraded to Requires Improvement by Qiana Example" in shown(body)
    await deliver(d, utc(2026, 12, 18, 11, 1))
    for key in ("quinn", "quincy"):
        [now_shows] = updated_cards(d, key, copies[key])
        assert "Regraded to Requires Improvement by Qiana Example, Friday 18 December 2026 at 11:00" in now_shows
        assert buttons(now_shows) == 0
    assert len(updated_cards(d, "qiana", copies["qiana"])) == 1  # her own, by the press
    assert await d.grade("CR-1001") == "Requires Improvement"


DIP_CASES = {f"CR-{2000 + n}": utc(2026, 12, 10 + n % 5, 10) for n in range(12)}


@pytest.fixture
async def panel(services, fake_connector, bot_client):
    return await set_up(services, fake_connector, bot_client, DIP_CASES, grade="Good")


async def test_a_dip_sample_item_recorded_updates_the_other_panel_members_copies(panel):
    d = panel
    await deliver(d, utc(2027, 1, 11, 9))  # drawn Monday 11 January (the 10th is a Sunday)
    first = (await d.all(DipSampleItem))[0]
    item = {"item_id": first.id}

    def copy_of(key: str) -> str:
        return next(r.activity_id for r in sent if r.person_id == d.ids[key] and r.idempotency_key.startswith(
            f"{kinds.DIP_SAMPLE}:{first.id}:"))

    sent = [r for r in await rows(d, kinds.DIP_SAMPLE) if r.state == "sent"]
    copies = {k: copy_of(k) for k in ("quinn", "qiana", "hana")}
    at = utc(2027, 1, 11, 11)
    body = await d.press("hana", Verb.DIP_DIFFER, {**item, DIP_GRADE: "Requires Improvement",
                                                   DIP_COMMENT: "Plan drift was not weighed"}, copies["hana"], at)
    assert "Would grade Requires Improvement: Hana Example" in shown(body)
    updates = await rows(d, kinds.DIP_SAMPLE_DECIDED)
    assert sorted((u.person_id, u.payload["replaces"]) for u in updates) == sorted(
        (d.ids[k], copies[k]) for k in ("quinn", "qiana"))

    await deliver(d, utc(2027, 1, 11, 11, 1))
    for key in ("quinn", "qiana"):
        [now_shows] = updated_cards(d, key, copies[key])
        assert "Would grade Requires Improvement: Hana Example, Monday 11 January 2027 at 11:00" in now_shows
        assert buttons(now_shows) == 0
    assert len(updated_cards(d, "hana", copies["hana"])) == 1
    # The other item's copies are untouched.
    others = {r.activity_id for r in sent if not r.idempotency_key.startswith(f"{kinds.DIP_SAMPLE}:{first.id}:")}
    assert others and not [c for c in d.fake.updates() if c.activity_id in others]

    # A press on an updated copy changes nothing.
    again = await d.press("quinn", Verb.DIP_AGREE, item, copies["quinn"], utc(2027, 1, 11, 11, 5))
    assert "Hana Example already recorded" in shown(again)
    assert (await d.one(DipSampleItem, DipSampleItem.id == first.id)).state == "disagreed"
    assert len(await d.events(dip_sample.AGREED, dip_sample.DIFFERED)) == 1
    assert len(await rows(d, kinds.DIP_SAMPLE_DECIDED)) == 2


RAISED = utc(2026, 12, 21, 10)  # Monday 21 December 2026


@pytest.fixture
async def alert_desk(services, fake_connector, bot_client):
    return await set_up(services, fake_connector, bot_client, {})


async def test_a_practice_alert_resolved_updates_every_copy_and_a_digest_keeps_its_other_notices(alert_desk):
    d = alert_desk
    form = {CASE_REF: "CR-9001", TEAM: "Team Alpha", CATEGORY: "Drift or delay",
            DESCRIPTION: "No review of the plan since the conference"}
    await d.press("ira", AlertVerb.RAISE, form, "form", RAISED)
    await deliver(d, utc(2026, 12, 21, 10, 1))
    [alert] = await d.all(Alert)
    ids = {"alert_id": alert.id}
    pam_copy = (await d.sent(kinds.ALERT_NOTICE, "pam")).activity_id
    sam_copy = (await d.sent(kinds.ALERT_NOTICE, "sam")).activity_id

    # Pam responds: Sam's copy shows the response, its buttons still there (the alert is open).
    body = await d.press("pam", AlertVerb.RESPOND, {**ids, RESPONSE: "Review meeting booked"}, pam_copy,
                         utc(2026, 12, 22, 10))
    assert "Review meeting booked" in shown(body)
    await deliver(d, utc(2026, 12, 22, 10, 1))
    [sam_now] = updated_cards(d, "sam", sam_copy)
    assert "Review meeting booked" in sam_now and "Resolved" in sam_now

    # Unresolved for 10 working days (Thursday 7 January): chased to Pam and Sam, and brought to the head of
    # service and the QA unit (no buttons), Quinn's copy in one message with another notice of his (a digest).
    escalated_at = utc(2027, 1, 7, 9)
    async with d.db.sessions.begin() as session:
        session.add(OutboxMessage(idempotency_key="other-notice:quinn", kind="allocation-notice",
                                  person_id=d.ids["quinn"], payload={"text": "Another notice", "summary": "Another",
                                                                     "card": {"type": "AdaptiveCard", "version": "1.5",
                                                                              "body": [{"type": "TextBlock",
                                                                                        "text": "Another notice"}]}},
                                  due_at=escalated_at, next_attempt_at=escalated_at, state="pending", attempts=0,
                                  created_at=escalated_at))
    await deliver(d, escalated_at)
    escalated = {r.person_id: r for r in await rows(d, kinds.ALERT_ESCALATED) if r.state == "sent"}
    quinn_copy = escalated[d.ids["quinn"]].activity_id
    assert len(await sent_rows(d.db, quinn_copy, chat("quinn"), d.ids["quinn"])) == 2  # a digest

    body = await d.press("sam", AlertVerb.RESOLVE, ids, sam_copy, utc(2027, 1, 7, 10))
    assert "Resolved by Sam Example" in shown(body)
    await deliver(d, utc(2027, 1, 7, 10, 1))
    [pam_now] = updated_cards(d, "pam", pam_copy)[-1:]
    assert "Resolved by Sam Example" in pam_now and buttons(pam_now) == 0
    [quinn_now] = updated_cards(d, "quinn", quinn_copy)
    assert "Resolved by Sam Example" in quinn_now and "Another notice" in quinn_now and buttons(quinn_now) == 0
    for key in ("hana", "qiana"):
        [now_shows] = updated_cards(d, key, escalated[d.ids[key]].activity_id)
        assert "Resolved by Sam Example" in now_shows
    # A press on the updated copy changes nothing.
    again = await d.press("pam", AlertVerb.RESOLVE, ids, pam_copy, utc(2027, 1, 7, 11))
    assert "Sam Example marked this alert resolved" in shown(again)


async def test_an_update_sent_and_a_close_update_every_other_copy_of_the_escalation(desk):
    d = desk
    await deliver(d, utc(2026, 12, 18, 9, 45))
    ids = {"moderation_id": (await d.one(Moderation)).id}
    await d.press("quinn", Verb.MODERATION_AGREE, ids, (await d.sent(kinds.MODERATION_REQUEST, "quinn")).activity_id,
                  AGREED)
    await deliver(d, utc(2026, 12, 18, 11, 1))
    esc = {"escalation_id": (await d.escalation()).id}
    leads = {k: (await d.sent(kinds.ESCALATION_NOTICE, k)).activity_id for k in ("sam", "hana")}

    body = await d.press("sam", Verb.UPDATE_SEND, {**esc, UPDATE: "Strategy meeting held; new plan agreed"},
                         leads["sam"], utc(2026, 12, 21, 10))
    assert "sent by Sam Example" in shown(body)
    await deliver(d, utc(2026, 12, 21, 10, 1))
    [hana_now] = updated_cards(d, "hana", leads["hana"])
    assert "Update 1 (due Wednesday 23 December 2026): sent by Sam Example" in hana_now
    assert "Send update 2" in hana_now  # the next one is still owed: its form stays
    assert len(updated_cards(d, "sam", leads["sam"])) == 1  # his own, by the press
    received = {k: (await d.sent(kinds.UPDATE_RECEIVED, k)).activity_id for k in ("quinn", "qiana", "quincy")}
    assert all(r["body"][0]["text"] == "Update 1 received: case CR-1001"
               for r in (c for k in received for call in d.fake.delivered(chat(k)) for c in call.cards
                         if c["body"][0]["text"].startswith("Update 1")))

    body = await d.press("qiana", Verb.CLOSE, esc, received["qiana"], utc(2026, 12, 21, 11))
    assert "Closed by Qiana Example" in shown(body)
    await deliver(d, utc(2026, 12, 21, 11, 1))
    for key in ("quinn", "quincy"):
        [now_shows] = updated_cards(d, key, received[key])
        assert "Closed by Qiana Example, Monday 21 December 2026 at 11:00" in now_shows and buttons(now_shows) == 0
    for key in ("sam", "hana"):
        now_shows = updated_cards(d, key, leads[key])[-1]
        assert "Closed by Qiana Example, Monday 21 December 2026 at 11:00" in now_shows and buttons(now_shows) == 0
    assert len(updated_cards(d, "qiana", received["qiana"])) == 1
    # A press on an updated copy changes nothing.
    again = await d.press("quinn", Verb.MORE, {**esc, MORE_DUE: "2027-01-05"}, received["quinn"],
                          utc(2026, 12, 21, 12))
    assert "already closed by Qiana Example" in shown(again)
    assert [u.state for u in await d.updates()] == ["sent", "withdrawn"]
    assert len(await rows(d, kinds.ESCALATION_QA_UPDATE)) == 2


async def test_a_remedial_action_marked_done_updates_the_plans_other_copies(services, fake_connector, bot_client):
    d = await set_up(services, fake_connector, bot_client, {"CR-1001": utc(2026, 12, 18, 9)})
    await confirm_oversight(d, "CR-1001", utc(2026, 12, 21, 10))
    await deliver(d, utc(2026, 12, 21, 10, 15))
    [plan] = await d.all(RemedialPlan)
    sam_request = (await d.sent(kinds.REMEDIAL_REQUEST, "sam")).activity_id
    await d.press("sam", RemedialVerb.ADD, {"plan_id": plan.id, TEXT: "Plan reviewed with the family network",
                                            TARGET: "2026-12-24", RESPONSIBLE: str(d.ids["pat"])}, sam_request,
                  utc(2026, 12, 21, 11))
    [action] = await d.all(RemedialAction)
    await deliver(d, utc(2026, 12, 24, 9))  # the action's day: to Sam and to Pat, who is responsible
    due = {k: (await d.sent(kinds.REMEDIAL_DUE, k)).activity_id for k in ("sam", "pat")}

    body = await d.press("pat", RemedialVerb.DONE, {"action_id": action.id}, due["pat"], utc(2026, 12, 24, 10))
    assert "Done: Pat Example, Thursday 24 December 2026 at 10:00" in shown(body)
    await deliver(d, utc(2026, 12, 24, 10, 1))
    for activity in (sam_request, due["sam"]):
        now_shows = updated_cards(d, "sam", activity)[-1]
        assert "Done: Pat Example, Thursday 24 December 2026 at 10:00" in now_shows
    assert len(updated_cards(d, "pat", due["pat"])) == 1  # his own, by the press
    again = await d.press("sam", RemedialVerb.DONE, {"action_id": action.id}, due["sam"], utc(2026, 12, 24, 11))
    assert "Pat Example already marked this action done" in shown(again)
    assert len(await d.events(remedial.ACTION_DONE)) == 1
