"""Long imports write in batches (storage/files.py write_in_batches): another writer (the sender's
claims, the sweep) waits at most about one batch, not the whole import, and an import stopped
part-way leaves only rows as the file says, with a message saying how far it got; importing the
same file again finishes it. A file of at most a batch is still one transaction, all or nothing.

Synchronisation is explicit: storage.files.batch_written runs inside each batch's transaction, before
its commit; the tests start a concurrent write there, and await it in the next batch."""
from __future__ import annotations

import asyncio
import csv
import io
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from qa.roster import COLUMNS
from qa.tabular import ReadLimits
from storage import files
from storage.files import ImportInterrupted
from storage.models import CaseloadCase, OutboxMessage, Person, SupervisionSession
from storage.roster import import_roster
from storage.supervision import import_caseload, import_sessions

NOW = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
LATER = NOW + timedelta(days=1)
SMALL = ReadLimits(batch_rows=10)  # 35 people: batches of 10, 10, 10, 5
LONDON = timezone.utc
SAMPLE = Path(__file__).parent / "fixtures" / "roster" / "sample.csv"
HEADER = list(COLUMNS)


def person_rows(n: int) -> list[dict[str, str]]:
    """The sample roster, then practitioners in Pat Morgan's team, `n` people in all."""
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        rows = [{h: r.get(h, "") for h in HEADER} for r in csv.DictReader(f)]
    rows += [{"email": f"practitioner{i:04d}@example.gov.uk", "display_name": f"Practitioner {i}",
              "role": "practitioner", "team": "Locality North Team 1", "service_area": "Children & Families",
              "supervisor_email": "pat.morgan@example.gov.uk", "asye_start_date": "", "registered": "yes",
              "aad_object_id": ""} for i in range(n - len(rows))]
    return rows


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str]) -> Path:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode())
    return path


def roster(tmp_path: Path, rows: list[dict[str, str]], name: str = "roster.csv") -> Path:
    return write_csv(tmp_path / name, rows, list(HEADER))


async def count(db, model) -> int:
    async with db.sessions() as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar_one()


async def a_small_write(db) -> None:
    """One short write transaction, as the sender's claim or the sweep's lease makes."""
    async with db.sessions.begin() as session:
        await session.execute(text("UPDATE people SET updated_at = updated_at WHERE id = -1"))


async def test_another_writer_waits_at_most_one_batch(db, tmp_path, monkeypatch):
    """Started while batch 0 holds its transaction, a write is committed before batch 1 commits.
    (On SQLite one transaction holds the database's write lock: before batching, the write waited
    for the whole import.)"""
    seen: list[int] = []
    writer: list[asyncio.Task] = []

    async def hook(session, index: int) -> None:
        seen.append(index)
        if index == 0:
            writer.append(asyncio.create_task(a_small_write(db)))
        elif index == 1:
            # The guard, not a synchronisation: a writer still locked out would hold this batch until SQLite's
            # 30 s busy timeout.
            await asyncio.wait_for(writer[0], timeout=20)

    monkeypatch.setattr(files, "batch_written", hook)
    report = await import_roster(db, roster(tmp_path, person_rows(35)), NOW, limits=SMALL)
    assert report.added == 35
    assert seen == [0, 1, 2, 3]
    assert writer[0].done() and writer[0].exception() is None
    assert await count(db, Person) == 35


async def test_a_file_of_one_batch_or_less_is_still_all_or_nothing(db, tmp_path, monkeypatch):
    async def broken(session):
        raise ConnectionError("the database went away")

    monkeypatch.setattr("storage.roster.link_conversations", broken)
    with pytest.raises(ConnectionError):
        await import_roster(db, roster(tmp_path, person_rows(35)), NOW, limits=ReadLimits(batch_rows=35))
    assert await count(db, Person) == 0


def stop_at(batch: int):
    async def hook(session, index: int) -> None:
        if index == batch:
            raise ConnectionError("the database went away")  # as a dropped connection surfaces
    return hook


