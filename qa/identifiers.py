"""Identifiers a person may type into free text by mistake, found before it is stored or sent on.

The bot holds case references only, never a child's or family's identifying details (framework
section 9.1: supervision records carry no service-user names; the QA framework's privacy rule).
Names cannot be recognised reliably, so cards remind people not to type them; these can be:

- a date of birth: a full date next to "born", "DOB", "D.O.B." or "date of birth";
- a UK postcode (the Royal Mail shapes: "SW1A 1AA", "M1 1AE", "b33 8th");
- an NHS number: ten digits, as typed ("943 476 5919" or "9434765919"), whose check digit is right;
- a UK phone number: 07..., 01..., 02..., 03..., 08... with 10 or 11 digits, or +44 / 0044 forms;
- an email address.

`find_identifiers(text)` is pure and returns what it found (kinds, in the order above, without
repeating the matched text, which must not be logged either). `refusal(field, text)` gives the
sentence a card shows. Used by every capability that takes free text (one checker, one set of tests).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

DATE_OF_BIRTH = "a date of birth"
POSTCODE = "a postcode"
NHS_NUMBER = "an NHS number"
PHONE = "a phone number"
EMAIL = "an email address"
KINDS = (DATE_OF_BIRTH, POSTCODE, NHS_NUMBER, PHONE, EMAIL)

_MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|" \
          r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_FULL_DATE = (r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})"         # 03/07/2015, 3.7.15
              r"|\d{4}-\d{1,2}-\d{1,2}"                               # 2015-07-03
              rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\.?,?\s+\d{{4}}"   # 3rd July 2015
              rf"|{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})")  # July 3, 2015
_BIRTH_WORDS = r"(?:born|d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birth\s*date|birthday)"
_DOB = re.compile(rf"{_BIRTH_WORDS}\W{{0,20}}(?:on\s+|is\s+|:\s*)?{_FULL_DATE}|{_FULL_DATE}\W{{0,5}}\(?\s*{_BIRTH_WORDS}",
                  re.IGNORECASE)
# Royal Mail: outward code (area letters, district) and inward code (sector digit, unit letters,
# which never use C, I, K, M, O or V).
_POSTCODE = re.compile(r"(?<![A-Za-z0-9])(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?|[A-PR-UWYZ]\d[A-HJKPSTUW])"
                       r"\s?\d[ABD-HJLNP-UW-Z]{2}(?![A-Za-z0-9])", re.IGNORECASE)
_TEN_DIGITS = re.compile(r"(?<![\d+])(\d{3})[ \-]?(\d{3})[ \-]?(\d{4})(?!\d)")
_PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)\s?44\s?\(?0?\)?\s?[1-9](?:[\s\-]?\d){8,9}"
                    r"|0[1235789](?:[\s\-]?\d){8,9})(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")


def nhs_number_valid(digits: str) -> bool:
    """The NHS number's modulus 11 check on ten digits (a check digit of 10 is never issued)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def find_identifiers(text: str | None) -> list[str]:
    """The kinds of identifier in `text` (subset of KINDS, in KINDS order); [] for none or no text."""
    if not text:
        return []
    found = set()
    if _DOB.search(text):
        found.add(DATE_OF_BIRTH)
    if _EMAIL.search(text):
        found.add(EMAIL)
    without_email = _EMAIL.sub(" ", text)
    if _POSTCODE.search(without_email):
        found.add(POSTCODE)
    if any(nhs_number_valid("".join(m.groups())) for m in _TEN_DIGITS.finditer(without_email)):
        found.add(NHS_NUMBER)
    if _PHONE.search(without_email):
        found.add(PHONE)
    return [kind for kind in KINDS if kind in found]


def _listed(kinds: list[str]) -> str:
    return kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " and " + kinds[-1]


def refusal(field: str, kinds: list[str]) -> str:
    """What a card says when `field` (as the person sees it named) holds `kinds` of identifier."""
    return (f"{field} looks like it contains {_listed(kinds)}. Please remove it: I keep case references "
            "only, never a child's or family's details.")


def check_fields(fields: Iterable[tuple[str, str, str | None]]) -> dict[str, str]:
    """For (input id, field name as shown, text) triples: input id -> refusal, for each field holding
    an identifier. Empty when everything may be kept."""
    return {key: refusal(name, kinds) for key, name, text in fields if (kinds := find_identifiers(text))}


def first_refusal(fields: Mapping[str, str | None]) -> str | None:
    """For field name as shown -> text: the first field's refusal, or None when all may be kept."""
    for name, text in fields.items():
        kinds = find_identifiers(text)
        if kinds:
            return refusal(name, kinds)
    return None
