"""The sweep at the audit cycle's busiest moments: one `scheduler.sweep.sweep` over every default
duty, timed on a database holding a council's staff, a month of allocations and years of history
(bench/sweep_data.py builds it).

Moments timed (December 2026, Europe/London):
- allocation notices, Thursday 3 December 09:00: a notice per auditor, the QA unit's list;
- a quiet minute, Thursday 10 December 14:37: nothing due (every occurrence has run);
- deadline day, Thursday 24 December 09:00: the last auditor reminder and the service-lead digest;
- overdue, Tuesday 29 December 09:00: overdue notices to auditors and their supervisors;
- oversight overdue, Thursday 7 January 09:00: to service leads and their heads of service.

Each run starts from a copy of the database as it stood just before the moment (a file copy on
SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL) on one engine kept across runs, as the served
app keeps it; the minute before is swept first (nothing is due then), as the app would have.
The first run on a new engine is reported apart: its statement caches are cold, which is what
`python -m bot tick --now ...` pays on every call.

Run: python -m bench.sweep [--runs 5] [--scales 1,10,10y10] [--postgres] [--profile] [--no-write]
PostgreSQL: --postgres, or QA_BENCH_POSTGRES=1; the server is QA_TEST_POSTGRES_URL (an admin URL,
default postgresql://postgres@127.0.0.1:5432/postgres); databases are created and dropped.
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import os
import pstats
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bench import common
from bench.common import machine, today
from bench.sweep_data import Scale, build_history, play_december, table_counts
from storage.db import Database, normalise_database_url, sqlite_path

SECTION = "## Sweep"
TARGET_SECONDS = 1.0
TARGET_RATIO = 12.0
SCENARIOS = {
    "allocation notices (Thu 3 Dec 09:00)": datetime(2026, 12, 3, 9, tzinfo=UTC),
    "quiet minute (Thu 10 Dec 14:37)": datetime(2026, 12, 10, 14, 37, tzinfo=UTC),
    "deadline day: reminders and digest (Thu 24 Dec 09:00)": datetime(2026, 12, 24, 9, tzinfo=UTC),
    "overdue: auditors and supervisors (Tue 29 Dec 09:00)": datetime(2026, 12, 29, 9, tzinfo=UTC),
    "oversight overdue: service leads and heads of service (Thu 7 Jan 09:00)": datetime(2027, 1, 7, 9, tzinfo=UTC),
}
QUIET = "quiet minute (Thu 10 Dec 14:37)"
DEFAULT_SCALES = "1,10,10y10"
# What profiling this benchmark changed in the duty and query code, with the figures before.
CHANGES = [
    "Earlier (commits 6851394, 7801a00): a moment's rows go through `storage.outbox.enqueue_many` (multi-row "
    "INSERT ... ON CONFLICT DO NOTHING pages), `notified_at` is one UPDATE per 1,000, supervisors come in one "
    "query, `storage.cycle.AreaShares` indexes service areas once, deadlines are cached per month.",
    "",
    "Since the duties moved onto named cadences (2026-12-06): the benchmark plays every duty at each of its "
    "occurrences through December (before, only the audit cycle's history was written, so the duties added "
    "since were all due at once at every measured moment and the minute before was not quiet). The profile "
    "at Thu 7 Jan then showed the monthly report duty (`audit-report`: December's analysis and, a quarter "
    "ending, the quarterly report, one workbook per service lead's areas, 54 areas x 2) re-reading the "
    "12-month register for every workbook; it now reads it once per report. The remedial intake read the "
    "~1,950 people who may be named responsible once per new plan; now once per run. What is left at "
    "7 Jan is building the 108 workbooks (about 7.6 s of the profile): the file consent card states each "
    "file's size, so the sweep makes them; see the note in docs/performance.md.",
    "",
]


def scale_of(token: str) -> Scale:
    """"1": 2,000 staff, 500 allocations a month, a year of history; "10": ten times each (a year of
    ten times the history); "10y10": ten times the staff and allocations, ten years of history."""
    match = re.fullmatch(r"(\d+)(?:y(\d+))?", token.strip())
    if not match or int(match.group(1)) < 1 or (match.group(2) and int(match.group(2)) < 1):
        raise argparse.ArgumentTypeError(f"{token!r} is not a scale such as 1, 10 or 10y10")
    factor, years = int(match.group(1)), int(match.group(2) or 1)
    return Scale(staff=2000 * factor, per_month=500 * factor, months=12 * years)


def short(scale: Scale) -> str:
    years = scale.months // 12
    return f"×{scale.staff // 2000}" + (f", {years} years" if years != 1 else "")


# -- where the databases live ----------------------------------------------------------------------

class SqliteStore:
    name = "SQLite"

    def __init__(self, root: Path) -> None:
        self.root = root

    def url(self, name: str) -> str:
        return normalise_database_url(f"sqlite:///{self.root / name}.sqlite3")

    def _path(self, name: str) -> Path:
        path = sqlite_path(self.url(name))
        assert path is not None
        return path

    async def create(self, name: str) -> None:
        await self.drop(name)

    async def release(self, db: Database) -> None:
        """Close the engine's connections and fold the WAL into the file, so a copy is whole."""
        await db.dispose()
        with sqlite3.connect(sqlite_path(db.url)) as con:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def copy(self, source: str, target: str) -> None:
        await self.drop(target)
        shutil.copyfile(self._path(source), self._path(target))
        # On disk before timing: else the first checkpoint's fsync in the timed sweep waits for the
        # whole copy (gigabytes at ten years) to be written back.
        with self._path(target).open("rb") as f:
            os.fsync(f.fileno())

    async def drop(self, name: str) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self._path(name)}{suffix}").unlink(missing_ok=True)

    async def close(self) -> None:
        pass


