"""Running the project's own commands as separate processes (a tick, a delivery, a served bot),
for the tests that kill them or run several at once."""
from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


async def run(args: list[str], database_url: str, **env: str) -> asyncio.subprocess.Process:
    """`python *args` from the project's root on `database_url` (no Microsoft app settings)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("Microsoft")}
    environment.update({"DATABASE_URL": database_url, "PYTHONPATH": str(ROOT), **env})
    return await asyncio.create_subprocess_exec(sys.executable, *args, cwd=ROOT, env=environment,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
