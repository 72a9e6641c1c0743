"""The aiohttp app: POST /api/messages through botbuilder's CloudAdapter; GET /healthz, /readyz and /metrics (bot/health.py)."""
from __future__ import annotations

import asyncio
import json
import logging
import time

from aiohttp import web
from botbuilder.core import serializer_helper
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from msrest.serialization import Model

from bot import file_consent, health, inbound, logs, metrics, openid
from bot.adapter import DependencyUnavailable, QaAdapter
from bot.sender import OutboxSender
from bot.services import Services
from bot.settings import Settings
from bot.teams_bot import QaBot, tenant_id
from capabilities.catalogue import default_duties
from scheduler.jobs import SweepScheduler
from storage.unavailable import database_unavailable

log = logging.getLogger(__name__)

SERVICES = web.AppKey("services", Services)
ADAPTER = web.AppKey("adapter", QaAdapter)
BOT = web.AppKey("bot", QaBot)
MAX_BODY = 1024 * 1024  # Teams activities stay under 100 KB; a megabyte is generous.
RETRY_AFTER_SECONDS = 10  # a database restart or fail-over is usually over within a few of these


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _unavailable() -> web.Response:
    """503 with Retry-After: the database is unavailable (storage/unavailable.py); send it again shortly."""
    return web.json_response({"error": "the bot cannot process this now; send it again shortly"}, status=503,
                             headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


async def messages(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    if "application/json" not in request.headers.get("Content-Type", ""):
        return _error(415, "send the activity as application/json")
    try:
        body = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _error(400, "the body is not valid JSON")
    reason = inbound.problem(body)  # before anything is stored or acted on
    if reason is not None:
        return _error(400, reason)
    try:
        activity = Activity().deserialize(body)
    except Exception:  # noqa: BLE001 - msrest raises many kinds on odd shapes
        return _error(400, "the body is not a Bot Framework activity")

    adapter = request.app[ADAPTER]
    try:
        auth = await adapter.bot_framework_authentication.authenticate_request(
            activity, request.headers.get("Authorization", ""))
    except Exception as exc:  # noqa: BLE001 - a malformed header must be a 401, never a 500
        log.info("rejected an activity: %s", type(exc).__name__)
        return _error(401, "unauthorised")

    if not services.settings.tenant_allowed(tenant_id(activity)):
        log.warning("refused an activity from a tenant not on QA_ALLOWED_TENANTS")
        return _error(403, "this tenant is not allowed to use this bot")

    started = time.perf_counter()
    context = logs.ACTIVITY.set((str(activity.id or "")[:100], str(activity.type or "")[:40]))
    try:
        invoke_response = await adapter.process_activity(auth, activity, request.app[BOT].on_turn)
    except DependencyUnavailable:
        # The turn did not happen: 503 tells the channel to send the activity again, so nothing
        # a person sent is dropped while the database is down.
        return _unavailable()
    finally:
        seconds = time.perf_counter() - started
        metrics.of(services).turn(activity.name if activity.type == "invoke" else activity.type, seconds)
        log.info("turn handled in %.0f ms", seconds * 1000, extra={"duration_ms": round(seconds * 1000, 1)})
        logs.ACTIVITY.reset(context)
    if invoke_response:
        # botbuilder's handler has already serialised the body to JSON types; only a model needs it.
        body = invoke_response.body
        if isinstance(body, Model):
            body = serializer_helper(body)
        return web.json_response(body, status=invoke_response.status)
    return web.Response(status=201)


@web.middleware
async def never_crash(request: web.Request, handler):
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as exc:  # noqa: BLE001 - the server keeps serving whatever a client sends
        if database_unavailable(exc):  # wherever it surfaced, not the request's fault: ask for it again
            log.error("request to %s not processed, the database is unavailable: %s", request.path, type(exc).__name__)
            return _unavailable()
        log.error("request to %s failed: %s", request.path, type(exc).__name__,
                  exc_info=(type(exc), exc, exc.__traceback__))
        return _error(500, "internal error")


def create_app(settings: Settings, services: Services | None = None, *, run_scheduler: bool = True) -> web.Application:
    services = services or Services.create(settings)
    app = web.Application(middlewares=[never_crash], client_max_size=MAX_BODY)
    app[SERVICES] = services
    if settings.auth_enabled:  # token signing keys fetched without blocking the loop (bot/openid.py)
        openid.install(settings.bot_open_id_metadata or None)
    app[ADAPTER] = QaAdapter(ConfigurationBotFrameworkAuthentication(settings), services.connector)
    app[BOT] = QaBot(services)
    app.router.add_post("/api/messages", messages)
    sweeps = None
    if run_scheduler:
        sender = OutboxSender(services)
        sweeps = SweepScheduler(services, default_duties(settings), sender, tz=settings.tz,
                                interval_seconds=settings.sweep_interval_seconds,
                                grace_seconds=settings.shutdown_grace_seconds)
        services.sender = sender
        app.on_startup.append(lambda _app: sweeps.start())
    health.add_routes(app, services, sweeps)

    async def shutdown(_app: web.Application) -> None:
        """SIGTERM (aiohttp stops listening first): the sweep and the sender stop, and uploads after
        a consent (bot/file_consent.py) finish, together, within QA_SHUTDOWN_GRACE_SECONDS and the
        sender's hand-back; turns already running get the same grace (bot/server.py)."""
        grace = settings.shutdown_grace_seconds
        log.info("shutting down: up to %.0f s for the messages in flight", grace)
        await asyncio.gather(sweeps.stop() if sweeps is not None else asyncio.sleep(0),
                             file_consent.finish(min(file_consent.SHUTDOWN_WAIT, grace)))

    app.on_shutdown.append(shutdown)

    async def close(_app: web.Application) -> None:
        await services.close()

    app.on_cleanup.append(close)
    return app
