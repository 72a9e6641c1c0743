"""Files in chat, one way for all: the QA unit sends a file it keeps; the bot recognises its kind
from the columns, previews what would change, and writes only on Confirm.

Over HTTP through the real app and the fake Bot Connector, on SQLite and PostgreSQL: each message
carries a file.download.info attachment whose link points at a file host on 127.0.0.1
(tests/test_allocation_upload.py's FileHost); presses are signed Action.Execute invokes.
"""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select

from bot.clock import fixed_clock
from qa.tabular import ReadLimits
from storage import files
from storage.models import (
    Allocation,
    CalendarEvent,
    CaseloadCase,
    FilePreview,
    ImportedAudit,
    Person,
    SupervisionSession,
    TrailEvent,
)
from tests.support import activities as act
from tests.support.allocation_files import GOOD, csv_bytes
from tests.support.chat_files import card_nodes, file_message, post, press, staff

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=timezone.utc)
ROSTER_HEADER = "email,display_name,role,team,service_area,supervisor_email,asye_start_date,registered,aad_object_id\n"
ROSTER = (ROSTER_HEADER
          + "quinn@council.gov.uk,Quinn QA,qa_unit,QA Unit,,,,yes,\n"
          + "pm.cin@council.gov.uk,Pat Manager,practice_manager,Team Alpha,Children in Need,,,yes,\n"
          + "new.worker@council.gov.uk,Nia New,practitioner,Team Alpha,Children in Need,pm.cin@council.gov.uk,,yes,\n")


def quinn_sends(fake, file_host, name: str, data: bytes, text: str = "") -> dict:
    file_host.files[name] = data
    return file_message("quinn", "aad-quinn", service_url=fake.url, name=name, url=file_host.url(name), text=text)


async def send(bot_client, fake, file_host, name: str, data: bytes, text: str = "") -> dict:
    """Quinn (QA unit) sends the file; the one card the bot answers with."""
    before = len(fake.delivered(act.personal_conversation_id("quinn")))
    await post(bot_client, quinn_sends(fake, file_host, name, data, text))
    replies = fake.delivered(act.personal_conversation_id("quinn"))[before:]
    assert len(replies) == 1, [r.all_text() for r in replies]
    return replies[0].cards[0] if replies[0].cards else {"text": replies[0].text}


async def count(db, model, *where) -> int:
    async with db.sessions() as s:
        return await s.scalar(select(func.count()).select_from(model).where(*where))


async def trail(db, action: str) -> int:
    return await count(db, TrailEvent, TrailEvent.action == action)


async def setup(services, db) -> None:
    services.clock = fixed_clock(NOW)
    await act.add_people(db, *staff())


async def test_a_roster_is_previewed_and_written_only_on_confirm(bot_client, services, fake_connector, file_host, db):
    await setup(services, db)
    people = await count(db, Person)
    card = await send(bot_client, fake_connector, file_host, "staff.csv", ROSTER.encode())
    seen = json.dumps(card)
    assert "Preview: the staff roster" in seen and "staff.csv" in seen
    assert {"title": "Added", "value": "1"} in card["body"][3]["facts"]
    assert {"title": "Marked as left", "value": "4"} in card["body"][3]["facts"]
    assert await count(db, Person) == people  # nothing written yet
    answer = await press(bot_client, fake_connector, card, "Confirm")
    assert "Imported: the staff roster" in answer
    assert await count(db, Person, Person.email == "new.worker@council.gov.uk") == 1
    assert await count(db, Person, Person.left_at.is_not(None)) == 4
    assert await trail(db, "file_imported") == 1
    again = await press(bot_client, fake_connector, card, "Confirm")  # a second press
    assert "confirmed already" in again and await trail(db, "file_imported") == 1
    async with db.sessions() as s:
        assert (await s.scalar(select(FilePreview.data))) is None  # the upload is not kept once decided


async def test_cancel_writes_nothing(bot_client, services, fake_connector, file_host, db):
    await setup(services, db)
    card = await send(bot_client, fake_connector, file_host, "staff.csv", ROSTER.encode())
    assert "Cancelled" in await press(bot_client, fake_connector, card, "Cancel")
    assert await count(db, Person, Person.email == "new.worker@council.gov.uk") == 0
    assert "cancelled" in await press(bot_client, fake_connector, card, "Confirm")
    assert await count(db, Person, Person.email == "new.worker@council.gov.uk") == 0