class PostgresStore:
    name = "PostgreSQL"

    def __init__(self, admin_url: str) -> None:
        self.admin_dsn = re.sub(r"^postgresql\+asyncpg://", "postgresql://", admin_url)
        self.base = normalise_database_url(admin_url).rsplit("/", 1)[0]
        self.prefix = f"qa_bench_{os.getpid()}"
        self.made: set[str] = set()

    def url(self, name: str) -> str:
        return f"{self.base}/{self.prefix}_{name}"

    async def _admin(self, *statements: str) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.admin_dsn, timeout=10)
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    async def answers(self) -> bool:
        try:
            await self._admin("SELECT 1")
            return True
        except (OSError, TimeoutError, Exception):  # noqa: BLE001 - any failure: no server to use
            return False

    async def create(self, name: str) -> None:
        await self.drop(name)
        await self._admin(f'CREATE DATABASE "{self.prefix}_{name}"')
        self.made.add(name)

    async def release(self, db: Database) -> None:
        await db.dispose()  # a template must have no connections

    async def copy(self, source: str, target: str) -> None:
        await self.drop(target)
        await self._admin(f'CREATE DATABASE "{self.prefix}_{target}" TEMPLATE "{self.prefix}_{source}"')
        self.made.add(target)

    async def drop(self, name: str) -> None:
        await self._admin(f'DROP DATABASE IF EXISTS "{self.prefix}_{name}" WITH (FORCE)')
        self.made.discard(name)

    async def close(self) -> None:
        for name in list(self.made):
            await self.drop(name)


# -- timing ------------------------------------------------------------------------------------------

@dataclass
class Timing:
    first: float  # the first sweep on a new engine
    runs: list[float]  # then, on the warm engine
    rows: int  # outbox rows the sweep wrote
    ran: int  # duty occurrences it ran

    @property
    def median(self) -> float:
        return statistics.median(self.runs)


@dataclass
class Measured:
    store: str
    scale: Scale
    counts: dict[str, int]
    build_seconds: float
    timings: dict[str, Timing] = field(default_factory=dict)
    profiles: dict[str, str] = field(default_factory=dict)


def make_services(db: Database):
    from bot.services import Services
    from bot.settings import Settings
    from capabilities.catalogue import default_duties

    settings = Settings(database_url=db.url)
    return Services.create(settings, db=db), default_duties(settings)


async def outbox_rows(db: Database) -> int:
    from storage.models import OutboxMessage

    async with db.sessions() as session:
        return (await session.execute(select(func.count()).select_from(OutboxMessage))).scalar_one()


