"""Personal development plans and the training needs analysis through HTTP and `tick`, on both databases
(framework 9.2), with tests/test_workforce_http.py's service: Pia Marsh manages Ana Diaz and Ben Cole (North 1),
Lee Adams manages Pia; Quinn Avery is the QA unit, Priya Shah the principal social worker. Everyone came on record
on Monday 2 November 2026, so appraisals are due Tuesday 2 November 2027.

Pia records Ana's appraisal as held on Friday 29 October 2027 and the PDP form follows; she saves its topics
(after a note with a postcode is refused), opens it again with `pdp`; the principal social worker asks for the
training needs analysis and the renewal figures; on Tuesday 7 December 2027 (after November) the quarterly
analysis goes to the QA unit and the principal social worker with its workbook offered."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from bot.clock import fixed_clock
from dialogs import card_tree
from dialogs.pdp_cards import NOTE_INPUT, TOPICS_INPUT, Verb
from dialogs.report_cards import FILE_CONSENT
from storage.models import OutboxMessage, PdpPlan, TrailEvent
from tests.support import activities as act
from tests.support.cards import buttons
from tests.support.supervision import NAMES, aad, at
from tests.support.workforce_http import Service, service  # noqa: F401, F811 - service is a fixture

PDP = "Personal development plan: Ana Diaz"


def card_text(card) -> str:
    return json.dumps(card, ensure_ascii=False)


async def type_(s: Service, key: str, text: str, now) -> list:
    """What the bot answered in `key`'s chat to the message typed (the calls since)."""
    s.services.clock = fixed_clock(now)
    mark = len(s.fake.calls)
    resp = await s.client.post("/api/messages", json=act.message(key, text, service_url=s.fake.url, aad=aad(key),
                                                                 name=NAMES[key]))
    assert resp.status in (200, 201), await resp.text()
    s.mark = len(s.fake.calls)
    return [c for c in s.fake.calls[mark:] if c.method == "POST" and c.status < 300]


def choice_set(card) -> dict:
    [found] = [n for n in card_tree.nodes(card) if n.get("type") == "Input.ChoiceSet"]
    return found


