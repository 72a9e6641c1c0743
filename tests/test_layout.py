"""Tests that are easy to live in: a test module imports tests/support (and the code), never
another test module. (bench/ and tests/ not importing each other is an import-linter contract; that
production code names no "issue <number>" is tests/test_shape.py's.)"""
from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_test_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
            [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.module in ("tests", "tests.e2e"):
            names = [f"{node.module}.{a.name}" for a in node.names]
        found |= {n for n in names if n.split(".")[-1].startswith("test_") and n.startswith("tests")}
    return found


def test_no_test_module_imports_another():
    offenders = {str(p.relative_to(TESTS)): sorted(imported_test_modules(p)) for p in TESTS.rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_check_sees_such_an_import(tmp_path: Path):
    (tmp_path / "test_a.py").write_text("from tests.test_sender import payload\nfrom tests import test_b\n"
                                        "from tests.support.outbox import NOW\n", encoding="utf-8")
    assert imported_test_modules(tmp_path / "test_a.py") == {"tests.test_sender", "tests.test_b"}


# -- qa/ is rules: settings come in as parameters ---------------------------------------------------

ENVIRONMENT = re.compile(r"\benviron\b|\bgetenv\b|\bdotenv\b")


def environment_reads(root: Path) -> list[str]:
    """`path:line` of every mention of the environment in the Python under `root`."""
    return [f"{path.relative_to(root)}:{number}" for path in sorted(root.rglob("*.py"))
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if ENVIRONMENT.search(line)]


def test_qa_reads_no_environment():
    assert environment_reads(TESTS.parent / "qa") == []


def test_the_environment_check_sees_a_read(tmp_path: Path):
    (tmp_path / "rules.py").write_text("import os\nDAYS = int(os.environ.get('X', '5'))\nENVIRONS = 1\n",
                                       encoding="utf-8")
    assert environment_reads(tmp_path) == ["rules.py:2"]
