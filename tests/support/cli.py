"""Run `python -m bot ...` as a user would, against a test database."""
from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


async def run_cli(db, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """(exit code, stdout, stderr); the developer's own Microsoft*/QA_* settings are left out
    (`env` adds the test's own)."""
    given = env or {}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("Microsoft", "QA_"))}
    env |= {"DATABASE_URL": db.url, "PYTHONPATH": str(ROOT)} | given
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", *args, cwd=ROOT, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    return proc.returncode, out.decode(), err.decode()
