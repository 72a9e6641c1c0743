"""Buttons that cannot be forged: the ids on every card the bot sends are signed.

A card's button carries ids (allocation_id, audit_id, month): the server looks the rest up and
re-checks who may act every time. But ids are sequential, so a person could press a button they
made up, for an audit they were never sent, and learn from the answer that it exists. So, at
the edge, every card leaving the bot has each button's data signed: `_s` names the keys signed
and `_sig` is an HMAC-SHA256 over the verb and those keys' values; a press whose data does not
verify is refused before any use case runs (bot/card_actions.py). A file consent card's context
is signed the same way (`FILE_CONSENT`) and checked when the person presses Allow
(bot/file_consent.py): a forged or unsigned one is refused with 400 and nothing is uploaded.

The key comes from the environment: QA_CARD_SIGNING_KEY, else derived from MicrosoftAppPassword
(already a secret, shared by every instance, stable across restarts), else, in local
development without authentication, a fixed development key. Rotating the secret retires the
buttons on cards sent before.
"""
from __future__ import annotations

import copy
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from dialogs import card_tree

# A file consent card's context comes back with the person's Allow (bot/file_consent.py): it is
# signed like a button's data, under this name in place of a verb.
FILE_CONSENT = "file.consent"
CONSENT_CONTEXTS = ("acceptContext", "declineContext")
DEVELOPMENT_KEY = b"qa-bot development only: no MicrosoftAppPassword or QA_CARD_SIGNING_KEY set"
SIGNED = "_s"
SIGNATURE = "_sig"


class CardSigner:
    def __init__(self, key: bytes) -> None:
        if not key:
            raise ValueError("a card signing key cannot be empty")
        self._key = key

    @classmethod
    def from_secrets(cls, signing_key: str = "", app_password: str = "") -> CardSigner:
        if signing_key:
            return cls(signing_key.encode())
        if app_password:
            return cls(hmac.new(app_password.encode(), b"qa-bot card signing", hashlib.sha256).digest())
        return cls(DEVELOPMENT_KEY)

    def _mac(self, verb: str, data: Mapping[str, Any], keys: list[str]) -> str:
        signed = json.dumps([verb, [[k, data.get(k)] for k in keys]], separators=(",", ":"), sort_keys=True)
        return hmac.new(self._key, signed.encode(), hashlib.sha256).hexdigest()[:32]

    def sign_data(self, verb: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """`data` with `_s` (the keys signed) and `_sig` added."""
        keys = sorted(k for k in data if k not in (SIGNED, SIGNATURE, "msteams", "verb"))
        return {**{k: v for k, v in data.items() if k not in (SIGNED, SIGNATURE)},
                SIGNED: ",".join(keys), SIGNATURE: self._mac(verb, data, keys)}

    def verify(self, verb: str, data: Mapping[str, Any]) -> bool:
        """The press's data carries a valid signature for `verb` and the keys it names."""
        names, signature = data.get(SIGNED), data.get(SIGNATURE)
        if not isinstance(names, str) or not isinstance(signature, str):
            return False
        keys = [k for k in names.split(",") if k]
        return hmac.compare_digest(signature, self._mac(verb, data, keys))

    def verify_consent(self, context: Any) -> bool:
        """A file consent card's context, as Teams sends it back with the person's answer, is one
        this bot signed (`sign`); False for anything else (unsigned, altered, not ASCII, not a dict)."""
        if not isinstance(context, Mapping):
            return False
        signature = context.get(SIGNATURE)
        return isinstance(signature, str) and signature.isascii() and self.verify(FILE_CONSENT, context)

    def sign(self, card: dict[str, Any]) -> dict[str, Any]:
        """A copy of `card` whose Action.Execute buttons (and Action.Submit ones carrying a verb)
        have their data signed, wherever they are (shown cards and action sets included); for a
        file consent card's content, its accept and decline contexts (`verify_consent`)."""
        result = _copy(card)
        for name in CONSENT_CONTEXTS:  # a file consent card's content (its contexts), not an Adaptive Card
            if isinstance(result.get(name), dict):
                result[name] = self.sign_data(FILE_CONSENT, result[name])
        for action in _buttons(result):
            if action.get("type") == "Action.Execute" and isinstance(action.get("verb"), str):
                action["data"] = self.sign_data(action["verb"], action.get("data") or {})
            else:
                data = action["data"]
                action["data"] = {"verb": data["verb"], **self.sign_data(data["verb"], data)}
        return result


def _copy(tree: Any) -> Any:
    """A deep copy of a card: its objects and lists copied, strings and numbers shared (they do
    not change); anything else deep-copied. About four times faster than copy.deepcopy."""
    kind = type(tree)
    if kind is dict:
        return {key: _copy(value) for key, value in tree.items()}
    if kind is list:
        return [_copy(value) for value in tree]
    if kind in (str, int, float, bool) or tree is None:
        return tree
    return copy.deepcopy(tree)


def _buttons(card: Any) -> list[dict[str, Any]]:
    """The buttons that carry a verb: Action.Execute ones, and Action.Submit ones with a verb in their data."""
    return [node for node in card_tree.nodes(card)
            if (node.get("type") == "Action.Execute" and isinstance(node.get("verb"), str))
            or (node.get("type") == "Action.Submit" and isinstance(node.get("data"), dict)
                and isinstance(node["data"].get("verb"), str))]