async def test_an_old_or_stale_preview_is_refused_politely(bot_client, services, fake_connector, file_host, db):
    await setup(services, db)
    old = await send(bot_client, fake_connector, file_host, "staff.csv", ROSTER.encode())
    services.clock = fixed_clock(NOW + timedelta(minutes=61))
    assert "more than an hour old" in await press(bot_client, fake_connector, old, "Confirm")
    first = await send(bot_client, fake_connector, file_host, "a.csv", ROSTER.encode())
    second = await send(bot_client, fake_connector, file_host, "b.csv", ROSTER.encode())
    assert "Imported" in await press(bot_client, fake_connector, second, "Confirm")
    assert "imported again since this preview" in await press(bot_client, fake_connector, first, "Confirm")
    assert await trail(db, "file_imported") == 1


async def test_the_same_file_twice_changes_nothing_the_second_time(bot_client, services, fake_connector, file_host, db):
    await setup(services, db)
    card = await send(bot_client, fake_connector, file_host, "staff.csv", ROSTER.encode())
    await press(bot_client, fake_connector, card, "Confirm")
    services.clock = fixed_clock(NOW + timedelta(minutes=5))
    card = await send(bot_client, fake_connector, file_host, "staff.csv", ROSTER.encode())
    assert "would change nothing" in json.dumps(card)
    assert {"title": "Unchanged", "value": "3"} in card["body"][3]["facts"]
    await press(bot_client, fake_connector, card, "Confirm")
    assert await count(db, Person) == 6 + 1


async def test_a_refusal_names_the_row_and_column(bot_client, services, fake_connector, file_host, db):
    await setup(services, db)
    bad = ROSTER + "someone@council.gov.uk,,practitioner,Team Alpha,Children in Need,,,yes,\n"
    card = await send(bot_client, fake_connector, file_host, "staff.csv", bad.encode())
    seen = json.dumps(card)
    assert "Not imported" in seen and "row 5, column display_name" in seen
    assert not list(_actions(card))
    assert await count(db, Person, Person.email == "new.worker@council.gov.uk") == 0


def _actions(card):
    return [n for n in card_nodes(card) if n.get("type") == "Action.Execute"]


async def test_allocations_are_previewed_per_service_area_then_imported(bot_client, services, fake_connector,
                                                                        file_host, db):
    await setup(services, db)
    card = await send(bot_client, fake_connector, file_host, "list.csv", csv_bytes(GOOD), "allocations for 2026-12")
    seen = json.dumps(card)
    assert "December 2026" in seen and "Children in Need: 2 cases" in seen and "Looked After Children: 1 case" in seen
    assert await count(db, Allocation) == 0
    assert "Imported" in await press(bot_client, fake_connector, card, "Confirm")
    assert await count(db, Allocation, Allocation.month == "2026-12") == 3


async def test_a_register_of_past_audits_is_previewed_then_imported(bot_client, services, fake_connector,
                                                                    file_host, db):
    await setup(services, db)
    data = (b"Month,Case ref,Service area,Team,Grade\n2026-09,CR-2001,Children in Need,CIN Team 1,Good\n"
            b"2026-10,CR-2002,Children in Need,CIN Team 1,Requires improvement\n")
    card = await send(bot_client, fake_connector, file_host, "past.csv", data)
    assert "Preview: the register of past audits" in json.dumps(card)
    assert await count(db, ImportedAudit) == 0
    assert "Imported" in await press(bot_client, fake_connector, card, "Confirm")
    assert await count(db, ImportedAudit) == 2


async def test_the_qa_calendar_is_previewed_then_imported(bot_client, services, fake_connector, file_host, db):
    await setup(services, db)
    data = (b"starts_on,ends_on,kind,title,audience,details\n"
            b"2027-01-11,2027-01-15,practice_week,Winter practice week,,\n")
    card = await send(bot_client, fake_connector, file_host, "calendar.csv", data)
    assert {"title": "Events added", "value": "1"} in card["body"][3]["facts"]
    assert await count(db, CalendarEvent) == 0
    await press(bot_client, fake_connector, card, "Confirm")
    assert await count(db, CalendarEvent) == 1


