"""Where a message turn's time goes: a `whoami` turn and a card press under cProfile.

The app is served in this process (as `python -m bot serve` serves it, without the sweep) on a
SQLite database with the 5,000-person roster bench.turns uses, and posted to by a client in the
same process; the Bot Connector is the fake one (devtools/). The profile covers the turns only,
after warm-up, so the client's share shows as aiohttp client frames beside the server's.
Run: python -m bench.profile_turn [--turns 300] [--what whoami|press|both] [--sort tottime] [--top 40]
     [--only 'edge/(bot|capabilities|storage)/'] [--trips]
--trips counts, instead of profiling, the round trips to aiosqlite's thread per turn (what each
one ran) and the SQL statements per turn: on SQLite every round trip is a thread switch and a
wake-up of the event loop, which is where a turn's time goes on a busy machine.
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import logging
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp
from aiohttp import web

from bench.common import ROOT, free_port
from bench.roster import write_roster
from bench.turns import activity, press_activity
from devtools.fake_connector import FakeConnector


class Trips:
    """Round trips to aiosqlite's thread (by what they ran) and SQL statements, while counting."""

    def __init__(self, engine) -> None:
        import aiosqlite.core
        from sqlalchemy import event

        self.trips: Counter[str] = Counter()
        self.statements: Counter[str] = Counter()
        self.counting = False
        original = aiosqlite.core.Connection._execute
        trips = self

        async def counted(conn, fn, *args, **kwargs):
            if trips.counting:
                trips.trips[getattr(fn, "__qualname__", repr(fn))] += 1
            return await original(conn, fn, *args, **kwargs)

        aiosqlite.core.Connection._execute = counted

        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def statement(_conn, _cursor, sql, *_args) -> None:
            if trips.counting:
                trips.statements[" ".join(sql.split())[:90]] += 1

    def report(self, turns: int) -> str:
        lines = [f"round trips to aiosqlite's thread per turn: {sum(self.trips.values()) / turns:.1f}"]
        lines += [f"  {n / turns:5.1f}  {name}" for name, n in self.trips.most_common()]
        lines.append(f"SQL statements per turn: {sum(self.statements.values()) / turns:.1f}")
        lines += [f"  {n / turns:5.1f}  {sql}" for sql, n in self.statements.most_common()]
        return "\n".join(lines) + "\n"


async def run(turns: int, what: str, sort: str, top: int, restrict: str = "", trips: bool = False) -> str:
    from bot.app import create_app
    from bot.services import Services
    from bot.settings import Settings

    fake = await FakeConnector().start()
    out = io.StringIO()
    with tempfile.TemporaryDirectory() as tmp:
        env = {"DATABASE_URL": f"sqlite:///{Path(tmp) / 'profile.sqlite3'}", "MicrosoftAppId": "",
               "QA_ALLOWED_TENANTS": ""}
        roster = write_roster(Path(tmp) / "roster.csv", 5000)
        for args in (["migrate"], ["roster", "import", str(roster)]):
            subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env={**os.environ, **env}, check=True,
                           stdout=subprocess.DEVNULL)
        settings = Settings.from_env({**os.environ, **env}, dotenv=False)
        services = Services.create(settings)
        counter = Trips(services.db.engine) if trips else None
        runner = web.AppRunner(create_app(settings, services, run_scheduler=False), access_log=None)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        url = f"http://127.0.0.1:{port}/api/messages"
        try:
            async with aiohttp.ClientSession() as session:
                async with session.post(url, json=activity(fake.url, "installationUpdate")) as resp:
                    assert resp.status in (200, 201), resp.status
                welcome_id = fake.calls[-1].activity_id if fake.calls else None
                kinds = {"whoami": ["whoami"], "press": ["press"], "both": ["whoami", "press"]}[what]
                for kind in kinds:
                    def body(n: int, kind: str = kind) -> dict:
                        if kind == "press":
                            return press_activity(fake.url, services.signer, n, reply_to=welcome_id)
                        return activity(fake.url, "message", "whoami", n)

                    for n in range(30):  # warm-up: caches, the connection pool, SQLite's pages
                        async with session.post(url, json=body(n)) as resp:
                            assert resp.status in (200, 201), (resp.status, await resp.text())
                    if counter is not None:
                        counter.trips.clear()
                        counter.statements.clear()
                        counter.counting = True
                        for n in range(turns):
                            async with session.post(url, json=body(1000 + n)) as resp:
                                await resp.read()
                        counter.counting = False
                        out.write(f"\n=== {kind}: {turns} turns ===\n" + counter.report(turns))
                        continue
                    profiler = cProfile.Profile()
                    began = time.perf_counter()
                    profiler.enable()
                    for n in range(turns):
                        async with session.post(url, json=body(1000 + n)) as resp:
                            await resp.read()
                    profiler.disable()
                    elapsed = (time.perf_counter() - began) / turns * 1000
                    out.write(f"\n=== {kind}: {turns} turns, {elapsed:.2f} ms each under the profiler ===\n")
                    stats = pstats.Stats(profiler, stream=out)
                    stats.sort_stats(sort).print_stats(restrict, top) if restrict else \
                        stats.sort_stats(sort).print_stats(top)
        finally:
            await runner.cleanup()
            await services.close()
            await fake.stop()
    return out.getvalue()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--what", choices=("whoami", "press", "both"), default="both")
    parser.add_argument("--sort", default="tottime", help="pstats sort key: tottime, cumulative, ...")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--only", default="", help="a regular expression on file paths, e.g. 'bot/|capabilities/'")
    parser.add_argument("--trips", action="store_true", help="count round trips to SQLite and statements per turn")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    print(asyncio.run(run(args.turns, args.what, args.sort, args.top, args.only, args.trips)))
