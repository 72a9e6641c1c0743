"""Checking a JSON definition file (an audit form, the induction plan) the same way wherever the council
writes one: parsed, checked against its JSON Schema (jsonschema, 2020-12), then by the rules of what it
defines, every problem given with the line of the file it is on, so it can be put right in any text editor.

Pure: text in, problems out (no file is read here). Used by capabilities/audit_forms/definitions.py and
capabilities/workforce/induction_file.py.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from json.decoder import scanstring
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

JsonPath = tuple[str | int, ...]
# The rules beyond the schema's shape: a schema-valid document in, (where, what is wrong) out.
Rules = Callable[[Any], Iterable[tuple[JsonPath, str]]]


def check_json(text: str, validator: Draft202012Validator, rules: Rules) -> tuple[Any, tuple[str, ...]]:
    """(the parsed document, ()) when `text` is valid JSON, meets the schema and `rules`; else (None, problems),
    each "line N: what is wrong (at its.path)", in line order. Never raises for a bad document."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, (f"line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}",)
    lines, duplicates = positions(text)
    found = [(line, f"the key {key!r} appears twice in one object", path) for path, key, line in duplicates]
    errors = sorted(validator.iter_errors(data), key=lambda e: (line_of(lines, error_path(e)), str(e.message)))
    found += [(line_of(lines, error_path(e)), schema_message(e), error_path(e)) for e in errors]
    if not found:
        found += [(line_of(lines, path), message, path) for path, message in rules(data)]
    if found:
        return None, tuple(f"line {line}: {message}" + (f" (at {dotted(path)})" if path else "")
                           for line, message, path in sorted(found, key=lambda f: f[0]))
    return data, ()


_UNREADABLE = ((FileNotFoundError, "no such file"), (IsADirectoryError, "it is a folder"),
               (PermissionError, "permission denied"), (UnicodeDecodeError, "it is not UTF-8 text"))


def unreadable(exc: OSError | UnicodeDecodeError) -> str:
    """Why a definition file could not be read, in words ("cannot be read: no such file"), for a message that
    names the file before it. Anything else unreadable is named by its error's type."""
    reason = next((words for kind, words in _UNREADABLE if isinstance(exc, kind)), exc.__class__.__name__)
    return f"cannot be read: {reason}"


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


def line_of(lines: Mapping[JsonPath, int], path: JsonPath) -> int:
    """The line of `path`, else of its nearest enclosing value found."""
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path, 1)


def error_path(error: ValidationError) -> JsonPath:
    """Where an error is best shown: an unexpected key at its own line."""
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        allowed = error.schema.get("properties", {})
        extra = [k for k in error.instance if k not in allowed]
        if extra:
            return (*path, extra[0])
    return path


def schema_message(error: ValidationError) -> str:
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


def dotted(path: Sequence[Any]) -> str:
    """("sections", 0, "questions", 2, "id") -> "sections[0].questions[2].id"."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
