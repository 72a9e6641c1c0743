"""Reading audit form definitions from their files (issue: the council's own audit forms, item 1),
at the edge of the capability: the JSON is parsed, checked against `schema.json` with jsonschema
(JSON Schema 2020-12), then by the framework's rules (qa/forms.py `problems`), and every problem is
given with the line of the file it is on, so the QA unit can put it right in any text editor.

JSON rather than YAML: the standard library reads it (no YAML parser to add and keep patched), the
same file is what Microsoft Forms and most tools export, and jsonschema validates it as written.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from json.decoder import scanstring
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from qa.forms import FormDefinition, form_from_data, in_use_problems, problems

SCHEMA_FILE = Path(__file__).with_name("schema.json")
MAX_BYTES = 1_000_000  # a definition is a few kilobytes; anything near this is not one
JsonPath = tuple[str | int, ...]


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


def check_json(text: str, validator: Draft202012Validator, rules: Callable[[Any], Iterable[Any]]
               ) -> tuple[Any, tuple[str, ...]]:
    """Any JSON definition's text checked: parsed, then against `validator`'s schema, then (when the schema
    holds) by `rules(data)` (objects with `message` and `path`, a JSON path). Returns (the data, ()) when
    sound, else (None, every problem as "line N: what is wrong (at its.path)"). Never raises for bad text.
    The audit forms use it (`check_text`), and so do other definition files (the workforce's learning topics)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, (f"line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}",)
    lines, duplicates = positions(text)
    found = [(line, f"the key {key!r} appears twice in one object", path) for path, key, line in duplicates]
    errors = sorted(validator.iter_errors(data), key=lambda e: (_line(lines, _error_path(e)), str(e.message)))
    found += [(_line(lines, _error_path(e)), _message(e), _error_path(e)) for e in errors]
    if not found:
        found += [(_line(lines, p.path), p.message, p.path) for p in rules(data)]
    if found:
        return None, tuple(f"line {line}: {message}" + (f" (at {_dotted(path)})" if path else "")
                           for line, message, path in sorted(found, key=lambda f: f[0]))
    return data, ()


def schema_validator(path: Path) -> Draft202012Validator:
    """A JSON Schema 2020-12 validator for the schema in `path` (the schema itself checked first)."""
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def read_text(path: Path, what: str) -> tuple[str | None, str | None]:
    """(the text of `path`, None), or (None, the one problem: too large to be `what`, or unreadable)."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return None, f"{path.name} is over {MAX_BYTES // 1000:,} KB: not {what}"
        return path.read_text(encoding="utf-8"), None
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"{path} cannot be read: {exc.__class__.__name__}"


def check_text(text: str) -> Checked:
    """Check a definition's text. Never raises for a bad definition: the problems say what is wrong."""
    data, found = check_json(text, _validator(), problems)
    return Checked(form_from_data(data) if data is not None else None, found)


def check_file(path: Path) -> Checked:
    """Check the definition in `path` (UTF-8 JSON). A file that cannot be read is one problem."""
    text, problem = read_text(path, "an audit form definition")
    return check_text(text) if text is not None else Checked(None, (problem or "",))


def load_folder(folder: Path) -> tuple[FormDefinition, ...]:
    """The forms in use: every `*.json` at the top of `folder` (sub-folders, such as examples, are not
    read), by file name. Raises FormsError naming each file's problems, and the folder's (two files
    defining one form name; no default form)."""
    if not folder.is_dir():
        raise FormsError([f"{folder} is not a folder of audit form definitions (QA_FORMS_DIR)"])
    forms: list[FormDefinition] = []
    found: list[str] = []
    for path in sorted(folder.glob("*.json")):
        checked = check_file(path)
        found += [f"{path.name} {problem}" for problem in checked.problems]
        if checked.form is not None:
            forms.append(checked.form)
    if not found:
        found += [f"{folder}: {problem}" for problem in in_use_problems(forms)]
    if found:
        raise FormsError(found)
    return tuple(forms)


# ---------------------------------------------------------------- where each value is


def positions(text: str) -> tuple[dict[JsonPath, int], list[tuple[JsonPath, str, int]]]:
    """For valid JSON `text`: the line (from 1) of every value by its path (an object's member at its
    key's line), and each key used twice in one object as (the object's path, the key, its line)."""
    lines: dict[JsonPath, int] = {}
    duplicates: list[tuple[JsonPath, str, int]] = []
    decoder = json.JSONDecoder()

    def line_at(index: int) -> int:
        return text.count("\n", 0, index) + 1

    def skip(index: int) -> int:
        while index < len(text) and text[index] in " \t\r\n":
            index += 1
        return index

    def value(index: int, path: JsonPath) -> int:
        index = skip(index)
        lines.setdefault(path, line_at(index))
        if text[index] == "{":
            index = skip(index + 1)
            seen: set[str] = set()
            while text[index] != "}":
                key_line = line_at(index)
                key, index = scanstring(text, index + 1)
                if key in seen:
                    duplicates.append((path, key, key_line))
                seen.add(key)
                lines[(*path, key)] = key_line
                index = skip(skip(index) + 1)  # past the colon
                index = skip(value(index, (*path, key)))
                if text[index] == ",":
                    index = skip(index + 1)
            return index + 1
        if text[index] == "[":
            index = skip(index + 1)
            n = 0
            while text[index] != "]":
                index = skip(value(index, (*path, n)))
                n += 1
                if text[index] == ",":
                    index = skip(index + 1)
            return index + 1
        _, end = decoder.raw_decode(text, index)
        return end

    value(0, ())
    return lines, duplicates


def _line(lines: Mapping[JsonPath, int], path: JsonPath) -> int:
    """The line of `path`, else of its nearest enclosing value found."""
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path, 1)


def _error_path(error: ValidationError) -> JsonPath:
    """Where an error is best shown: an unexpected key at its own line."""
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        allowed = error.schema.get("properties", {})
        extra = [k for k in error.instance if k not in allowed]
        if extra:
            return (*path, extra[0])
    return path


def _message(error: ValidationError) -> str:
    """jsonschema's message, in the field's words where its own would puzzle a reader."""
    if error.validator == "additionalProperties":
        allowed = ", ".join(sorted(k for k in error.schema.get("properties", {}) if k))
        extra = [k for k in error.instance if k not in error.schema.get("properties", {})]
        return f"{', '.join(repr(k) for k in extra)} is not expected here; allowed: {allowed}"
    if error.validator == "pattern" and error.absolute_path and error.absolute_path[-1] in ("id", "name"):
        dash = ", -" if error.absolute_path[-1] == "name" else ""
        return f"{error.instance!r} must be lower case letters, digits{dash} and _, starting with a letter"
    if error.validator == "enum":
        return f"{error.instance!r} is not one of {', '.join(repr(v) for v in error.validator_value)}"
    return error.message


def _dotted(path: Sequence[Any]) -> str:
    """("sections", 0, "questions", 2, "id") -> "sections[0].questions[2].id"."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
