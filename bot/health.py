"""Liveness and readiness for the host (an App Service health check, a Kubernetes probe).

`GET /healthz`: the process answers (200, `{"status": "ok"}`); nothing else is asked, so a slow
database never gets a live instance restarted. `GET /readyz`: this instance can do its work
(200) or not (503), with one word per check: the database answers, its schema is at this
version's head (or ahead of it: a newer version migrated it, a rolling upgrade), the sweep
finished within twice QA_SWEEP_INTERVAL_SECONDS, and the outbox sender is running. An instance
started without its scheduler (tests) reports those two "off".
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from bot import metrics
from storage.db import Database
from storage.migrate import schema_state

if TYPE_CHECKING:
    from bot.services import Services
    from scheduler.jobs import SweepScheduler

log = logging.getLogger(__name__)

OK = "ok"


@dataclass(frozen=True)
class Readiness:
    checks: dict[str, str]  # check -> "ok", "off" or what is wrong, in a few words

    @property
    def ready(self) -> bool:
        return all(value in (OK, "off", "ahead") for value in self.checks.values())

    def body(self) -> dict[str, object]:
        return {"status": "ready" if self.ready else "not ready", **self.checks}


async def readiness(db: Database, *, now: float, last_sweep: float | None, sweep_interval: float,
                    sender_running: Callable[[], bool] | None) -> Readiness:
    """The checks at `now` (Unix seconds). `last_sweep` is this instance's last finished sweep (Unix
    seconds, 0 never) or None when it runs no sweep; `sender_running` None when it runs no sender."""
    checks: dict[str, str] = {}
    try:
        state = await schema_state(db.engine)
    except Exception:  # noqa: BLE001 - any failure means the database does not answer
        checks["database"] = "unavailable"
        checks["schema"] = "unknown"
    else:
        checks["database"] = OK
        checks["schema"] = OK if state.at_head else "ahead" if state.ahead else "behind"
    if last_sweep is None:
        checks["sweep"] = "off"
    elif not last_sweep:
        # Not yet: the first sweep starts at once; a starting instance is not ready until it has swept.
        checks["sweep"] = "not yet run"
    else:
        checks["sweep"] = OK if now - last_sweep <= 2 * sweep_interval else "stale"
    if sender_running is None:
        checks["sender"] = "off"
    else:
        checks["sender"] = OK if sender_running() else "stopped"
    return Readiness(checks)


def add_routes(app: web.Application, services: "Services", sweeps: "SweepScheduler | None") -> None:
    """GET /healthz, /readyz and /metrics on the served app. `sweeps` None: no scheduler here."""

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_request: web.Request) -> web.Response:
        found = await readiness(
            services.db, now=services.wall_clock().timestamp(),
            last_sweep=metrics.of(services).last_sweep() if sweeps is not None else None,
            sweep_interval=services.settings.sweep_interval_seconds,
            sender_running=(lambda: sweeps.sender_running) if sweeps is not None else None)
        return web.json_response(found.body(), status=200 if found.ready else 503)

    async def metrics_page(request: web.Request) -> web.Response:
        token = services.settings.metrics_token
        if not token:  # off: as if there were no such page
            raise web.HTTPNotFound()
        if not metrics.token_matches(request.headers.get("Authorization"), token):
            return web.json_response({"error": "unauthorised"}, status=401,
                                     headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        instruments = metrics.of(services)
        try:
            await instruments.refresh(services.db, services.wall_clock())
        except Exception:  # noqa: BLE001 - the database is down: the in-memory counts still answer
            log.warning("metrics: the outbox could not be read")
        return web.Response(body=instruments.exposition(), headers={"Content-Type": metrics.CONTENT_TYPE})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_page)
