"""`rate the assistant` (feedback about the bot itself): a two-step botbuilder dialog over HTTP, on
both databases. The active dialog gets the turn first (a typed command word is taken as an answer,
so the prompt asks again), `cancel`/`stop` leave it with nothing saved, and it survives a restart
because its state is in the database."""
from __future__ import annotations

import ast
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.clock import system_clock
from bot.services import Services
from capabilities import bot_feedback
from capabilities.context import Context
from capabilities.registry import Capability, ChatCommand, DialogEntry, Registry, RegistryError
from dialogs.conversation import EXPIRED, NOTHING_TO_STOP, STOPPED, mid_dialog
from dialogs.feedback import ABOUT, ABOUT_QUESTION, THANKS, USEFULNESS, USEFULNESS_QUESTION, FeedbackDialog
from storage.models import Person, TrailEvent
from tests.support import activities as act

HERO = "application/vnd.microsoft.card.hero"
ROOT = Path(__file__).resolve().parents[1]


async def say(client, fake_connector, key: str, text: str, *, aad: str | None = "aad-ann"):
    """Send a typed message; the one reply the bot sent."""
    fake_connector.clear()
    resp = await client.post("/api/messages", json=act.message(key, text, service_url=fake_connector.url, aad=aad))
    assert resp.status == 201
    [reply] = fake_connector.delivered(act.personal_conversation_id(key))
    return reply


def question(reply) -> tuple[str, list[str]]:
    """A ChoicePrompt's hero card: its text and the values its buttons send back (imBack)."""
    [attachment] = reply.activity["attachments"]
    assert attachment["contentType"] == HERO
    card = attachment["content"]
    assert all(b["type"] == "imBack" and b["title"] == b["value"] for b in card["buttons"])
    return card["text"], [b["value"] for b in card["buttons"]]


async def trail(db) -> list[TrailEvent]:
    async with db.sessions() as session:
        return list((await session.scalars(select(TrailEvent).where(TrailEvent.action == "bot_feedback_given"))).all())


@pytest.fixture
async def ann(db) -> int:
    await act.add_people(db, act.roster_person("ann@council.gov.uk", "Ann Archer", "practice_manager", aad="aad-ann"))
    async with db.sessions() as session:
        return (await session.scalars(select(Person.id).where(Person.email == "ann@council.gov.uk"))).one()


async def test_two_taps_save_one_trail_row(bot_client, fake_connector, db, ann):
    text, buttons = question(await say(bot_client, fake_connector, "ann", "rate the assistant"))
    assert (text, buttons) == (USEFULNESS_QUESTION, list(USEFULNESS))
    text, buttons = question(await say(bot_client, fake_connector, "ann", "Quite useful"))
    assert (text, buttons) == (ABOUT_QUESTION, list(ABOUT))
    assert await trail(db) == []
    done = await say(bot_client, fake_connector, "ann", "The audit form")
    assert done.text == THANKS and not done.activity.get("attachments")
    [row] = await trail(db)
    assert (row.actor_id, row.via, row.month, row.allocation_id) == (ann, "dialog:rate-the-assistant", None, None)
    assert row.detail == {"usefulness": "Quite useful", "about": "The audit form"}
    # The conversation is over: commands are commands again, and there is nothing to stop.
    assert (await say(bot_client, fake_connector, "ann", "stop")).text == NOTHING_TO_STOP
    assert "Ann Archer" in (await say(bot_client, fake_connector, "ann", "whoami")).all_text()


async def test_someone_not_on_the_roster_can_give_feedback(bot_client, fake_connector, db):
    await say(bot_client, fake_connector, "zed", "Rate!", aad="aad-zed")
    await say(bot_client, fake_connector, "zed", "1", aad="aad-zed")  # a choice's number works too
    await say(bot_client, fake_connector, "zed", "something else", aad="aad-zed")
    [row] = await trail(db)
    assert row.actor_id is None and row.detail == {"usefulness": "Very useful", "about": "Something else"}


@pytest.mark.parametrize("word", ["cancel", "Stop.", "<at>QA Bot</at> STOP"])
async def test_cancel_mid_dialog_saves_nothing(bot_client, fake_connector, db, ann, word):
    await say(bot_client, fake_connector, "ann", "rate the assistant")
    await say(bot_client, fake_connector, "ann", "Very useful")
    assert (await say(bot_client, fake_connector, "ann", word)).text == STOPPED
    assert await trail(db) == []
    # Out of the dialog: the answer it was waiting for is now just text the bot does not understand.
    assert "did not understand" in (await say(bot_client, fake_connector, "ann", "The audit form")).text
    assert await trail(db) == []


async def test_cancel_with_no_dialog_says_there_is_nothing_to_stop(bot_client, fake_connector, ann):
    assert (await say(bot_client, fake_connector, "ann", "cancel")).text == NOTHING_TO_STOP


