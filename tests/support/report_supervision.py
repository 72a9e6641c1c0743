"""A small supervision history for the reports' Supervision sheet (tests/test_reports_supervision.py),
written straight to the database: two teams in two service areas, July to September 2026.

    team     area   supervisee  joined  1:1s held              agreements      case (last on the caseload)
    North 1  North  Ann         2 Jan   10 Jul, 5 Aug, 20 Sep  15 Jun          N-1: 20 Jun (first seen 1 Jun)
    North 1  North  Bob (ASYE)  2 Jan   20 Jul, 25 Sep         none            no cases
    South 1  South  Cat         2 Jan   30 Jun, 20 Aug         20 Jan, 3 Aug   S-1: 10 Aug (first seen 1 Jun)
    South 1  South  Dan         10 Sep  14 Sep                 none            no cases

Bob's ASYE year started on 5 Jan 2026 (four-weekly 1:1s from 5 Jul).
Group supervision: North 1 on 15 Jul and 16 Sep; South 1 on 12 Aug. Supervisors Nell (North 1) and Sid
(South 1) have no supervisor on the roster, so they are not supervisees.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from qa.supervision import AGREEMENT, GROUP, ONE_TO_ONE
from storage.db import Database
from storage.models import CaseloadCase, Person, SupervisionSession

DOMAIN = "council.gov.uk"
JOINED = datetime(2026, 1, 2, 9, tzinfo=timezone.utc)

# name -> (role, team, area, supervisor, ASYE start, joined)
PEOPLE = {
    "Nell": ("practice_manager", "North 1", "North", None, None, JOINED),
    "Sid": ("practice_manager", "South 1", "South", None, None, JOINED),
    "Ann": ("practitioner", "North 1", "North", "Nell", None, JOINED),
    "Bob": ("practitioner", "North 1", "North", "Nell", date(2026, 1, 5), JOINED),
    "Cat": ("practitioner", "South 1", "South", "Sid", None, JOINED),
    "Dan": ("practitioner", "South 1", "South", "Sid", None, datetime(2026, 9, 10, 9, tzinfo=timezone.utc)),
}
SESSIONS = (  # (supervisee, kind, held on)
    ("Ann", ONE_TO_ONE, date(2026, 7, 10)), ("Ann", ONE_TO_ONE, date(2026, 8, 5)),
    ("Ann", ONE_TO_ONE, date(2026, 9, 20)), ("Ann", AGREEMENT, date(2026, 6, 15)),
    ("Bob", ONE_TO_ONE, date(2026, 7, 20)), ("Bob", ONE_TO_ONE, date(2026, 9, 25)),
    ("Cat", ONE_TO_ONE, date(2026, 6, 30)), ("Cat", ONE_TO_ONE, date(2026, 8, 20)),
    ("Cat", AGREEMENT, date(2026, 1, 20)), ("Cat", AGREEMENT, date(2026, 8, 3)),
    ("Dan", ONE_TO_ONE, date(2026, 9, 14)),
)
GROUPS = (("North 1", "Nell", date(2026, 7, 15)), ("North 1", "Nell", date(2026, 9, 16)),
          ("South 1", "Sid", date(2026, 8, 12)))
CASELOAD = (("N-1", "Ann", date(2026, 6, 20), date(2026, 6, 1)), ("S-1", "Cat", date(2026, 8, 10), date(2026, 6, 1)))


def email(name: str) -> str:
    return f"{name.lower()}@{DOMAIN}"


async def add_supervision_history(db: Database) -> dict[str, int]:
    """The people, sessions and caseload above; name -> person id."""
    async with db.sessions.begin() as session:
        people = {name: Person(email=email(name), display_name=f"{name} Example", role=role, team=team,
                               service_area=area, supervisor_email=email(boss) if boss else None,
                               asye_start_date=asye, start_date=joined.date(), created_at=joined,
                               updated_at=joined)
                  for name, (role, team, area, boss, asye, joined) in PEOPLE.items()}
        session.add_all(people.values())
        await session.flush()
        ids = {name: p.id for name, p in people.items()}

        def row(subject, supervisee, team, supervisor, kind, held_on):
            return SupervisionSession(subject=subject, supervisee_id=supervisee, team=team,
                                      supervisor_id=ids[supervisor], kind=kind, held_on=held_on,
                                      duration_minutes=60, case_refs=[], state="recorded", via="test",
                                      recorded_at=JOINED)
        for name, kind, held_on in SESSIONS:
            _role, team, _area, boss, _asye, _joined = PEOPLE[name]
            session.add(row(f"p{ids[name]}", ids[name], team, boss, kind, held_on))
        for team, boss, held_on in GROUPS:
            session.add(row(f"t:{team}", None, team, boss, GROUP, held_on))
        for ref, holder, last, first_seen in CASELOAD:
            session.add(CaseloadCase(case_ref=ref, case_holder_id=ids[holder], last_case_supervision_on=last,
                                     first_seen_on=first_seen, imported_at=JOINED))
        return ids
