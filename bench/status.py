"""The status cards typed in chat (`escalations`, `alerts`, `supervision status`, `observations status`,
`delivery`, `close month`), timed at the sweep bench's data (bench/sweep_data.py `build_history`: at
×10, 20,000 staff, 5,000 allocations a month and a year of history, with its outbox), as the QA unit
(the whole service, the largest answer) and as a service lead (their areas).

Each is the command's handler as the edge calls it (its queries and its card), on one engine kept
across runs as the served app keeps it: one first run (in brackets, cold caches), then the median of
--runs, in wall time and in the process's CPU time. Target: under 300 ms each.

Run: python -m bench.status [--runs 5] [--scale 10] [--no-write] [--data PATH]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from bench import common
from bench.common import machine, today
from bench.sweep import scale_of, short
from bench.sweep_data import build_history, table_counts
from storage.db import Database, normalise_database_url

SECTION = "## Status cards in chat (bench.status)"
TARGET_MS = 300.0
NOW = datetime(2026, 12, 7, 9, 5, tzinfo=UTC)  # Monday 7 December 2026, 09:05 in London
COMMANDS = ("escalations", "alerts", "supervision status", "observations status", "delivery", "close month")


async def main(args: argparse.Namespace) -> int:
    from bot.services import Services
    from bot.settings import Settings
    from capabilities.catalogue import registry
    from capabilities.registry import Said
    from dialogs.status_cards import card_bytes
    from storage.migrate import upgrade
    from storage.models import Person

    scale = scale_of(args.scale)
    workdir = Path(tempfile.mkdtemp(prefix="bench-status-"))
    path = Path(args.data) if args.data else workdir / "status.sqlite3"
    reused = path.exists()
    url = normalise_database_url(f"sqlite:///{path}")
    db = Database(url)
    await upgrade(db.engine)  # a kept database gets any migration added since it was built
    began = time.perf_counter()
    if not reused:
        await build_history(db, scale, workdir, cutoff=datetime(2026, 12, 3, 9, tzinfo=UTC))
    built = time.perf_counter() - began
    counts = await table_counts(db)
    print(f"{'reused' if reused else 'built'} {short(scale)} in {built:.0f} s: {counts}", flush=True)
    services = Services.create(Settings(database_url=url), db=db)
    rows: list[tuple[str, str, str, str, str]] = []
    worst = 0.0
    try:
        async with db.sessions() as session:
            askers = {role: (await session.execute(select(Person).where(Person.role == role, Person.left_at.is_(None))
                                                   .order_by(Person.id).limit(1))).scalar_one()
                      for role in ("qa_unit", "service_lead")}
        for command in COMMANDS:
            handler = registry().commands[command].handle
            assert handler is not None
            for role, person in askers.items():
                if not registry().commands[command].for_role(role):
                    continue
                said = Said(services.context, person, NOW, registry=registry())
                times, cpu = [], []
                for _ in range(args.runs + 1):
                    t, c = time.perf_counter(), time.process_time()
                    reply = await handler(said)
                    times.append((time.perf_counter() - t) * 1000)
                    cpu.append((time.process_time() - c) * 1000)
                median = statistics.median(times[1:])
                worst = max(worst, median)
                size = card_bytes(reply.card)
                rows.append((command, role.replace("_", " "), f"{median:,.0f} ms ({times[0]:,.0f} ms)",
                             f"{statistics.median(cpu[1:]):,.0f} ms",
                             f"{size / 1024:.1f} KB" + (" (the workbook offered)" if "Send me the workbook"
                                                        in str(reply.card) else "")))
                print(f"{command} as {role}: {rows[-1][2]}, CPU {rows[-1][3]}, {rows[-1][4]}", flush=True)
    finally:
        await services.close()
        await db.dispose()
    load = " / ".join(f"{x:.1f}" for x in __import__("os").getloadavg())
    verdict = "meets" if worst < TARGET_MS else "misses"
    text = "\n".join([
        SECTION, "",
        f"`python -m bench.status --scale {args.scale} --runs {args.runs}` — {today()}, {machine()}; load average "
        f"at the end {load} (1 / 5 / 15 minutes: other work was running on the machine when above its core count).",
        "",
        f"Each status command's handler (its queries and its card) at the sweep bench's {short(scale)} data "
        f"({scale.label}: `bench/sweep_data.py` `build_history`"
        f"{', a kept copy' if reused else f', built in {built:.0f} s'}; "
        f"{counts.get('people', 0):,} people, {counts.get('allocations', 0):,} allocations, "
        f"{counts.get('outbox', 0):,} outbox rows), SQLite, as of {NOW:%a %d %b %Y %H:%M} UTC. Median of "
        f"{args.runs} runs on one engine, after a first run (in brackets); CPU: the process's CPU time (both "
        "threads: the event loop and SQLite's), the median, which the machine's load does not inflate as it "
        "does the time.",
        "",
        "| command | as | time | CPU | card |", "| --- | --- | --- | --- | --- |",
        *(f"| `{c}` | {who} | {t} | {cpu} | {size} |" for c, who, t, cpu, size in rows),
        "",
        f"- Slowest median {worst:,.0f} ms: {verdict} the target (under {TARGET_MS:.0f} ms).",
    ])
    print(text)
    if not args.no_write:
        common.write_section(SECTION, text)
    return 0


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.status", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scale", default="10", help="1, 10 or 10y10, as bench.sweep's scales")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md")
    parser.add_argument("--data", metavar="PATH", help="keep the built SQLite database here and reuse it on the "
                        "next run (it must have been built at the same --scale); default: a fresh one each run")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse(sys.argv[1:]))))