async def test_when_two_kinds_fit_the_sender_chooses(bot_client, services, fake_connector, file_host, db):
    await setup(services, db)
    both = ROSTER_HEADER.strip() + ",starts_on,ends_on,kind,title\n"
    card = await send(bot_client, fake_connector, file_host, "odd.csv", both.encode())
    assert "Which file is this?" in json.dumps(card)
    answer = await press(bot_client, fake_connector, card, "The staff roster")
    assert "the staff roster" in answer  # the roster's own checks then answer (here: a column too many)


async def test_only_the_qa_unit_may_send_and_only_the_sender_may_confirm(bot_client, services, fake_connector,
                                                                         file_host, db):
    await setup(services, db)
    file_host.files["staff.csv"] = ROSTER.encode()
    await post(bot_client, file_message("sol", "aad-sol", service_url=fake_connector.url, name="staff.csv",
                                        url=file_host.url("staff.csv")))
    [reply] = fake_connector.delivered(act.personal_conversation_id("sol"))
    assert "Only the QA unit" in reply.text and file_host.fetched == []
    card = await send(bot_client, fake_connector, file_host, "staff.csv", ROSTER.encode())
    answer = await press(bot_client, fake_connector, card, "Confirm", who="sol", aad="aad-sol")
    assert "only they can confirm" in answer
    assert await count(db, Person, Person.email == "new.worker@council.gov.uk") == 0


def facts_of(card: dict) -> dict[str, str]:
    return {f["title"]: f["value"] for part in card["body"] if part.get("type") == "FactSet" for f in part["facts"]}


HISTORY = (b"supervisee_email,supervisor_email,kind,held_on,duration_minutes,case_refs\n"
           b"sw1@council.gov.uk,pm.cin@council.gov.uk,1:1,2026-11-04,90,\n"
           b"sw1@council.gov.uk,pm.cin@council.gov.uk,case supervision,2026-11-18,45,CR-1001; CR-1002\n")


async def test_supervision_history_is_previewed_then_imported_once(bot_client, services, fake_connector,
                                                                   file_host, db):
    await setup(services, db)
    await confirmed(bot_client, fake_connector, file_host, "caseload.csv", CASELOAD)  # CR-1001 last seen 2026-10-01
    card = await send(bot_client, fake_connector, file_host, "history.csv", HISTORY)
    assert "Preview: supervision history" in json.dumps(card)
    shown = facts_of(card)
    assert shown["Sessions added"] == "2" and shown["Already on record"] == "0"
    assert shown["Cases' last case supervision moved forward"] == "1"  # CR-1001 (CR-1002 is not on the caseload)
    assert await count(db, SupervisionSession) == 0 and await trail(db, "supervision_imported") == 0
    assert "Imported: supervision history" in await press(bot_client, fake_connector, card, "Confirm")
    assert await count(db, SupervisionSession) == 2
    assert await count(db, CaseloadCase, CaseloadCase.case_ref == "CR-1001",
                       CaseloadCase.last_case_supervision_on == date(2026, 11, 18)) == 1
    assert await trail(db, "supervision_imported") == 1 and await trail(db, "file_imported") == 2
    services.clock = fixed_clock(NOW + timedelta(minutes=5))
    again = await send(bot_client, fake_connector, file_host, "history.csv", HISTORY)
    assert facts_of(again)["Sessions added"] == "0" and facts_of(again)["Already on record"] == "2"
    assert "would change nothing" in json.dumps(again)


async def test_a_supervision_history_refusal_names_the_row_and_column(bot_client, services, fake_connector,
                                                                      file_host, db):
    await setup(services, db)
    bad = HISTORY + b"sw1@council.gov.uk,nobody@council.gov.uk,1:1,2026-11-05,60,\n"
    card = await send(bot_client, fake_connector, file_host, "history.csv", bad)
    seen = json.dumps(card)
    assert "Not imported" in seen and "row 4, column supervisor_email: nobody@council.gov.uk is not on the roster" in seen
    assert not _actions(card) and await count(db, SupervisionSession) == 0


