"""The shape of an inbound activity the bot relies on, checked at the edge before anything is
stored or acted on (bot/app.py answers 400 with the reason).

Teams sends `type`, `serviceUrl`, `from`, `recipient` and `conversation` on every activity, with
string ids. Anything else (a missing sender, an id that is a number or a list, an id with control
characters, a NUL byte anywhere, text or values far past what Teams sends) is refused whole: an
id turned into a string, or a NUL byte stored on PostgreSQL, is how a forged or broken activity
gets in or makes a turn fail.
"""
from __future__ import annotations

import json
import re
from typing import Any

MAX_TEXT = 40_000  # characters: Teams caps a message at about 28 KB
MAX_VALUE = 200_000  # bytes of JSON in `value` (an audit form is a few KB)
MAX_DEPTH = 32  # nesting of objects and lists anywhere in the activity
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# (path, longest) of the ids the bot reads, each a non-empty string without control characters.
REQUIRED_IDS = ((("from", "id"), 200), (("recipient", "id"), 200), (("conversation", "id"), 500))
OPTIONAL_IDS = ((("id",), 500), (("replyToId",), 500), (("from", "aadObjectId"), 64),
                (("conversation", "tenantId"), 64), (("channelData", "tenant", "id"), 64),
                (("channelData", "team", "id"), 500), (("channelData", "channel", "id"), 500),
                (("name",), 200), (("channelId",), 50),
                # A read receipt's last message read (application/vnd.microsoft.readReceipt).
                (("value", "lastReadMessageId"), 200))


def _at(body: dict[str, Any], path: tuple[str, ...]) -> tuple[bool, Any]:
    node: Any = body
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return False, None
        node = node[key]
    return True, node


def _depth_and_nul(node: Any, depth: int = 0) -> str | None:
    if depth > MAX_DEPTH:
        return f"the activity nests deeper than {MAX_DEPTH} levels"
    if isinstance(node, str):
        return "the activity holds a NUL character" if "\x00" in node else None
    if isinstance(node, dict):
        for key, value in node.items():
            if "\x00" in key:
                return "the activity holds a NUL character"
            if (found := _depth_and_nul(value, depth + 1)) is not None:
                return found
    elif isinstance(node, list):
        for value in node:
            if (found := _depth_and_nul(value, depth + 1)) is not None:
                return found
    return None


def _id_problem(name: str, value: Any, longest: int) -> str | None:
    if not isinstance(value, str) or not value:
        return f"{name} must be a non-empty string"
    if len(value) > longest:
        return f"{name} is longer than {longest} characters"
    if _CONTROL.search(value):
        return f"{name} holds control characters"
    return None


def problem(body: Any) -> str | None:
    """Why this JSON body is not an activity the bot can take (one short reason), or None."""
    if not isinstance(body, dict) or not isinstance(body.get("type"), str) or not body["type"]:
        return "the body is not a Bot Framework activity (no type)"
    if (found := _depth_and_nul(body)) is not None:
        return found
    service_url = body.get("serviceUrl")
    if not isinstance(service_url, str) or not re.match(r"https?://[^\s/]+", service_url) or len(service_url) > 500:
        return "the activity has no usable serviceUrl"
    for path, longest in REQUIRED_IDS:
        present, value = _at(body, path)
        if not present:
            return f"the activity has no {'.'.join(path)}"
        if (found := _id_problem(".".join(path), value, longest)) is not None:
            return found
    for path, longest in OPTIONAL_IDS:
        present, value = _at(body, path)
        if present and value is not None and (found := _id_problem(".".join(path), value, longest)) is not None:
            return found
    text = body.get("text")
    if text is not None and (not isinstance(text, str) or len(text) > MAX_TEXT):
        return f"text must be a string of at most {MAX_TEXT:,} characters"
    if "value" in body and len(json.dumps(body["value"], ensure_ascii=False)) > MAX_VALUE:
        return f"value is larger than {MAX_VALUE:,} bytes"
    return None