async def time_moment(store, snapshot: str, now: datetime, runs: int, profile: bool) -> tuple[Timing, str]:
    """`runs` + 1 sweeps at `now`, each on a fresh copy of `snapshot`; the first on a new engine."""
    from scheduler.sweep import sweep

    db = Database(store.url("run"))
    services, duties = make_services(db)
    seconds: list[float] = []
    rows = ran = 0
    report = ""
    try:
        for i in range(runs + 1 + int(profile)):
            await db.dispose()
            await store.copy(snapshot, "run")
            assert await db.ping()
            before = await sweep(services, now - timedelta(minutes=1), duties)
            assert before.ran == [] and not before.failed, f"the minute before {now} was not quiet: {before.ran}"
            count = await outbox_rows(db)
            gc.collect()  # the last run's objects are not this run's to collect
            profiler = cProfile.Profile() if profile and i == runs + 1 else None
            began = time.perf_counter()
            if profiler:
                profiler.enable()
            result = await sweep(services, now, duties)
            if profiler:
                profiler.disable()
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out)
                stats.sort_stats("cumulative").print_stats(25)
                stats.sort_stats("tottime").print_stats(15)
                report = out.getvalue()
                continue
            seconds.append(time.perf_counter() - began)
            assert not result.failed and not result.skipped_locked, result
            rows, ran = await outbox_rows(db) - count, len(result.ran)
    finally:
        await services.close()
        await store.drop("run")
    return Timing(seconds[0], seconds[1:], rows, ran), report


async def build(store, scale: Scale, workdir: Path) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """The database at each moment timed: (table counts at the end, [(moment, snapshot name)])."""
    from scheduler.sweep import sweep
    from storage.migrate import upgrade

    await store.create("timeline")
    db = Database(store.url("timeline"))
    await upgrade(db.engine)
    staff = await build_history(db, scale, workdir, cutoff=min(SCENARIOS.values()))
    services, duties = make_services(db)

    async def sweep_at(_db: Database, now: datetime) -> None:
        result = await sweep(services, now, duties)
        assert not result.failed, result

    snapshots: list[tuple[str, str]] = []

    async def snapshot(name: str) -> None:
        await store.release(db)
        key = f"moment{len(snapshots)}"
        await store.copy("timeline", key)
        snapshots.append((name, key))

    await play_december(db, staff, scale, workdir, SCENARIOS, snapshot, sweep_at, duties)
    counts = await table_counts(db)
    await services.close()
    await store.drop("timeline")
    return counts, snapshots


async def measure(store, scale: Scale, runs: int, workdir: Path, profile: bool) -> Measured:
    began = time.perf_counter()
    counts, snapshots = await build(store, scale, workdir)
    measured = Measured(store.name, scale, counts, time.perf_counter() - began)
    print(f"{store.name} {short(scale)}: built in {measured.build_seconds:.0f} s: {counts}", flush=True)
    # The building's objects are gone before timing (a served app holds no roster in memory, and a
    # full garbage collection during a timed sweep would walk them).
    gc.collect()
    for name, key in snapshots:
        timing, report = await time_moment(store, key, SCENARIOS[name], runs, profile)
        await store.drop(key)
        measured.timings[name] = timing
        if report:
            measured.profiles[name] = report
        print(f"  {name}: median {timing.median * 1000:.0f} ms, first {timing.first * 1000:.0f} ms, "
              f"{timing.rows} outbox rows, {timing.ran} occurrence(s)", flush=True)
    return measured


# -- the report ------------------------------------------------------------------------------------

def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def describe(results: list[Measured], command: str, runs: int) -> str:
    lines = [SECTION, "", f"`{command}` — {today()}, {machine()}.", ""]
    lines.append("One `scheduler.sweep.sweep` over every default duty (`capabilities.catalogue.default_duties`), "
                 "timed alone (delivery is `bench.outbox`'s). Data built by `bench/sweep_data.py`: "
                 "`bench.roster.person_rows` staff imported through `import_roster` (each head-of-service "
                 "block its own service area; 95% installed the bot, 1% removed it since), December 2026's "
                 "allocations imported through `import_allocations` from a CSV, the years before written in "
                 "bulk (allocations, audits, audit events, every duty_run, the outbox rows they sent), and "
                 "December played moment by moment with the real sweep (every duty at each of its occurrences, "
                 "and the minute before each moment) and the auditors' and service leads' progress in between. Each run starts from a copy of the database as it stood just before the "
                 f"moment; median of {runs} runs on a warm engine, and the first run on a new engine (cold "
                 "statement caches: what `python -m bot tick` pays every time).")
    lines.append("")
    lines.append("| data | " + " | ".join(f"{m.store} {short(m.scale)}" for m in results) + " |")
    lines.append("| --- |" + " --- |" * len(results))
    lines.append("| scale | " + " | ".join(m.scale.label for m in results) + " |")
    for table in ("people", "conversations", "allocations", "audits", "audit_events", "outbox", "duty_runs"):
        lines.append(f"| {table} rows | " + " | ".join(f"{m.counts[table]:,}" for m in results) + " |")
    lines.append("| built in | " + " | ".join(f"{m.build_seconds:,.0f} s" for m in results) + " |")
    lines.append("")
    ratio_pairs = pairs(results)
    lines.append("| moment | " + " | ".join(f"{m.store} {short(m.scale)}: median (first)" for m in results)
                 + " | outbox rows written |" + "".join(f" {big.store} {short(big.scale)} / ×1 |"
                                                        for _, big in ratio_pairs))
    lines.append("| --- |" + " --- |" * (len(results) + 1 + len(ratio_pairs)))
    for name in SCENARIOS:
        cells = [f"{ms(m.timings[name].median)} ({ms(m.timings[name].first)})" for m in results]
        written = " / ".join(dict.fromkeys(f"{m.timings[name].rows:,}" for m in results))
        ratios = [f"{big.timings[name].median / small.timings[name].median:.1f}" for small, big in ratio_pairs]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {written} |" + "".join(f" {r} |" for r in ratios))
    lines.append("")
    lines += verdicts(results)
    lines.append("")
    lines += CHANGES
    return "\n".join(lines)