async def test_a_pdp_from_held_today_to_the_training_needs_analysis(service: Service):  # noqa: F811
    s = service
    await s.tick(at("2027-10-29T09:00"))
    ana_line = f"y{s.ids['ana']}-appraisal"
    digest_id = await s.sent_id("supervision-digest", "pm")
    done = await s.press("pm", {"line": ana_line}, digest_id, at("2027-10-29T11:00"), verb="workforce.appraisal_held")
    assert "Annual appraisal held on Friday 29 October 2027: recorded." in card_text(done)
    # The PDP form follows in Pia's chat: the council's topics (the default list), nothing chosen yet.
    form = s.last_card("pm")
    assert PDP in card_text(form) and "Appraisal held Friday 29 October 2027" in card_text(form)
    topics = choice_set(form)
    assert topics["isMultiSelect"] is True and topics["value"] == ""
    assert {"title": "Motivational interviewing (Practice framework)", "value": "motivational_interviewing"} \
        in topics["choices"]
    save = {"person_id": s.ids["ana"], "month": "2027-10"}
    assert ("Save the plan", Verb.SAVE, save) in buttons(form)
    form_id = s.fake.delivered(act.personal_conversation_id("pm"))[-1].activity_id or digest_id

    # Ana may not save her own plan; a note with a postcode is refused and nothing is kept.
    refused = await s.press("ana", {**save, TOPICS_INPUT: "smart_planning"}, form_id, at("2027-10-29T11:05"),
                            verb=Verb.SAVE)
    assert "Only Ana Diaz's manager" in card_text(refused)
    postcode = await s.press("pm", {**save, TOPICS_INPUT: "smart_planning,chronologies",
                                    NOTE_INPUT: "Court skills course at SO14 7DU"}, form_id, at("2027-10-29T11:10"),
                             verb=Verb.SAVE)
    assert "contains a postcode" in card_text(postcode) and "Nothing was saved." in card_text(postcode)
    assert choice_set(postcode)["value"] == "chronologies,smart_planning"  # what was typed is kept on the form
    gone = await s.press("pm", {**save, TOPICS_INPUT: "smart_planning,knitting"}, form_id, at("2027-10-29T11:12"),
                         verb=Verb.SAVE)
    assert "knitting is not on the council's list of learning topics any more. Nothing was saved." in card_text(gone)
    async with s.services.db.sessions() as session:
        assert (await session.execute(select(PdpPlan))).scalars().all() == []

    saved = await s.press("pm", {**save, TOPICS_INPUT: "smart_planning,chronologies",
                                 NOTE_INPUT: "Court skills refresher"}, form_id, at("2027-10-29T11:15"), verb=Verb.SAVE)
    assert "Saved for Ana Diaz: Chronologies and case summaries; SMART planning and reviewing plans and another " \
           "learning need." in card_text(saved)
    stale = await s.press("pm", {**save, "month": "2026-10", TOPICS_INPUT: "court_skills"}, form_id,
                          at("2027-10-29T11:20"), verb=Verb.SAVE)
    assert "A later appraisal is recorded for Ana Diaz" in card_text(stale)
    async with s.services.db.sessions() as session:
        [plan] = (await session.execute(select(PdpPlan))).scalars().all()
        [trail] = (await session.execute(select(TrailEvent).where(TrailEvent.action == "pdp_recorded"))).scalars().all()
    assert (plan.person_id, plan.appraisal_on, plan.topics, plan.note, plan.recorded_by_id) == (
        s.ids["ana"], date(2027, 10, 29), ["chronologies", "smart_planning"], "Court skills refresher", s.ids["pm"])
    assert (trail.actor_id, trail.subject_id, trail.detail) == (
        s.ids["pm"], s.ids["ana"], {"appraisal_on": "2027-10-29", "topics": 2, "note": True})

    # Later: `pdp <email>` opens it again with what was saved; Ben manages nobody, so it is not his to type.
    answered = await type_(s, "pm", "pdp ana@example.gov.uk", at("2027-11-01T10:00"))
    [reopened] = [c for call in answered for c in call.cards if PDP in card_text(c)]
    assert choice_set(reopened)["value"] == "chronologies,smart_planning"
    assert "Court skills refresher" in card_text(reopened)
    answered = await type_(s, "pm", "pdp somebody@example.gov.uk", at("2027-11-01T10:01"))
    assert "Nobody on the roster has the email somebody@example.gov.uk" in card_text([c.body for c in answered])
    answered = await type_(s, "ben", "pdp ana@example.gov.uk", at("2027-11-01T10:02"))
    assert PDP not in card_text([c.body for c in answered])
    assert "supervisor" in card_text([c.body for c in answered])

    # The principal social worker: the analysis in chat, then its workbook through the file consent card.
    answered = await type_(s, "psw", "training needs", at("2027-11-01T10:05"))
    [tna] = [c for call in answered for c in call.cards if "Training needs analysis" in card_text(c)]
    assert "1 current personal development plan (appraisals in the last twelve months) of 4 staff" in card_text(tna)
    assert {"title": "SMART planning and reviewing plans", "value": "1 plan"} in [
        f for n in card_tree.nodes(tna) if n.get("type") == "FactSet" for f in n["facts"]]
    assert ("Send me the workbook", Verb.SEND_TNA, {}) in buttons(tna)
    sent = await s.press("psw", {}, "a-typed-answer", at("2027-11-01T10:06"), verb=Verb.SEND_TNA)
    assert "press Allow on the file card" in card_text(sent)
    offers = [a for call in s.fake.delivered(act.personal_conversation_id("psw"))
              for a in (call.body or {}).get("attachments", []) if a.get("contentType") == FILE_CONSENT]
    assert [o["name"] for o in offers] == ["training-needs-2027-11-01.xlsx"]
    assert offers[0]["content"]["acceptContext"]["offer"] == "training-needs"  # and the bot's signature
    answered = await type_(s, "ana", "training needs", at("2027-11-01T10:07"))
    assert "principal social worker" in card_text([c.body for c in answered])  # who it is for ...
    assert "Send me the workbook" not in card_text([c.body for c in answered])  # ... and no button

    # `registration`: this year's renewal by team (nobody confirmed in this test).
    answered = await type_(s, "psw", "registration", at("2027-11-01T10:08"))
    assert "Social Work England renewal 2027: by team" in card_text([c.body for c in answered])
    assert "0 of 3 renewed, CPD recorded; 3 not yet" in card_text([c.body for c in answered])

    # Tuesday 7 December (after November): the quarterly analysis, with the workbook offered, to QA and the PSW.
    await s.tick(at("2027-12-07T09:00"))
    async with s.services.db.sessions() as session:
        rows = (await session.execute(select(OutboxMessage).where(
            OutboxMessage.kind == "training-needs-analysis", OutboxMessage.idempotency_key.like("training-needs-analysis:%"))
        )).scalars().all()
    assert sorted((r.person_id, r.idempotency_key) for r in rows) == sorted(
        (s.ids[k], f"training-needs-analysis:2027-11:{s.ids[k]}") for k in ("qa", "psw"))
    quarterly = rows[0].payload
    assert [a["content"]["acceptContext"] for a in quarterly["attachments"]] == [
        {"offer": "training-needs", "month": "2027-11"}]
    assert "Key areas graded weakest, September 2027 to November 2027" in card_text(quarterly["card"])
