"""Identifiers a person may type into free text by mistake, found before it is stored or sent on.

The bot holds case references only, never a child's or family's identifying details (framework
section 9.1: supervision records carry no service-user names; the QA framework's privacy rule).
Names cannot be recognised reliably, so cards remind people not to type them; these can be:

- a date of birth: a full date next to "born", "DOB", "D.O.B." or "date of birth";
- a UK postcode (the Royal Mail shapes: "SW1A 1AA", "M1 1AE", "b33 8th");
- a street address: a house number, one to three words of a street's name and a street word
  ("14 Elm Road", "3a Mill St", "22 Oak Tree Close"); see `_street_address` for the words and the
  ordinary writing it leaves alone ("3 Way meeting", "2 Family Court hearings", "3 times at the park");
- an NHS number: ten digits, as typed ("943 476 5919" or "9434765919"), whose check digit is right;
- a UK phone number: 07..., 01..., 02..., 03..., 08... with 10 or 11 digits, or +44 / 0044 forms;
- an email address.

`find_identifiers(text)` is pure and returns what it found (kinds, in the order above, without
repeating the matched text, which must not be logged either). `refusal(field, text)` gives the
sentence a card shows. Used by every capability that takes free text (one checker, one set of tests).

A date on its own ("12/03/2015", "12 March 2015", "2015-03-12") is neither refused nor let through
silently: it is questioned (`date_question`), because it may be a child's date of birth typed
without the word "born", or the day of a visit or meeting. The person keeps it by saying it is not a
date of birth (`DATE_KEPT`: a dialog's button, a card's toggle; a card without one says to write
the day without its year, which no date of birth is); `screen`, `check_fields` and `first_refusal`
take that answer as `dates_kept`. On a card the answer is one toggle for every screened field
(`DATE_KEPT_INPUT`, titled `DATE_KEPT_TOGGLE`): the Teams edge (bot/card_actions.py) runs each press
inside `card_press`, which tells `screen` whether the toggle was on, and when `screen` questions a
date the edge re-shows the form with the person's text kept and the toggle added
(dialogs/date_toggle.py). With the toggle on a date on its own is kept; a date of birth next to
"born" or "DOB", a postcode, an address or an NHS number is still refused. A file's cell cannot be asked, so an import
refuses a date where the column has no business holding one (`cell_problem`).

Case references (`case_ref_problem`, `CaseRefFormat`): the one rule for every case reference typed
or imported: the council's format (QA_CASE_REF_PATTERN, parsed by capabilities/settings.py), and
never a postcode, a valid NHS number, a date or an email address, whatever the format allows.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

DATE_OF_BIRTH = "a date of birth"
POSTCODE = "a postcode"
STREET_ADDRESS = "a street address"
NHS_NUMBER = "an NHS number"
PHONE = "a phone number"
EMAIL = "an email address"
KINDS = (DATE_OF_BIRTH, POSTCODE, STREET_ADDRESS, NHS_NUMBER, PHONE, EMAIL)
# What a dialog's button and a card's toggle say to keep a date that was questioned.
DATE_KEPT = "Keep it: it is not a date of birth"

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
# A date with day, month and year, standing alone (not inside a longer run of digits).
_LONE_DATE = re.compile(rf"(?<![\w/.\-]){_FULL_DATE}(?![\w/\-]|\.\d)", re.IGNORECASE)
# In a case reference: a date anywhere not inside a longer run of digits ("CD-12/03/2015"), or a
# birth word before digits ("DOB12032015").
_DATE_INSIDE = re.compile(rf"(?<!\d){_FULL_DATE}(?!\d)", re.IGNORECASE)
_BIRTH_INSIDE = re.compile(r"(?<![a-z])(?:d\.?o\.?b|born|birth)", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})")

# Street words. Those that are rarely anything else count in any case ("14 elm road"); those that
# are ordinary words too ("a 3 Way meeting", "very close", "the park") count only written as a
# name, each word capitalised ("22 Oak Tree Close").
_STREET_WORDS = ("road", "rd", "street", "st", "avenue", "ave", "lane", "ln", "crescent", "cres", "terrace",
                 "gardens", "gdns", "grove", "mews", "boulevard", "drive", "dr")
_NAME_STREET_WORDS = ("way", "close", "court", "ct", "place", "pl", "hill", "park", "walk", "green", "row",
                      "square", "sq", "rise", "parade", "vale", "view", "gate", "wharf", "chase")
# Words that never begin or make a street's name, so "3 times at the park", "2 hours in the lane",
# "2 long drive" and "4 separate court" are ordinary writing, not addresses.
_NOT_STREET_NAMES = frozenset((
    "a an the at in on of to for by with and or from into near off over per round than via "
    "time times hour hours hr hrs minute minutes mins min day days week weeks month months year years "
    "visit visits session sessions child children kids people person family families sibling siblings "
    "very quite too more less most new other separate different previous further long short hour's "
    "home homes school schools meeting meetings core group case cases").split())
# "2 Family Court hearings", "3 County Court dates": courts a social worker writes about.
_COURTS = frozenset("family county crown magistrates magistrates' youth high supreme appeal appeals "
                    "district civil".split())
_STREET = re.compile(
    r"(?<![\w£$€.,/:\-])(\d{1,4}[A-Za-z]?)(?:\s*-\s*\d{1,4}[A-Za-z]?)?,?\s+"
    r"((?:[A-Za-z][A-Za-z'’\-]*\.?\s+){1,3})"
    rf"({'|'.join(_STREET_WORDS + _NAME_STREET_WORDS)})\b\.?",
    re.IGNORECASE)


def nhs_number_valid(digits: str) -> bool:
    """The NHS number's modulus 11 check on ten digits (a check digit of 10 is never issued)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _street_address(text: str) -> bool:
    """Whether `text` holds a house number followed by a street's name and a street word."""
    for match in _STREET.finditer(text):
        names, word = match[2].split(), match[3]
        if names[0].casefold() in _NOT_STREET_NAMES or any(n.casefold().rstrip(".") in _NOT_STREET_NAMES
                                                             for n in names):
            continue
        if word.casefold() in _NAME_STREET_WORDS:
            if not all(w[0].isupper() for w in (*names, word)):
                continue
            if word.casefold() in ("court", "ct") and names[-1].casefold() in _COURTS:
                continue
        return True
    return False


