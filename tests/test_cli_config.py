"""`python -m bot migrate` as an operator runs it: bad settings end in one line, good ones migrate."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.process
REPO_ROOT = Path(__file__).resolve().parent.parent
# Set (blank = unset) so a developer's .env cannot fill them in: load_dotenv never overrides.
CONFIG_VARIABLES = ("MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppType", "MicrosoftAppTenantId",
                    "QA_ALLOWED_TENANTS", "PORT", "QA_TIMEZONE", "DATABASE_URL", "QA_SWEEP_INTERVAL_SECONDS",
                    "QA_OAUTH_TOKEN_URL")


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **dict.fromkeys(CONFIG_VARIABLES, ""), **env}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=REPO_ROOT, env=full_env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("env", "variable"), [
    ({"PORT": "abc"}, "PORT"),
    ({"QA_TIMEZONE": "Nowhere"}, "QA_TIMEZONE"),
    ({"QA_TIMEZONE": "Europe"}, "QA_TIMEZONE"),
    ({"DATABASE_URL": "mysql://user:hunter2@host/db"}, "DATABASE_URL"),
    ({"MicrosoftAppId": "app", "MicrosoftAppPassword": "pw"}, "QA_ALLOWED_TENANTS"),
])
def test_bad_setting_exits_2_with_one_line_naming_the_variable(tmp_path, env, variable):
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp_path / 'untouched.sqlite3'}")
    result = run_cli("migrate", **env)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("configuration error: ") and variable in lines[0]
    assert "Traceback" not in result.stderr and "hunter2" not in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "untouched.sqlite3").exists()  # stopped before touching the database


def test_migrate_creates_the_schema_and_is_repeatable(tmp_path):
    path = tmp_path / "x.sqlite3"
    for _ in range(2):
        result = run_cli("migrate", DATABASE_URL=f"sqlite:///{path}")
        assert result.returncode == 0, result.stderr
        assert "database is up to date" in result.stdout
        assert "Traceback" not in result.stderr
    with sqlite3.connect(path) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        versions = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    assert {"bot_state", "people", "outbox", "alembic_version"} <= tables
    assert len(versions) == 1