CASELOAD = (b"case_ref,case_holder_email,last_case_supervision_on\n"
            b"CR-1001,sw1@council.gov.uk,2026-10-01\n"
            b"CR-1003,sw2@council.gov.uk,\n")


async def confirmed(bot_client, fake, file_host, name: str, data: bytes) -> None:
    card = await send(bot_client, fake, file_host, name, data)
    assert "Imported" in await press(bot_client, fake, card, "Confirm"), json.dumps(card)[:500]


async def test_the_caseload_is_previewed_then_replaces_the_one_on_record(bot_client, services, fake_connector,
                                                                         file_host, db):
    await setup(services, db)
    card = await send(bot_client, fake_connector, file_host, "caseload.csv", CASELOAD)
    assert "Preview: the caseload" in json.dumps(card)
    assert facts_of(card)["Cases added"] == "2"
    assert await count(db, CaseloadCase) == 0
    assert "Imported: the caseload" in await press(bot_client, fake_connector, card, "Confirm")
    assert await count(db, CaseloadCase) == 2 and await trail(db, "caseload_imported") == 1

    services.clock = fixed_clock(NOW + timedelta(minutes=5))
    moved = (b"case_ref,case_holder_email,last_case_supervision_on\n"
             b"CR-1001,sw1@council.gov.uk,2026-10-01\n"
             b"CR-1004,sw1@council.gov.uk,2026-11-20\n")
    card = await send(bot_client, fake_connector, file_host, "caseload-december.csv", moved)
    shown = facts_of(card)
    assert (shown["Cases added"], shown["Removed (no longer on the caseload)"], shown["Unchanged"]) == ("1", "1", "1")
    assert await count(db, CaseloadCase, CaseloadCase.case_ref == "CR-1003") == 1  # the preview removed nothing
    await press(bot_client, fake_connector, card, "Confirm")
    async with db.sessions() as s:
        assert set(await s.scalars(select(CaseloadCase.case_ref))) == {"CR-1001", "CR-1004"}


async def test_a_caseload_refusal_names_the_row_and_column(bot_client, services, fake_connector, file_host, db):
    await setup(services, db)
    card = await send(bot_client, fake_connector, file_host, "caseload.csv",
                      CASELOAD + b"CR-1005,sw1@council.gov.uk,2027-01-01\n")
    seen = json.dumps(card)
    assert "Not imported" in seen and "row 4, column last_case_supervision_on: 2027-01-01 is in the future" in seen
    assert await count(db, CaseloadCase) == 0


def long_roster(n: int) -> bytes:
    """Quinn, then `n` - 1 new practitioners: a roster longer than a small batch."""
    lines = [f"new{i:03d}@council.gov.uk,New Worker {i},practitioner,Team Alpha,Children in Need,"
             f",,yes,\n" for i in range(n - 1)]
    return (ROSTER_HEADER + "quinn@council.gov.uk,Quinn QA,qa_unit,QA Unit,,,,yes,\n" + "".join(lines)).encode()


def small_batches(services, rows: int = 10) -> None:
    """QA_IMPORT_BATCH_ROWS as `rows` for the app serving the test."""
    services.settings = replace(services.settings, file_limits=ReadLimits(batch_rows=rows))


