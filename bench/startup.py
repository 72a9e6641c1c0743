"""Cold start to GET /healthz 200, and resident memory with a 5,000-person roster.

Run: python -m bench.startup
"""
from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.common import ROOT, free_port, machine, rss_mb, start, stop, today, wait_healthy
from bench.roster import write_roster
from bench.turns import activity
from devtools.fake_connector import FakeConnector


async def main() -> str:
    fake = await FakeConnector().start()
    with tempfile.TemporaryDirectory() as tmp:
        env = {"DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", "MicrosoftAppId": "", "QA_ALLOWED_TENANTS": ""}
        full_env = {**os.environ, **env}
        subprocess.run([sys.executable, "-m", "bot", "migrate"], cwd=ROOT, env=full_env, check=True,
                       stdout=subprocess.DEVNULL)
        roster = write_roster(Path(tmp) / "roster.csv", 5000)
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "roster", "import", str(roster)], cwd=ROOT, env=full_env,
                       check=True, stdout=subprocess.DEVNULL)
        import_seconds = time.perf_counter() - began

        starts = []
        for _ in range(5):
            port = free_port()
            t0 = time.perf_counter()
            proc = start(["-m", "bot", "serve"], {**env, "PORT": str(port)})
            try:
                await wait_healthy(f"http://127.0.0.1:{port}/healthz", proc)
                starts.append(time.perf_counter() - t0)
            finally:
                stop(proc)

        port = free_port()
        proc = start(["-m", "bot", "serve"], {**env, "PORT": str(port)})
        try:
            await wait_healthy(f"http://127.0.0.1:{port}/healthz", proc)
            async with aiohttp.ClientSession() as session:
                url = f"http://127.0.0.1:{port}/api/messages"
                async with session.post(url, json=activity(fake.url, "installationUpdate")) as resp:
                    assert resp.status in (200, 201)
                for n in range(200):
                    text = ("whoami", "help", "what?")[n % 3]
                    async with session.post(url, json=activity(fake.url, "message", text, n)) as resp:
                        assert resp.status in (200, 201)
                # The served app sweeps at start; one tick delivers what is due (nothing yet).
            memory = rss_mb(proc.pid)
        finally:
            stop(proc)
            await fake.stop()
    return "\n".join([
        f"- cold start to /healthz 200 (process spawn, imports, migration check, serve): "
        f"median {statistics.median(starts):.2f} s, worst {max(starts):.2f} s over {len(starts)} starts",
        f"- resident memory after 200 turns with a 5,000-person roster: {memory:.0f} MB",
        f"- importing the 5,000-person roster (python -m bot roster import, SQLite): {import_seconds:.2f} s",
    ])


if __name__ == "__main__":
    report = asyncio.run(main())
    print(f"{today()}, {machine()}")
    print(report)
