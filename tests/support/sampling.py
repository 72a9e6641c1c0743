"""The council and the Annex A workbook the audit sample's tests share (tests/test_sampling_extract.py,
tests/test_sampling_chat.py): two service areas of two teams, a practice manager and a case holder in
each team, and an extract whose identifying columns hold SECRETS, values no part of the bot may keep."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import openpyxl
from sqlalchemy import MetaData, select

from storage.models import AuditMonth, Conversation, Person

NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)

MONTH = "2027-01"
# Values no part of the bot may keep: each is in an identifying column of the extract.
SECRETS = ("Zephyrine", "Quillfeather", "14/03/2015", "a) WIRI", "SW1A 1AA", "b) Female", "Yes - autism",
           "Montgomery-Xanthe", "27 Larkspur Row", "Guidance says nothing secret: Orlaith")
TEAMS = {"North Area": ("North CIN", "North CP"), "South Area": ("South CIN", "South LAC")}


def annex_a_workbook(path: Path, cases_per_team: int = 6) -> Path:
    """A council-shaped Annex A: a guidance sheet, a hidden lookup sheet, and Lists 6, 7 and 8 each
    with two title rows above the header and every identifying column Ofsted's lists carry."""
    book = openpyxl.Workbook()
    guide = book.active
    guide.title = "Guidance"
    guide.append(["Annex A guidance for inspectors"])
    guide.append([SECRETS[9]])
    hidden = book.create_sheet("Lookups")
    hidden.append(["Child Unique ID", "Forename"])
    hidden.append(["CR-9999", SECRETS[0]])
    hidden.sheet_state = "hidden"
    n = 0
    for number, title in ((6, "Children in Need"), (7, "Child Protection"), (8, "Children in Care")):
        sheet = book.create_sheet(f"List {number} - {title}")
        sheet.append([f"Annex A List {number}: {title}"])
        sheet.append(["Extract run 01/12/2026 for inspection"])
        header = ["Child Unique ID", "Forename", "Surname", "Gender", "Ethnicity", "Date of Birth",
                  "Age of Child (Years)", "Does the Child have a Disability", "Allocated Team", "Allocated Worker"]
        if number == 8:
            header += ["Placement postcode", "Placement address"]
        sheet.append(header)
        for teams in TEAMS.values():
            for team in teams:
                for _ in range(cases_per_team):
                    n += 1
                    row = [f"CR-{1000 + n}", SECRETS[0], SECRETS[1], SECRETS[5], SECRETS[3], SECRETS[2], 11,
                           SECRETS[6], team, f"worker.{team.lower().replace(' ', '.')}@council.gov.uk"]
                    if number == 8:
                        row += [SECRETS[4], SECRETS[8]]
                    sheet.append(row)
    book.save(path)
    return path


async def roster(db, service_url: str = "") -> dict[str, int]:
    """A practice manager and a practitioner (their case holder) in each team; a service lead."""
    ids: dict[str, int] = {}
    async with db.sessions.begin() as session:
        for area, teams in TEAMS.items():
            for team in teams:
                slug = team.lower().replace(" ", ".")
                manager = Person(email=f"pm.{slug}@council.gov.uk", display_name=f"PM {team}", role="practice_manager",
                                 team=team, service_area=area, created_at=NOW, updated_at=NOW)
                worker = Person(email=f"worker.{slug}@council.gov.uk", display_name=f"SW {team}", role="practitioner",
                                team=team, service_area=area, supervisor_email=manager.email, created_at=NOW,
                                updated_at=NOW)
                session.add_all([manager, worker])
                await session.flush()
                ids[manager.email], ids[worker.email] = manager.id, worker.id
        session.add(Person(email="sl@council.gov.uk", display_name="Service Lead", role="service_lead", team="Leads",
                           service_area="North Area;South Area", created_at=NOW, updated_at=NOW))
        if service_url:  # the QA unit's Quinn, with a personal chat with the bot
            quinn = Person(email="quinn@council.gov.uk", display_name="Quinn Example", role="qa_unit",
                           team="Quality Assurance Unit", created_at=NOW, updated_at=NOW)
            session.add(quinn)
            await session.flush()
            ids[quinn.email] = quinn.id
            session.add(Conversation(conversation_id="a:personal-chat-Quinn", tenant_id="tenant-1",
                                     service_url=service_url, bot_id="28:bot-id", user_id="29:user-Quinn",
                                     reference={}, installed_at=NOW, person_id=quinn.id))
        session.add(AuditMonth(month="2026-06", imported_at=NOW))
    return ids


async def everything_stored(db) -> str:
    """Every row of every table, as text."""
    out = []
    async with db.engine.connect() as conn:
        meta = MetaData()
        await conn.run_sync(meta.reflect)
        for table in meta.sorted_tables:
            for row in (await conn.execute(select(table))).all():
                out.append(repr(tuple(row)))
    return "\n".join(out)


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, secret
