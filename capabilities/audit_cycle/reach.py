"""The QA unit hears of an auditor the bot could not reach with their allocation when the notice
is sent, not when it was queued (framework 9.3: the QA unit reallocates or sends it another way).

A notice queued at 05:04 for 09:00 would otherwise name auditors who install the app in between.
The sender (bot/sender.py) asks this hook about a person's rows that found no chat; for an
allocation notice among them it writes the "Allocations not delivered" card to every active QA
unit member, due at once, naming the auditor and why (storage.cycle.unreachable_reasons), then
answers None so the sender (or another hook) decides what becomes of the rows ("not installed").
Auditors who have left get no notice at all: capabilities/audit_cycle/duties.py lists them when
it queues the notices.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import datetime

from sqlalchemy import select

from capabilities.audit_cycle import kinds
from capabilities.audit_cycle.duties import tell_qa_unit
from capabilities.reach import Installer, Reached
from storage import cycle
from storage.db import Database
from storage.models import OutboxMessage, Person

log = logging.getLogger(__name__)


class TellQaUnitOfUnreached:
    """The reach hook (capabilities/reach.py): never reaches anyone, only tells the QA unit."""

    def __init__(self, installer: Installer | None) -> None:
        del installer  # installing is the broadcasts' hook's business

    async def __call__(self, db: Database, person_id: int, kinds_: Collection[str], *, now: datetime,
                       wall_clock: Callable[[], datetime]) -> Reached | None:
        if kinds.ALLOCATION_NOTICE not in kinds_:
            return None
        async with db.sessions.begin() as session:
            person = await session.get(Person, person_id)
            if person is None:
                return None
            reasons = await cycle.unreachable_reasons(session, [person])
            if person_id not in reasons:  # a chat appeared since the sender looked: it will find it next time
                return None
            keys = (await session.execute(select(OutboxMessage.idempotency_key).where(
                OutboxMessage.person_id == person_id, OutboxMessage.kind == str(kinds.ALLOCATION_NOTICE),
                OutboxMessage.state == "sending"))).scalars().all()
            for key in keys:  # allocation-notice:<month>:<auditor id>[:<late cases' hash>]
                _, month, _, *late = key.split(":")
                await tell_qa_unit(session, month, [person], reasons, now,
                                   suffix=f":{person_id}" + "".join(f":{h}" for h in late))
        log.info("allocation notice to person %d: not reachable (%s); the QA unit told", person_id, reasons[person_id])
        return None
