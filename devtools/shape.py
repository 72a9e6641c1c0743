"""Figures on the code's shape, read from the source with `ast` (no import of the bot):

    python -m devtools.shape [ROOT]

the largest production modules (lines), functions over 60 lines, and the counts the use-case kit
is meant to bring to 0 or 1: hand-built outbox payload dicts, actor preambles, role string
literals, recursive card-tree walkers and "issue N" references. tests/test_shape.py asserts the
counts; this prints them (for docs and closing notes).
"""
from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PRODUCTION = ("bot", "scheduler", "capabilities", "dialogs", "storage", "qa")
LONG_FUNCTION = 60  # lines
CARD_KEYS = {"body", "items", "columns", "actions", "card", "inlines", "facts"}
ROLE_VALUES = ("practitioner", "practice_manager", "service_lead", "head_of_service", "deputy_director", "qa_unit",
               "principal_social_worker", "iro", "cp_chair")
ISSUE = re.compile(r"\bissues?\s+#?\d+", re.IGNORECASE)
# Where each spelling may stand once: the Role enum, the Payload type, the card-tree module.
ROLE_HOME = Path("qa/framework.py")
PAYLOAD_HOME = Path("dialogs/payload.py")
TREE_HOME = Path("dialogs/card_tree.py")


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def modules(root: Path, packages: tuple[str, ...] = PRODUCTION) -> Iterator[tuple[Path, ast.Module, str]]:
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root)
            if "migrations" in relative.parts:
                continue
            source = path.read_text(encoding="utf-8")
            yield relative, ast.parse(source, str(relative)), source


def largest(root: Path, n: int = 10) -> list[tuple[int, Path]]:
    sizes = [(source.count("\n"), path) for path, _, source in modules(root)]
    return sorted(sizes, reverse=True)[:n]


def long_functions(root: Path) -> list[Finding]:
    found = []
    for path, tree, _ in modules(root):
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > LONG_FUNCTION:
                    found.append(Finding(path, node.lineno, f"{node.name} ({length} lines)"))
    return found


def _keys(node: ast.Dict) -> set[str]:
    return {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}


def payload_dicts(root: Path) -> list[Finding]:
    """Dict literals shaped like an outbox payload ("summary" with "card" or "text")."""
    found = []
    for path, tree, _ in modules(root):
        if path == PAYLOAD_HOME:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict) and "summary" in (keys := _keys(node)) and keys & {"card", "text"}:
                found.append(Finding(path, node.lineno, "payload dict"))
    return found


def actor_preambles(root: Path) -> list[Finding]:
    """`session.get(Person, <actor>)`: the actor looked up by hand instead of through the kit's unit."""
    found = []
    for path, tree, _ in modules(root, ("capabilities",)):
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                    and len(node.args) == 2 and isinstance(node.args[0], ast.Name) and node.args[0].id == "Person"
                    and "actor" in ast.unparse(node.args[1])):
                found.append(Finding(path, node.lineno, ast.unparse(node)))
    return found


def _docstrings(tree: ast.Module) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _words_not_roles(tree: ast.Module) -> set[int]:
    """String constants that are English words, not roles: a `Role.X: "word"` mapping's values, and
    the members of a collection of strings that are not all roles."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            ids |= {id(v) for k, v in zip(node.keys, node.values, strict=True)
                    if isinstance(k, ast.Attribute) and isinstance(k.value, ast.Name) and k.value.id == "Role"}
        elif isinstance(node, ast.Tuple | ast.List | ast.Set):
            strings = [e for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            if any(e.value not in ROLE_VALUES for e in strings):
                ids |= {id(e) for e in strings}
    return ids


def role_literals(root: Path) -> list[Finding]:
    """A role spelled as a string literal anywhere but the Role enum (docstrings and words aside)."""
    found = []
    for path, tree, _ in modules(root):
        if path == ROLE_HOME:
            continue
        skip = _docstrings(tree) | _words_not_roles(tree)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and node.value in ROLE_VALUES and id(node) not in skip):
                found.append(Finding(path, node.lineno, repr(node.value)))
    return found


def card_walkers(root: Path, packages: tuple[str, ...] = (*PRODUCTION, "tests", "bench", "devtools")) -> list[Finding]:
    """Recursive functions that walk an Adaptive Card's tree (they name its child keys)."""
    found = []
    for path, tree, _source in modules(root, packages):
        if path == TREE_HOME:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            calls_itself = any(isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id == node.name
                               for c in ast.walk(node))
            names_card_keys = any(isinstance(c, ast.Constant) and c.value in CARD_KEYS for c in ast.walk(node))
            if calls_itself and names_card_keys:
                found.append(Finding(path, node.lineno, node.name))
    return found


def press_readers(root: Path) -> list[Finding]:
    """Functions taking a `Press` outside a capability's actions.py (a one-module capability, such as
    capabilities/basics.py, holds its presses itself)."""
    found = []
    for path, tree, _ in modules(root, ("capabilities",)):
        if path.name == "actions.py" or len(path.parts) == 2:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                    a.annotation is not None and "Press" in ast.unparse(a.annotation).split(".")[-1:]
                    for a in node.args.args + node.args.kwonlyargs):
                found.append(Finding(path, node.lineno, node.name))
    return found


def issue_references(root: Path) -> list[Finding]:
    found = []
    for path, _, source in modules(root):
        for number, line in enumerate(source.splitlines(), 1):
            if ISSUE.search(line):
                found.append(Finding(path, number, line.strip()[:80]))
    return found


CHECKS = {
    "hand-built payload dicts": payload_dicts,
    "actor preambles": actor_preambles,
    "role string literals": role_literals,
    "card-tree walkers": card_walkers,
    "presses read outside actions.py": press_readers,
    '"issue N" references': issue_references,
    f"functions over {LONG_FUNCTION} lines": long_functions,
}


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path(".")
    print("largest modules (lines):")
    for size, path in largest(root):
        print(f"  {size:5d}  {path}")
    for name, check in CHECKS.items():
        found = check(root)
        print(f"{name}: {len(found)}")
        for finding in found[:60] if "-v" in argv else []:
            print(f"  {finding}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
