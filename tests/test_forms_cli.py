"""`python -m bot forms list` and `forms check FILE`, as the QA unit runs them: no database needed,
exit 0, or exit 1 with each problem and its line (a bad QA_FORMS_DIR: exit 2, naming it)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from capabilities.audit_forms import config
from capabilities.catalogue import registry
from capabilities.registry import ConfigurationError
from qa.calendar import WorkingCalendar
from tests.support.subprocesses import ROOT

DEFAULT_FILE = config.DEFAULT_DIR / "default.json"


def forms(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("Microsoft", "QA_", "DATABASE_URL"))}
    environment |= {"PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path / 'db' / 'qa.sqlite3'}", **env}
    return subprocess.run([sys.executable, "-m", "bot", "forms", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.process
def test_forms_list_and_check(tmp_path):
    listed = forms(tmp_path, "list")
    assert listed.returncode == 0, listed.stderr
    assert "  default v1  case audit  every service area  (Case audit, 14 questions)" in listed.stdout.splitlines()

    fostering = ROOT / "docs" / "forms" / "fostering.json"
    (tmp_path / "default.json").write_text(DEFAULT_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "fostering.json").write_text(fostering.read_text(encoding="utf-8"), encoding="utf-8")
    listed = forms(tmp_path, "list", QA_FORMS_DIR=str(tmp_path))
    assert listed.returncode == 0 and "  fostering v1  case audit  service areas: Fostering" in listed.stdout

    checked = forms(tmp_path, "check", str(fostering))
    assert checked.returncode == 0 and "fostering v1" in checked.stdout and "no problems (not installed)" in checked.stdout
    assert not (tmp_path / "db" / "qa.sqlite3").exists()  # no database made or migrated

    bad = tmp_path / "bad.json"
    bad.write_text(fostering.read_text(encoding="utf-8").replace('"key_area": "Supervision"', '"key_area": "Supervisoin"'),
                   encoding="utf-8")
    checked = forms(tmp_path, "check", str(bad))
    line = next(n for n, text in enumerate(bad.read_text().splitlines(), start=1) if "Supervisoin" in text)
    assert checked.returncode == 1 and checked.stdout == ""
    assert checked.stderr.startswith(f"bad.json line {line}: question 'supervision_visits': 'Supervisoin' is not a key area")

    (tmp_path / "fostering.json").write_text(bad.read_text(encoding="utf-8"), encoding="utf-8")
    listed = forms(tmp_path, "list", QA_FORMS_DIR=str(tmp_path))
    assert listed.returncode == 2 and "QA_FORMS_DIR" in listed.stderr and f"fostering.json line {line}:" in listed.stderr


def test_a_bad_forms_folder_stops_start_up(tmp_path, monkeypatch):
    (tmp_path / "default.json").write_text("{}", encoding="utf-8")
    monkeypatch.setenv("QA_FORMS_DIR", str(tmp_path))
    config.forms_in_use.cache_clear()
    try:
        with pytest.raises(ConfigurationError, match="default.json line 1: 'kind' is a required property"):
            registry().duties(WorkingCalendar())
    finally:
        monkeypatch.delenv("QA_FORMS_DIR")
        config.forms_in_use.cache_clear()
