"""Supervision's morning sweep at scale (issue 11): 2,000 staff with three years of supervision history and
a 15,000-case caseload must sweep in under 1 s; ten times the data in under twelve times the time.

Run: python -m bench.supervision [--runs 3] [--scales 1,10] [--postgres] [--no-write]

The data (fictional, deterministic): `bench.sweep_data.staff_rows(N)` staff (each head of service's block its own
service area) written in bulk, joined three years ago; every supervisee's history written as it would be kept: a 1:1 every four weeks (ASYEs weekly, then
fortnightly), an agreement review every six months, a case supervision every eight weeks, each team's group
supervision monthly, the last few weeks' sessions more or less late so a morning has plenty due and
overdue; a caseload of 7.5 cases per staff member (15,000 at 2,000 staff) with 2% exempted; 3% of staff
away somewhere around the morning. Timed: `scheduler.sweep.sweep` over supervision's duties at two
moments, each on a fresh copy of the database as it stood (the writes are part of the time):
an ordinary morning (Monday 7 December 2026 09:00), and the first working day of a month: December's
compliance figures at 07:00 and that morning at 09:00 (Monday 4 January 2027).
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from bench.common import machine, today, write_section
from bench.sweep import PostgresStore, SqliteStore
from bench.sweep_data import staff_rows
from storage.db import Database
from storage.migrate import upgrade

SECTION = "## Supervision: the morning sweep (bench.supervision)"
MOMENTS = {"ordinary morning (Mon 7 Dec 2026 09:00)": datetime(2026, 12, 7, 9, tzinfo=UTC),
           "December's compliance (Mon 4 Jan 2027 07:00)": datetime(2027, 1, 4, 7, tzinfo=UTC),
           "first morning of a month (Mon 4 Jan 2027 09:00)": datetime(2027, 1, 4, 9, tzinfo=UTC)}
# Sessions run to the last day before the later moment (each morning reads only what was held by then);
# the caseload's last case supervision is as exported before the first.
HISTORY_END = date(2027, 1, 3)
CASELOAD_AS_OF = date(2026, 12, 4)
WARM_UP_MORNINGS = 10  # working mornings swept before a timed one, so it sends only what is new that day
TARGET_SECONDS = 1.0
TARGET_RATIO = 12.0
YEARS = 3
CASES_PER_STAFF = 7.5


@dataclass
class Measured:
    store: str
    staff: int
    counts: dict[str, int]
    build_seconds: float
    medians: dict[str, float] = field(default_factory=dict)
    firsts: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)


def _history(staff: int, start: date, end: date, rng: random.Random):
    """(people, sessions, caseload, exemptions, away) rows for `staff` people."""
    from qa.supervision import add_months

    joined = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    rows = staff_rows(staff)
    people = []
    for i, r in enumerate(rows, start=1):
        people.append({"id": i, "email": r["email"], "display_name": r["display_name"], "role": r["role"],
                       "team": r["team"], "service_area": r["service_area"],
                       "supervisor_email": r["supervisor_email"] or None,
                       "asye_start_date": date(2026, 9, 1) if r["asye_start_date"] else None,
                       "registered": True, "aad_object_id": r["aad_object_id"], "left_at": None,
                       "created_at": joined, "updated_at": joined})
    by_email = {p["email"]: p["id"] for p in people}
    sessions: list[dict] = []
    caseload: list[dict] = []
    recorded = datetime(2026, 11, 30, 12, tzinfo=UTC)

    def add(person: dict, supervisor: int, kind: str, held: date, refs: list[str] | None = None) -> None:
        sessions.append({"subject": f"p{person['id']}", "supervisee_id": person["id"], "team": person["team"],
                         "supervisor_id": supervisor, "kind": kind, "held_on": held, "duration_minutes": 90,
                         "case_refs": refs or [], "state": "recorded", "reviewed_observation": False,
                         "recorded_by_id": supervisor, "via": "bench", "recorded_at": recorded,
                         "confirmed_at": recorded})

    case_no = 0
    target_cases = int(staff * CASES_PER_STAFF)
    practitioners = [p for p in people if p["role"] == "practitioner"]
    per_practitioner = max(1, round(target_cases / max(1, len(practitioners))))
    for p in people:
        supervisor = by_email.get(p["supervisor_email"] or "")
        if supervisor is None:
            continue
        # How late this supervisee's supervision has run lately, in days: most on time, one in five behind.
        slip = rng.randint(0, 3) if rng.random() < 0.8 else rng.randint(4, 40)
        held = start + timedelta(days=rng.randint(0, 27))
        while held <= end - timedelta(days=slip):
            add(p, supervisor, "one_to_one", held)
            held += timedelta(days=28 if not p["asye_start_date"] or held > date(2026, 10, 13) else 7)
        review = start + timedelta(days=rng.randint(0, 180))
        while review <= end:
            add(p, supervisor, "agreement_review", review)
            review = add_months(review, 6)
        if p["role"] == "practitioner":
            refs = [f"CR-{case_no + k:07d}" for k in range(per_practitioner)]
            case_no += per_practitioner
            for ref in refs:
                caseload.append({"case_ref": ref, "case_holder_id": p["id"], "first_seen_on": start,
                                 "last_case_supervision_on": CASELOAD_AS_OF - timedelta(
                                     days=rng.randint(0, 55) if rng.random() < 0.85 else rng.randint(56, 90)),
                                 "imported_at": recorded})
            held = start + timedelta(days=rng.randint(0, 55))
            while held <= CASELOAD_AS_OF:
                add(p, supervisor, "case", held, refs[: rng.randint(1, len(refs))])
                held += timedelta(days=56)
    teams = sorted({p["team"] for p in people if p["role"] == "practice_manager"})
    manager = {p["team"]: p["id"] for p in people if p["role"] == "practice_manager"}
    month = start.replace(day=1)
    while month <= end:
        for team in teams:
            sessions.append({"subject": f"t:{team}", "supervisee_id": None, "team": team,
                             "supervisor_id": manager[team], "kind": "group", "held_on": month + timedelta(days=9),
                             "duration_minutes": 90, "case_refs": [], "state": "recorded",
                             "reviewed_observation": False, "recorded_by_id": manager[team], "via": "bench",
                             "recorded_at": recorded, "confirmed_at": recorded})
        month = add_months(month, 1)
    sessions = [s for s in sessions if s["held_on"] <= end]
    exemptions = [{"case_ref": c["case_ref"], "recorded_by_id": None, "recorded_at": recorded}
                  for c in caseload if rng.random() < 0.02]
    away = []
    for p in people:
        if rng.random() < 0.03:
            first = date(2026, 11, 23) + timedelta(days=rng.randint(0, 20))
            away.append({"person_id": p["id"], "first_day": first, "last_day": first + timedelta(days=rng.randint(3, 25)),
                         "recorded_by_id": p["id"], "recorded_at": recorded})
    return people, sessions, caseload, exemptions, away


async def build(db: Database, staff: int) -> dict[str, int]:
    from storage.models import AwayPeriod, CaseExemption, CaseloadCase, Person, SupervisionSession

    await upgrade(db.engine)
    end = HISTORY_END
    start = date(end.year - YEARS, end.month, end.day)
    people, sessions, caseload, exemptions, away = _history(staff, start, end, random.Random(11))
    async with db.sessions.begin() as session:
        for model, rows in ((Person, people), (SupervisionSession, sessions), (CaseloadCase, caseload),
                            (CaseExemption, exemptions), (AwayPeriod, away)):
            for i in range(0, len(rows), 5000):
                await session.execute(insert(model), rows[i:i + 5000])
    if db.is_postgresql:
        from sqlalchemy import text

        async with db.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))  # as autovacuum would have: index-only scans
    return {"people": len(people), "supervision sessions": len(sessions), "caseload": len(caseload),
            "exemptions": len(exemptions), "away periods": len(away)}


def duties():
    from capabilities.supervision.duties import SupervisionComplianceDuty, SupervisionMorningDuty
    from qa.calendar import WorkingCalendar

    cal = WorkingCalendar()
    return [SupervisionMorningDuty(cal), SupervisionComplianceDuty(cal)]


async def outbox_rows(db: Database) -> int:
    from storage.models import OutboxMessage

    async with db.sessions() as session:
        return (await session.execute(select(func.count()).select_from(OutboxMessage))).scalar_one()


async def warm_up(store, now: datetime, name: str) -> None:
    """Copy "built" to `name` and sweep the WARM_UP_MORNINGS working mornings before `now` on it, so the timed
    morning finds yesterday's digests, notes and notices already written, as a served bot would."""
    from bot.services import Services
    from bot.settings import Settings
    from qa.calendar import WorkingCalendar
    from scheduler.sweep import sweep

    cal = WorkingCalendar()
    await store.copy("built", name)
    db = Database(store.url(name))
    services = Services.create(Settings(database_url=db.url), db=db)
    day, mornings = cal.local_date(now), []
    while len(mornings) < WARM_UP_MORNINGS:
        day = cal.previous_working_day(day)
        mornings.append(day)
    try:
        for day in reversed(mornings):
            result = await sweep(services, cal.at_send_time(day), duties())
            assert not result.failed, result
        if now.hour >= 9:  # the day's 07:00 compliance has run before its morning
            result = await sweep(services, now.replace(hour=7), duties())
            assert not result.failed, result
    finally:
        await services.close()
    await store.release(db)


