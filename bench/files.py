"""Reading a 100,000-row file: parse time, peak memory, /healthz latency while it is imported, and how
long another writer waits meanwhile.

Run: python -m bench.files [--batch-rows N] [--import-only]

--batch-rows: rows the import writes per transaction (QA_IMPORT_BATCH_ROWS, default 1,000); 100000
writes the whole roster in one transaction, as imports did before they wrote in batches.
--import-only: skip the parse figures (minutes on a busy machine).

- parse: qa.tabular.read_table_bytes of a 100,000-person roster (bench.roster.person_rows) as .xlsx
  (XlsxWriter) and as UTF-8 CSV; the median of three runs; peak Python memory from tracemalloc
  (a separate run: tracing slows parsing) and the process's peak resident size.
- serve: the real aiohttp app (bot.app.create_app) on 127.0.0.1 with a migrated SQLite database in a
  temporary folder; storage.roster.import_roster of the .xlsx (read and checked off the loop, then
  100,000 people written in transactions of --batch-rows) while a client asks GET /healthz every 10 ms and another task
  writes one small transaction every 50 ms (as the sender marks rows sent). Reported: /healthz
  latency (median, 99th percentile, worst) during the import, and the writer's worst wait.
"""
from __future__ import annotations

import argparse
import asyncio
import io
import resource
import statistics
import tempfile
import time
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path

import aiohttp
import xlsxwriter
from aiohttp import web

from bench.common import free_port, machine, today
from bench.roster import HEADER, person_rows
from qa.tabular import ReadLimits, read_table_bytes

ROWS = 100_000
NOW = datetime(2026, 12, 1, 9, tzinfo=timezone.utc)


def roster_xlsx(rows: list[dict[str, str]]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = book.add_worksheet("Roster")
    sheet.write_row(0, 0, HEADER)
    for r, person in enumerate(rows, start=1):
        sheet.write_row(r, 0, [person[h] for h in HEADER])
    book.close()
    return out.getvalue()


def roster_csv(rows: list[dict[str, str]]) -> bytes:
    lines = [",".join(HEADER)] + [",".join(p[h] for h in HEADER) for p in rows]
    return ("\n".join(lines) + "\n").encode()


def parse_figures(data: bytes, name: str) -> tuple[float, float]:
    """(median seconds of three parses, peak traced MB of one)."""
    times = []
    for _ in range(3):
        began = time.perf_counter()
        table = read_table_bytes(data, name, "a roster", ("roster",))
        times.append(time.perf_counter() - began)
        assert len(table.rows) == ROWS
    tracemalloc.start()
    read_table_bytes(data, name, "a roster", ("roster",))
    peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    return statistics.median(times), peak


async def serve_figures(path: Path, tmp: Path, batch_rows: int = ReadLimits.batch_rows) -> dict[str, float]:
    from bot.app import create_app
    from bot.services import Services
    from bot.settings import Settings
    from storage.migrate import upgrade
    from storage.roster import import_roster

    settings = Settings(database_url=f"sqlite:///{tmp / 'bench.sqlite3'}")
    services = Services.create(settings)
    await upgrade(services.db.engine)
    runner = web.AppRunner(create_app(settings, services, run_scheduler=False))
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    latencies: list[float] = []
    waits: list[float] = []
    done = asyncio.Event()

    async def ask_health() -> None:
        async with aiohttp.ClientSession() as client:
            while not done.is_set():
                began = time.perf_counter()
                async with client.get(f"http://127.0.0.1:{port}/healthz") as resp:
                    await resp.read()
                    assert resp.status == 200
                latencies.append(time.perf_counter() - began)
                await asyncio.sleep(0.01)

    async def write_meanwhile() -> None:
        from sqlalchemy import text

        while not done.is_set():
            began = time.perf_counter()
            async with services.db.sessions.begin() as session:
                await session.execute(text("UPDATE people SET updated_at = updated_at WHERE id = -1"))
            waits.append(time.perf_counter() - began)
            await asyncio.sleep(0.05)

    try:
        health, writer = asyncio.create_task(ask_health()), asyncio.create_task(write_meanwhile())
        began = time.perf_counter()
        report = await import_roster(services.db, path, NOW, limits=ReadLimits(batch_rows=batch_rows))
        seconds = time.perf_counter() - began
        done.set()
        await asyncio.gather(health, writer)
        assert report.added == ROWS
    finally:
        await runner.cleanup()
        await services.close()
    latencies.sort()
    return {"import": seconds, "asked": len(latencies), "median": statistics.median(latencies),
            "p99": latencies[int(len(latencies) * 0.99) - 1], "worst": latencies[-1], "writer_worst": max(waits)}


async def main(batch_rows: int = ReadLimits.batch_rows, import_only: bool = False) -> str:
    rows = person_rows(ROWS)
    xlsx = roster_xlsx(rows)
    lines = [f"bench.files, {today()}, {machine()}"]
    if not import_only:
        csv_data = roster_csv(rows)
        xlsx_seconds, xlsx_peak = parse_figures(xlsx, "roster.xlsx")
        csv_seconds, csv_peak = parse_figures(csv_data, "roster.csv")
        lines += [
            f"{ROWS:,}-row roster: .xlsx {len(xlsx) / 1e6:.1f} MB, .csv {len(csv_data) / 1e6:.1f} MB",
            f"parse .xlsx: {xlsx_seconds:.2f} s (median of 3), peak traced memory {xlsx_peak:.0f} MB",
            f"parse .csv:  {csv_seconds:.2f} s (median of 3), peak traced memory {csv_peak:.0f} MB",
        ]
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        path = tmp / "roster.xlsx"
        path.write_bytes(xlsx)
        served = await serve_figures(path, tmp, batch_rows)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return "\n".join(lines + [
        f"peak resident size of the whole run: {rss:.0f} MB",
        f"import_roster of the .xlsx into SQLite with the app serving, {batch_rows:,} rows a transaction: "
        f"{served['import']:.1f} s",
        f"/healthz during it ({served['asked']:.0f} asked): median {served['median'] * 1000:.1f} ms, "
        f"p99 {served['p99'] * 1000:.1f} ms, worst {served['worst'] * 1000:.1f} ms",
        f"another writer's worst wait during it: {served['writer_worst'] * 1000:.0f} ms",
    ])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.files")
    parser.add_argument("--batch-rows", type=int, default=ReadLimits.batch_rows)
    parser.add_argument("--import-only", action="store_true")
    args = parser.parse_args()
    print(asyncio.run(main(args.batch_rows, args.import_only)))
