"""Settings.from_env: defaults, DATABASE_URL forms, and one clear error per bad variable."""
from __future__ import annotations

import pytest

from bot.settings import DEFAULT_SQLITE_PATH, PROJECT_ROOT, Settings, SettingsError
from storage.db import Database, normalise_database_url, sqlite_path

TENANT_A = "3a0b3c51-3e1d-44f1-ba8e-9f82b6880005"
TENANT_B = "0d5c7e2f-9b1a-4c3d-8e7f-a1b2c3d4e5f6"
APP = {"MicrosoftAppId": "00000000-0000-0000-0000-000000000001", "MicrosoftAppPassword": "s3cret-value",
       "QA_ALLOWED_TENANTS": f"{TENANT_A}, {TENANT_B}"}


def error_for(env: dict[str, str]) -> str:
    with pytest.raises(SettingsError) as err:
        Settings.from_env(env)
    return str(err.value)


def test_defaults():
    settings = Settings.from_env({})
    assert settings.port == 3978
    assert settings.timezone == "Europe/London" and settings.tz.key == "Europe/London"
    assert settings.database_url == f"sqlite+aiosqlite:///{DEFAULT_SQLITE_PATH}"
    assert sqlite_path(settings.database_url) == PROJECT_ROOT / "var" / "qa-bot.sqlite3"
    assert settings.app_type == "MultiTenant"
    assert not settings.auth_enabled and settings.allowed_tenants == frozenset()
    assert settings.sweep_interval_seconds == 60
    assert settings.shutdown_grace_seconds == 10.0


def test_blank_values_count_as_unset():
    settings = Settings.from_env({"PORT": " ", "QA_TIMEZONE": "", "DATABASE_URL": "  ", "MicrosoftAppType": " "})
    assert (settings.port, settings.timezone, settings.app_type) == (3978, "Europe/London", "MultiTenant")
    assert settings.database_url == f"sqlite+aiosqlite:///{DEFAULT_SQLITE_PATH}"


def test_values_are_read():
    settings = Settings.from_env({**APP, "PORT": "8080", "QA_TIMEZONE": "America/New_York",
                                  "QA_SWEEP_INTERVAL_SECONDS": "15", "QA_SHUTDOWN_GRACE_SECONDS": "2.5"})
    assert (settings.port, settings.timezone, settings.sweep_interval_seconds) == (8080, "America/New_York", 15)
    assert settings.shutdown_grace_seconds == 2.5
    assert settings.allowed_tenants == {TENANT_A, TENANT_B}
    assert settings.auth_enabled and settings.tenant_allowed(TENANT_A) and not settings.tenant_allowed("other")
    assert "s3cret-value" not in repr(settings)


@pytest.mark.parametrize(("given", "expected"), [
    ("sqlite:///var/x.sqlite3", "sqlite+aiosqlite:///var/x.sqlite3"),
    ("sqlite:////srv/qa/x.sqlite3", "sqlite+aiosqlite:////srv/qa/x.sqlite3"),
    ("postgresql://user:pass@host:5432/db", "postgresql+asyncpg://user:pass@host:5432/db"),
    ("postgres://user:pass@host:5432/db", "postgresql+asyncpg://user:pass@host:5432/db"),
    ("POSTGRES://user:pass@host/db", "postgresql+asyncpg://user:pass@host/db"),
    ("postgresql+psycopg2://user@host/db", "postgresql+asyncpg://user@host/db"),
    ("postgresql+asyncpg://user@host/db", "postgresql+asyncpg://user@host/db"),
    ("postgres://user:pass@host/db?sslmode=require", "postgresql+asyncpg://user:pass@host/db?ssl=require"),
])
def test_database_url_plain_forms_map_to_the_async_drivers(given, expected):
    assert Settings.from_env({"DATABASE_URL": given}).database_url == expected
    assert normalise_database_url(expected) == expected  # idempotent: Database() normalises again


