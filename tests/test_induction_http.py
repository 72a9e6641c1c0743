"""Induction through HTTP and `tick`, on both databases (framework 9.2: "All new staff and managers must receive
an induction ... the staff member must sign off each element in the Induction Plan as it is completed").

The roster comes in on Tuesday 1 December 2026. Ben Cole starts on Tuesday 22 December 2026 (the roster's
start_date): his first week runs to Monday 28 December, Boxing Day's substitute, with Christmas Day on the Friday
before, so the week-1 elements are due by Thursday 24 December. Pia Marsh supervises him and Ana Diaz (no start
date: Pia marks her); Lee Adams, the service lead, supervises Pia; Quinn Avery is the QA unit."""
from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import select

from bot.clock import fixed_clock
from capabilities.context import Context
from capabilities.workforce.cli import status_text
from dialogs.induction_cards import Verb
from qa.calendar import WorkingCalendar
from storage.models import InductionElement, Person, TrailEvent
from storage.roster import import_roster
from tests.support import activities as act
from tests.support import workforce_http
from tests.support.cards import buttons, put_cards
from tests.support.supervision import KEYS, NAMES, ROSTER_COLUMNS, aad, at, roster_rows, write_csv

CAL = WorkingCalendar()


class Service(workforce_http.Service):
    """The workforce HTTP test's desk, with induction's own presses, typed commands and records."""

    def last_card(self, key: str, heading: str) -> dict:
        for call in reversed(self.fake.delivered(act.personal_conversation_id(key))):
            for content in call.cards:
                if heading in json.dumps(content):
                    return content
        raise AssertionError(f"no card with {heading!r} sent to {key}")

    async def say(self, key: str, words: str, now: datetime) -> dict | str:
        """The answer's card, else its text."""
        self.services.clock = fixed_clock(now)
        resp = await self.client.post("/api/messages", json=act.message(
            key, words, service_url=self.fake.url, aad=aad(key), name=NAMES[key]))
        assert resp.status in (200, 201), await resp.text()
        self.received()
        call = self.fake.delivered(act.personal_conversation_id(key))[-1]
        return call.cards[0] if call.cards else call.all_text()

    async def press(self, key: str, verb: str, data: dict, reply_to: str | None, now: datetime) -> dict:
        self.services.clock = fixed_clock(now)
        activity = act.card_action(key, verb, data, service_url=self.fake.url, aad=aad(key), name=NAMES[key])
        if reply_to:
            activity["replyToId"] = reply_to
        resp = await self.client.post("/api/messages", json=activity)
        assert resp.status == 200, await resp.text()
        body = await resp.json()
        assert body["statusCode"] == 200, body
        return body["value"]

    async def elements(self, key: str) -> dict[str, InductionElement]:
        async with self.services.db.sessions() as session:
            rows = (await session.execute(select(InductionElement).where(
                InductionElement.person_id == self.ids[key]))).scalars().all()
        return {r.element_id: r for r in rows}


@pytest.fixture
async def service(services, fake_connector, bot_client, tmp_path) -> Service:
    s = Service(bot_client, fake_connector, services)
    rows = [{**r, "start_date": "2026-12-22" if r["email"].startswith("ben@") else ""} for r in roster_rows()]
    rows = [{**r, "asye_start_date": ""} for r in rows]  # Ben's ASYE is not what this is about
    await import_roster(services.db, write_csv(tmp_path / "roster.csv", [*ROSTER_COLUMNS, "start_date"], rows),
                        at("2026-12-01T09:00"))
    async with services.db.sessions() as session:
        s.ids = {p.email.split("@")[0]: p.id for p in (await session.execute(select(Person))).scalars()}
    services.clock = fixed_clock(at("2026-12-01T10:00"))
    for key in KEYS:
        resp = await bot_client.post("/api/messages", json=act.installation_add(
            key, service_url=fake_connector.url, aad=aad(key), name=NAMES[key]))
        assert resp.status == 201
    s.received()
    return s


