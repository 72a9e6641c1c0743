"""Reading audit form definitions from their files (issue: the council's own audit forms, item 1),
at the edge of the capability: the JSON is parsed, checked against `schema.json` with jsonschema
(JSON Schema 2020-12), then by the framework's rules (qa/forms.py `problems`), and every problem is
given with the line of the file it is on, so the QA unit can put it right in any text editor (the
checking and line numbering are qa/definition_files.py, shared with the induction plan).

JSON rather than YAML: the standard library reads it (no YAML parser to add and keep patched), the
same file is what Microsoft Forms and most tools export, and jsonschema validates it as written.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

from qa.definition_files import check_json, unreadable
from qa.forms import FormDefinition, form_from_data, in_use_problems, problems

SCHEMA_FILE = Path(__file__).with_name("schema.json")
MAX_BYTES = 1_000_000  # a definition is a few kilobytes; anything near this is not one


class FormsError(Exception):
    """A definition, or a folder of them, that cannot be used: str() is every problem, a line each."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Checked:
    """One file checked: the definition when it is sound, else None, and its problems (each
    "line N: what is wrong (at its.path)")."""

    form: FormDefinition | None
    problems: tuple[str, ...]


@cache
def _validator() -> Draft202012Validator:
    return schema_validator(SCHEMA_FILE)


def schema_validator(path: Path) -> Draft202012Validator:
    """A JSON Schema 2020-12 validator for the schema in `path` (the schema itself checked first)."""
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def read_text(path: Path, what: str) -> tuple[str | None, str | None]:
    """(the text of `path`, None), or (None, the one problem: too large to be `what`, or unreadable)."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return None, f"is over {MAX_BYTES // 1000:,} KB: not {what}"
        return path.read_text(encoding="utf-8"), None
    except (OSError, UnicodeDecodeError) as exc:
        return None, unreadable(exc)


def check_text(text: str) -> Checked:
    """Check a definition's text. Never raises for a bad definition: the problems say what is wrong."""
    data, found = check_json(text, _validator(), lambda d: ((p.path, p.message) for p in problems(d)))
    return Checked(None, found) if found else Checked(form_from_data(data), ())


def check_file(path: Path) -> Checked:
    """Check the definition in `path` (UTF-8 JSON). A file that cannot be read is one problem."""
    text, problem = read_text(path, "an audit form definition")
    return check_text(text) if text is not None else Checked(None, (problem or "",))


@dataclass(frozen=True)
class InUse:
    """One definition in the folder: the form, its file's text (kept whole when recorded) and the file."""

    form: FormDefinition
    text: str
    path: Path


def load_folder(folder: Path) -> tuple[FormDefinition, ...]:
    """The forms in use: every `*.json` at the top of `folder` (sub-folders, such as examples, are not
    read), by file name. Raises FormsError naming each file's problems, and the folder's (two files
    defining one form name; no default form)."""
    return tuple(f.form for f in read_folder(folder))


def read_folder(folder: Path) -> tuple[InUse, ...]:
    """`load_folder` with each form's text and file. Raises FormsError as it does."""
    if not folder.is_dir():
        raise FormsError([f"{folder} is not a folder of audit form definitions (QA_FORMS_DIR)"])
    forms: list[InUse] = []
    found: list[str] = []
    for path in sorted(folder.glob("*.json")):
        try:
            text = path.read_text(encoding="utf-8") if path.stat().st_size <= MAX_BYTES else None
        except (OSError, UnicodeDecodeError):
            text = None
        checked = check_file(path) if text is None else check_text(text)
        found += [f"{path.name} {problem}" for problem in checked.problems]
        if checked.form is not None and text is not None:
            forms.append(InUse(checked.form, text, path))
    if not found:
        found += [f"{folder}: {problem}" for problem in in_use_problems([f.form for f in forms])]
    if found:
        raise FormsError(found)
    return tuple(forms)