def _real_date(found: str) -> bool:
    """A numeric date whose day and month could be a day and a month (either order); dates with a
    month's name are always real enough."""
    numbers = _NUMERIC_DATE.fullmatch(found.strip())
    if not numbers:
        return True
    first, second, third = (int(n) for n in numbers.groups())
    day, month = (third, second) if len(numbers[1]) == 4 else (first, second)
    return 1 <= month <= 12 and 1 <= day <= 31 or (len(numbers[1]) != 4 and 1 <= first <= 12 and 1 <= second <= 31)


def has_date(text: str | None) -> bool:
    """Whether `text` holds a whole date (day, month and year) in a common UK or ISO form:
    12/03/2015, 12.3.15, 12-03-2015, 2015-03-12, 12 March 2015, 12th of Mar 2015, March 12, 2015.
    A day and month without a year ("3/7", "12 March") is not: it cannot be a date of birth."""
    return bool(text) and any(_real_date(m[0]) for m in _LONE_DATE.finditer(text))


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
    if _street_address(without_email):
        found.add(STREET_ADDRESS)
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


# How a date is kept where the card has no toggle: a visit's day needs no year, a date of birth does.
KEEP_WITHOUT_YEAR = 'write the day without its year (for example "12 March") or as "last Tuesday"'
# A card's way: the toggle the edge adds to the re-shown form (dialogs/date_toggle.py), and its input id.
DATE_KEPT_INPUT = "qaDateKept"
DATE_KEPT_TOGGLE = "This is the date of a visit or meeting, keep it"
KEEP_WITH_TOGGLE = f'turn on "{DATE_KEPT_TOGGLE}" and send it again'


@dataclass
class CardScreening:
    """One card press, as screening sees it: whether the person turned the toggle on (`dates_kept`),
    and whether a date on its own was questioned (`questioned`: the edge then offers the toggle)."""

    dates_kept: bool = False
    questioned: bool = False


_CARD_PRESS: ContextVar[CardScreening | None] = ContextVar("qa_card_press", default=None)


@contextmanager
def card_press(dates_kept: bool) -> Iterator[CardScreening]:
    """Screen the free text of one card press (every field, whichever use case checks it) knowing
    whether the person turned DATE_KEPT_TOGGLE on. Yields what screening found, for the edge."""
    state = CardScreening(dates_kept=dates_kept)
    token = _CARD_PRESS.set(state)
    try:
        yield state
    finally:
        _CARD_PRESS.reset(token)


