from datetime import datetime, timezone

from sqlalchemy import select

from storage.models import Conversation, Person
from storage.people import link_conversations, person_by_email

NOW = datetime(2026, 12, 1, 9, tzinfo=timezone.utc)


def _person(email: str, aad: str | None = None) -> Person:
    return Person(email=email, display_name=email.split("@")[0], role="practitioner", team="T",
                  service_area="A", aad_object_id=aad, created_at=NOW, updated_at=NOW)


def _chat(conv: str, aad: str | None = None, email: str | None = None) -> Conversation:
    return Conversation(conversation_id=conv, tenant_id="t", service_url="http://x/", bot_id="b", user_id="u-" + conv,
                        aad_object_id=aad, email=email, reference={}, installed_at=NOW)


async def test_chats_link_by_object_id_then_by_email(db):
    async with db.sessions.begin() as s:
        s.add_all([_person("ann@x.gov.uk", aad="aad-ann"), _person("bob@x.gov.uk"),
                   _chat("c1", aad="aad-ann"), _chat("c2", email="Bob@X.gov.uk"), _chat("c3", email="nobody@x")])
    async with db.sessions.begin() as s:
        assert await link_conversations(s) == 2
    async with db.sessions() as s:
        chats = {c.conversation_id: c.person_id for c in (await s.execute(select(Conversation))).scalars()}
        ann = await person_by_email(s, " ANN@x.gov.uk ")
        bob = await person_by_email(s, "bob@x.gov.uk")
    assert chats == {"c1": ann.id, "c2": bob.id, "c3": None}
    async with db.sessions.begin() as s:
        assert await link_conversations(s) == 0
