"""SqlStorage: botbuilder's own Storage conformance suite, e-tag races, dialog state round trips."""
from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone

import pytest
from botbuilder.core import ConversationState, StoreItem, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import (
    DialogSet,
    DialogState,
    DialogTurnStatus,
    PromptOptions,
    TextPrompt,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.schema import Activity, ActivityTypes
from botbuilder.testing import StorageBaseTests
from sqlalchemy import select

from bot.clock import fixed_clock
from storage.bot_state import MAX_KEY_LENGTH, ETagConflictError, SqlStorage, stored_key
from storage.db import Database
from storage.models import BotState

CONFORMANCE = sorted(
    name for name, member in vars(StorageBaseTests).items()
    if isinstance(member, staticmethod) and not name.startswith("_")
)
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)


def test_the_conformance_suite_was_found():
    # Guards against the parametrisation below silently collecting nothing.
    assert {"create_object", "update_object", "delete_object", "perform_batch_operations",
            "proceeds_through_waterfall"} <= set(CONFORMANCE)


@pytest.mark.parametrize("name", CONFORMANCE)
async def test_botbuilder_storage_conformance(db, name):
    assert await getattr(StorageBaseTests, name)(SqlStorage(db)) is True


async def test_every_write_gets_a_new_e_tag_and_the_clock_time(db):
    storage = SqlStorage(db, clock=fixed_clock(NOW))
    await storage.write({"a": {"count": 1}})
    first = (await storage.read(["a"]))["a"]
    await storage.write({"a": first})
    second = (await storage.read(["a"]))["a"]
    assert first["e_tag"] and second["e_tag"] and first["e_tag"] != second["e_tag"]
    async with db.sessions() as session:
        row = await session.get(BotState, "a")
    assert row.updated_at == NOW
    assert "e_tag" not in json.loads(row.document)  # kept in its own column only


async def test_stale_e_tag_is_refused_like_memory_storage_and_writes_nothing(db):
    storage = SqlStorage(db)
    await storage.write({"a": {"count": 1}, "b": {"count": 1}})
    read = await storage.read(["a", "b"])
    stale = dict(read["a"])
    await storage.write({"a": {**read["a"], "count": 2}})
    current = (await storage.read(["a"]))["a"]["e_tag"]

    with pytest.raises(KeyError) as err:
        await storage.write({"b": {**read["b"], "count": 99}, "a": {**stale, "count": 3}})
    assert isinstance(err.value, ETagConflictError)
    assert err.value.args[0] == f"Etag conflict.\nOriginal: {stale['e_tag']}\r\nCurrent: {current}"
    after = await storage.read(["a", "b"])
    assert after["a"]["count"] == 2
    assert after["b"]["count"] == 1  # the whole batch rolled back


async def test_star_and_missing_e_tag_overwrite(db):
    storage = SqlStorage(db)
    await storage.write({"a": {"count": 1}})
    await storage.write({"a": {"count": 2, "e_tag": "*"}})
    await storage.write({"a": {"count": 3}})
    assert (await storage.read(["a"]))["a"]["count"] == 3


async def test_store_items_round_trip_as_objects(db):
    storage = SqlStorage(db)
    await storage.write({"item": StoreItem(case_ref="CR-1001", count=4, e_tag="*")})
    item = (await storage.read(["item"]))["item"]
    assert isinstance(item, StoreItem)
    assert (item.case_ref, item.count) == ("CR-1001", 4)
    assert item.e_tag and item.e_tag != "*"
    item.count = 5
    await storage.write({"item": item})
    item.count = 6
    with pytest.raises(ETagConflictError):
        await storage.write({"item": item})  # item still carries the e_tag it was read with


async def test_long_keys_fit_the_column(db):
    storage = SqlStorage(db)
    long_a, long_b = "msteams/conversations/" + "a" * 600, "msteams/conversations/" + "a" * 601
    await storage.write({long_a: {"n": 1}, long_b: {"n": 2}})
    got = await storage.read([long_a, long_b])
    assert (got[long_a]["n"], got[long_b]["n"]) == (1, 2)
    assert len(stored_key(long_a)) == MAX_KEY_LENGTH and stored_key(long_a) != stored_key(long_b)
    await storage.delete([long_a])
    assert list(await storage.read([long_a, long_b])) == [long_b]


