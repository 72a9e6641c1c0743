"""botbuilder `Storage` on SQLAlchemy: conversation and dialog state in the `bot_state` table.

Semantics follow botbuilder's MemoryStorage / CosmosDbPartitionedStorage:
- a change whose e_tag is None or "*" is written unconditionally (last write wins);
- a change with any other e_tag is written only if the stored row still has that e_tag,
  otherwise `ETagConflictError` (a KeyError, as MemoryStorage raises) and nothing is written;
  like MemoryStorage, a key with no stored row accepts it (so a deleted state can be saved
  again), but of writers racing to create that row exactly one wins;
- an e_tag of "" is refused; every write stores a fresh e_tag, returned by `read`.
Documents are serialised with jsonpickle as CosmosDbPartitionedStorage does, so objects such
as DialogState come back as themselves. One `write` is one transaction: all or nothing.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from botbuilder.core import Storage
from jsonpickle.pickler import Pickler
from jsonpickle.unpickler import Unpickler
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import BotState
from storage.upsert import insert_if_absent

MAX_KEY_LENGTH = 500  # BotState.key is String(500)
_HASH_LENGTH = 64


class ETagConflictError(KeyError):
    """The stored document changed since it was read (MemoryStorage raises KeyError too)."""

    def __init__(self, given: str, current: str | None) -> None:
        super().__init__(f"Etag conflict.\nOriginal: {given}\r\nCurrent: {current}")
        self.given = given
        self.current = current


def stored_key(key: str) -> str:
    """The row key for a storage key: long keys (very long conversation ids) keep a prefix
    and end in their SHA-256, so they fit the column instead of failing on PostgreSQL."""
    if len(key) <= MAX_KEY_LENGTH:
        return key
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return key[: MAX_KEY_LENGTH - _HASH_LENGTH - 1] + "#" + digest


def _e_tag_of(item: Any) -> str | None:
    if isinstance(item, Mapping):
        return item.get("e_tag")
    return getattr(item, "e_tag", None)


def serialise(item: Any) -> str:
    """JSON text of a document, without its e_tag (the e_tag lives in its own column)."""
    flat = Pickler().flatten(item)
    if isinstance(flat, dict):
        flat.pop("e_tag", None)
    return json.dumps(flat, ensure_ascii=False, separators=(",", ":"))


def deserialise(document: str, e_tag: str) -> Any:
    flat = json.loads(document)
    if isinstance(flat, dict):
        # Set before restoring, as Cosmos does: a dict gets the key, an object the attribute.
        flat["e_tag"] = e_tag
    # safe=True: never eval a py/repr from the table.
    return Unpickler(safe=True).restore(flat)


class SqlStorage(Storage):
    """botbuilder Storage in the `bot_state` table, on SQLite or PostgreSQL."""

    def __init__(self, db: Database, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        # The edge passes its clock (bot/clock.py); the default only stamps rows for tests and tools.
        super().__init__()
        self._db = db
        self._clock = clock

    async def read(self, keys: Iterable[str]) -> dict[str, Any]:
        if keys is None:
            raise ValueError("Keys are required when reading")
        keys = list(keys)
        if not keys:
            return {}
        async with self._db.sessions.one_statement() as session:
            return await read_in(session, keys)

    async def write(self, changes: Mapping[str, Any]) -> None:
        if changes is None:
            raise ValueError("Changes are required when writing")
        if not changes:
            return
        # Check and serialise everything first, so bad input writes nothing.
        prepared: list[tuple[str, str | None, str]] = []
        for key, item in changes.items():
            e_tag = _e_tag_of(item)
            if e_tag == "":
                raise ValueError("sql_storage.write(): etag missing")
            prepared.append((stored_key(key), e_tag, serialise(item)))
        # One order for every writer, so two batches over the same keys cannot deadlock.
        prepared.sort(key=lambda change: change[0])
        now = self._clock()
        async with self._db.sessions.begin() as session:
            for key, e_tag, document in prepared:
                values = {"key": key, "document": document, "e_tag": uuid.uuid4().hex, "updated_at": now}
                if e_tag is None or e_tag == "*":
                    await _upsert(session, values)
                else:
                    await _write_if_unchanged(session, values, e_tag)

    async def delete(self, keys: Iterable[str]) -> None:
        if not keys:
            return
        rows = [stored_key(key) for key in keys]
        async with self._db.sessions.begin() as session:
            await session.execute(delete(BotState).where(BotState.key.in_(rows)))


async def read_in(session: AsyncSession, keys: Iterable[str]) -> dict[str, Any]:
    """SqlStorage.read in a session the caller already has, in one statement: the stored documents
    by key; a key never written is absent. (The edge reads a turn's state with the chat it is from:
    storage.conversations.chat_and_state.)"""
    wanted = {stored_key(key): key for key in keys}
    if not wanted:
        return {}
    rows = (await session.execute(
        select(BotState.key, BotState.document, BotState.e_tag).where(BotState.key.in_(list(wanted)))
    )).all()
    return {wanted[row.key]: deserialise(row.document, row.e_tag) for row in rows}


async def _upsert(session: AsyncSession, values: dict[str, Any]) -> None:
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(BotState).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["key"],
        set_={"document": stmt.excluded.document, "e_tag": stmt.excluded.e_tag,
              "updated_at": stmt.excluded.updated_at},
    )
    await session.execute(stmt)


async def _write_if_unchanged(session: AsyncSession, values: dict[str, Any], given: str) -> None:
    # A conditional UPDATE is atomic on both databases: of two writers holding the same
    # e_tag, the second matches no row once the first has changed it.
    result = await session.execute(
        update(BotState)
        .where(BotState.key == values["key"], BotState.e_tag == given)
        .values(document=values["document"], e_tag=values["e_tag"], updated_at=values["updated_at"])
    )
    if result.rowcount == 1:
        return
    # No row (MemoryStorage accepts the write); ON CONFLICT lets only one racing creator in.
    if await insert_if_absent(session, BotState, values, ["key"]):
        return
    current = await session.scalar(select(BotState.e_tag).where(BotState.key == values["key"]))
    raise ETagConflictError(given, current)
