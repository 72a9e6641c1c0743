"""Audit with, not to (framework 9.3: audits are done "working alongside the case holder"; section 3's
restorative "working with"): December 2026 seen from the case holder's chat, through the served app over
HTTP and `tick`, on both databases.

Pat holds CR-1003, which Meg audits; Mo is Pat's supervisor. Pat is told on Thursday 3 December; Meg arranges
the conversation (Pat's notice changes in place) and holds it; Meg submits graded Good; before oversight Pat
can see nothing; once Sam confirms oversight Pat gets the findings with a thank-you naming what was strong,
and Mo a thank-you; Pat reflects (to Meg and Mo) and agrees to the case's use in a practice forum; Mo's
supervision digest carries "Discuss the audit of case CR-1003" each morning until Pat's 1:1 is recorded.
Every card Pat received is valid and within 28 KB.
"""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from capabilities.audit_cycle import case_holder, flow, kinds
from capabilities.context import Context
from capabilities.supervision import flow as supervision
from dialogs import case_holder_cards as ch
from dialogs.audit_cards import Verb
from dialogs.supervision_cards import LineKey
from qa.calendar import WorkingCalendar
from qa.supervision import ONE_TO_ONE
from storage.models import Audit, SupervisionSession, TrailEvent
from tests.support import activities as act
from tests.support.audit_cycle import utc
from tests.support.card_validator import MAX_CARD_BYTES, validate
from tests.support.cards import buttons, put_cards
from tests.support.month import Month, aad, name

REFLECTION = "Talking with Meg helped me see how the plan could show the child's voice more."


def chat_of(key: str) -> str:
    return act.personal_conversation_id(key)


def last_text(m: Month, key: str) -> str:
    return m.fake.delivered(chat_of(key))[-1].all_text()


async def say(m: Month, key: str, words: str, at) -> str:
    """`key` types `words`; the text of what the bot answered."""
    m.at(at)
    await m.post(act.message(key, words, service_url=m.fake.url, aad=aad(key), name=name(key)), 201)
    answer = m.fake.delivered(chat_of(key))[-1].all_text()
    m.received(f"{key} types {words}")
    return answer


