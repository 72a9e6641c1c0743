"""The month's audit sample (framework 9.3, qa/sampling.py) at a large council's size: an Annex A
extract of 60,000 rows across 11 lists, 600 practice managers (one team each), 3,000 case holders,
7,200 cases audited in the last twelve months, 20 re-audits owed.

Run: python -m bench.sampling [--rows N] [--managers N] [--twice]

- rules: qa.sampling.propose over the rows as Case values (what flow.propose_sample hands it), the
  median of three runs (wall and CPU), then the same at twice the rows (the issue: under 2.2 times the
  time), and the peak traced Python memory of one run (tracemalloc).
- read: qa.annex_a.parse_extract over qa.tabular.stream_rows of the extract as UTF-8 CSV (every case
  reference screened, team and list cells once per distinct text), one run.
- whole: capabilities.sampling.flow.propose_sample on a migrated SQLite database in a temporary
  folder, from the extract as UTF-8 CSV (the same columns an Annex A list has, identifying ones
  included), roster and register in the database: wall time, CPU time (all the process's threads:
  what it costs whatever the load) and the process's peak resident size; with --twice, the whole
  proposal again at twice the rows (after the peak size is taken).
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import io
import random
import resource
import statistics
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

from bench.common import machine, today
from qa.framework import Role
from qa.sampling import Auditor, Case, Owed, Rules, propose

MONTH = "2027-01"
NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)
LISTS = tuple(f"List {n}" for n in range(1, 12))
AREAS = 6


def organisation(rows: int, managers: int, seed: int = 1):
    """(cases, auditors, audited, owed) for `rows` Annex A rows and `managers` practice managers."""
    rng = random.Random(seed)
    auditors = [Auditor(m, f"Manager {m}", Role.PRACTICE_MANAGER, f"Team {m}", (f"Area {m % AREAS}",))
                for m in range(1, managers + 1)]
    holders = [(10_000 + h, 1 + h % managers) for h in range(managers * 5)]  # (holder id, their manager = team)
    cases = []
    for i in range(rows):
        holder, manager = holders[rng.randrange(len(holders))]
        closed = rng.random() < 0.05
        cases.append(Case(f"CR-{100000 + i}", LISTS[rng.randrange(len(LISTS))], f"Team {manager}",
                          f"Area {manager % AREAS}", holder, manager, datetime(2026, 11, 1).date() if closed else None))
    audited = {f"CR-{100000 + rng.randrange(rows)}": f"2026-{rng.randrange(1, 13):02d}" for _ in range(managers * 12)}
    owed = [Owed(cases[i], 1 + (i % managers)) for i in range(0, 20 * 7, 7)]
    return cases, auditors, audited, owed


def rules_figures(rows: int, managers: int) -> dict[str, float]:
    out: dict[str, float] = {}
    for label, n in (("rows", rows), ("twice", rows * 2)):
        cases, auditors, audited, owed = organisation(n, managers)
        times, cpu = [], []
        for run in range(3):
            began, began_cpu = time.perf_counter(), time.process_time()
            proposal = propose(MONTH, cases, auditors, seed=run, rules=Rules(), audited=audited, owed=owed)
            times.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
        out[f"{label}_seconds"] = statistics.median(times)
        out[f"{label}_cpu_seconds"] = statistics.median(cpu)
        out[f"{label}_picks"] = len(proposal.picks)
        out[f"{label}_unmet"] = len(proposal.unmet)
        if label == "rows":
            tracemalloc.start()
            propose(MONTH, cases, auditors, seed=9, rules=Rules(), audited=audited, owed=owed)
            out["traced_mb"] = tracemalloc.get_traced_memory()[1] / 1024 / 1024
            tracemalloc.stop()
    return out


def read_figures(rows: int, managers: int) -> dict[str, float]:
    from qa.annex_a import parse_extract
    from qa.tabular import stream_rows

    data = extract_csv(organisation(rows, managers)[0])
    began = time.perf_counter()
    extract = parse_extract(stream_rows(data, "annex-a.csv"), lambda text: None)
    return {"read_seconds": time.perf_counter() - began, "read_cases": len(extract.cases)}


def extract_csv(cases: list[Case]) -> bytes:
    """The cases as a flat Annex A extract, with the identifying columns a real one has."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["Annex A list", "Child Unique ID", "Forename", "Surname", "Gender", "Ethnicity", "Date of Birth",
                     "Age of Child (Years)", "Allocated Team", "Allocated Worker"])
    for c in cases:
        writer.writerow([c.annex_a_list, c.case_ref, "Alex", "Example", "a) Male", "a) WBRI", "01/01/2015", "11",
                         c.team, f"worker{c.case_holder_id}@council.gov.uk"])
    return buf.getvalue().encode()