async def test_a_new_starter_signs_off_the_manager_confirms_nudges_and_figures(service: Service):
    s = service
    # Monday 21 December: Ben has not started; no plan yet.
    seen = await s.tick(at("2026-12-21T09:00"))
    assert not any(h.startswith("Your induction") for h in seen.get("ben", []))
    # Tuesday 22 December, his first day: his plan, each element with its target date and Done.
    seen = await s.tick(at("2026-12-22T09:00"))
    assert "Your induction: Induction for children's social care" in seen["ben"]
    plan = s.last_card("ben", "Your induction")
    assert "Due by Thursday 24 December 2026" in json.dumps(plan)  # week 1, before Christmas
    organisation = f"n{s.ids['ben']}-organisation"
    assert ("Done", Verb.DONE, {"line": organisation}) in buttons(plan)
    elements = await s.elements("ben")
    assert len(elements) == 8 and str(elements["organisation"].target_on) == "2026-12-24"
    plan_id = await s.sent_id("induction-plan", "ben")

    # Ana may not sign off Ben's element; Ben signs it off and his plan is rebuilt in place.
    refused = await s.press("ana", Verb.DONE, {"line": organisation}, plan_id, at("2026-12-23T10:00"))
    assert "Only the new starter signs off" in json.dumps(refused)
    done = await s.press("ben", Verb.DONE, {"line": organisation}, plan_id, at("2026-12-23T10:05"))
    assert "Signed off on Wednesday 23 December 2026" in json.dumps(done)
    assert ("Done", Verb.DONE, {"line": organisation}) not in buttons(done)
    assert put_cards(s.fake, plan_id)[-1] == done
    again = await s.press("ben", Verb.DONE, {"line": organisation}, plan_id, at("2026-12-23T10:06"))
    assert "already signed this element off" in json.dumps(again)

    # Thursday 24 December: Pia is asked to confirm what Ben signed off, and confirms it in place.
    seen = await s.tick(at("2026-12-24T09:00"))
    assert "Induction to confirm" in seen["pm"]
    to_confirm = s.last_card("pm", "Induction to confirm")
    data = {"line": organisation, "starter_id": s.ids["ben"]}
    assert ("Confirm", Verb.CONFIRM, data) in buttons(to_confirm)
    confirm_id = await s.sent_id("induction-confirm", "pm")
    refused = await s.press("ben", Verb.CONFIRM, data, confirm_id, at("2026-12-24T10:00"))
    assert "Only Ben Cole's manager" in json.dumps(refused)
    confirmed = await s.press("pm", Verb.CONFIRM, data, confirm_id, at("2026-12-24T10:05"))
    assert "Confirmed by Pia Marsh" in json.dumps(confirmed)
    assert put_cards(s.fake, confirm_id)[-1] == confirmed
    assert (await s.elements("ben"))["organisation"].confirmed_by_id == s.ids["pm"]

    # Policies (week 1) is not signed off: Ben is nudged on Tuesday 29 December, the first working day after;
    # Pia five working days later, Wednesday 6 January (New Year's Day skipped); each once.
    seen = await s.tick(at("2026-12-29T09:00"))
    assert "Induction: Policies and procedures" in seen["ben"]
    nudge = s.last_card("ben", "Induction: Policies and procedures")
    assert ("Done", Verb.DONE, {"line": f"n{s.ids['ben']}-policies"}) in buttons(nudge)
    assert "Induction overdue: Ben Cole" not in (await s.tick(at("2027-01-05T09:00"))).get("pm", [])
    seen = await s.tick(at("2027-01-06T09:00"))
    assert seen["pm"].count("Induction overdue: Ben Cole") == 1
    assert "has not signed off Policies and procedures, due by Thursday 24 December 2026" in json.dumps(
        s.last_card("pm", "Induction overdue: Ben Cole"))
    assert "Induction overdue: Ben Cole" not in (await s.tick(at("2027-01-07T09:00"))).get("pm", [])

    # Pia marks Ana, who has no start date on the roster, as a new starter; Ben and Lee may not.
    reply = await s.say("ben", "induction ana@example.gov.uk", at("2027-01-07T10:00"))
    assert "is for people the roster names as someone's supervisor" in json.dumps(reply)
    reply = await s.say("lead", "induction ana@example.gov.uk", at("2027-01-07T10:01"))
    assert "Only Ana Diaz's supervisor can mark them as a new starter" in json.dumps(reply)
    reply = await s.say("pm", "induction nobody@example.gov.uk", at("2027-01-07T10:02"))
    assert "Nobody on the roster has the address nobody@example.gov.uk" in json.dumps(reply)
    reply = await s.say("pm", "induction ana@example.gov.uk.", at("2027-01-07T10:03"))  # typed as a sentence
    assert "Ana Diaz is marked as a new starter" in json.dumps(reply)
    assert len(await s.elements("ana")) == 8
    reply = await s.say("pm", "induction ana@example.gov.uk", at("2027-01-07T10:04"))
    assert "already has an induction plan from Thursday 7 January 2027" in json.dumps(reply)
    seen = await s.tick(at("2027-01-07T10:15"))
    assert "Your induction: Induction for children's social care" in seen["ana"]

    # Ben signs off two more from `my induction`; Pia confirms both with one press from `induction`.
    mine = await s.say("ben", "my induction", at("2027-01-07T11:00"))
    assert "1 of 8 signed off" in json.dumps(mine)
    for element in ("policies", "case_recording"):
        await s.press("ben", Verb.DONE, {"line": f"n{s.ids['ben']}-{element}"}, None, at("2027-01-07T11:05"))
    overview = await s.say("pm", "induction", at("2027-01-07T12:00"))
    assert ("Confirm all 2 signed off", Verb.CONFIRM_ALL, {"starter_id": s.ids["ben"]}) in buttons(overview)
    done = await s.press("pm", Verb.CONFIRM_ALL, {"starter_id": s.ids["ben"]}, None, at("2027-01-07T12:05"))
    assert "Confirmed (2) by Pia Marsh" in json.dumps(done)
    again = await s.press("pm", Verb.CONFIRM_ALL, {"starter_id": s.ids["ben"]}, None, at("2027-01-07T12:06"))
    assert "already confirmed" in json.dumps(again)
    async with s.services.db.sessions() as session:
        trail = (await session.execute(select(TrailEvent.action, TrailEvent.actor_id, TrailEvent.detail).where(
            TrailEvent.action.like("induction_%"), TrailEvent.actor_id.is_not(None)))).all()
    assert ("induction_confirmed", s.ids["pm"], {"elements": 2}) in [tuple(t) for t in trail]
    assert ("induction_marked", s.ids["pm"], {"started_on": "2027-01-07", "elements": 8}) in [tuple(t) for t in trail]

    # Monday 1 February: January's figures per team to the service lead and the QA unit, not to Pia.
    seen = await s.tick(at("2027-02-01T09:00"))
    assert "Induction: January 2027" in seen["lead"] and "Induction: January 2027" in seen["qa"]
    assert "Induction: January 2027" not in seen.get("pm", [])
    figures = json.dumps(s.last_card("qa", "Induction: January 2027"))
    assert "North 1" in figures and "19% (3 of 16 elements)" in figures

    ctx = Context(s.services.db, CAL, lambda: at("2027-02-01T12:00"))
    text = await status_text(ctx, team="North 1")
    assert "North 1 | 2 | 3 of 16 | 0 | " in text
