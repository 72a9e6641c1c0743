"""Who receives work addressed to a person: the one place every notice is addressed through
(framework section 21: no work waits on someone who is away or has left).

A notice of a kind marked `covered` (`OutboxKind(..., covered=True)`: oversight requests and
digests, moderation requests, urgent reviews and their updates, remedial plans and actions,
practice alerts, dip-sample items) addressed to someone away today or marked as left goes instead
to whoever `qa.cover.receiver` names (the cover on their away card, else their manager), with
"Covering for <name>" at the top, under the same idempotency key (so it is never written twice,
and a later decision updates it with the other copies). One trail row (`storage.cover.work_covered`:
subject the person, `on_behalf_of` them as the kit's rows for a cover acting say, the cover, kind, key and
why; `via` whoever sent it, the duty's name for a duty) records each move: `who covers` and the return
summary read them. Deadlines do not move; a chase of a covered kind goes the same way.

`kit.Act.notify`, the escalations' duty writer and the audit cycle's duties call `addressed` on
what they are about to write. Kinds not marked `covered` (personal notices, broadcasts, the
supervision digest, which keeps its own long-absence rule) pass through untouched.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.cover_cards import covering
from dialogs.payload import Payload
from qa.cover import receiver
from storage import cover as store
from storage.outbox import Message


def is_covered(kind: object) -> bool:
    """Whether notices of `kind` go to a cover while their person is away or gone."""
    return bool(getattr(kind, "covered", False))


async def addressed(session: AsyncSession, messages: Sequence[Message], *, now: datetime, day: date,
                    via: str) -> list[Message]:
    """`messages` with each covered notice for someone unavailable on `day` (the council's local date
    of `now`) readdressed to their cover (see the module notes). In the caller's transaction."""
    candidates = [m for m in messages if m.person_id is not None and is_covered(m.kind)]
    if not candidates:
        return list(messages)
    gone = await store.unavailable(session, {m.person_id for m in candidates}, day)
    if not gone:
        return list(messages)
    people = await store.directory(session, day)
    moving = {}
    for m in candidates:
        if m.person_id in gone:
            route = receiver(m.person_id, day, people)
            if route.moved:
                moving[m.key] = route
    if not moving:
        return list(messages)
    names = await store.names(session, {r.person for r in moving.values()})
    written = await store.existing_keys(session, list(moving))
    out = []
    for m in messages:
        route = moving.get(m.key)
        if route is None:
            out.append(m)
            continue
        payload = covering(Payload.from_json(m.payload.to_json()), names.get(route.person, "a colleague"), route.reason)
        out.append(replace(m, person_id=route.to, conversation_id=None, payload=payload))
        if m.key not in written:
            session.add(store.work_covered(route.person, route.to, str(m.kind), m.key, route.reason, now=now, via=via))
    return out
