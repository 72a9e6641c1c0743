"""Fictional notices for outbox delivery: `count` people in one tenant, each with a personal chat
and one numbered notice (a realistic ~1 KB reminder card) due at NOW. The number is in the
notice's text, so `notice_number` reads it back from what the fake Bot Connector received, and
a run can be checked for notices lost or sent twice.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

from dialogs.payload import Payload
from qa.framework import Role

NOW = datetime(2026, 12, 3, 9, 5, tzinfo=timezone.utc)
TENANT = "tenant-bench"
MARKER = re.compile(r"notice (\d+)\b")


def notice(n: int) -> dict:
    """A realistic reminder card (~1 KB), its number in the text so the fake's records can be counted."""
    card = {
        "type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "version": "1.5",
        "body": [
            {"type": "TextBlock", "text": "Audit reminder", "style": "heading", "size": "Large", "weight": "Bolder",
             "wrap": True},
            {"type": "TextBlock", "text": f"Your audit of case CD-{4_810_000 + n} is due by Thursday 24 December 2026.",
             "wrap": True},
            {"type": "FactSet", "facts": [{"title": "Case", "value": f"CD-{4_810_000 + n}"},
                                          {"title": "Practitioner", "value": "Alex Example"},
                                          {"title": "Team", "value": "Children in Care and Care Leavers Team North"},
                                          {"title": "Deadline", "value": "Thursday 24 December 2026"}]},
        ],
        "actions": [{"type": "Action.Execute", "title": "Start the audit", "verb": "audit.start",
                     "data": {"allocation_id": 100_000 + n}, "associatedInputs": "none"}],
    }
    return {"text": f"notice {n}: audit of CD-{4_810_000 + n} due 24 December", "card": card,
            "summary": f"notice {n}: audit due 24 December"}


def notice_number(body: dict) -> int | None:
    match = MARKER.search(json.dumps(body))
    return int(match.group(1)) if match else None


async def seed(db, service_url: str, count: int) -> None:
    """`count` people, each with a personal chat, and one notice each, due at NOW."""
    from storage.models import Conversation, Person
    from storage.outbox import enqueue

    async with db.sessions.begin() as s:
        people = [Person(email=f"person{n}@bench.example.gov.uk", display_name=f"Person {n}", role=Role.PRACTITIONER,
                         created_at=NOW, updated_at=NOW) for n in range(count)]
        s.add_all(people)
        await s.flush()
        s.add_all([Conversation(conversation_id=f"a:bench-{n}", tenant_id=TENANT, service_url=service_url,
                                bot_id="28:bot", user_id=f"29:user-{n}", person_id=p.id, reference={},
                                installed_at=NOW - timedelta(days=7)) for n, p in enumerate(people)])
        for n, person in enumerate(people):
            await enqueue(s, key=f"bench:{n}", kind="bench", person_id=person.id, payload=Payload.from_json(notice(n)),
                          due_at=NOW, now=NOW - timedelta(minutes=1))
