"""Typed settings, read once from the environment (and an optional .env file).

Bot Framework names are kept where they exist (MicrosoftAppId, ...). A wrong value stops
start-up with one line naming the variable: `SettingsError`.
"""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.card_signing import signing_key_problem
from qa.tabular import MB, ReadLimits
from storage.conversations import tenant_key
from storage.db import normalise_database_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "qa-bot.sqlite3"
DEFAULT_OUTPUT_DIR = PROJECT_ROOT / "var" / "out"
LOG_FORMATS = ("text", "json")
APP_TYPES = ("MultiTenant", "SingleTenant", "UserAssignedMSI")
# An Entra tenant id: a GUID, 8-4-4-4-12 hex digits (compared lower-case: see tenant_key).
TENANT_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class SettingsError(ValueError):
    """A configuration value is wrong; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    app_id: str = ""
    app_password: str = field(default="", repr=False)
    app_type: str = "MultiTenant"
    app_tenant_id: str = ""
    database_url: str = ""
    port: int = 3978
    timezone: str = "Europe/London"
    # QA_FILE_MAX_ROWS, QA_FILE_MAX_UNZIPPED_MB: the most a file sent in chat or imported may hold;
    # QA_IMPORT_BATCH_ROWS: rows a long import writes per transaction.
    file_limits: ReadLimits = ReadLimits()
    allowed_tenants: frozenset[str] = frozenset()
    # Where app-credential tokens come from; overridable only so tests can point it at
    # a fake on 127.0.0.1.
    oauth_token_url: str = ""
    sweep_interval_seconds: int = 60
    # How long a sender's claim on outbox rows lasts; a killed sender's rows are taken over after it.
    outbox_lease_seconds: float = 120.0
    # BotOpenIdMetadata: where the channel's token-signing keys are published (government and
    # sovereign clouds); empty means Microsoft's public cloud address botbuilder knows.
    bot_open_id_metadata: str = ""
    # How often a live sender renews its claims; a claim lasts three beats (at most the lease), so
    # a killed sender's rows are free again within 6 s by default.
    outbox_heartbeat_seconds: float = 2.0
    # QA_CARD_SIGNING_KEY: signs the ids on every card's buttons (bot/card_signing.py); empty means
    # one derived from the app password; required with an app id and no app password (a managed identity).
    card_signing_key: str = field(default="", repr=False)
    # How long transient failures (429, 5xx, timeouts) are retried after a message was due.
    outbox_retry_hours: float = 24.0
    # QA_TEAMS_CATALOG_APP_ID: the bot's app id in the tenant's Teams app catalog, for installing it
    # through Microsoft Graph for people who never did (bot/graph.py); empty: no installs.
    teams_catalog_app_id: str = ""
    # QA_GRAPH_URL: Microsoft Graph's address (tests point it at a fake on 127.0.0.1).
    graph_url: str = "https://graph.microsoft.com"
    # QA_DATABASE_WAIT_SECONDS: how long a sent mark the database could not take is held and retried,
    # and how long `tick` waits for an unavailable database, before giving up (storage/unavailable.py).
    database_wait_seconds: float = 300.0
    # QA_SHUTDOWN_GRACE_SECONDS: on SIGTERM, how long `serve` and `tick` give the messages in flight
    # to be answered before cutting them off and handing their rows back (bot/shutdown.py).
    shutdown_grace_seconds: float = 10.0
    # QA_METRICS_TOKEN: GET /metrics answers only `Authorization: Bearer <this>`; empty: /metrics is off.
    metrics_token: str = field(default="", repr=False)
    # QA_LOG_FORMAT: "text" (a line a person reads) or "json" (one JSON object per line, bot/logs.py).
    log_format: str = "text"
    # QA_OUTPUT_DIR: where report and export workbooks go unless --out names a file.
    output_dir: Path = DEFAULT_OUTPUT_DIR

    def __post_init__(self) -> None:
        # Teams' casing of a tenant id is not promised: the list is kept as tenant_key gives it.
        object.__setattr__(self, "allowed_tenants", frozenset(filter(None, map(tenant_key, self.allowed_tenants))))

    @property
    def auth_enabled(self) -> bool:
        return bool(self.app_id)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def tenant_allowed(self, tenant_id: str | None) -> bool:
        if not self.allowed_tenants:
            # Only reachable in local development: from_env refuses an empty list with an app id.
            return True
        return tenant_key(tenant_id) in self.allowed_tenants

    # botbuilder's ConfigurationBotFrameworkAuthentication reads these attribute names.
    @property
    def APP_ID(self) -> str:  # noqa: N802
        return self.app_id

    @property
    def APP_PASSWORD(self) -> str:  # noqa: N802
        return self.app_password

    @property
    def APP_TYPE(self) -> str:  # noqa: N802
        return self.app_type

    @property
    def APP_TENANTID(self) -> str:  # noqa: N802
        return self.app_tenant_id

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, dotenv: bool = True) -> "Settings":
        if env is None:
            if dotenv:
                _load_dotenv()
            env = os.environ
        # A blank value (PORT= in a .env file) means "not set", like a missing one.
        get = lambda name, default="": (env.get(name) or "").strip() or default  # noqa: E731

        app_id = get("MicrosoftAppId")
        app_type_text = get("MicrosoftAppType", "MultiTenant")
        # botbuilder compares the type case-insensitively; keep its canonical spelling.
        app_type = next((t for t in APP_TYPES if t.lower() == app_type_text.lower()), "")
        if not app_type:
            raise SettingsError(f"MicrosoftAppType must be one of {', '.join(APP_TYPES)}, not {app_type_text!r}")
        app_tenant_id = get("MicrosoftAppTenantId")
        if app_type in ("SingleTenant", "UserAssignedMSI") and app_id and not app_tenant_id:
            raise SettingsError(f"MicrosoftAppTenantId is required when MicrosoftAppType is {app_type}")
        if app_id and app_type != "UserAssignedMSI" and not get("MicrosoftAppPassword"):
            raise SettingsError("MicrosoftAppPassword is required when MicrosoftAppId is set")
        signing_problem = signing_key_problem(get("QA_CARD_SIGNING_KEY"), get("MicrosoftAppPassword"),
                                              authenticated=bool(app_id))
        if signing_problem:
            raise SettingsError(signing_problem)

        port_text = get("PORT", "3978")
        # Plain ASCII digits only: int() would also take "3_978" and other scripts' digits.
        if not (port_text.isascii() and port_text.isdigit()):
            raise SettingsError(f"PORT must be a whole number, not {port_text!r}")
        port = int(port_text)
        if not 0 < port < 65536:
            raise SettingsError(f"PORT must be between 1 and 65535, not {port}")

        timezone = get("QA_TIMEZONE", "Europe/London")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "Europe"
            raise SettingsError(f"QA_TIMEZONE {timezone!r} is not an IANA time zone such as Europe/London") from None

        tenants = frozenset(tenant_key(t) for t in get("QA_ALLOWED_TENANTS").split(",") if t.strip())
        for tenant in sorted(tenants):
            if not TENANT_GUID.fullmatch(tenant):
                raise SettingsError(f"QA_ALLOWED_TENANTS must list tenant ids (GUIDs such as "
                                    f"3a0b3c51-3e1d-44f1-ba8e-9f82b6880005), not {tenant[:64]!r}")
        if app_id and not tenants:
            raise SettingsError("QA_ALLOWED_TENANTS is required when MicrosoftAppId is set (comma-separated tenant ids)")

        raw_url = get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"
        try:
            database_url = normalise_database_url(raw_url)
        except ValueError as exc:
            raise SettingsError(f"DATABASE_URL {exc}") from None

        interval_text = get("QA_SWEEP_INTERVAL_SECONDS", "60")
        if not (interval_text.isascii() and interval_text.isdigit()) or int(interval_text) < 1:
            raise SettingsError(f"QA_SWEEP_INTERVAL_SECONDS must be a whole number of seconds, 1 or more, "
                                f"not {interval_text!r}")
        interval = int(interval_text)

        lease_text = get("QA_OUTBOX_LEASE_SECONDS", "120")
        try:
            lease = float(lease_text)
        except ValueError:
            raise SettingsError(f"QA_OUTBOX_LEASE_SECONDS must be a number of seconds, not {lease_text!r}") from None
        if not 0 < lease < 86400:  # also refuses nan and inf
            raise SettingsError("QA_OUTBOX_LEASE_SECONDS must be more than 0 and less than a day")

        metadata = get("BotOpenIdMetadata")
        if metadata and not _https_or_local(metadata):
            raise SettingsError(f"BotOpenIdMetadata must be an https:// address, not {metadata!r}")
        beat_text = get("QA_OUTBOX_HEARTBEAT_SECONDS", "2")
        try:
            beat = float(beat_text)
        except ValueError:
            raise SettingsError(f"QA_OUTBOX_HEARTBEAT_SECONDS must be a number of seconds, not {beat_text!r}") from None
        if not 0 < beat <= 60:  # also refuses nan and inf
            raise SettingsError("QA_OUTBOX_HEARTBEAT_SECONDS must be more than 0 and at most 60")

        retry_text = get("QA_OUTBOX_RETRY_HOURS", "24")
        try:
            retry_hours = float(retry_text)
        except ValueError:
            raise SettingsError(f"QA_OUTBOX_RETRY_HOURS must be a number of hours, not {retry_text!r}") from None
        if not 0 < retry_hours <= 24 * 14:  # also refuses nan and inf
            raise SettingsError("QA_OUTBOX_RETRY_HOURS must be more than 0 and at most 336 (two weeks)")

        wait_text = get("QA_DATABASE_WAIT_SECONDS", "300")
        try:
            database_wait = float(wait_text)
        except ValueError:
            raise SettingsError(f"QA_DATABASE_WAIT_SECONDS must be a number of seconds, not {wait_text!r}") from None
        if not 0 <= database_wait <= 3600:  # also refuses nan and inf
            raise SettingsError("QA_DATABASE_WAIT_SECONDS must be from 0 to 3600 (an hour)")
        grace_text = get("QA_SHUTDOWN_GRACE_SECONDS", "10")
        try:
            grace = float(grace_text)
        except ValueError:
            raise SettingsError(f"QA_SHUTDOWN_GRACE_SECONDS must be a number of seconds, not {grace_text!r}") from None
        if not 0 <= grace <= 600:  # also refuses nan and inf
            raise SettingsError("QA_SHUTDOWN_GRACE_SECONDS must be from 0 to 600 (ten minutes)")
        log_format = get("QA_LOG_FORMAT", "text").lower()
        if log_format not in LOG_FORMATS:
            raise SettingsError(f"QA_LOG_FORMAT must be text or json, not {log_format[:20]!r}")

        return cls(
            app_id=app_id,
            app_password=get("MicrosoftAppPassword"),
            app_type=app_type,
            app_tenant_id=app_tenant_id,
            database_url=database_url,
            port=port,
            timezone=timezone,
            file_limits=_file_limits(get),
            allowed_tenants=tenants,
            oauth_token_url=get("QA_OAUTH_TOKEN_URL"),
            sweep_interval_seconds=interval,
            outbox_lease_seconds=lease,
            bot_open_id_metadata=metadata,
            outbox_heartbeat_seconds=beat,
            outbox_retry_hours=retry_hours,
            card_signing_key=get("QA_CARD_SIGNING_KEY"),
            teams_catalog_app_id=get("QA_TEAMS_CATALOG_APP_ID"),
            graph_url=_graph_url(get("QA_GRAPH_URL")),
            database_wait_seconds=database_wait,
            shutdown_grace_seconds=grace,
            metrics_token=get("QA_METRICS_TOKEN"),
            log_format=log_format,
            output_dir=Path(get("QA_OUTPUT_DIR")) if get("QA_OUTPUT_DIR") else DEFAULT_OUTPUT_DIR,
        )


def _graph_url(url: str) -> str:
    if not url:
        return "https://graph.microsoft.com"
    if not _https_or_local(url):
        raise SettingsError(f"QA_GRAPH_URL must be an https:// address, not {url!r}")
    return url.rstrip("/")


def _file_limits(get) -> ReadLimits:  # noqa: ANN001 - from_env's getter
    """QA_FILE_MAX_ROWS (rows below the header, default 100,000) and QA_FILE_MAX_UNZIPPED_MB (a file's
    size unpacked, default 200): the most any file the bot reads may hold (qa/tabular.py ReadLimits);
    QA_IMPORT_BATCH_ROWS (default 1,000): rows a long import writes per transaction (storage/files.py)."""
    found = []
    for name, default, low, high in (("QA_FILE_MAX_ROWS", ReadLimits.max_rows, 1, 10_000_000),
                                     ("QA_FILE_MAX_UNZIPPED_MB", ReadLimits.max_unzipped_bytes // MB, 1, 100_000),
                                     ("QA_IMPORT_BATCH_ROWS", ReadLimits.batch_rows, 10, 100_000)):
        text = get(name, str(default))
        if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
            raise SettingsError(f"{name} must be a whole number from {low} to {high:,}, not {text!r}")
        found.append(int(text))
    return ReadLimits(max_rows=found[0], max_unzipped_bytes=found[1] * MB, batch_rows=found[2])


def _https_or_local(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.hostname) and (parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")))


def _load_dotenv() -> None:
    path = Path.cwd() / ".env"
    if path.is_file():
        from dotenv import load_dotenv

        load_dotenv(path, override=False)
