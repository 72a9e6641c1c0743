"""Email addresses, the one rule for every file and every comparison. Pure.

An address is `local@domain`:
- the local part is an RFC 5322 dot-atom: one or more runs of atext (letters, digits and
  ! # $ % & ' * + - / = ? ^ _ ` { | } ~) joined by single dots, at most 64 characters. So
  `aoife.o'brien`, `sam+qa`, `jo-anne.smith2` are addresses; a quoted local part ("a b"@x) is not
  accepted (no council mailbox has one, and a quote in a cell is far more often a mistake);
- the domain is at least two labels of letters, digits and hyphens (not first or last in a label),
  each at most 63 characters, written in ASCII or as an internationalised domain name
  (`bücher.example`), which the `idna` codec (IDNA 2008) checks and converts;
- at most 254 characters in all (RFC 5321's path limit).

Addresses are compared case-insensitively: `key()` is the form stored and compared (trimmed,
lower-case, the domain in its Unicode form so `xn--bcher-kva.example` and `bücher.example` are
the same). Strictly the local part may be case-sensitive; no mail system a council uses treats it so,
and Teams and Entra do not.
"""
from __future__ import annotations

import re
import unicodedata

import idna

MAX_LENGTH = 254
MAX_LOCAL = 64
ATEXT = "A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~"
_LOCAL = re.compile(rf"^[{ATEXT}]+(?:\.[{ATEXT}]+)*$")
_ASCII_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def _domain(domain: str) -> str | None:
    """The domain's lower-case Unicode form, or None when it is not a domain name."""
    labels = domain.split(".")
    if len(labels) < 2 or any(not label for label in labels):
        return None
    if domain.isascii():
        if not all(_ASCII_LABEL.match(label) for label in labels) or labels[-1].isdigit():
            return None
        ascii_form = domain.lower()
        if not any(label.startswith("xn--") for label in labels):
            return ascii_form
    try:
        ascii_form = idna.encode(domain, uts46=True).decode("ascii")
        unicode_form = idna.decode(ascii_form)
    except (idna.IDNAError, UnicodeError, ValueError):
        return None
    if not all(_ASCII_LABEL.match(label) for label in ascii_form.split(".")):
        return None
    return unicodedata.normalize("NFC", unicode_form.lower())


def key(text: str | None) -> str | None:
    """`text` as an address is stored and compared (trimmed, lower-case, domain in Unicode form);
    None when it is not an email address (see the module's rule). Never raises."""
    if not isinstance(text, str):
        return None
    address = text.strip()
    if not address or len(address) > MAX_LENGTH or address.count("@") != 1:
        return None
    local, domain = address.split("@")
    if len(local) > MAX_LOCAL or not _LOCAL.match(local):
        return None
    domain_key = _domain(domain)
    if domain_key is None:
        return None
    return f"{local.lower()}@{domain_key}"


def is_email(text: str | None) -> bool:
    """Whether `text` (trimmed) is an email address by the module's rule."""
    return key(text) is not None


def typed(text: str) -> str:
    """An address as typed after a chat command ("pdp <mailto:ana@x.gov.uk>.", "induction ana@x.gov.uk."): the
    angle brackets and mailto: Teams or the sender's mail habits add, and a sentence's closing punctuation,
    taken off. The result may still not be an address: check it with `key` or `is_email`."""
    return text.strip().rstrip(".,;").strip("<>").removeprefix("mailto:").strip()


def same(a: str | None, b: str | None) -> bool:
    """Whether two texts are the same email address (both must be addresses)."""
    ka = key(a)
    return ka is not None and ka == key(b)


GUEST_MARK = "#ext#"  # Entra's mark in a guest's sign-in name: home address, '@' as '_', then #EXT#@tenant


def guest_home_address(upn: str | None) -> str | None:
    """The home address a guest's userPrincipalName was made from (key form), or None when `upn` is
    not a guest's: `jo.bloggs_partner.org#EXT#@council.onmicrosoft.com` -> `jo.bloggs@partner.org`.

    Entra writes a guest's UPN as their own address with its '@' replaced by '_', then `#EXT#@` and
    the inviting tenant's domain; the last '_' before the mark is the '@' (a local part may hold '_').
    """
    if not isinstance(upn, str):
        return None
    text = upn.strip()
    mark = text.lower().find(GUEST_MARK + "@")
    if mark <= 0:
        return None
    local, sep, domain = text[:mark].rpartition("_")
    return key(f"{local}@{domain}") if sep and local else None


def sign_in_keys(email: str | None, upn: str | None) -> tuple[str, ...]:
    """Every address (key form) a Teams user may be listed under on the roster, in the order tried:
    the email Teams gives, the userPrincipalName (councils often export it; it differs from the email
    when people were renamed or the tenant uses another domain), and a guest's home address from an
    `#EXT#` UPN. Texts that are not addresses are left out; no address twice. Pure."""
    found: list[str] = []
    for candidate in (key(email), key(upn), guest_home_address(upn), guest_home_address(email)):
        if candidate is not None and candidate not in found:
            found.append(candidate)
    return tuple(found)


def signs_in_as(roster_email: str | None, email: str | None, upn: str | None) -> bool:
    """Whether the roster's address `roster_email` is this Teams user's (see sign_in_keys)."""
    wanted = key(roster_email)
    return wanted is not None and wanted in sign_in_keys(email, upn)