@pytest.mark.parametrize(("env", "variable"), [
    ({"PORT": "abc"}, "PORT"),
    ({"PORT": "3_978"}, "PORT"),
    ({"PORT": "0"}, "PORT"),
    ({"PORT": "65536"}, "PORT"),
    ({"QA_TIMEZONE": "Mars/Base"}, "QA_TIMEZONE"),
    ({"QA_TIMEZONE": "Europe"}, "QA_TIMEZONE"),  # a folder of zones, not a zone
    ({"QA_TIMEZONE": "../etc/passwd"}, "QA_TIMEZONE"),
    ({"QA_TIMEZONE": "zone1970.tab"}, "QA_TIMEZONE"),
    ({"DATABASE_URL": "mysql://user:pass@host/db"}, "DATABASE_URL"),
    ({"DATABASE_URL": "postgresql://user:pass@host:abc/db"}, "DATABASE_URL"),
    ({"DATABASE_URL": "postgresql://user:pass@host"}, "DATABASE_URL"),
    ({"MicrosoftAppId": "app", "MicrosoftAppPassword": "pw"}, "QA_ALLOWED_TENANTS"),
    ({"MicrosoftAppId": "app", "QA_ALLOWED_TENANTS": "t"}, "MicrosoftAppPassword"),
    ({"MicrosoftAppType": "AnyTenant"}, "MicrosoftAppType"),
    ({**APP, "MicrosoftAppType": "SingleTenant"}, "MicrosoftAppTenantId"),
    ({**APP, "MicrosoftAppType": "UserAssignedMSI"}, "MicrosoftAppTenantId"),
    ({"QA_SWEEP_INTERVAL_SECONDS": "0"}, "QA_SWEEP_INTERVAL_SECONDS"),
    ({"QA_SWEEP_INTERVAL_SECONDS": "often"}, "QA_SWEEP_INTERVAL_SECONDS"),
    ({"QA_SHUTDOWN_GRACE_SECONDS": "soon"}, "QA_SHUTDOWN_GRACE_SECONDS"),
    ({"QA_SHUTDOWN_GRACE_SECONDS": "-1"}, "QA_SHUTDOWN_GRACE_SECONDS"),
    ({"QA_SHUTDOWN_GRACE_SECONDS": "601"}, "QA_SHUTDOWN_GRACE_SECONDS"),
    ({"QA_SHUTDOWN_GRACE_SECONDS": "nan"}, "QA_SHUTDOWN_GRACE_SECONDS"),
])
def test_bad_values_name_the_variable(env, variable):
    message = error_for(env)
    assert variable in message
    assert "\n" not in message


def test_database_url_errors_never_repeat_the_password():
    for url in ("mysql://user:hunter2@host/db", "user:hunter2@host/db", "postgresql://user:hunter2@host:x/db"):
        message = error_for({"DATABASE_URL": url})
        assert "DATABASE_URL" in message and "hunter2" not in message


def test_app_type_is_case_insensitive_like_botbuilder():
    settings = Settings.from_env({**APP, "MicrosoftAppType": "singletenant", "MicrosoftAppTenantId": "tenant-a"})
    assert settings.app_type == settings.APP_TYPE == "SingleTenant"
    assert settings.APP_TENANTID == "tenant-a"


def test_managed_identity_needs_no_password():
    env = {"MicrosoftAppId": "app", "MicrosoftAppType": "UserAssignedMSI", "MicrosoftAppTenantId": "t",
           "QA_ALLOWED_TENANTS": TENANT_A, "QA_CARD_SIGNING_KEY": "a-real-signing-key-0123456789"}
    assert Settings.from_env(env).app_type == "UserAssignedMSI"


async def test_sslmode_from_a_host_connects(db):
    # Without translation asyncpg refuses the unknown `sslmode` argument and nothing connects.
    if not db.is_postgresql:
        pytest.skip("sslmode is a PostgreSQL setting")
    url = db.engine.url.render_as_string(hide_password=False).replace("postgresql+asyncpg", "postgresql", 1)
    database = Database(f"{url}?sslmode=disable")
    try:
        assert await database.ping()
    finally:
        await database.dispose()