async def test_a_roster_stopped_part_way_says_so_and_the_same_file_again_finishes_it(db, tmp_path, monkeypatch):
    everyone = person_rows(40)
    practitioners = [p["email"] for p in everyone if p["role"] == "practitioner"]
    leavers, joiners = set(practitioners[:5]), set(practitioners[5:20])
    await import_roster(db, roster(tmp_path, [p for p in everyone if p["email"] not in joiners], "v1.csv"), NOW)
    async with db.sessions.begin() as session:  # a queued message to someone who is about to leave
        leaver = (await session.execute(select(Person).where(Person.email == practitioners[0]))).scalar_one()
        session.add(OutboxMessage(person_id=leaver.id, kind="test", idempotency_key="leaver-1", payload={},
                                  state="pending", due_at=NOW, next_attempt_at=NOW, created_at=NOW))
    # v2: 15 join, 5 change team, 5 leave: 25 rows, in batches of at most 10 of one kind: 10 + 5 joiners,
    # 5 changed, 5 leavers (each with their queued messages withdrawn). Stopped in the leavers' batch.
    staying = [p for p in everyone if p["email"] not in leavers | joiners]
    changed = {p["email"] for p in staying[-5:]}
    second = [dict(p, team="Renamed team") if p["email"] in changed else p
              for p in everyone if p["email"] not in leavers]
    path = roster(tmp_path, second, "v2.csv")

    monkeypatch.setattr(files, "batch_written", stop_at(3))
    with pytest.raises(ImportInterrupted) as stopped:
        await import_roster(db, path, LATER, limits=SMALL)
    message = str(stopped.value)
    assert message.startswith("v2.csv was imported only in part: 20 of 25 rows were written before the "
                              "database became unavailable.")
    assert "Import the same file again to finish" in message
    on_record = {p.email: p for p in await all_people(db)}
    # Written: the 15 new people and the 5 changed ones, each as the file says; the leavers not yet.
    assert len(on_record) == 40
    assert all(on_record[e].left_at is None for e in leavers)
    assert {on_record[e].team for e in changed} == {"Renamed team"}

    monkeypatch.setattr(files, "batch_written", _no_hook)
    report = await import_roster(db, path, LATER, limits=SMALL)
    assert (report.added, report.updated, report.unchanged, report.left) == (0, 0, 35, 5)
    assert report.messages_withdrawn == 1
    on_record = {p.email: p for p in await all_people(db)}
    assert all(on_record[e].left_at == LATER for e in leavers)
    again = await import_roster(db, path, LATER, limits=SMALL)
    assert (again.added, again.updated, again.left, again.unchanged) == (0, 0, 0, 35)


async def _no_hook(session, index: int) -> None:
    return None


async def all_people(db) -> list[Person]:
    async with db.sessions() as s:
        return list((await s.execute(select(Person))).scalars())


async def test_a_failure_in_the_first_batch_leaves_nothing_written(db, tmp_path, monkeypatch):
    monkeypatch.setattr(files, "batch_written", stop_at(0))
    with pytest.raises(ConnectionError):
        await import_roster(db, roster(tmp_path, person_rows(35)), NOW, limits=SMALL)
    assert await count(db, Person) == 0


# ---------------------------------------------------------------- every long import: caseload, sessions


async def staff(db, tmp_path) -> list[dict[str, str]]:
    rows = person_rows(12)
    await import_roster(db, roster(tmp_path, rows, "staff.csv"), NOW)
    return [r for r in rows if r["role"] == "practitioner"]


async def test_caseload_and_supervision_history_stopped_part_way_finish_on_the_same_file(db, tmp_path,
                                                                                         monkeypatch):
    practitioners = await staff(db, tmp_path)
    holder = practitioners[0]["email"]
    cases = [{"case_ref": f"CASE{n:04d}", "case_holder_email": holder, "last_case_supervision_on": "2026-10-01"}
             for n in range(25)]
    caseload = write_csv(tmp_path / "caseload.csv", cases,
                         ["case_ref", "case_holder_email", "last_case_supervision_on"])
    monkeypatch.setattr(files, "batch_written", stop_at(1))
    with pytest.raises(ImportInterrupted, match=r"caseload.csv was imported only in part: 10 of 25 rows"):
        await import_caseload(db, caseload, NOW, LONDON, limits=SMALL)
    assert await count(db, CaseloadCase) == 10
    monkeypatch.setattr(files, "batch_written", _no_hook)
    report = await import_caseload(db, caseload, NOW, LONDON, limits=SMALL)
    assert (report.added, report.unchanged) == (15, 10)
    assert await count(db, CaseloadCase) == 25

    supervisor = practitioners[0]["supervisor_email"]
    sessions = [{"supervisee_email": holder, "supervisor_email": supervisor, "kind": "case",
                 "held_on": (date(2026, 10, 2) + timedelta(days=n)).isoformat(), "duration_minutes": "30",
                 "case_refs": f"CASE{n:04d}"} for n in range(25)]
    history = write_csv(tmp_path / "sessions.csv", sessions, list(sessions[0]))
    monkeypatch.setattr(files, "batch_written", stop_at(2))
    with pytest.raises(ImportInterrupted, match=r"sessions.csv was imported only in part: 20 of 25 rows"):
        await import_sessions(db, history, NOW, LONDON, limits=SMALL)
    assert await count(db, SupervisionSession) == 20
    monkeypatch.setattr(files, "batch_written", _no_hook)
    report = await import_sessions(db, history, NOW, LONDON, limits=SMALL)
    assert (report.added, report.unchanged, report.cases_moved) == (5, 20, 25)
    async with db.sessions() as s:
        moved = dict((await s.execute(select(CaseloadCase.case_ref, CaseloadCase.last_case_supervision_on))).all())
    assert moved["CASE0000"] == date(2026, 10, 2) and moved["CASE0024"] == date(2026, 10, 26)
