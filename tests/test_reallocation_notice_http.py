"""The old auditor's own allocation notice once the QA unit reallocates a case, through the served app and the
fake Bot Connector, on both databases: Ann's December notice (CR-1001 and CR-1002) is changed in place, the moved
case's section saying it has moved to the new auditor with no button left on it, the other case as it was; a
case she declined first says so too. Nothing is sent to her again."""
from __future__ import annotations

from sqlalchemy import update

from dialogs import audit_cards as ac
from dialogs import card_tree
from storage.models import Allocation
from tests.support.escalations import chat, shown, utc
from tests.support.reallocation import THURSDAY_10, pick, set_up

NOTICE_MOMENT = utc(2026, 12, 3, 9, 0)


def section(card: dict, ref: str) -> dict:
    [found] = [n for n in card_tree.nodes(card) if n.get("type") == "Container"
               and (n.get("items") or [{}])[0].get("text") == f"Case {ref}"]
    return found


def verbs(node: dict) -> set[str]:
    return {a.get("verb") for a in card_tree.actions(node)}


async def test_the_old_auditors_notice_says_the_case_has_moved(services, fake_connector, bot_client):
    d = await set_up(services, fake_connector, bot_client)
    async with d.db.sessions.begin() as session:  # December's notices not sent yet: the 3rd's sweep sends them
        await session.execute(update(Allocation).values(notified_at=None))
    await d.tick(NOTICE_MOMENT)
    notice = await d.sent("allocation-notice", "ann")
    assert notice.activity_id
    assert {ac.Verb.AUDIT_START} <= verbs(section(notice.payload["card"], "CR-1001")) & verbs(
        section(notice.payload["card"], "CR-1002"))
    sent_to_ann = len(d.fake.delivered(chat("ann")))

    # Ann declines CR-1001 on her notice; the QA unit moves it: the declined section says where it went.
    data = {"allocation_id": d.ids["CR-1001"], ac.decline_reason_input_id(d.ids["CR-1001"]): "On leave for a month"}
    declined = await d.press("ann", ac.Verb.ALLOCATION_DECLINE, data, notice.activity_id, THURSDAY_10)
    assert "Declined by Ann Example" in shown({"value": section(declined["value"], "CR-1001")})
    await d.tick(utc(2026, 12, 10, 10, 1))
    body = await d.press("quinn", ac.Verb.REALLOCATE, pick(d, "CR-1001", "sam", declined_by_id=d.ids["ann"]),
                         "answer", utc(2026, 12, 10, 10, 5))
    assert "Reallocated to Sam Example" in shown(body)
    await d.tick(utc(2026, 12, 10, 10, 15))
    card = [u for u in d.fake.updates() if u.activity_id == notice.activity_id][-1].cards[-1]
    first = section(card, "CR-1001")
    assert "Declined by Ann Example" in shown({"value": first})
    assert "This case has moved to Sam Example (reallocated by Quinn Example" in shown({"value": first})
    assert verbs(first) == set() and ac.Verb.AUDIT_START in verbs(section(card, "CR-1002"))

    # CR-1002 moved before it was started: its section says so, with no Start left; CR-1001's stays as it was.
    await d.say("quinn", "reallocate CR-1002", utc(2026, 12, 10, 11, 0))
    body = await d.press("quinn", ac.Verb.REALLOCATE, pick(d, "CR-1002", "mo"), "answer", utc(2026, 12, 10, 11, 1))
    assert "Reallocated to Mo Example" in shown(body)
    await d.tick(utc(2026, 12, 10, 11, 15))
    last = [u for u in d.fake.updates() if u.activity_id == notice.activity_id][-1].cards[-1]
    assert "This case has moved to Mo Example" in shown({"value": section(last, "CR-1002")})
    assert "This case has moved to Sam Example" in shown({"value": section(last, "CR-1001")})
    assert verbs(section(last, "CR-1002")) == set()
    assert "Your audit allocation for December 2026" in shown({"value": last})
    assert len(d.fake.delivered(chat("ann"))) == sent_to_ann  # changed in place, nothing sent to Ann again


def test_a_one_case_notice_already_acted_on_says_where_the_case_went_too():
    """A notice about one case, declined (card_update.acted_card over the whole card): the words go at its end."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from dialogs.card_update import acted_card
    from dialogs.reallocation_cards import moved_section, moved_words, shows_case
    at = datetime(2026, 12, 10, 10, 0, tzinfo=UTC)
    declined = acted_card("Your audit allocation for December 2026", "Declined", "Ann Example", at,
                          ZoneInfo("Europe/London"), details=[("Case", "CR-1001"), ("Sent to", "The QA unit")])
    assert shows_case(declined, 7, "CR-1001") and not shows_case(declined, 8, "CR-1002")
    words = moved_words("Sam Example", "Quinn Example", at, ZoneInfo("Europe/London"))
    moved = moved_section(declined, 7, "CR-1001", words)
    assert moved["body"][-1]["text"] == words and moved_section(moved, 7, "CR-1001", words) == moved
    assert moved_section(declined, 8, "CR-1002", words) == declined
