"""Message-turn latency: POST /api/messages -> reply posted to the fake connector -> response.

Ours (SQLite, 5,000-person roster, conversation state in SQL) beside a bare botbuilder
4.17.1 echo bot on MemoryStorage, in the same run, each served in its own process: a typed
`whoami`, and a card press (the welcome card's "Who am I?" button, an adaptiveCard/action
invoke answered with the card).
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
import threading
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp

from bench.common import ROOT, cpu_seconds, free_port, machine, start, stop, today, wait_healthy
from bench.roster import write_roster
from bot.card_signing import CardSigner
from devtools.fake_connector import FakeConnector

TENANT = "tenant-1"
USER_AAD = "00000000-0000-4000-8000-000000000007"  # a practitioner in bench.roster
PRESS_VERB = "whoami"  # the welcome and help cards' "Who am I?" button
SIGNING_KEY = "bench card signing key"


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


def press_activity(service_url: str, signer: CardSigner, n: int = 0, reply_to: str | None = None) -> dict:
    """The whoami button pressed (an adaptiveCard/action invoke, its data signed as the bot signs
    its cards), on the message `reply_to` (the welcome card)."""
    body = activity(service_url, "invoke", n=n)
    body["name"] = "adaptiveCard/action"
    body["value"] = {"action": {"type": "Action.Execute", "verb": PRESS_VERB,
                                "data": signer.sign_data(PRESS_VERB, {})}, "trigger": "manual"}
    if reply_to:
        body["replyToId"] = reply_to
    return body


async def measure(url: str, turns: int, body: Callable[[int], dict], pid: int) -> dict:
    latencies: list[float] = []
    async with aiohttp.ClientSession() as session:
        for n in range(20):  # warm-up
            async with session.post(url, json=body(n)) as resp:
                assert resp.status in (200, 201), resp.status
        cpu0 = cpu_seconds(pid)
        for n in range(turns):
            began = time.perf_counter()
            async with session.post(url, json=body(100 + n)) as resp:
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
        env = {"DATABASE_URL": db_url, "MicrosoftAppId": "", "QA_ALLOWED_TENANTS": "",
               "QA_CARD_SIGNING_KEY": SIGNING_KEY}
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
            for proc in (ours, echo):  # read what they log, so a full pipe never stalls a turn
                threading.Thread(target=proc.stderr.read, daemon=True).start()
            async with aiohttp.ClientSession() as session:  # install, so the user is linked
                async with session.post(f"http://127.0.0.1:{ours_port}/api/messages",
                                        json=activity(fake.url, "installationUpdate")) as resp:
                    assert resp.status in (200, 201), resp.status
            welcome = fake.calls[-1].activity_id  # the welcome card, whose "Who am I?" button is pressed
            signer = CardSigner(SIGNING_KEY.encode())

            def said(text: str) -> Callable[[int], dict]:
                return lambda n: activity(fake.url, "message", text, n)

            def pressed(n: int) -> dict:
                return press_activity(fake.url, signer, n, reply_to=welcome)

            results = {}
            # Alternate so neither side gets a quieter machine.
            for name, port, pid, body in [
                    ("echo", echo_port, echo.pid, said("hello")), ("ours", ours_port, ours.pid, said("whoami")),
                    ("press", ours_port, ours.pid, pressed),
                    ("echo2", echo_port, echo.pid, said("hello")), ("ours2", ours_port, ours.pid, said("whoami")),
                    ("press2", ours_port, ours.pid, pressed)]:
                results[name] = await measure(f"http://127.0.0.1:{port}/api/messages", turns, body, pid)
        finally:
            stop(ours)
            stop(echo)
            await fake.stop()
    ours_r, echo_r, press_r = results["ours2"], results["echo2"], results["press2"]
    lines = [
        f"- ours (whoami card; SQLite; 5,000-person roster; state in SQL): median {ours_r['median']:.2f} ms, "
        f"p99 {ours_r['p99']:.2f} ms, CPU {ours_r['cpu']:.2f} ms/turn",
        f"- ours, the welcome card's \"Who am I?\" button pressed (adaptiveCard/action, signed): median "
        f"{press_r['median']:.2f} ms, p99 {press_r['p99']:.2f} ms, CPU {press_r['cpu']:.2f} ms/turn",
        f"- bare botbuilder 4.17.1 echo bot on MemoryStorage: median {echo_r['median']:.2f} ms, "
        f"p99 {echo_r['p99']:.2f} ms, CPU {echo_r['cpu']:.2f} ms/turn",
        f"- first pass (discarded as warm-up of the machine): ours median {results['ours']['median']:.2f} ms, "
        f"press median {results['press']['median']:.2f} ms, echo median {results['echo']['median']:.2f} ms",
        f"- whoami / echo: {ours_r['median'] / echo_r['median']:.2f}; press / whoami: "
        f"{press_r['median'] / ours_r['median']:.2f}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=500)
    args = parser.parse_args()
    report = asyncio.run(main(args.turns))
    print(f"{args.turns} serial turns, {today()}, {machine()}")
    print(report)
