"""Supervision end to end (issue 11): December 2026 and January 2027 through the real app over HTTP and
`tick` at 09:00 every working day, on both databases, seen from the fake Bot Connector: who gets what,
on which morning, exactly once; recording in one press from the digest (updated in place); a supervisee
recording a session and the supervisor confirming it; refusals; away; the monthly compliance figures.

The service: Pia Marsh (practice manager, team North 1) supervises Ana Diaz and Ben Cole (ASYE from
2 November 2026, so weekly 1:1s until 14 December); Lee Adams (service lead) supervises Pia; Hana Ode
(head of service) supervises Lee. History: Ana's last 1:1 10 November (next due Tuesday 8 December),
Ben's 30 November (due Monday 7 December). Caseload: Ana's CR-1001 last supervised 20 October (due
Tuesday 15 December); CR-1002 exempted by Lee; Ben's CR-2001 first seen 30 November (due 25 January).
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.clock import fixed_clock
from bot.sender import OutboxSender
from bot.tick import tick
from dialogs import card_tree
from dialogs.supervision_cards import AWAY_FROM, AWAY_TO, AWAY_WHO, LineKey, Verb, input_id, plan_input
from qa.calendar import WorkingCalendar
from qa.observations import AREAS
from storage.models import Observation, OutboxMessage, Person, SupervisionSession, TrailEvent
from storage.roster import import_roster
from storage.supervision import import_caseload, import_sessions, set_exemption
from tests.support import activities as act
from tests.support.cards import buttons, put_cards
from tests.support.supervision import (
    CASELOAD_COLUMNS,
    KEYS,
    LEAD,
    NAMES,
    SESSION_COLUMNS,
    aad,
    at,
    write_csv,
    write_roster,
)

CAL = WorkingCalendar()
CARD = "application/vnd.microsoft.card.adaptive"


def line_key(person_id: int, kind: str) -> str:
    """What a supervisee's digest line's buttons carry."""
    return str(LineKey(person_id, kind))


def email(key: str) -> str:
    return f"{key}@example.gov.uk"


def headings(call) -> list[str]:
    found = [node["text"] for node in card_tree.nodes(call.cards)
             if node.get("type") == "TextBlock" and node.get("style") == "heading"]
    return found or [call.text]


class Service:
    def __init__(self, client, fake, services) -> None:
        self.client, self.fake, self.services = client, fake, services
        self.ids: dict[str, int] = {}
        self.mark = 0
        self.texts: dict[tuple[date, str], str] = {}  # (morning, person key) -> what their chat got that morning

    @property
    def db(self):
        return self.services.db

    def at(self, now: datetime) -> None:
        self.services.clock = fixed_clock(now)

    def received(self) -> dict[str, list[list[str]]]:
        calls = self.fake.calls[self.mark:]
        self.mark = len(self.fake.calls)
        owners = {act.personal_conversation_id(k): k for k in KEYS}
        seen: dict[str, list[list[str]]] = {}
        for call in calls:
            if call.method == "POST" and "/activities" in call.path and call.status < 300:
                seen.setdefault(owners[call.conversation_id], []).append(headings(call))
        return seen

    def last_card(self, key: str) -> dict:
        return self.fake.delivered(act.personal_conversation_id(key))[-1].cards[0]

    async def tick(self, now: datetime) -> dict[str, list[list[str]]]:
        self.at(now)
        report = await tick(self.services, now, wait_retries=0)
        assert report.sweep.failed == []
        return self.received()

    async def mornings(self, first: date, last: date) -> dict[date, dict[str, list[list[str]]]]:
        """Tick at 09:00 on every working day from `first` to `last`; what each morning brought."""
        out, day = {}, first
        while day <= last:
            if CAL.is_working_day(day):
                seen = await self.tick(CAL.at_send_time(day))
                if seen:
                    out[day] = seen
                for key, messages in seen.items():
                    got = self.fake.delivered(act.personal_conversation_id(key))[-len(messages):]
                    self.texts[(day, key)] = " ".join(m.all_text() for m in got)
            day += timedelta(days=1)
        return out

    async def deliver(self) -> dict[str, list[list[str]]]:
        """What the outbox sends now (as the served app's sender would, straight after a press)."""
        await OutboxSender(self.services).deliver_due(self.services.clock(), wait_retries=0)
        return self.received()

    async def post(self, activity: dict, status: int = 200) -> dict:
        resp = await self.client.post("/api/messages", json=activity)
        assert resp.status == status, await resp.text()
        return await resp.json() if resp.content_type == "application/json" else {}

    async def press(self, key: str, verb: str, data: dict, reply_to: str, now: datetime) -> dict:
        self.at(now)
        activity = act.card_action(key, verb, data, service_url=self.fake.url, aad=aad(key), name=NAMES[key])
        activity["replyToId"] = reply_to
        body = await self.post(activity)
        assert body["statusCode"] == 200, body
        return body

    async def say(self, key: str, words: str, now: datetime) -> dict:
        self.at(now)
        await self.post(act.message(key, words, service_url=self.fake.url, aad=aad(key), name=NAMES[key]), 201)
        return self.last_card(key)

    async def sent_id(self, kind: str, key: str) -> str:
        async with self.db.sessions() as session:
            row = (await session.execute(select(OutboxMessage).where(
                OutboxMessage.kind == kind, OutboxMessage.person_id == self.ids[key], OutboxMessage.state == "sent")
                .order_by(OutboxMessage.id.desc()))).scalars().first()
        assert row is not None and row.activity_id
        return row.activity_id

    async def sessions(self) -> list[SupervisionSession]:
        async with self.db.sessions() as session:
            return list((await session.execute(select(SupervisionSession).order_by(SupervisionSession.id))).scalars())


@pytest.fixture
async def service(services, fake_connector, bot_client, tmp_path) -> Service:
    s = Service(bot_client, fake_connector, services)
    await import_roster(services.db, write_roster(tmp_path / "roster.csv"), at("2026-11-02T09:00"))
    async with services.db.sessions() as session:
        s.ids = {p.email.split("@")[0]: p.id for p in (await session.execute(select(Person))).scalars()}
    s.at(at("2026-11-30T10:00"))
    for key in KEYS:
        await s.post(act.installation_add(key, service_url=fake_connector.url, aad=aad(key), name=NAMES[key]), 201)
    s.received()
    history = [[email("pm"), email("lead"), "one_to_one", "2026-11-30", "90", ""],
               [email("pm"), email("lead"), "agreement_review", "2026-11-30", "30", ""],
               [email("lead"), email("hos"), "one_to_one", "2026-11-30", "90", ""],
               [email("lead"), email("hos"), "agreement_review", "2026-11-30", "30", ""],
               [email("ana"), email("pm"), "one_to_one", "2026-11-10", "90", ""],
               [email("ana"), email("pm"), "agreement_review", "2026-11-10", "30", ""],
               [email("ben"), email("pm"), "one_to_one", "2026-11-30", "90", ""],
               [email("ben"), email("pm"), "agreement_review", "2026-11-20", "30", ""],
               [email("ben"), email("pm"), "group", "2026-11-25", "90", ""]]
    now = at("2026-11-30T12:00")
    await import_sessions(services.db, write_csv(tmp_path / "h.csv", SESSION_COLUMNS, history), now, CAL.tz)
    caseload = [["CR-1001", email("ana"), "2026-10-20"], ["CR-1002", email("ana"), "2026-10-20"],
                ["CR-2001", email("ben"), ""]]
    await import_caseload(services.db, write_csv(tmp_path / "c.csv", CASELOAD_COLUMNS, caseload), now, CAL.tz)
    assert await set_exemption(services.db, "CR-1002", LEAD, now)
    return s


async def test_two_months_of_supervision_as_each_chat_sees_them(service: Service):
    s = service
    # -- 1 December: November's compliance to the service lead, the QA unit and the PSW; nothing due yet.
    first = await s.mornings(date(2026, 12, 1), date(2026, 12, 4))
    # With the workforce duties' messages of the day (capabilities/workforce: the ASYE cohort, and the Social Work
    # England renewal period closed on 30 November: managers told who has not confirmed), in one digest each.
    assert first[date(2026, 12, 1)] == {
        "qa": [["Supervision compliance: November 2026"]],
        "lead": [["You have 2 updates", "Supervision compliance: November 2026",
                  "Social Work England renewal 2026: not yet confirmed"]],
        "psw": [["You have 3 updates", "Supervision compliance: November 2026", "ASYE cohort",
                 "Social Work England renewal 2026: by team"]],
        "hos": [["Social Work England renewal 2026: not yet confirmed"]],
        "pm": [["Social Work England renewal 2026: not yet confirmed"]]}
    november = _facts(s, "qa")
    assert "Supervisees: 3 1:1 in date: 100% (3 of 3) Last 1:1 of 90 minutes or more:" in november  # North 1
    assert "Group supervision held: yes" in november
    assert date(2026, 12, 2) not in first
    # Ben's 1:1 is due Monday 7th: within two working days from Thursday 3rd; Ana's (8th) from Friday 4th.
    assert first[date(2026, 12, 3)] == {"pm": [["Supervision due"]]}
    assert "Ben Cole" in _text(s, "pm", date(2026, 12, 3)) and "Ana Diaz" not in _text(s, "pm", date(2026, 12, 3))
    # Friday 4th is the working day before Ben's 1:1: his note.
    assert first[date(2026, 12, 4)] == {"pm": [["Supervision due"]], "ben": [["Your supervision is due"]]}
    assert "Ana Diaz" in _text(s, "pm", date(2026, 12, 4))

    # -- Monday 7 December: Pia's digest (Ben due today, Ana due tomorrow); Ana's note the day before hers.
    dec7 = await s.tick(at("2026-12-07T09:00"))
    assert dec7 == {"pm": [["Supervision due"]], "ana": [["Your supervision is due"]]}
    digest = s.last_card("pm")
    text = json.dumps(digest, ensure_ascii=False)
    assert "1:1 supervision (ASYE): due today" in text
    assert "1:1 supervision: due Tuesday 8 December 2026" in text
    assert "CR-1001" not in text  # due the 15th: not within two working days
    ben_line, ana_line = line_key(s.ids["ben"], "one_to_one"), line_key(s.ids["ana"], "one_to_one")
    assert ("Record supervision", Verb.RECORD_OPEN, {"line": ben_line}) in buttons(digest)
    digest_id = await s.sent_id("supervision-digest", "pm")

    # One press opens the form in place of Ben's line; the rest of the digest stays.
    opened = await s.press("pm", Verb.RECORD_OPEN, {"line": ben_line}, digest_id, at("2026-12-07T11:00"))
    form = opened["value"]
    assert put_cards(s.fake, digest_id) == [form]
    inputs = {e["id"]: e for e in card_tree.nodes(form) if e.get("type", "").startswith("Input.")}
    assert inputs[input_id("held", ben_line)]["value"] == "2026-12-07"
    # The duration is optional and not pre-filled: a guess would count as the standard length (9.1).
    assert "value" not in inputs[input_id("minutes", ben_line)]
    assert not inputs[input_id("minutes", ben_line)].get("isRequired")
    assert ("Record supervision", Verb.RECORD_OPEN, {"line": ana_line}) in buttons(form)

    # A future date is refused with a clear message, nothing recorded.
    data = {"line": ben_line, input_id("held", ben_line): "2026-12-08", input_id("kind", ben_line): "one_to_one",
            input_id("minutes", ben_line): "75"}
    refused = await s.press("pm", Verb.RECORD, data, digest_id, at("2026-12-07T11:01"))
    assert "2026-12-08 is in the future" in json.dumps(refused["value"])
    assert len(await s.sessions()) == 9
    # Today: recorded; the line says so with the next due date (weekly: ASYE's first six weeks).
    data[input_id("held", ben_line)] = "2026-12-07"
    done = await s.press("pm", Verb.RECORD, data, digest_id, at("2026-12-07T11:02"))
    shown = json.dumps(done["value"], ensure_ascii=False)
    assert "Recorded: 1:1 supervision on Monday 7 December 2026 (75 minutes). Next due Monday 14 December 2026." \
        in shown
    assert put_cards(s.fake, digest_id)[-1] == done["value"]
    assert await s.deliver() == {"ben": [["Supervision recorded"]]}
    assert "Next due: Monday 14 December 2026" in _facts(s, "ben")
    assert ("Record supervision", Verb.RECORD_OPEN, {"line": ana_line}) in buttons(done["value"])
    # The same day and kind again is refused.
    again = await s.press("pm", Verb.RECORD_OPEN, {"line": ben_line}, "elsewhere", at("2026-12-07T11:03"))
    again = await s.press("pm", Verb.RECORD, data, "elsewhere", at("2026-12-07T11:03"))
    assert "is already recorded" in json.dumps(again["value"])
    # Someone else's supervisee: refused politely, nothing recorded.
    other = await s.press("ana", Verb.RECORD, {**data}, "elsewhere", at("2026-12-07T11:04"))
    assert "Only their supervisor" in json.dumps(other["value"])
    recorded = [x for x in await s.sessions() if x.held_on == date(2026, 12, 7)]
    assert [(x.kind, x.duration_minutes, x.state, x.recorded_by_id) for x in recorded] == [
        ("one_to_one", 75, "recorded", s.ids["pm"])]

    # Ana records from her note that her 1:1 took place; Pia confirms it.
    note_id = await s.sent_id("supervision-reminder", "ana")
    await s.press("ana", Verb.RECORD_OPEN, {"line": ana_line}, note_id, at("2026-12-07T15:00"))
    ana_data = {"line": ana_line, input_id("held", ana_line): "2026-12-07",
                input_id("kind", ana_line): "one_to_one", input_id("minutes", ana_line): "90"}
    waiting = await s.press("ana", Verb.RECORD, ana_data, note_id, at("2026-12-07T15:01"))
    assert "waiting for Pia Marsh to confirm" in json.dumps(waiting["value"])
    assert await s.deliver() == {"pm": [["Confirm supervision: Ana Diaz"]]}
    confirm_card = s.last_card("pm")
    [(title, verb, ids)] = buttons(confirm_card)
    confirmed = await s.press("pm", verb, ids, await s.sent_id("supervision-confirm", "pm"), at("2026-12-07T16:00"))
    assert "Confirmed by Pia Marsh" in json.dumps(confirmed["value"])
    assert [x.state for x in await s.sessions() if x.held_on == date(2026, 12, 7)] == ["recorded", "recorded"]

    # -- Ana away 10 to 18 December (marked by Pia): her case supervision (due 15th) waits for her return.
    away_card = await s.say("pm", "away", at("2026-12-08T10:00"))
    assert away_card["body"][0]["text"] == "Away from supervision"
    marked = await s.press("pm", Verb.AWAY, {"person_id": s.ids["pm"], AWAY_WHO: str(s.ids["ana"]),
                                             AWAY_FROM: "2026-12-10", AWAY_TO: "2026-12-18"},
                           "away-card", at("2026-12-08T10:01"))
    assert "Recorded: Ana Diaz is away 2026-12-10 to 2026-12-18" in json.dumps(marked["value"])
    s.received()

    mid = await s.mornings(date(2026, 12, 8), date(2026, 12, 23))
    # Ben: weekly until the 14th, then fortnightly; none recorded after the 7th, so due 14th, overdue after.
    assert mid[date(2026, 12, 10)] == {"pm": [["Supervision due"]]}  # Ben due the 14th (soon)
    assert date(2026, 12, 11) in mid and "Ana Diaz" not in _text(s, "pm", date(2026, 12, 11))
    # Ana back on the 21st: her case supervision, overdue since the 15th, is in that morning's digest.
    assert "Case supervision: overdue since Tuesday 15 December 2026 (1 case: CR-1001)" in _text(s, "pm", date(2026, 12, 21))
    # Five working days after Ben's 1:1 was due (14th): one notice to Pia's supervisor, Lee, on the 21st.
    assert "Supervision overdue: Ben Cole" in _heads(mid, date(2026, 12, 21), "lead")
    # Ana's case supervision (due 15th; she was away): Lee hears on the 22nd, once.
    assert "Supervision overdue: Ana Diaz" in _heads(mid, date(2026, 12, 22), "lead")
    # Once each: no other morning brings Lee a notice about them.
    notices = [(d, h) for d in mid for h in _heads(mid, d, "lead") if h.startswith("Supervision overdue")]
    assert notices == [(date(2026, 12, 21), "Supervision overdue: Ben Cole"),
                       (date(2026, 12, 22), "Supervision overdue: Ana Diaz")]
    # Lee's own supervisee, Pia, is due on Christmas Eve (28 days after 30 November is the 28th, a bank holiday).
    assert "1:1 supervision: due Thursday 24 December 2026" in _text(s, "lead", date(2026, 12, 22))
    # Ana's note came the day before each 1:1 due; her next after 7 December is due 4 January.
    assert all("ana" not in seen for seen in mid.values())
    # Pia heard every working morning from the 10th that something was due, once a morning.
    assert all(len(seen.get("pm", [])) <= 1 for seen in mid.values())

    # -- Pia away 4 to 22 January (15 working days): her supervisees' digests go to Lee instead.
    await s.say("pm", "away", at("2026-12-23T10:00"))
    await s.press("pm", Verb.AWAY, {"person_id": s.ids["pm"], AWAY_WHO: str(s.ids["pm"]),
                                    AWAY_FROM: "2027-01-04", AWAY_TO: "2027-01-22"}, "away-card",
                  at("2026-12-23T10:01"))
    s.received()
    january = await s.mornings(date(2026, 12, 24), date(2027, 1, 29))
    # 4 January: December's figures, and Pia's digest to Lee.
    assert january[date(2027, 1, 4)]["qa"] == [["Supervision compliance: December 2026"]]
    assert january[date(2027, 1, 4)]["lead"] == [["You have 2 updates", "Supervision due for Pia Marsh's team",
                                                  "Supervision compliance: December 2026"]]
    assert all("pm" not in seen for d, seen in january.items() if date(2027, 1, 4) <= d <= date(2027, 1, 22))
    assert "pm" in january[date(2027, 1, 25)]  # back: her own digest again
    december = _text(s, "qa", date(2027, 1, 4))
    assert "Group supervision held" in december and "no" in december
    # The month's last days: Pia's team's group supervision is due by Friday 29 January.
    group = line_key(s.ids["pm"], "group")
    last = s.last_card("pm")
    assert ("Record supervision", Verb.RECORD_OPEN, {"line": group}) in buttons(last)
    pia_digest = await s.sent_id("supervision-digest", "pm")
    await s.press("pm", Verb.RECORD_OPEN, {"line": group}, pia_digest, at("2027-01-29T10:00"))
    held = await s.press("pm", Verb.RECORD, {"line": group, input_id("held", group): "2027-01-28",
                                             input_id("minutes", group): "90"}, pia_digest, at("2027-01-29T10:01"))
    assert "Recorded: Group reflective supervision on Thursday 28 January 2027" in json.dumps(held["value"])

    # -- 1 February: January's figures; group supervision held. Everything once: no duplicate keys sent.
    feb = await s.mornings(date(2027, 2, 1), date(2027, 2, 1))
    assert feb[date(2027, 2, 1)]["psw"] == [["You have 2 updates", "Supervision compliance: January 2027", "ASYE cohort"]]
    assert "Group supervision held: yes" in _facts(s, "psw")
    async with s.db.sessions() as session:
        rows = (await session.execute(select(OutboxMessage).where(OutboxMessage.kind == "supervision-overdue")
                                      .order_by(OutboxMessage.id))).scalars().all()
        trail = (await session.execute(select(TrailEvent.action, TrailEvent.detail)
                                       .where(TrailEvent.action == "supervision_recorded"))).all()
    who = {v: k for k, v in s.ids.items()}
    # (to whom, written on, the key's supervisee, kind and due date): each once, on its morning. Pia's own 1:1
    # (due 24 December, five working days on is 5 January) waits until she is back on 25 January.
    assert [(who[r.person_id], CAL.local_date(r.created_at), r.idempotency_key.split(":", 1)[1]) for r in rows] == [
        ("lead", date(2026, 12, 21), f"{s.ids['ben']}:one_to_one:2026-12-14"),
        ("lead", date(2026, 12, 22), f"{s.ids['ana']}:case:2026-12-15"),
        ("lead", date(2027, 1, 11), f"{s.ids['ana']}:one_to_one:2027-01-04"),
        ("hos", date(2027, 1, 25), f"{s.ids['pm']}:one_to_one:2026-12-24"),
        ("lead", date(2027, 2, 1), f"{s.ids['ben']}:case:2027-01-25"),
    ]
    assert all(r.state == "sent" for r in rows)
    assert all(set(d) == {"kind", "minutes", "cases", "by_supervisee", "days_ago", "plans_reviewed"} for _a, d in trail)


def _heads(mornings: dict, day: date, key: str) -> list[str]:
    return [h for message in mornings.get(day, {}).get(key, []) for h in message]


def _text(s: Service, key: str, day: date) -> str:
    return s.texts.get((day, key), "")


def _facts(s: Service, key: str) -> str:
    card = s.last_card(key)
    return " ".join(f"{f['title']}: {f['value']}" for e in card_tree.nodes(card) if e.get("type") == "FactSet"
                    for f in e["facts"])


async def test_supervision_and_my_supervision_commands(service: Service):
    s = service
    overview = await s.say("pm", "supervision", at("2026-12-07T10:00"))
    text = json.dumps(overview, ensure_ascii=False)
    assert overview["body"][0]["text"] == "Your supervisees' supervision"
    assert "Ana Diaz" in text and "Ben Cole" in text and "1:1 supervision (ASYE)" in text
    assert ("Record supervision", Verb.RECORD_OPEN, {"line": line_key(s.ids["ana"], "one_to_one")}) \
        in buttons(overview)
    mine = await s.say("ana", "my supervision", at("2026-12-07T10:01"))
    assert mine["body"][0]["text"] == "Your supervision"
    assert "Your supervisor: Pia Marsh" in json.dumps(mine)
    assert "1:1 supervision: due Tuesday 8 December 2026" in _facts_text(mine)
    # Someone the roster names as nobody's supervisor is told in one sentence whom the command is for.
    s.at(at("2026-12-07T10:02"))
    await s.post(act.message("ana", "supervision", service_url=s.fake.url, aad=aad("ana"), name=NAMES["ana"]), 201)
    told = s.fake.delivered(act.personal_conversation_id("ana"))[-1]
    assert told.text == ('"supervision" is for people the roster names as someone\'s supervisor; '
                         '"help" shows what I can do for you.') and not told.cards
    # Pressed on the command's card (not a message the bot can rebuild), the form comes as a card of its own.
    line = line_key(s.ids["ana"], "one_to_one")
    opened = await s.press("pm", Verb.RECORD_OPEN, {"line": line}, "command-card", at("2026-12-07T10:03"))
    assert opened["value"]["body"][0]["text"] == "Record supervision: Ana Diaz"
    # Someone else's supervisee's form is not shown.
    refused = await s.press("ben", Verb.RECORD_OPEN, {"line": line}, "command-card", at("2026-12-07T10:04"))
    assert "Only their supervisor" in json.dumps(refused["value"])


def _facts_text(card: dict) -> str:
    return " ".join(f"{f['title']}: {f['value']}" for e in card_tree.nodes(card) if e.get("type") == "FactSet"
                    for f in e["facts"])


# ---------------------------------------------------------------- observation action plans (issue 12 item 2)


async def _observe(s: Service, observer: str, supervisee: str, on: date) -> int:
    async with s.db.sessions.begin() as session:
        row = Observation(observer_id=s.ids[observer], supervisee_id=s.ids[supervisee], observed_on=on,
                          area=AREAS[0], went_well="w", to_develop="d", actions=["a"], created_at=at("2026-12-02T12:00"))
        session.add(row)
        await session.flush()
        return row.id


async def test_an_observation_action_plan_is_carried_into_the_next_1to1(service: Service):
    s = service
    ana_obs = await _observe(s, "pm", "ana", date(2026, 12, 1))
    ben_obs = await _observe(s, "pm", "ben", date(2026, 12, 2))
    ana_words = "Review the observation action plan of Tuesday 1 December 2026"
    ben_words = "Review the observation action plan of Wednesday 2 December 2026"
    first = await s.mornings(date(2026, 12, 1), date(2026, 12, 4))
    # An open plan alone brings no digest: it goes with the supervisee's 1:1 line.
    assert date(2026, 12, 2) not in first
    assert ben_words in _text(s, "pm", date(2026, 12, 3)) and ana_words not in _text(s, "pm", date(2026, 12, 3))
    assert ben_words in _text(s, "pm", date(2026, 12, 4)) and ana_words in _text(s, "pm", date(2026, 12, 4))

    assert await s.tick(at("2026-12-07T09:00")) == {"pm": [["Supervision due"]], "ana": [["Your supervision is due"]]}
    digest = s.last_card("pm")
    assert ben_words in json.dumps(digest) and ana_words in json.dumps(digest)
    digest_id = await s.sent_id("supervision-digest", "pm")
    ben_line = line_key(s.ids["ben"], "one_to_one")
    opened = (await s.press("pm", Verb.RECORD_OPEN, {"line": ben_line}, digest_id, at("2026-12-07T11:00")))["value"]
    toggle = plan_input(date(2026, 12, 2), ben_line)
    [shown] = [e for e in card_tree.nodes(opened) if e.get("id") == toggle]
    assert (shown["type"], shown["title"]) == ("Input.Toggle", "Observation action plan of Wednesday 2 December 2026 "
                                                                "reviewed")
    data = {"line": ben_line, input_id("held", ben_line): "2026-12-07", input_id("minutes", ben_line): "90",
            input_id("kind", ben_line): "agreement_review", toggle: "true"}
    # Ticked on another kind of supervision: refused, nothing recorded or reviewed.
    refused = await s.press("pm", Verb.RECORD, data, digest_id, at("2026-12-07T11:01"))
    assert "An observation action plan is reviewed in a 1:1" in json.dumps(refused["value"])
    # Ticked on a 1:1 held before the observation: refused.
    early = {**data, input_id("kind", ben_line): "one_to_one", input_id("held", ben_line): "2026-12-01"}
    refused = await s.press("pm", Verb.RECORD, early, digest_id, at("2026-12-07T11:02"))
    assert "The observation of 2026-12-02 was after this session" in json.dumps(refused["value"])
    assert len(await s.sessions()) == 9
    async with s.db.sessions() as session:
        assert (await session.get(Observation, ben_obs)).plan_reviewed_at is None

    done = await s.press("pm", Verb.RECORD, {**data, input_id("kind", ben_line): "one_to_one"}, digest_id,
                         at("2026-12-07T11:03"))
    assert "Observation action plan reviewed. Next due Monday 14 December 2026." in json.dumps(done["value"])
    # The digest's line about Ben's plan now says it was reviewed; Ana's stays.
    assert ben_words not in json.dumps(done["value"]) and ana_words in json.dumps(done["value"])
    assert "Observation action plan of Wednesday 2 December 2026 reviewed" in [
        e.get("text") for e in card_tree.nodes(done["value"]) if e.get("type") == "TextBlock"]
    assert put_cards(s.fake, digest_id)[-1] == done["value"]
    [ben_session] = [x for x in await s.sessions() if x.held_on == date(2026, 12, 7)]
    assert (ben_session.kind, ben_session.reviewed_observation) == ("one_to_one", True)
    async with s.db.sessions() as session:
        ben_row, ana_row = await session.get(Observation, ben_obs), await session.get(Observation, ana_obs)
        assert (ben_row.plan_reviewed_at is not None, ben_row.plan_reviewed_by_id) == (True, s.ids["pm"])
        assert ana_row.plan_reviewed_at is None
        trail = (await session.execute(select(TrailEvent).where(
            TrailEvent.action == "supervision_recorded", TrailEvent.subject_id == ben_session.id))).scalar_one()
        assert trail.detail["plans_reviewed"] == 1

    # Ana records her own 1:1 from her note: no action-plan toggle for her (reviewing it is her supervisor's).
    ana_line = line_key(s.ids["ana"], "one_to_one")
    note_id = await s.sent_id("supervision-reminder", "ana")
    own = (await s.press("ana", Verb.RECORD_OPEN, {"line": ana_line}, note_id, at("2026-12-07T15:00")))["value"]
    assert [e for e in card_tree.nodes(own) if e.get("type") == "Input.Toggle"] == []
    # Pia records Ana's 1:1 without ticking it: the plan stays open.
    ana_data = {"line": ana_line, input_id("held", ana_line): "2026-12-08", input_id("kind", ana_line): "one_to_one",
                input_id("minutes", ana_line): "90", plan_input(date(2026, 12, 1), ana_line): "false"}
    await s.press("pm", Verb.RECORD, ana_data, "elsewhere", at("2026-12-08T10:00"))
    assert [x.reviewed_observation for x in await s.sessions() if x.held_on == date(2026, 12, 8)] == [False]

    # Ben's next 1:1 (the 14th) comes without his reviewed plan; Ana's next (5 January) still carries hers.
    later = await s.mornings(date(2026, 12, 9), date(2026, 12, 14))
    assert "Ben Cole" in _text(s, "pm", date(2026, 12, 10)) and ben_words not in _text(s, "pm", date(2026, 12, 10))
    assert all(ana_words not in _text(s, "pm", day) for day in later)  # no 1:1 of hers due: no line
    await s.tick(at("2027-01-04T09:00"))
    assert ana_words in json.dumps(s.last_card("pm")) and ben_words not in json.dumps(s.last_card("pm"))