def pairs(results: list[Measured]) -> list[tuple[Measured, Measured]]:
    """(×1, a larger scale) on the same database, for every larger scale measured."""
    return [(small, big) for small in results for big in results
            if small.store == big.store and small.scale.staff == 2000 and small.scale.months == 12
            and big is not small]


def verdicts(results: list[Measured]) -> list[str]:
    out = []
    for m in results:
        if m.scale.staff != 2000:
            continue
        worst = max(m.timings.values(), key=lambda t: t.median)
        worst_first = max(t.first for t in m.timings.values())
        ok = worst.median < TARGET_SECONDS
        out.append(f"- {m.store} ×1: the slowest moment's median is {ms(worst.median)}, its first run at most "
                   f"{ms(worst_first)}: {'meets' if ok else 'MISSES'} the target (under {TARGET_SECONDS:.0f} s).")
    for small, big in pairs(results):
        busy = [n for n in SCENARIOS if n != QUIET]
        worst = max(big.timings[n].median / small.timings[n].median for n in busy)
        exact = big.scale.staff == 10 * small.scale.staff and big.scale.months == small.scale.months
        target = f"{'meets' if worst < TARGET_RATIO else 'MISSES'} the target (under {TARGET_RATIO:.0f} times)" \
            if exact else "for comparison (more than ten times the data)"
        out.append(f"- {small.store}: {big.scale.label} costs at most {worst:.1f} times the time of ×1 at a busy "
                   f"moment: {target}.")
    return out


def write_section(text: str) -> None:
    common.write_section(SECTION, text)


async def main_async(args: argparse.Namespace) -> list[Measured]:
    stores = []
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        workdir = Path(tmp)
        stores.append(SqliteStore(workdir))
        if args.postgres:
            admin = os.environ.get("QA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
            pg = PostgresStore(admin)
            if await pg.answers():
                stores.append(pg)
            else:
                print("PostgreSQL did not answer; SQLite only", file=sys.stderr)
        results = []
        try:
            for store in stores:
                for scale in args.scales:
                    results.append(await measure(store, scale, args.runs, workdir, args.profile))
        finally:
            for store in stores:
                await store.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sweep", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per moment on a warm engine (default 5)")
    parser.add_argument("--scales", default=DEFAULT_SCALES,
                        help=f"data to measure: 1 (2,000 staff, 500 allocations a month, a year of history), "
                             f"10 (ten times each), 10y10 (ten times, ten years of history); default {DEFAULT_SCALES}")
    parser.add_argument("--postgres", action="store_true", default=os.environ.get("QA_BENCH_POSTGRES") == "1",
                        help="also on PostgreSQL (QA_TEST_POSTGRES_URL, an admin URL)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one more sweep per moment")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md alone")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be positive")
    try:
        scales = args.scales
        args.scales = [scale_of(token) for token in scales.split(",")]
    except argparse.ArgumentTypeError as exc:
        parser.error(str(exc))
    results = asyncio.run(main_async(args))
    command = "python -m bench.sweep" + (f" --runs {args.runs}" if args.runs != 5 else "") + \
        (f" --scales {scales}" if scales != DEFAULT_SCALES else "") + \
        (" --postgres" if args.postgres else "")
    text = describe(results, command, args.runs)
    print(text)
    for m in results:
        for name, report in m.profiles.items():
            print(f"--- profile: {m.store} {short(m.scale)}, {name}\n{report}")
    if not args.no_write:
        write_section(text)
    return 0 if "MISSES" not in text else 1


if __name__ == "__main__":
    sys.exit(main())
