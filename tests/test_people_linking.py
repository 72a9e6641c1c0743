from datetime import datetime, timezone

from sqlalchemy import select

from storage.models import Conversation, Person
from storage.people import link_conversations, person_by_email, person_for_sign_in

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


def _upn_chat(conv: str, email: str | None, upn: str | None) -> Conversation:
    chat = _chat(conv, email=email)
    chat.upn = upn
    return chat


async def test_chats_link_by_the_upn_or_a_guests_home_address_when_the_roster_lists_that(db):
    # Councils often export the UPN; a guest's UPN is their home address with #EXT#.
    async with db.sessions.begin() as s:
        s.add_all([_person("spatel@council.onmicrosoft.com"), _person("jo.bloggs@partner.org"),
                   _person("aoife.o'brien@council.gov.uk"),
                   _upn_chat("c1", "sam.patel@council.gov.uk", "SPatel@council.onmicrosoft.com"),
                   _upn_chat("c2", None, "jo.bloggs_partner.org#ext#@council.onmicrosoft.com"),
                   _upn_chat("c3", "Aoife.O'Brien@Council.gov.uk", "ao123@council.onmicrosoft.com"),
                   _upn_chat("c4", "someone@council.gov.uk", "someone@council.onmicrosoft.com")])
    async with db.sessions.begin() as s:
        assert await link_conversations(s) == 3
    async with db.sessions() as s:
        chats = {c.conversation_id: c.person_id for c in (await s.execute(select(Conversation))).scalars()}
        ids = {p.email: p.id for p in (await s.execute(select(Person))).scalars()}
        found = await person_for_sign_in(s, aad_object_id=None, email="jo.bloggs@partner.org",
                                         upn="jo.bloggs_partner.org#EXT#@council.onmicrosoft.com")
    assert chats == {"c1": ids["spatel@council.onmicrosoft.com"], "c2": ids["jo.bloggs@partner.org"],
                     "c3": ids["aoife.o'brien@council.gov.uk"], "c4": None}
    assert found is not None and found.email == "jo.bloggs@partner.org"


async def test_the_object_id_is_tried_before_any_address(db):
    async with db.sessions.begin() as s:
        s.add_all([_person("ann@x.gov.uk", aad="aad-ann"), _person("spatel@x.onmicrosoft.com")])
    async with db.sessions() as s:
        by_aad = await person_for_sign_in(s, aad_object_id="AAD-ANN", email=None, upn="spatel@x.onmicrosoft.com")
        by_upn = await person_for_sign_in(s, aad_object_id="aad-other", email="sp@x.gov.uk",
                                          upn="SPatel@x.onmicrosoft.com")
    assert (by_aad.email, by_upn.email) == ("ann@x.gov.uk", "spatel@x.onmicrosoft.com")