async def time_moment(store, now: datetime, runs: int, snapshot: str) -> tuple[float, float, int]:
    """(median, first, rows written) of `runs` + 1 sweeps at `now`, each on a fresh copy of `snapshot`."""
    from bot.services import Services
    from bot.settings import Settings
    from scheduler.sweep import sweep

    db = Database(store.url("run"))
    services = Services.create(Settings(database_url=db.url), db=db)
    seconds, written = [], 0
    try:
        for _ in range(runs + 1):
            await db.dispose()
            await store.copy(snapshot, "run")
            before = await outbox_rows(db)
            gc.collect()
            began = time.perf_counter()
            result = await sweep(services, now, duties())
            seconds.append(time.perf_counter() - began)
            assert not result.failed and result.ran, result
            written = await outbox_rows(db) - before
    finally:
        await services.close()
    return statistics.median(seconds[1:]), seconds[0], written


async def measure(store, staff: int, runs: int) -> Measured:
    await store.create("built")
    db = Database(store.url("built"))
    began = time.perf_counter()
    counts = await build(db, staff)
    built = time.perf_counter() - began
    await store.release(db)
    m = Measured(store.name, staff, counts, built)
    print(f"{store.name} {staff:,} staff: built in {built:.0f} s: {counts}", flush=True)
    for i, (name, now) in enumerate(MOMENTS.items()):
        await warm_up(store, now, f"warm{i}")
        median, first, rows = await time_moment(store, now, runs, f"warm{i}")
        await store.drop(f"warm{i}")
        m.medians[name], m.firsts[name], m.rows[name] = median, first, rows
        print(f"  {name}: median {median * 1000:.0f} ms, first {first * 1000:.0f} ms, {rows:,} outbox rows",
              flush=True)
    await store.drop("run")
    await store.drop("built")
    return m