async def test_december_from_the_case_holders_chat(month: Month):
    m = month
    async with m.db.sessions.begin() as session:  # Pat's last 1:1 with Mo: the next is due Tuesday 22 December
        session.add(SupervisionSession(subject=f"p{m.ids['pat']}", supervisee_id=m.ids["pat"],
                                       supervisor_id=m.ids["mo"], kind=ONE_TO_ONE, held_on=date(2026, 11, 24),
                                       duration_minutes=90, case_refs=[], state="recorded", via="test:history",
                                       recorded_at=utc(2026, 11, 24, 16)))

    # -- Thursday 3 December: told, with the auditor's notice ------------------------------------------
    dec3 = await m.tick(utc(2026, 12, 3, 9), several=frozenset({"quinn"}))  # the QA unit: unreached auditors
    assert dec3["pat"] == [["You have 2 updates", "Your case CR-1001 is in the December 2026 audit",
                            "Your case CR-1003 is in the December 2026 audit"]]
    told = last_text(m, "pat")
    for words in ("Meg Example is auditing case CR-1003", "seven key areas", "six months",
                  "talk with you about the case before they submit", "Not arranged yet"):
        assert words in told, words
    pat_notice = await m.sent_id(kinds.CASE_HOLDER_NOTICE, "pat", "CR-1003")
    meg_notice = await m.sent_id(kinds.ALLOCATION_NOTICE, "meg")
    allocation = await m.allocation("CR-1003")

    # -- Meg arranges the conversation, then holds it: Pat's notice changes in place ----------------------
    await m.press("meg", ch.Verb.CONVERSATION_ARRANGED,
                  {"allocation_id": allocation.id, ch.conversation_input_id(allocation.id): "2026-12-09"},
                  meg_notice, utc(2026, 12, 4, 10))
    assert await m.tick(utc(2026, 12, 4, 10, 1)) == {}  # an update in place, not a new message
    assert "Arranged for Wednesday 9 December 2026" in json.dumps(put_cards(m.fake, pat_notice)[-1])
    await m.press("meg", ch.Verb.CONVERSATION_HELD, {"allocation_id": allocation.id}, meg_notice,
                  utc(2026, 12, 9, 15))
    assert await m.tick(utc(2026, 12, 9, 15, 1)) == {}
    held = json.dumps(put_cards(m.fake, pat_notice)[-1])
    assert "Held: Meg Example recorded the conversation" in held and "CR-1001" in held  # the digest's other notice kept

    # -- Meg submits graded Good; before oversight Pat sees nothing and can do nothing --------------------
    await m.audit_case("meg", "CR-1003", meg_notice, utc(2026, 12, 10, 14))
    assert await m.tick(utc(2026, 12, 10, 14, 1)) == {"sam": [["Oversight needed: case CR-1003"]]}
    audit_id = (await m.allocation("CR-1003")).audit.id
    early = await m.press("pat", ch.Verb.FINDINGS_REFLECT, {"audit_id": audit_id, ch.REFLECTION: "x"}, "x",
                          utc(2026, 12, 10, 15))
    assert "once oversight is confirmed" in json.dumps(early)
    assert "pat" not in await m.tick(utc(2026, 12, 11, 9))

    # -- Friday 11th: Sam confirms oversight; the findings reach Pat, a thank-you Mo -----------------------
    request_id = await m.sent_id(flow.OVERSIGHT_REQUEST, "sam", "CR-1003")
    await m.press("sam", Verb.OVERSIGHT_CONFIRM, {"audit_id": audit_id}, request_id, utc(2026, 12, 11, 10))
    got = await m.tick(utc(2026, 12, 11, 10, 1))
    assert got["pat"] == [["The audit of your case CR-1003"]]
    assert got["mo"] == [["Good practice: case CR-1003"]] and got["meg"] == [["Upload the audit: case CR-1003"]]
    findings = last_text(m, "pat")
    for words in ("Thank you. The audit of case CR-1003 was graded Good", "What was strong", "The plan was clear",
                  "Visits could be timelier", "Meg Example audited case CR-1003", "Sam Example confirmed"):
        assert words in findings, words
    assert findings.index("Thank you") < findings.index("Visits could be timelier")
    assert "CR-1001" not in findings
    thanks = last_text(m, "mo")
    assert "Pat Example's case CR-1003" in thanks and "The plan was clear" in thanks
    findings_id = await m.sent_id(kinds.AUDIT_FINDINGS, "pat")
    # Someone else's audit: Pia, the case holder of other cases, is refused and told nothing of it.
    other = await m.press("pia", ch.Verb.FINDINGS_FORUM, {"audit_id": audit_id}, "x", utc(2026, 12, 11, 11))
    assert "only of audits of your own cases" in json.dumps(other) and "CR-1003" not in json.dumps(other)

    # -- Pat reflects (to Meg and to Mo) and agrees to the case's use in a practice forum ------------------
    reflected = await m.press("pat", ch.Verb.FINDINGS_REFLECT, {"audit_id": audit_id, ch.REFLECTION: REFLECTION},
                              findings_id, utc(2026, 12, 11, 14))
    assert put_cards(m.fake, findings_id) == [reflected["value"]]
    got = await m.tick(utc(2026, 12, 11, 14, 1))
    assert got == {"meg": [["Reflection on the audit of case CR-1003"]],
                   "mo": [["Reflection on the audit of case CR-1003"]]}
    assert REFLECTION in last_text(m, "mo") and "Discuss the audit of case CR-1003" in last_text(m, "mo")
    agreed = await m.press("pat", ch.Verb.FINDINGS_FORUM, {"audit_id": audit_id}, findings_id, utc(2026, 12, 11, 15))
    assert "may be shared in a practice forum, by its case reference only" in json.dumps(agreed["value"])
    assert buttons(agreed["value"]) == []  # reflected, on the supervision list, agreed: nothing left to press
    async with m.db.sessions() as session:
        audit = await session.get(Audit, audit_id)
        assert audit.case_holder_reflection == REFLECTION and audit.forum_agreed_at == utc(2026, 12, 11, 15)
        trail = {e.action: e for e in (await session.execute(select(TrailEvent))).scalars()}
    assert trail[case_holder.FORUM_AGREED].actor_id == m.ids["pat"]
    assert trail[case_holder.MANAGER_THANKED].detail == {"grade": "Good", "told": 1}
    assert "Case holder agreed" in await say(m, "quinn", "good practice", utc(2026, 12, 11, 16))

    # -- Mo's supervision digest: the line each morning with Pat's 1:1, until the 1:1 is recorded -----------
    for day in (18, 21):
        got = await m.tick(utc(2026, 12, day, 9))
        assert "mo" in got, day
        assert "Discuss the audit of case CR-1003" in last_text(m, "mo"), day
    ctx = Context(db=m.db, calendar=WorkingCalendar(), clock=lambda: utc(2026, 12, 21, 16))
    recorded = await supervision.record(ctx, m.ids["mo"], LineKey(m.ids["pat"], ONE_TO_ONE),
                                        supervision.Entry(held_on=date(2026, 12, 21), kind="", minutes=90),
                                        now=utc(2026, 12, 21, 16), via="test:record")
    assert recorded.status.value == "done", recorded.message
    got = await m.tick(utc(2026, 12, 22, 9))
    assert "mo" not in got or "Discuss the audit of case CR-1003" not in last_text(m, "mo")

    # -- every card Pat's chat received, new or changed in place: valid, and within Teams' 28 KB -----------
    cards = [c for message in m.fake.delivered(chat_of("pat")) for c in message.cards]
    cards += [c for call in m.fake.updates() if call.conversation_id == chat_of("pat") for c in call.cards]
    assert len(cards) >= 4
    assert all(len(json.dumps(c, ensure_ascii=False).encode()) <= MAX_CARD_BYTES for c in cards)
    rc, report = validate((f"pat #{i}", c) for i, c in enumerate(cards))
    assert rc == 0, [r for r in report["cards"] if r["problems"]]
