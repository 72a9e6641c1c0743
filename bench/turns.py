"""Message-turn latency: POST /api/messages -> reply posted to the fake connector -> response.

Ours (SQLite, 5,000-person roster, conversation state in SQL) beside a bare botbuilder
4.17.1 echo bot on MemoryStorage, in the same run, each served in its own process.
Run: python -m bench.turns [--turns 500]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.common import ROOT, cpu_seconds, free_port, machine, start, stop, today, wait_healthy
from bench.roster import write_roster
from devtools.fake_connector import FakeConnector

TENANT = "tenant-1"
USER_AAD = "00000000-0000-4000-8000-000000000007"  # a practitioner in bench.roster


def activity(service_url: str, kind: str, text: str = "", n: int = 0) -> dict:
    body = {
        "type": kind, "id": f"act-{n}", "channelId": "msteams", "serviceUrl": service_url,
        "timestamp": "2026-12-03T09:00:00.000Z", "locale": "en-GB",
        "from": {"id": "29:user-7", "name": "Bench User", "aadObjectId": USER_AAD},
        "recipient": {"id": "28:bot-id", "name": "QA Assistant"},
        "conversation": {"id": "a:personal-7", "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
    }
    if kind == "message":
        body["text"] = text
    if kind == "installationUpdate":
        body["action"] = "add"
    return body


async def measure(url: str, service_url: str, turns: int, text: str, pid: int) -> dict:
    latencies: list[float] = []
    async with aiohttp.ClientSession() as session:
        for n in range(20):  # warm-up
            async with session.post(url, json=activity(service_url, "message", text, n)) as resp:
                assert resp.status in (200, 201), resp.status
        cpu0 = cpu_seconds(pid)
        for n in range(turns):
            began = time.perf_counter()
            async with session.post(url, json=activity(service_url, "message", text, 100 + n)) as resp:
                await resp.read()
                assert resp.status in (200, 201), resp.status
            latencies.append((time.perf_counter() - began) * 1000)
        cpu = (cpu_seconds(pid) - cpu0) / turns * 1000
    latencies.sort()
    return {"median": statistics.median(latencies), "p99": latencies[int(len(latencies) * 0.99) - 1],
            "cpu": cpu}


async def main(turns: int) -> str:
    fake = await FakeConnector().start()
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        env = {"DATABASE_URL": db_url, "MicrosoftAppId": "", "QA_ALLOWED_TENANTS": ""}
        roster = write_roster(Path(tmp) / "roster.csv", 5000)
        subprocess.run([sys.executable, "-m", "bot", "migrate"], cwd=ROOT, env={**os.environ, **env}, check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, "-m", "bot", "roster", "import", str(roster)], cwd=ROOT,
                       env={**os.environ, **env}, check=True, stdout=subprocess.DEVNULL)

        ours_port, echo_port = free_port(), free_port()
        ours = start(["-m", "bot", "serve"], {**env, "PORT": str(ours_port)})
        echo = start(["-m", "bench.echo_bot", str(echo_port)])
        try:
            await wait_healthy(f"http://127.0.0.1:{ours_port}/healthz", ours)
            await wait_healthy(f"http://127.0.0.1:{echo_port}/healthz", echo)
            async with aiohttp.ClientSession() as session:  # install, so the user is linked
                async with session.post(f"http://127.0.0.1:{ours_port}/api/messages",
                                        json=activity(fake.url, "installationUpdate")) as resp:
                    assert resp.status in (200, 201), resp.status
            results = {}
            # Alternate so neither side gets a quieter machine.
            for name, port, pid, text in [("echo", echo_port, echo.pid, "hello"), ("ours", ours_port, ours.pid, "whoami"),
                                          ("echo2", echo_port, echo.pid, "hello"), ("ours2", ours_port, ours.pid, "whoami")]:
                results[name] = await measure(f"http://127.0.0.1:{port}/api/messages", fake.url, turns, text, pid)
        finally:
            stop(ours)
            stop(echo)
            await fake.stop()
    ours_r, echo_r = results["ours2"], results["echo2"]
    lines = [
        f"- ours (whoami card; SQLite; 5,000-person roster; state in SQL): median {ours_r['median']:.2f} ms, "
        f"p99 {ours_r['p99']:.2f} ms, CPU {ours_r['cpu']:.2f} ms/turn",
        f"- bare botbuilder 4.17.1 echo bot on MemoryStorage: median {echo_r['median']:.2f} ms, "
        f"p99 {echo_r['p99']:.2f} ms, CPU {echo_r['cpu']:.2f} ms/turn",
        f"- first pass (discarded as warm-up of the machine): ours median {results['ours']['median']:.2f} ms, "
        f"echo median {results['echo']['median']:.2f} ms",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=500)
    args = parser.parse_args()
    report = asyncio.run(main(args.turns))
    print(f"{args.turns} serial turns, {today()}, {machine()}")
    print(report)