async def whole_figures(rows: int, managers: int, tmp: Path) -> dict[str, float]:
    from sqlalchemy import insert

    from capabilities.context import Context
    from capabilities.sampling.flow import propose_sample
    from qa.calendar import WorkingCalendar
    from qa.tabular import ReadLimits
    from storage.db import Database
    from storage.migrate import upgrade
    from storage.models import ImportedAudit, Person

    cases, auditors, audited, _ = organisation(rows, managers)
    db = Database(f"sqlite:///{tmp / 'bench.sqlite3'}")
    await upgrade(db.engine)
    people = [{"id": a.person_id, "email": f"manager{a.person_id}@council.gov.uk", "display_name": a.name,
               "role": a.role, "team": a.team, "service_area": a.service_areas[0], "created_at": NOW, "updated_at": NOW}
              for a in auditors]
    people += [{"id": h, "email": f"worker{h}@council.gov.uk", "display_name": f"Worker {h}", "role": "practitioner",
                "team": f"Team {1 + (h - 10_000) % managers}", "service_area": f"Area {(1 + (h - 10_000) % managers) % AREAS}",
                "supervisor_email": f"manager{1 + (h - 10_000) % managers}@council.gov.uk", "created_at": NOW, "updated_at": NOW}
               for h in range(10_000, 10_000 + managers * 5)]
    async with db.sessions.begin() as session:
        await session.execute(insert(Person), people)
        await session.execute(insert(ImportedAudit), [
            {"month": m, "case_ref": ref, "service_area": "Area 0", "team": "Team 1", "grade": "Good", "key_areas": {},
             "imported_at": NOW} for ref, m in audited.items()])
    path = tmp / "annex-a.csv"
    path.write_bytes(extract_csv(cases))
    # QA_FILE_MAX_ROWS raised when the rows are more than its default (the twice-the-rows run)
    ctx = Context(db, WorkingCalendar(), lambda: NOW, files=ReadLimits(max_rows=max(rows, ReadLimits().max_rows)))
    began, cpu = time.perf_counter(), time.process_time()
    report = await propose_sample(ctx, path, MONTH, Rules(), seed=1, theme="", actor_id=None, via="bench")
    took, cpu = time.perf_counter() - began, time.process_time() - cpu
    await db.dispose()
    # CPU (every thread of the process: the loop, the worker reading the extract, aiosqlite's) says what
    # the proposal costs whatever the machine's load; wall time says what a person waits on this machine.
    return {"whole_seconds": took, "whole_cpu_seconds": cpu, "whole_picks": len(report.proposal.picks),
            "csv_mb": path.stat().st_size / 1024 / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=60_000)
    parser.add_argument("--managers", type=int, default=600)
    parser.add_argument("--twice", action="store_true", help="the whole proposal at twice the rows too")
    args = parser.parse_args()
    print(f"# bench.sampling {today()} on {machine()}")
    figures = rules_figures(args.rows, args.managers)
    figures |= read_figures(args.rows, args.managers)
    with tempfile.TemporaryDirectory() as tmp:
        figures |= asyncio.run(whole_figures(args.rows, args.managers, Path(tmp)))
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.twice:  # after the peak above: the twice-the-rows run holds twice the extract
        with tempfile.TemporaryDirectory() as tmp:
            twice = asyncio.run(whole_figures(args.rows * 2, args.managers, Path(tmp)))
        figures |= {f"twice_{k}": v for k, v in twice.items() if k.startswith("whole_")}
    for key, value in figures.items():
        print(f"{key}: {value:,.2f}" if isinstance(value, float) else f"{key}: {value}")
    print(f"rules, twice the rows / rows: {figures['twice_seconds'] / figures['rows_seconds']:.2f} wall, "
          f"{figures['twice_cpu_seconds'] / figures['rows_cpu_seconds']:.2f} CPU")
    if args.twice:
        print(f"whole, twice the rows / rows: {figures['twice_whole_seconds'] / figures['whole_seconds']:.2f} wall, "
              f"{figures['twice_whole_cpu_seconds'] / figures['whole_cpu_seconds']:.2f} CPU")


if __name__ == "__main__":
    main()