async def test_a_preview_never_commits_even_a_file_longer_than_a_batch(bot_client, services, fake_connector,
                                                                       file_host, db, monkeypatch):
    """35 rows in batches of 10: the preview runs every statement in one transaction and rolls it back
    (no batch is written, let alone committed, and no other session sees a row); Confirm then writes
    the same rows in six batches."""
    await setup(services, db)
    small_batches(services)
    batched: list[int] = []
    rolled_back: list[object] = []

    async def hook(session, index: int) -> None:
        batched.append(index)

    class Watched(files.DryRun):
        """The preview's rollback, raised inside its one transaction: counted."""

        def __init__(self, report: object) -> None:
            super().__init__(report)
            rolled_back.append(report)

    monkeypatch.setattr(files, "batch_written", hook)
    monkeypatch.setattr(files, "DryRun", Watched)
    rows = long_roster(35)
    people = await count(db, Person)
    card = await send(bot_client, fake_connector, file_host, "staff.csv", rows)
    shown = facts_of(card)
    assert (shown["Added"], shown["Updated"], shown["Marked as left"]) == ("34", "1", "5")
    assert len(rolled_back) == 1  # the preview ran the whole import in one transaction, then rolled it back
    assert batched == []  # no batch of the preview
    assert await count(db, Person) == people
    assert await count(db, Person, Person.left_at.is_not(None)) == 0
    await press(bot_client, fake_connector, card, "Confirm")
    assert batched == [0, 1, 2, 3, 4, 5]  # 34 new people in 10, 10, 10, 4; Quinn's change; the 5 leavers
    assert await count(db, Person) == people + 34
    assert await count(db, Person, Person.left_at.is_not(None)) == 5


async def test_a_confirm_stopped_part_way_says_how_far_and_the_same_file_again_finishes(
        bot_client, services, fake_connector, file_host, db, monkeypatch):
    await setup(services, db)
    small_batches(services)
    people = await count(db, Person)
    rows = long_roster(35)

    async def stop_at_two(session, index: int) -> None:
        if index == 2:
            raise ConnectionError("the database went away")  # as a dropped connection surfaces

    card = await send(bot_client, fake_connector, file_host, "staff.csv", rows)
    monkeypatch.setattr(files, "batch_written", stop_at_two)
    answer = await press(bot_client, fake_connector, card, "Confirm")
    assert "staff.csv was imported only in part: 20 of 40 rows were written" in answer
    assert "Send the same file here again" in answer
    assert await count(db, Person) == people + 20
    assert await trail(db, "file_import_interrupted") == 1 and await trail(db, "file_imported") == 0
    assert "imported only in part" in await press(bot_client, fake_connector, card, "Confirm")  # that preview is done

    monkeypatch.setattr(files, "batch_written", _no_hook)
    services.clock = fixed_clock(NOW + timedelta(minutes=2))
    again = await send(bot_client, fake_connector, file_host, "staff.csv", rows)
    shown = facts_of(again)
    assert (shown["Added"], shown["Marked as left"], shown["Unchanged"]) == ("14", "5", "20")  # only what is missing
    assert "Imported" in await press(bot_client, fake_connector, again, "Confirm")
    assert await count(db, Person) == people + 34
    assert await count(db, Person, Person.left_at.is_not(None)) == 5


async def _no_hook(session, index: int) -> None:
    """storage.files.batch_written as it is outside tests: nothing."""


async def test_an_upload_nobody_decides_is_dropped_by_the_hourly_duty(bot_client, services, fake_connector,
                                                                     file_host, db):
    """A preview older than an hour that nobody pressed: the duty marks it expired and drops the
    file (docs/privacy.md), one trail row; a fresh one is kept; Confirm then says it expired."""
    from capabilities.intake.duties import ExpiredUploadsDuty
    from qa.calendar import WorkingCalendar

    await setup(services, db)
    old = await send(bot_client, fake_connector, file_host, "old.csv", ROSTER.encode())
    services.clock = fixed_clock(NOW + timedelta(minutes=50))
    await send(bot_client, fake_connector, file_host, "fresh.csv", ROSTER.encode())
    duty = ExpiredUploadsDuty(WorkingCalendar())
    later = NOW + timedelta(minutes=75)  # Wednesday 2 December, 10:15 UTC (10:15 in London): a working hour
    [slot] = duty.occurrences(later)
    async with db.sessions.begin() as session:
        await duty.run(session, slot, later)
    async with db.sessions() as s:
        held = {row.file_name: (row.state, row.data is not None) for row in await s.scalars(select(FilePreview))}
    assert held == {"old.csv": ("expired", False), "fresh.csv": ("previewed", True)}
    assert await trail(db, "file_previews_expired") == 1
    async with db.sessions.begin() as session:  # a second run finds nothing more
        await duty.run(session, slot, later)
    assert await trail(db, "file_previews_expired") == 1
    services.clock = fixed_clock(later)
    assert "more than an hour old" in await press(bot_client, fake_connector, old, "Confirm")