def describe(results: list[Measured], command: str, runs: int) -> str:
    load = os.getloadavg()
    lines = [SECTION, "", f"`{command}` — {today()}, {machine()}; load average at the end {load[0]:.1f} / "
             f"{load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 minutes: other work was running on the machine when "
             "above its core count).", "",
             "One `scheduler.sweep.sweep` over supervision's duties (`SupervisionMorningDuty`, "
             "`SupervisionComplianceDuty`), the outbox writes included, delivery not. Data from "
             f"`bench/supervision.py`: {YEARS} years of supervision history per supervisee (1:1s, agreement reviews, "
             "case supervision naming cases, each team's monthly group; most on time, one in five running 4 to 40 "
             "days late), a caseload of 7.5 cases per staff member, 2% of cases exempt, 3% of staff away around the "
             f"morning. Before each timed morning the {WARM_UP_MORNINGS} working mornings before it are swept, so "
             "it writes only that day's digests, notes and new notices, as a served bot would. Median of "
             f"{runs} runs, each on a fresh copy of the database as it then stood, after one first run (in "
             "brackets) on a new engine.", ""]
    lines.append("| data | " + " | ".join(f"{m.store} {m.staff:,} staff" for m in results) + " |")
    lines.append("| --- |" + " --- |" * len(results))
    for key in results[0].counts:
        lines.append(f"| {key} | " + " | ".join(f"{m.counts[key]:,}" for m in results) + " |")
    lines.append("| built in | " + " | ".join(f"{m.build_seconds:,.0f} s" for m in results) + " |")
    for name in MOMENTS:
        lines.append(f"| {name} | " + " | ".join(
            f"{m.medians[name] * 1000:,.0f} ms ({m.firsts[name] * 1000:,.0f} ms), {m.rows[name]:,} rows"
            for m in results) + " |")
    lines.append("")
    for m in results:
        if m.staff == 2000:
            worst = max(m.medians.values())
            lines.append(f"- {m.store} 2,000 staff: slowest moment {worst * 1000:,.0f} ms: "
                         f"{'meets' if worst < TARGET_SECONDS else 'MISSES'} the target (under 1 s).")
    for small in results:
        for big in results:
            if small.store == big.store and small.staff == 2000 and big.staff == 20000:
                ratio = max(big.medians[n] / small.medians[n] for n in MOMENTS)
                lines.append(f"- {small.store}: ten times the data takes at most {ratio:.1f} times the time: "
                             f"{'meets' if ratio < TARGET_RATIO else 'MISSES'} the target (under 12 times).")
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> int:
    stores = []
    with tempfile.TemporaryDirectory(prefix="bench-supervision-") as root:
        stores.append(SqliteStore(Path(root)))
        if args.postgres:
            pg = PostgresStore(os.environ.get("QA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
            if not await pg.answers():
                raise SystemExit("--postgres: no PostgreSQL server answered")
            stores.append(pg)
        results = []
        try:
            for store in stores:
                for scale in args.scales:
                    results.append(await measure(store, 2000 * scale, args.runs))
        finally:
            for store in stores:
                await store.close()
    command = "python -m bench.supervision" + (f" --runs {args.runs}" if args.runs != 3 else "") + \
        (f" --scales {','.join(map(str, args.scales))}" if args.scales != [1, 10] else "") + \
        (" --postgres" if args.postgres else "")
    text = describe(results, command, args.runs)
    print(text)
    if args.write:
        write_section(SECTION, text)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scales", type=lambda s: [int(x) for x in s.split(",")], default=[1, 10])
    parser.add_argument("--postgres", action="store_true", default=os.environ.get("QA_BENCH_POSTGRES") == "1")
    parser.add_argument("--no-write", dest="write", action="store_false")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
