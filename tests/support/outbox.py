"""People to send to and notices to send them, for tests of the outbox sender.

`add_person` puts a roster person in the database with (by default) a reachable personal chat
at `service_url` (pass the fake connector's url); `payload(n)` is a small notice whose card and
text carry `n`, so what the fake connector received can be told apart.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from dialogs.payload import Payload
from storage.models import Conversation, Person

NOW = datetime(2026, 12, 3, 9, 5, tzinfo=timezone.utc)
TENANT = "tenant-1"


def payload(n: int) -> Payload:
    card = {"type": "AdaptiveCard", "version": "1.5",
            "body": [{"type": "TextBlock", "text": f"Audit of CD-{n:05d} is due", "wrap": True}],
            "actions": [{"type": "Action.Execute", "title": "Start", "verb": "audit.start",
                         "data": {"allocation_id": n}}]}
    return Payload(f"notice {n}", card=card)


async def add_person(db, service_url: str, n: int, *, left: bool = False, chat: bool = True,
                     tenant: str = TENANT) -> tuple[int, str]:
    """A roster person with (by default) a reachable personal chat; (person id, chat id)."""
    conversation_id = f"a:chat-{n}"
    async with db.sessions.begin() as s:
        person = Person(email=f"p{n}@example.gov.uk", display_name=f"Person {n}", role="practitioner",
                        created_at=NOW, updated_at=NOW, left_at=NOW - timedelta(days=1) if left else None)
        s.add(person)
        await s.flush()
        if chat:
            s.add(Conversation(conversation_id=conversation_id, tenant_id=tenant, service_url=service_url,
                               bot_id="28:bot", user_id=f"29:user-{n}", person_id=person.id, reference={},
                               installed_at=NOW - timedelta(days=30)))
        return person.id, conversation_id
