"""`python -m bot cards dump DIR`: every card the bot can send, written out and checked by Microsoft's
Adaptive Cards library (tools/validate-cards.js): parses targeting 1.5 with no warnings,
validateProperties clean, version at most 1.5, under Teams' 28 KB. And no card builder without
a sample: adding one without a sample fails here."""
from __future__ import annotations

import ast
import functools
import importlib
import inspect
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import dialogs
from bot import cards_dump
from dialogs import samples
from qa.framework import ROLES
from tests.support.card_validator import MAX_CARD_BYTES, ROOT, run_validator

# The kinds of card the bot sends (issue 4), by a sample that shows each.
KINDS = {
    "allocation notice": "allocation_notice",
    "reminder": "auditor_reminder_7_days",
    "overdue notice": "audit_overdue",
    "audit form": "audit_form_full_draft_every_error",
    "oversight request": "oversight_request",
    "oversight digest": "oversight_digest",
    "oversight reminder": "oversight_reminder",
    "dispute": "dispute",
    "safeguarding alert": "safeguarding_alert",
    "unreachable list": "unreachable_auditors",
    "help": "help_practice_manager",
    "help, not understood": "help_not_understood",
    "welcome": "welcome",
    "welcome, not on the roster": "welcome_not_on_roster",
    "whoami": "whoami",
    "allocation import summary": "allocation_import_summary",
    "allocation import problems": "allocation_import_rejected",
    "my audits": "my_audits",
    "cycle status": "cycle_status",
    "acted on": "pressed_start_on_notice",
    "polite refusal": "refused_on_notice",
    "digest of several": "digest_of_three",
}
# Blocks cards are made of, not cards (card_kit), and the catalogue itself.
NOT_BUILDER_MODULES = {"dialogs.card_kit", "dialogs.samples"}
# card_kit functions that make no card element.
NOT_ELEMENTS = {"format_day", "format_moment", "format_month", "excerpt", "action_data"}


