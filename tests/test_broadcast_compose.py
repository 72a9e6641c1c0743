"""`broadcast` in Teams (issue 13 item 2): the QA unit composes a notice one question at a time
over HTTP, a wrong audience or time is asked again, the preview shows the card and the confirm
step the number of recipients; only then is it queued. Someone not on the QA unit is turned away."""
from __future__ import annotations

from sqlalchemy import func, select

from dialogs import card_tree
from dialogs.broadcast_compose import ACK_QUESTION, AUDIENCE_QUESTION, NOT_SENT, TITLE_QUESTION, WHEN_QUESTION
from storage.models import Broadcast, BroadcastRecipient
from tests.support import activities as act
from tests.support.broadcasts import NOW, aad_of, add_people


async def say(client, fake, n: int, text: str) -> list:
    fake.clear()
    resp = await client.post("/api/messages", json=act.message(str(n), text, service_url=fake.url, aad=aad_of(n)))
    assert resp.status == 201, await resp.text()
    return fake.delivered(act.personal_conversation_id(str(n)))


def words(replies) -> str:
    """Every string in the replies (texts, cards' texts and buttons), joined."""
    return " ".join(word for reply in replies for word in card_tree.strings(
        {"text": reply.activity.get("text"), "attachments": reply.activity.get("attachments")}))


async def test_the_qa_unit_composes_previews_and_sends(services, bot_client, fake_connector):
    services.clock = lambda: NOW
    db = services.db
    await add_people(db, fake_connector.url, 20, aad=set(range(20)))
    assert TITLE_QUESTION in words(await say(bot_client, fake_connector, 0, "broadcast"))
    await say(bot_client, fake_connector, 0, "Spring practice week")
    await say(bot_client, fake_connector, 0, "It runs **12 to 16 April**.")
    assert AUDIENCE_QUESTION in words(await say(bot_client, fake_connector, 0, "none"))
    again = words(await say(bot_client, fake_connector, 0, "role=wizard"))
    assert "not a role" in again and AUDIENCE_QUESTION in again
    assert ACK_QUESTION in words(await say(bot_client, fake_connector, 0, "role=practice_manager; area=Family Help"))
    assert WHEN_QUESTION in words(await say(bot_client, fake_connector, 0, "Yes"))
    late = words(await say(bot_client, fake_connector, 0, "2027-01-06 21:00"))
    assert "between 08:00 and 18:00" in late
    preview = words(await say(bot_client, fake_connector, 0, "2027-01-07 09:30"))
    # Practice managers (n % 5 == 3) and Family Help (n % 3 == 0), less the QA unit (0): 3,6,8,9,12,13,15,18.
    assert "Spring practice week" in preview and "Send this to 8 recipients?" in preview
    async with db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Broadcast)) == 0
    done = words(await say(bot_client, fake_connector, 0, "Send"))
    assert "on its way to 8 recipients" in done
    async with db.sessions() as s:
        broadcast = (await s.scalars(select(Broadcast))).one()
        assert (broadcast.ask_ack, broadcast.created_by_id is not None) == (True, True)
        assert broadcast.send_at.isoformat() == "2027-01-07T09:30:00+00:00"
        assert await s.scalar(select(func.count()).select_from(BroadcastRecipient)) == 8


async def test_dont_send_and_not_the_qa_unit(services, bot_client, fake_connector):
    services.clock = lambda: NOW
    await add_people(services.db, fake_connector.url, 5, aad=set(range(5)))
    assert "for the QA unit" in words(await say(bot_client, fake_connector, 1, "broadcast"))
    for text in ("broadcast", "Title", "Message", "none", "everyone", "No", "now"):
        await say(bot_client, fake_connector, 0, text)
    assert NOT_SENT in words(await say(bot_client, fake_connector, 0, "Don't send"))
    async with services.db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Broadcast)) == 0
