"""`python -m tests.support.deliver --now T`: one OutboxSender.deliver_due on DATABASE_URL, then exit.

The process tests/test_outbox_crash.py kills mid-way. Not `python -m bot tick`: tick also runs
every registered duty, which would write notices of its own into the test database.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime


async def deliver(now: datetime, wait_retries: float, concurrency: int) -> int:
    from bot.sender import OutboxSender
    from bot.services import Services
    from bot.settings import Settings

    services = Services.create(Settings.from_env(dotenv=False))
    try:
        report = await OutboxSender(services, concurrency=concurrency).deliver_due(now, wait_retries=wait_retries)
        print(report.describe(), flush=True)
    finally:
        await services.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.deliver", description=__doc__.splitlines()[0])
    parser.add_argument("--now", type=datetime.fromisoformat, required=True)
    parser.add_argument("--wait-retries", type=float, default=30.0)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args(argv)
    if args.now.tzinfo is None:
        parser.error("--now needs a UTC offset, e.g. 2026-12-03T09:05:00+00:00")
    return asyncio.run(deliver(args.now, args.wait_retries, args.concurrency))


if __name__ == "__main__":
    sys.exit(main())