def python_m_bot(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", timeout=120, check=False)


@pytest.fixture(scope="module")
def expected() -> dict[str, dict]:
    return cards_dump.every_card()


@pytest.fixture(scope="module")
def dumped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    directory = tmp_path_factory.mktemp("cards") / "new" / "dir"  # created, parents too
    return directory, python_m_bot("cards", "dump", str(directory))


@pytest.fixture(scope="module")
def report(dumped: tuple[Path, subprocess.CompletedProcess[str]]) -> tuple[int, dict[str, Any]]:
    directory, done = dumped
    assert done.returncode == 0, done.stderr
    rc, result, stderr = run_validator(None, str(directory))
    assert result is not None, stderr
    return rc, result


@pytest.mark.process
def test_dump_writes_one_pretty_utf8_file_per_card(dumped, expected) -> None:
    directory, done = dumped
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wrote {len(expected)} cards to {directory}"
    files = sorted(p.name for p in directory.iterdir())
    assert files == sorted(f"{name}.json" for name in expected)
    for name, card in expected.items():
        raw = (directory / f"{name}.json").read_bytes()
        assert json.loads(raw.decode("utf-8")) == card, name
        assert raw.startswith(b'{\n  "type": "AdaptiveCard"'), name  # indented, one key a line
    assert "’" in (directory / "allocation_notice.json").read_text(encoding="utf-8")  # not \u2019


@pytest.mark.process
def test_every_card_parses_as_1_5_with_no_warnings_and_validates(report) -> None:
    rc, result = report
    assert {c["name"]: c["problems"] for c in result["cards"] if c["problems"]} == {}
    assert rc == 0 and result["ok"] is True and result["target_version"] == "1.5"


@pytest.mark.process
def test_every_card_is_at_most_1_5_and_under_28_kb(report, expected) -> None:
    _, result = report
    assert sorted(c["name"] for c in result["cards"]) == sorted(f"{name}.json" for name in expected)
    too_new = {c["name"]: c["version"] for c in result["cards"]
               if tuple(int(part) for part in str(c["version"]).split(".")) > (1, 5)}
    too_big = {c["name"]: c["size_bytes"] for c in result["cards"] if c["size_bytes"] >= MAX_CARD_BYTES}
    assert too_new == {} and too_big == {}
    # The validator measures the compact JSON a bot sends; so do we.
    for name, card in expected.items():
        assert len(json.dumps(card, ensure_ascii=False, separators=(",", ":")).encode()) < MAX_CARD_BYTES, name


def test_every_kind_of_card_is_dumped(expected) -> None:
    assert {kind: name for kind, name in KINDS.items() if name not in expected} == {}
    assert {f"help_{role}" for role in ROLES} <= expected.keys()


# -- no builder without a sample -----------------------------------------------------------------

def resolve(dotted: str) -> tuple[Any, str]:
    """"bot.audit_actions.Acted.apply" -> (the Acted class, "apply")."""
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            owner: Any = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for part in parts[cut:-1]:
            owner = getattr(owner, part)
        return owner, parts[-1]
    raise LookupError(dotted)


def record_calls(monkeypatch: pytest.MonkeyPatch, dotted_names: tuple[str, ...]) -> set[str]:
    """Wrap each function so calling it is noted in the returned set."""
    called: set[str] = set()
    for dotted in dotted_names:
        owner, attr = resolve(dotted)
        original = getattr(owner, attr)

        def note(*args: Any, _dotted: str = dotted, _original: Any = original, **kwargs: Any) -> Any:
            called.add(_dotted)
            return _original(*args, **kwargs)

        monkeypatch.setattr(owner, attr, functools.wraps(original)(note))
    return called


def dialogs_card_builders() -> set[str]:
    """Public functions named *_card defined in a dialogs module."""
    found = set()
    for info in pkgutil.iter_modules(dialogs.__path__, "dialogs."):
        if info.name in NOT_BUILDER_MODULES:
            continue
        module = importlib.import_module(info.name)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and name.endswith("_card") and not name.startswith("_"):
                found.add(f"{info.name}.{name}")
    return found


def edge_card_makers(root: Path = ROOT) -> set[str]:
    """Functions in capabilities/, bot/, scheduler/, storage/ and qa/ that build or change a card with
    card_kit's elements themselves ("module.qualname"; nested functions count as the one holding them)."""
    found = set()
    for package in ("capabilities", "bot", "scheduler", "storage", "qa"):
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            kit = {alias.asname or alias.name for node in ast.walk(tree)
                   if isinstance(node, ast.ImportFrom) and node.module == "dialogs.card_kit"
                   for alias in node.names} - NOT_ELEMENTS
            module = ".".join(path.relative_to(root).with_suffix("").parts)

            def visit(node: ast.AST, prefix: str, kit: set[str] = kit, module: str = module) -> None:
                for child in ast.iter_child_nodes(node):
                    if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                        if any(isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id in kit
                               for c in ast.walk(child)):
                            found.add(f"{module}.{prefix}{child.name}")
                    elif isinstance(child, ast.ClassDef):
                        visit(child, f"{prefix}{child.name}.")

            visit(tree, "")
    return found


def test_every_dialogs_card_builder_has_a_sample() -> None:
    missing = dialogs_card_builders() - set(samples.BUILDERS)
    assert missing == set(), f"add a sample to dialogs/samples.py and list the builder in BUILDERS: {missing}"


def test_the_samples_call_every_builder_they_list(monkeypatch: pytest.MonkeyPatch) -> None:
    called = record_calls(monkeypatch, samples.BUILDERS)
    samples.sample_cards()
    assert set(samples.BUILDERS) - called == set()


def test_every_card_made_outside_dialogs_has_a_registered_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    makers = edge_card_makers()
    assert "capabilities.audit_cycle.actions.reply_for" in makers  # the check sees the capabilities
    called = record_calls(monkeypatch, tuple(sorted(makers)))
    cards_dump.every_card()
    missing = makers - called
    assert missing == set(), f"add a sample to the capability's registered samples: {missing}"


def test_the_coverage_checks_notice_an_unsampled_builder(monkeypatch: pytest.MonkeyPatch) -> None:
    # A new builder in a dialogs module, with no sample: found, and not in BUILDERS.
    def new_notice_card() -> dict:
        return {}

    new_notice_card.__module__ = "dialogs.audit_cards"
    monkeypatch.setattr(dialogs.audit_cards, "new_notice_card", new_notice_card, raising=False)
    assert dialogs_card_builders() - set(samples.BUILDERS) == {"dialogs.audit_cards.new_notice_card"}
    # A listed builder the samples stop calling.
    monkeypatch.setattr(samples, "BUILDERS", (*samples.BUILDERS, "dialogs.audit_cards.read_audit_form"))
    called = record_calls(monkeypatch, samples.BUILDERS)
    samples.sample_cards()
    assert set(samples.BUILDERS) - called == {"dialogs.audit_cards.read_audit_form"}


def test_the_edge_check_finds_a_card_made_at_the_edge(tmp_path: Path) -> None:
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "reminders.py").write_text(
        "from dialogs.card_kit import card, format_day, heading\n"
        "def when(d):\n    return format_day(d)\n"
        "class Nudge:\n    def card(self):\n        def body():\n            return [heading('Due')]\n"
        "        return card(body())\n", encoding="utf-8")
    assert edge_card_makers(tmp_path) == {"bot.reminders.Nudge.card"}


# -- refusing a directory that cannot take the cards ------------------------------------------------

@pytest.mark.process
def test_a_file_is_refused_in_one_line(tmp_path: Path) -> None:
    target = tmp_path / "cards.json"
    target.write_text("keep me", encoding="utf-8")
    done = python_m_bot("cards", "dump", str(target))
    assert done.returncode == 1
    assert done.stderr.strip() == f"cards dump: {target} is not a directory"
    assert target.read_text(encoding="utf-8") == "keep me"


@pytest.mark.process
def test_a_directory_that_cannot_be_made_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    done = python_m_bot("cards", "dump", str(tmp_path / "file" / "cards"))
    assert done.returncode == 1
    assert done.stderr.startswith(f"cards dump: cannot create {tmp_path / 'file' / 'cards'}: ")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


@pytest.mark.process
def test_a_read_only_directory_is_refused_and_left_empty(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as root: every directory is writable")
        done = python_m_bot("cards", "dump", str(locked))
    finally:
        locked.chmod(0o755)
    assert done.returncode == 1
    assert done.stderr.strip() == f"cards dump: cannot write to {locked}: permission denied"
    assert list(locked.iterdir()) == []


def test_dumping_again_replaces_the_files_and_leaves_no_temporaries(tmp_path: Path, expected) -> None:
    (tmp_path / "help_qa_unit.json").write_text("{}", encoding="utf-8")
    assert cards_dump.dump(tmp_path, lambda: expected) == len(expected)
    assert json.loads((tmp_path / "help_qa_unit.json").read_text(encoding="utf-8")) == expected["help_qa_unit"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
