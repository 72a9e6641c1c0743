"""Reaching someone the outbox has no chat for: the hook a capability registers
(`Capability.reach`) and the installer port it is given (bot/graph.py implements it).

The sender (bot/sender.py) knows only this: for a person's rows that found no chat ("not
installed"), it asks each registered hook in turn; the first that answers says where to send
(`Reached.target`), why not (`Reached.reason`), or how long to wait (`Reached.retry_after`: the
rows are handed back until then). A hook that does not deal with those rows answers None. The
composition root (bot/services.py) builds each hook once, with the installer when one is
configured.
"""
from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from storage.db import Database
from storage.outbox import Target


@dataclass(frozen=True)
class Installed:
    chat_id: str | None = None  # the personal chat's id, when installed
    reason: str | None = None  # why not ("not installed (Graph 403)")
    retry_after: float | None = None  # throttled: try again after this many seconds


class Installer(Protocol):
    async def install(self, aad_object_id: str, wall_now: Callable[[], datetime]) -> Installed:
        """Install the app for the user and find their chat with the bot."""


@dataclass(frozen=True)
class Reached:
    target: Target | None = None  # send there
    reason: str = "not installed"  # else why not (undeliverable) ...
    retry_after: float | None = None  # ... unless asked to wait this many seconds (rows handed back)


class Reach(Protocol):
    async def __call__(self, db: Database, person_id: int, kinds: Collection[str], *, now: datetime,
                       wall_clock: Callable[[], datetime]) -> Reached | None:
        """Where a person's rows of `kinds` can go though they have no chat; None: not this hook's rows."""


# What a capability registers: given the installer (None when not configured), its hook.
ReachFactory = Callable[[Installer | None], Reach]
