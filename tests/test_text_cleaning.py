"""Every text that reaches a prompt or a parser is cleaned like a command, in one place, first
(dialogs.conversation.plain_text, applied by the edge to every message): the bot's mention, HTML
and character entities removed. Over the kind (mentions, &nbsp;, <p>, <br>, entities, nested
tags), and over HTTP: a broadcast composed with answers as Teams sends them from a channel or in
rich text, `<p><at>QA Bot</at>&nbsp;everyone</p>`."""
from __future__ import annotations

import pytest
from botbuilder.schema import Activity, ChannelAccount

from bot.teams_bot import command_text, typed_text
from dialogs import card_tree
from dialogs.broadcast_compose import ACK_QUESTION, WHEN_QUESTION
from dialogs.conversation import command_words, plain_text
from dialogs.steps import normal
from tests.support import activities as act
from tests.support.broadcasts import NOW, aad_of, add_people

MENTION = "<at>QA Bot</at>"


@pytest.mark.parametrize("raw, plain", [
    ("<p><at>QA Bot</at>&nbsp;everyone</p>", "everyone"),  # the failing input: a channel's answer
    ("<p><at>QA Bot</at>&nbsp;now</p>", "now"),
    ("<at>QA Bot</at> role=practice_manager; area=Family Help", "role=practice_manager; area=Family Help"),
    ("everyone&nbsp;", "everyone"),
    ("&nbsp;&nbsp;now&nbsp;", "now"),
    ("<div><p><strong>Spring</strong> practice <em>week</em></p></div>", "Spring practice week"),
    ("<p>line one</p><p>line two</p>", "line one\nline two"),
    ("first<br>second<br/>third<BR />fourth", "first\nsecond\nthird\nfourth"),
    ("Tom &amp; Jerry &lt;3 &#39;quoted&#39; &quot;too&quot; &#x2019;", "Tom & Jerry <3 'quoted' \"too\" \u2019"),
    ("<p><span style=\"color:red\"><at id=\"0\">QA Bot</at></span>&nbsp;yes</p>", "yes"),
    ("<ul><li>one</li><li>two</li></ul>", "one\ntwo"),
    ("score <5 and a > b", "score <5 and a > b"),  # a plain-text chat's angle brackets are not tags
    ("  spaced \t out  ", "spaced out"),
    ("", ""),
    (None, ""),
])
def test_plain_text_removes_the_bots_mention_html_and_entities(raw, plain):
    assert plain_text(raw, bot_mentions=[MENTION], bot_name="QA Bot") == plain


def test_only_the_bots_mention_goes_another_keeps_its_name():
    assert plain_text("<at>QA Bot</at> observe <at>Sam Patel</at>", bot_mentions=[MENTION]) == "observe Sam Patel"
    # No entity and no name: the mention the text begins with is the bot's (how Teams writes it).
    assert plain_text("<at>Assistant</at> help") == "help"
    assert plain_text("<at>Assistant</at> help", bot_name="QA Bot") == "Assistant help"


@pytest.mark.parametrize("raw, words", [
    ("<p><at>QA Bot</at>&nbsp;My Audits!</p>", "my audits"),
    ("<at>QA Bot</at>\u00a0who am I?", "who am i"),
    ("<p>rate&nbsp;the&nbsp;bot</p>", "rate the bot"),
    ("<div><p><b>HELP</b></p></div>", "help"),
])
def test_commands_and_choices_compare_the_same_cleaned_text(raw, words):
    activity = Activity(type="message", text=raw, recipient=ChannelAccount(id=act.BOT_ID, name=act.BOT_NAME),
                        entities=[{"type": "mention", "text": MENTION, "mentioned": {"id": act.BOT_ID}}])
    assert command_text(activity) == words
    assert command_words(typed_text(activity)) == words
    assert normal(typed_text(activity)) == words  # a dialog's choices use the same words


def html(n: int, text: str, *, service_url: str) -> dict:
    """A message in n's personal chat as Teams sends rich text with the bot's mention."""
    activity = act.message(str(n), "", service_url=service_url, aad=aad_of(n))
    activity["textFormat"] = "xml"
    activity["text"] = f"<p>{MENTION}&nbsp;{text}</p>"
    activity["entities"].append({"type": "mention", "text": MENTION, "mentioned": {"id": act.BOT_ID}})
    return activity


async def test_a_broadcast_answered_in_html_with_the_mention_reaches_its_prompts_clean(
        services, bot_client, fake_connector):
    """The failing input: `'<p>&nbsp' is not an audience` and "now" refused."""
    services.clock = lambda: NOW
    await add_people(services.db, fake_connector.url, 6, aad=set(range(6)))

    async def say(text: str) -> str:
        fake_connector.clear()
        resp = await bot_client.post("/api/messages", json=html(0, text, service_url=fake_connector.url))
        assert resp.status == 201
        return " ".join(word for call in fake_connector.delivered(act.personal_conversation_id("0"))
                        for word in card_tree.strings({"text": call.activity.get("text"),
                                                       "attachments": call.activity.get("attachments")}))

    for text in ("broadcast", "Practice week", "It runs <strong>all</strong> week.", "none"):
        await say(text)
    answered = await say("everyone")
    assert "not an audience" not in answered and ACK_QUESTION in answered
    assert WHEN_QUESTION in await say("No")
    preview = await say("now")
    assert "Send this to" in preview and "Practice week" in preview
    assert "&nbsp" not in preview and "<p>" not in preview
