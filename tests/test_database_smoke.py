from datetime import datetime, timezone

from sqlalchemy import select

from storage.models import Person


async def test_people_round_trip_keeps_aware_utc_times(db):
    now = datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)
    async with db.sessions.begin() as session:
        session.add(Person(email="a@x.gov.uk", display_name="Zoë Ángel", role="practitioner",
                           team="T1", service_area="Safeguarding & Support", created_at=now, updated_at=now))
    async with db.sessions() as session:
        person = (await session.execute(select(Person))).scalar_one()
    assert person.display_name == "Zoë Ángel"
    assert person.created_at == now and person.created_at.tzinfo is not None
    assert person.service_areas == ["Safeguarding & Support"]