@pytest.mark.parametrize("writers", [2, 8])
async def test_concurrent_writers_with_the_same_e_tag_exactly_one_wins(db, writers):
    await SqlStorage(db).write({"doc": {"owner": None}})
    old = (await SqlStorage(db).read(["doc"]))["doc"]

    async def write(n: int):
        # Each writer has its own storage, as separate turns or instances would.
        await SqlStorage(db).write({"doc": {**old, "owner": n}})
        return n

    results = await asyncio.gather(*(write(n) for n in range(writers)), return_exceptions=True)
    winners = [r for r in results if isinstance(r, int)]
    assert len(winners) == 1, results
    assert all(isinstance(r, ETagConflictError) for r in results if not isinstance(r, int))
    assert (await SqlStorage(db).read(["doc"]))["doc"]["owner"] == winners[0]


async def test_concurrent_creators_of_a_missing_key_exactly_one_wins(db):
    # A conditional write to a key with no row is accepted (MemoryStorage does too), but two
    # such writers racing must not both think they created it.
    async def write(n: int):
        await SqlStorage(db).write({"new": {"owner": n, "e_tag": "read-before-delete"}})
        return n

    results = await asyncio.gather(*(write(n) for n in range(6)), return_exceptions=True)
    winners = [r for r in results if isinstance(r, int)]
    assert len(winners) == 1, results
    assert (await SqlStorage(db).read(["new"]))["new"]["owner"] == winners[0]


async def test_conversation_state_and_dialogs_survive_between_turns_in_the_database(db):
    """Each turn builds its state from a fresh SqlStorage, so only the table carries the dialog."""
    keys: list[str] = []

    async def ask(step: WaterfallStepContext):
        return await step.prompt("case_ref", PromptOptions(prompt=Activity(type=ActivityTypes.message,
                                                                           text="Which case reference?")))

    async def record(step: WaterfallStepContext):
        await step.context.send_activity(f"Audit recorded for {step.result}")
        return await step.end_dialog(step.result)

    async def turn(context: TurnContext) -> None:
        turn_db = Database(db.url)
        try:
            state = ConversationState(SqlStorage(turn_db))
            dialogs = DialogSet(state.create_property("dialogState"))
            dialogs.add(TextPrompt("case_ref"))
            dialogs.add(WaterfallDialog("audit", [ask, record]))
            turns = state.create_property("turns")
            await turns.set(context, (await turns.get(context) or 0) + 1)
            dialog_context = await dialogs.create_context(context)
            result = await dialog_context.continue_dialog()
            if result.status == DialogTurnStatus.Empty:
                await dialog_context.begin_dialog("audit")
            await state.save_changes(context)
            keys.append(state.get_storage_key(context))
        finally:
            await turn_db.dispose()

    adapter = TestAdapter(turn)
    flow = await adapter.send("start audit")
    flow = await flow.assert_reply("Which case reference?")

    # Between turns the dialog is in the table, as a DialogState waiting on the prompt.
    saved = (await SqlStorage(db).read([keys[0]]))[keys[0]]
    assert isinstance(saved["dialogState"], DialogState)
    assert [d.id for d in saved["dialogState"].dialog_stack] == ["case_ref", "audit"]
    assert saved["turns"] == 1
    async with db.sessions() as session:
        document = await session.scalar(select(BotState.document).where(BotState.key == keys[0]))
    assert "botbuilder.dialogs.dialog_state.DialogState" in document

    flow = await flow.send("CR-2024-0042")
    await flow.assert_reply("Audit recorded for CR-2024-0042")
    finished = (await SqlStorage(db).read([keys[0]]))[keys[0]]
    assert finished["turns"] == 2
    assert finished["dialogState"].dialog_stack == []