def toggled_on(value: object) -> bool:
    """Whether an Input.Toggle's submitted value is on (Teams sends its valueOn, "true")."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def date_question(field: str, keep: str = KEEP_WITHOUT_YEAR) -> str:
    """What a card or dialog says when `field` holds a date on its own: it may be a date of birth.
    `keep` says how to keep it where this card or dialog can (a dialog's button, a card's toggle;
    by default, without its year)."""
    return (f"{field} contains a date. If it is a date of birth, please remove it: I keep case references "
            f"only, never a child's or family's details. If it is the date of a visit or meeting, {keep}.")


@dataclass(frozen=True)
class Finding:
    """What screening found in one field: the sentence to show, and whether the text may be kept
    once the person says its date is not a date of birth (`questioned`) or must change (refused)."""

    message: str
    questioned: bool = False


def screen(field: str, text: str | None, *, dates_kept: bool = False, keep: str | None = None) -> Finding | None:
    """One field's text (`field` as the person sees it named): a refusal for any identifier
    (find_identifiers), else the date question for a date on its own unless `dates_kept` (the person
    said it is not a date of birth), else None (keep it). `keep`: how this place keeps a date.
    Inside `card_press` (a card's button): the toggle counts as `dates_kept`, and a question says to
    turn it on (the edge adds it to the re-shown form) unless `keep` says otherwise."""
    kinds = find_identifiers(text)
    if kinds:
        return Finding(refusal(field, kinds))
    card = _CARD_PRESS.get()
    if card is not None and card.dates_kept:
        dates_kept = True
    if not dates_kept and has_date(text):
        if card is not None and keep is None:
            card.questioned, keep = True, KEEP_WITH_TOGGLE
        return Finding(date_question(field, *(() if keep is None else (keep,))), questioned=True)
    return None


def check_fields(fields: Iterable[tuple[str, str, str | None]], *, dates_kept: bool = False,
                 keep: str | None = None) -> dict[str, str]:
    """For (input id, field name as shown, text) triples: input id -> refusal or date question
    (`screen`), for each field that cannot be kept as it is. Empty when everything may be kept."""
    return {key: found.message for key, name, text in fields
            if (found := screen(name, text, dates_kept=dates_kept, keep=keep))}


def first_refusal(fields: Mapping[str, str | None], *, dates_kept: bool = False, keep: str | None = None) -> str | None:
    """For field name as shown -> text: the first field's refusal or date question (`screen`), or
    None when all may be kept."""
    for name, text in fields.items():
        if found := screen(name, text, dates_kept=dates_kept, keep=keep):
            return found.message
    return None


def cell_problem(text: str | None, *, dates_allowed: bool = False) -> str | None:
    """What is wrong with one free-text cell of an imported file (the caller names row and column),
    or None: any identifier, and a date on its own unless the column's dates are expected (a
    calendar event's details). A file cannot be asked whether a date is a date of birth, so a date
    where none belongs is refused. Never repeats the cell's text."""
    kinds = find_identifiers(text)
    if kinds:
        return (f"looks like it holds {_listed(kinds)}; the bot keeps case references only, never a child's "
                "or family's details: remove it and send the file again")
    if not dates_allowed and has_date(text):
        return ("holds a date; if it is a date of birth, remove it (the bot keeps no child's details), and this "
                "column needs no date: remove it and send the file again")
    return None


# -- case references --------------------------------------------------------------------------

# Letters, digits and - / _ ., 4 to 20 characters, starting with a letter or digit: the shape of
# Mosaic, Liquidlogic, Eclipse and Care Director ids ("1234567", "CD-4810037", "CIN/2024/0091").
DEFAULT_CASE_REF_PATTERN = r"[A-Za-z0-9][A-Za-z0-9/_.\-]{3,19}"
CASE_REF_MAX = 50  # storage's column width: no format may allow more


@dataclass(frozen=True)
class CaseRefFormat:
    """The council's case-reference format: `pattern` must match the whole reference (case is
    ignored); `example` is shown when one does not, if it fits the pattern."""

    pattern: str = DEFAULT_CASE_REF_PATTERN
    example: str = "CD-4810037"

    def matches(self, case_ref: str) -> bool:
        return _compiled(self.pattern).fullmatch(case_ref) is not None


@functools.lru_cache(maxsize=16)
def _compiled(pattern: str) -> re.Pattern[str]:
    # An extract screens tens of thousands of references against one format: compiled once.
    return re.compile(pattern, re.IGNORECASE)


_SPACE = re.compile(r"\s")
_REF_PUNCTUATION = re.compile(r"[\-/_.]")


DEFAULT_CASE_REFS = CaseRefFormat()


def case_ref_problem(case_ref: str, case_refs: CaseRefFormat = DEFAULT_CASE_REFS) -> str | None:
    """Why `case_ref` (stripped) is not a case reference in the council's format `case_refs`, or
    None when it is. Whatever the format allows, a case reference has a digit, and is never an
    email address, a postcode, a valid NHS number or holding a date (a child's date of birth typed
    into the box): the bot keeps case references only. The reasons never repeat the value: a value
    that fails may be a child's name."""
    if "@" in case_ref:
        return "looks like an email address; give the case-management system's case reference"
    if _SPACE.search(case_ref):
        return ("contains spaces; a case reference is the case-management system's id "
                "(letters, digits, - _ /), never a name")
    if len(case_ref) > CASE_REF_MAX:
        return f"is {len(case_ref)} characters long; a case reference is at most {CASE_REF_MAX}"
    if not any(map(str.isdigit, case_ref)):
        return "has no digits; give the case-management system's id, never a name"
    compact = _REF_PUNCTUATION.sub("", case_ref)
    if _POSTCODE.fullmatch(compact):
        return "is a postcode; give the case-management system's case reference, never an address"
    if nhs_number_valid(compact):
        return "is an NHS number; give the case-management system's case reference instead"
    if (_DATE_INSIDE.search(case_ref) and any(_real_date(m[0]) for m in _DATE_INSIDE.finditer(case_ref))
            or _BIRTH_INSIDE.search(case_ref)):
        return "holds a date; give the case-management system's case reference, never a date of birth"
    if not case_refs.matches(case_ref):
        example = f" (for example {case_refs.example})" if case_refs.matches(case_refs.example) else ""
        return (f"is not a case reference in this council's format{example}; "
                "give the case-management system's id, never a name")
    return None