async def test_a_command_word_mid_dialog_is_not_an_answer_so_the_question_is_asked_again(bot_client, fake_connector,
                                                                                          db, ann):
    """The active dialog gets the turn first: `help` at step 2 is a command word, not one of the choices,
    so the bot says she is in the middle of it (cancel leaves) and asks again instead of showing help;
    the dialog carries on."""
    await say(bot_client, fake_connector, "ann", "rate the assistant")
    await say(bot_client, fake_connector, "ann", "Not useful")
    fake_connector.clear()
    resp = await bot_client.post("/api/messages", json=act.message("ann", "help", service_url=fake_connector.url,
                                                                    aad="aad-ann"))
    assert resp.status == 201
    nudge, again = fake_connector.delivered(act.personal_conversation_id("ann"))
    assert nudge.text == mid_dialog("rate the assistant")
    text, buttons = question(again)
    assert text == ABOUT_QUESTION and buttons == list(ABOUT)
    assert "What I can do" not in again.all_text()
    await say(bot_client, fake_connector, "ann", "Oversight")
    [row] = await trail(db)
    assert row.detail == {"usefulness": "Not useful", "about": "Oversight"}


async def test_a_restart_mid_dialog_carries_on_where_it_was(aiohttp_client, bot_client, fake_connector, services,
                                                            db, ann):
    await say(bot_client, fake_connector, "ann", "rate the assistant")
    await say(bot_client, fake_connector, "ann", "Quite useful")
    # A new app and bot on the same database, as after a restart: only the database remembers.
    restarted = Services.create(services.settings, db=db)
    try:
        client = await aiohttp_client(create_app(restarted.settings, restarted, run_scheduler=False))
        assert (await say(client, fake_connector, "ann", "Audit allocations and reminders")).text == THANKS
    finally:
        await restarted.connector.close()
    [row] = await trail(db)
    assert row.detail == {"usefulness": "Quite useful", "about": "Audit allocations and reminders"}


async def test_a_dialog_left_for_an_hour_ends_politely(bot_client, fake_connector, services, db, ann):
    now = system_clock()
    services.clock = lambda: now
    await say(bot_client, fake_connector, "ann", "rate the assistant")
    services.clock = lambda: now + timedelta(minutes=59)
    question(await say(bot_client, fake_connector, "ann", "Very useful"))  # still going: step 2
    services.clock = lambda: now + timedelta(minutes=59 + 60)
    assert (await say(bot_client, fake_connector, "ann", "Oversight")).text == EXPIRED
    assert await trail(db) == []
    assert (await say(bot_client, fake_connector, "ann", "stop")).text == NOTHING_TO_STOP


async def test_the_help_card_lists_rating_the_assistant_for_everyone(bot_client, fake_connector, ann):
    reply = await say(bot_client, fake_connector, "ann", "help")
    [card] = reply.cards
    facts = {f["title"]: f["value"] for b in card["body"] if b["type"] == "FactSet" for f in b["facts"]}
    assert facts["rate the assistant"] == "tell the QA unit how useful the bot is (two taps)"
    assert bot_feedback.HELP_LINE in reply.all_text()
    stranger = await say(bot_client, fake_connector, "zed", "help", aad="aad-zed")
    assert "rate the assistant" in json.dumps(stranger.cards)


async def test_only_the_offered_choices_are_saved(services, db):
    with pytest.raises(ValueError):
        await bot_feedback.give_feedback(services.context, None, "Very useful", "free text about a child")
    assert await trail(db) == []


# -- registration and layering --------------------------------------------------------------

def _dialog(ctx: Context) -> FeedbackDialog:
    async def save(*_args) -> None:
        return None

    return FeedbackDialog(save)


async def _reply(_said):  # pragma: no cover - never called
    raise AssertionError


def test_the_registry_checks_dialog_entries():
    starts = ChatCommand("feedback", "d", (), None)
    with pytest.raises(RegistryError, match="neither a handler nor a dialog"):
        Registry([Capability("a", commands=(starts,))])
    with pytest.raises(RegistryError, match="not a registered command"):
        Registry([Capability("a", dialogs=(DialogEntry("nope", "feedback", _dialog),))])
    with pytest.raises(RegistryError, match="both a handler and a dialog"):
        Registry([Capability("a", commands=(ChatCommand("feedback", "d", (), _reply),),
                             dialogs=(DialogEntry("feedback", "feedback", _dialog),))])
    with pytest.raises(RegistryError, match="leave a conversation"):
        Registry([Capability("a", commands=(ChatCommand("quit", "d", ("stop",), _reply),))])
    entry = DialogEntry("feedback", "feedback", _dialog)
    with pytest.raises(RegistryError, match="already registered"):
        Registry([Capability("a", commands=(starts,), dialogs=(entry,)),
                  Capability("b", commands=(ChatCommand("again", "d", (), None),),
                             dialogs=(DialogEntry("again", "feedback", _dialog),))])
    assert Registry([Capability("a", commands=(starts,), dialogs=(entry,))]).dialog_for("feedback") is entry


def test_dialogs_import_nothing_of_the_edge_or_storage():
    forbidden = ("bot", "scheduler", "storage", "capabilities")
    found = {}
    for path in sorted((ROOT / "dialogs").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            bad = [n for n in names if n.split(".")[0] in forbidden]
            if bad:
                found.setdefault(path.name, []).extend(bad)
    assert found == {}
