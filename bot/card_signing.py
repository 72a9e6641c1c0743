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
development without authentication, a fixed development key. With authentication on (an app id
configured) the development key is never used: start-up refuses (`signing_key_problem`, one line
naming QA_CARD_SIGNING_KEY) when there is neither secret, as with a managed identity
(MicrosoftAppType=UserAssignedMSI, no app password). Rotating the secret retires the buttons on
cards sent before. A press whose signature is not one this bot writes (`malformed`: not 32
lower-case hex digits, e.g. not ASCII) is refused 400 before it is checked.
"""
from __future__ import annotations

import copy
import hashlib
import hmac
import json
import re
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
MIN_KEY_LENGTH = 16  # characters of QA_CARD_SIGNING_KEY with authentication on
_SIGNATURE_FORM = re.compile(r"[0-9a-f]{32}")


class CardSigner:
    def __init__(self, key: bytes) -> None:
        if not key:
            raise ValueError("a card signing key cannot be empty")
        self._key = key

    @classmethod
    def from_secrets(cls, signing_key: str = "", app_password: str = "", *, authenticated: bool = False) -> CardSigner:
        """The signer for these secrets: QA_CARD_SIGNING_KEY, else one derived from the app password,
        else (local development only) the development key. Raises ValueError (naming the variable)
        when `authenticated` (an app id is configured) and neither secret is there: the development
        key is in the repository, so buttons signed with it could be forged."""
        problem = signing_key_problem(signing_key, app_password, authenticated=authenticated)
        if problem:
            raise ValueError(problem)
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
        """The press's data carries a valid signature for `verb` and the keys it names. Never
        raises on what a client sends: a signature that is not one this bot writes is False."""
        names, signature = data.get(SIGNED), data.get(SIGNATURE)
        if not isinstance(names, str) or not isinstance(signature, str) or malformed(data):
            return False
        keys = [k for k in names.split(",") if k]
        # Bytes, not str: hmac.compare_digest raises TypeError on a str that is not ASCII.
        return hmac.compare_digest(signature.encode(), self._mac(verb, data, keys).encode())

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


def signing_key_problem(signing_key: str, app_password: str, *, authenticated: bool) -> str | None:
    """One line naming the variable when no real signing key can be had with authentication on
    (an app id configured): no QA_CARD_SIGNING_KEY and no app password to derive one from (a
    managed identity, MicrosoftAppType=UserAssignedMSI, has none), or a QA_CARD_SIGNING_KEY shorter
    than MIN_KEY_LENGTH characters. None when the secrets will do."""
    if not authenticated:
        return None
    if signing_key:
        if len(signing_key) < MIN_KEY_LENGTH:
            return f"QA_CARD_SIGNING_KEY must be at least {MIN_KEY_LENGTH} characters (e.g. `openssl rand -hex 32`)"
        return None
    if not app_password:
        return ("QA_CARD_SIGNING_KEY is required when MicrosoftAppId is set without MicrosoftAppPassword "
                "(e.g. MicrosoftAppType=UserAssignedMSI): card buttons would be signed with the public development key")
    return None


def malformed(data: Mapping[str, Any]) -> bool:
    """The press carries a signature this bot could never have written (not 32 lower-case hex
    digits: another length, other characters, not ASCII, not a string). Such a press is a client's
    error (bot/card_actions.py answers it 400); a well-formed signature that does not verify is
    answered like a card from before the key changed."""
    signature = data.get(SIGNATURE)
    return signature is not None and not (isinstance(signature, str) and _SIGNATURE_FORM.fullmatch(signature))


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
