"""The small service of the reallocation tests (tests/test_reallocation*_http.py): an auditor, a case holder
and their line manager, another practice manager, a service lead, two QA unit members and a leaver, each with a
chat, and December's allocations (CR-1001 and CR-1002 to Ann, CR-1003 to Sam)."""
from __future__ import annotations

from dialogs import audit_cards as ac
from storage.models import Allocation, AuditMonth, Conversation, Person
from tests.support import activities as act
from tests.support.escalations import SET_UP, Desk, chat, name, utc

THURSDAY_10 = utc(2026, 12, 10, 10, 0)  # working hours, after December's notice on the 3rd
AREA = "Children in Need"
PEOPLE = {  # key -> (role, team, service areas, supervisor)
    "ann": ("practice_manager", "Team Gamma", AREA, None),  # the auditor who declines
    "pat": ("practitioner", "Team Alpha", AREA, "pam"),  # the case holder
    "pam": ("practice_manager", "Team Alpha", AREA, "sam"),  # pat's line manager: never offered
    "mo": ("practice_manager", "Team Beta", AREA, "sam"),  # no audits this month: offered first
    "sam": ("service_lead", "", AREA, None),
    "quinn": ("qa_unit", "QA Unit", "", None),
    "qiana": ("qa_unit", "QA Unit", "", None),
    "lee": ("practice_manager", "Team Delta", AREA, None),  # has left the roster
}


async def set_up(services, fake, client) -> Desk:
    """The people with their chats; December notified on the 3rd: CR-1001 and CR-1002 to Ann, CR-1003 to Sam."""
    desk = Desk(client, fake, services)
    async with services.db.sessions.begin() as session:
        people = {key: Person(email=f"{key}@council.gov.uk", display_name=name(key), role=role, team=team,
                              service_area=areas, supervisor_email=f"{boss}@council.gov.uk" if boss else None,
                              aad_object_id=f"aad-{key}", created_at=SET_UP, updated_at=SET_UP,
                              left_at=SET_UP if key == "lee" else None)
                  for key, (role, team, areas, boss) in PEOPLE.items()}
        session.add_all(people.values())
        session.add(AuditMonth(month="2026-12", imported_at=SET_UP))
        await session.flush()
        for key, person in people.items():
            session.add(Conversation(conversation_id=chat(key), tenant_id=act.TENANT, service_url=fake.url,
                                     bot_id=act.BOT_ID, user_id=act.user_id(key), aad_object_id=f"aad-{key}",
                                     person_id=person.id, reference={}, installed_at=SET_UP))
        desk.ids = {key: p.id for key, p in people.items()}
        for ref, auditor in (("CR-1001", "ann"), ("CR-1002", "ann"), ("CR-1003", "sam")):
            allocation = Allocation(month="2026-12", case_ref=ref, annex_a_list="List 6", service_area=AREA,
                                    team="Team Alpha", theme="", auditor_id=people[auditor].id,
                                    case_holder_id=people["pat"].id, state="allocated",
                                    notified_at=utc(2026, 12, 3, 9, 0), created_at=SET_UP, updated_at=SET_UP)
            session.add(allocation)
            await session.flush()
            desk.ids[ref] = allocation.id
    return desk


def pick(desk: Desk, ref: str, who: str, **more) -> dict:
    return {"allocation_id": desk.ids[ref], ac.reallocate_input_id(desk.ids[ref]): str(desk.ids[who]), **more}
