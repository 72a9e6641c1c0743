"""qa/identifiers.py: identifiers typed into free text, found (true positives) and not imagined
(false positives in the prose auditors, service leads and managers really write)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.identifiers import (
    DATE_OF_BIRTH,
    EMAIL,
    NHS_NUMBER,
    PHONE,
    POSTCODE,
    STREET_ADDRESS,
    CaseRefFormat,
    case_ref_problem,
    cell_problem,
    check_fields,
    find_identifiers,
    first_refusal,
    has_date,
    nhs_number_valid,
    refusal,
    screen,
)


@pytest.mark.parametrize("text, kinds", [
    ("Child born 03/07/2015, seen at school", [DATE_OF_BIRTH]),
    ("DOB: 3.7.15", [DATE_OF_BIRTH]),
    ("d.o.b 2015-07-03", [DATE_OF_BIRTH]),
    ("date of birth 3rd July 2015", [DATE_OF_BIRTH]),
    ("was born on July 3, 2015 in hospital", [DATE_OF_BIRTH]),
    ("12 March 2014 (DOB)", [DATE_OF_BIRTH]),
    ("Lives at SW1A 1AA", [POSTCODE]),
    ("moved to m1 1ae last month", [POSTCODE]),
    ("family now in B33 8TH", [POSTCODE]),
    ("postcode EC1A1BB", [POSTCODE]),
    ("NHS no 943 476 5919", [NHS_NUMBER]),
    ("nhs 9434765919 on file", [NHS_NUMBER]),
    ("mum's mobile 07700 900123", [PHONE]),
    ("call +44 7700 900123", [PHONE]),
    ("landline 0161 496 0000", [PHONE]),
    ("(020) 7946 0018 is wrong: 020 7946 0018", [PHONE]),
    ("email jo.bloggs@example.com", [EMAIL]),
    ("born 01/02/2016, at AB1 2DE, 07700 900123, x@y.org", [DATE_OF_BIRTH, POSTCODE, PHONE, EMAIL]),
])
def test_identifiers_are_found(text, kinds):
    assert find_identifiers(text) == kinds


@pytest.mark.parametrize("text", [
    "",
    None,
    "The plan was clear and reviewed on 03/07/2025 at the core group.",  # a date, not of birth
    "Visits were timely; the review on 12 March 2026 agreed actions.",
    "Case CD-4810037 and CR-1001 were discussed in supervision.",
    "Seen 3 times in 12 weeks; 10 visits in 2026; 45 minutes each.",
    "Q3 4th review, Year 2 and Year 10, KS2 SATs.",
    "Section 47 enquiry, S17, CP plan, CIN plan, LAC review, IRO and CP chair.",
    "The audit reference 1234567890 is not an NHS number",  # fails the check digit
    "Strengths – the worker’s relationship with the family was warm and purposeful.",
    "Team 2 met at 10.30 on 3/7; 2:1 staffing.",
    "born into a large family; the plan was agreed in 2024",
])
def test_ordinary_practice_writing_is_not_refused(text):
    assert find_identifiers(text) == []


def test_nhs_check_digit():
    assert nhs_number_valid("9434765919")
    assert not nhs_number_valid("9434765918")
    assert not nhs_number_valid("943476591")
    assert not nhs_number_valid("abcdefghij")


def test_the_refusal_names_the_field_and_what_to_remove_but_not_the_text():
    message = refusal("Strengths", [POSTCODE, PHONE])
    assert message.startswith("Strengths looks like it contains a postcode and a phone number.")
    errors = check_fields([("strengths", "Strengths", "at SW1A 1AA"), ("improvements", "Areas", "fine")])
    assert errors == {"strengths": refusal("Strengths", [POSTCODE])} and "SW1A" not in errors["strengths"]
    assert first_refusal({"Reason": "on leave", "Comment": "call 07700 900123"}) == refusal("Comment", [PHONE])
    assert first_refusal({"Reason": "on leave"}) is None


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_any_text_is_checked_without_error(text):
    found = find_identifiers(text)
    assert set(found) <= {DATE_OF_BIRTH, POSTCODE, STREET_ADDRESS, NHS_NUMBER, PHONE, EMAIL}


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.from_regex(r"[a-z]{2,12}\.[a-z]{2,12}@[a-z]{3,10}\.(gov\.uk|com|org)", fullmatch=True),
       st.sampled_from(["Contact ", "email: ", "(", "Parent "]))
def test_every_email_shape_is_found(address, before):
    assert EMAIL in find_identifiers(before + address + " today")


# -- street addresses, dates on their own, case references (the kinds, as properties) -----------

MONTH_NAMES = ("January", "Feb", "March", "Apr", "May", "June", "Jul", "August", "Sept", "October", "Nov", "December")
STREET_WORDS = ("Road", "Rd", "Street", "St", "Avenue", "Lane", "Crescent", "Terrace", "Gardens", "Grove", "Drive",
                "Close", "Court", "Place", "Way", "Hill", "Park", "Walk", "Green", "Square")
NAME_WORDS = st.sampled_from(("Elm", "Mill", "Oak Tree", "Victoria", "St Mary's", "Church", "Station", "King Edward",
                              "Acacia", "Lower Hope", "Beech", "Rose"))


@st.composite
def uk_dates(draw) -> str:
    """A whole date in a form people in England type."""
    day, month = draw(st.integers(1, 28)), draw(st.integers(1, 12))
    year = draw(st.integers(1990, 2030))
    forms = (f"{day:02d}/{month:02d}/{year}", f"{day}/{month}/{year}", f"{day}.{month}.{year % 100:02d}",
             f"{day}-{month}-{year}", f"{year}-{month:02d}-{day:02d}", f"{day} {MONTH_NAMES[month - 1]} {year}",
             f"{day}th of {MONTH_NAMES[month - 1]} {year}", f"{MONTH_NAMES[month - 1]} {day}, {year}")
    return draw(st.sampled_from(forms))


@st.composite
def postcodes(draw) -> str:
    outward = draw(st.from_regex(r"(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?|[A-PR-UWYZ]\d[A-HJKPSTUW])", fullmatch=True))
    inward = draw(st.from_regex(r"\d[ABD-HJLNP-UW-Z]{2}", fullmatch=True))
    return draw(st.sampled_from((f"{outward} {inward}", f"{outward}{inward}", f"{outward} {inward}".lower())))


def _nhs_check(first: list[int]) -> int:
    check = 11 - sum(d * w for d, w in zip(first, range(10, 1, -1), strict=True)) % 11
    return 0 if check == 11 else check


# Nine digits whose check digit is not 10 (never issued), then the check digit.
nhs_numbers = st.lists(st.integers(0, 9), min_size=9, max_size=9).filter(lambda f: _nhs_check(f) != 10).map(
    lambda f: "".join(map(str, f)) + str(_nhs_check(f)))


@st.composite
def street_addresses(draw) -> str:
    number = draw(st.integers(1, 999))
    suffix = draw(st.sampled_from(("", "a", "B")))
    return f"{number}{suffix} {draw(NAME_WORDS)} {draw(st.sampled_from(STREET_WORDS))}"


PROSE = st.sampled_from(("Seen at home, ", "Mum said ", "The family moved to ", "Visit: ", "(", "\n"))


@settings(max_examples=300, derandomize=True, deadline=None)
@given(uk_dates(), PROSE)
def test_a_date_on_its_own_is_questioned_not_refused_nor_passed(day, before):
    text = before + day + " and things are better"
    assert has_date(text)
    assert find_identifiers(text) == []  # not refused: it may be a visit's day
    found = screen("The note", text)
    assert found is not None and found.questioned and "If it is a date of birth, please remove it" in found.message
    assert day not in found.message
    assert screen("The note", text, dates_kept=True) is None  # kept once the person says so
    assert first_refusal({"The note": text}) == found.message and first_refusal({"The note": text}, dates_kept=True) is None
    assert cell_problem(text) is not None and cell_problem(text, dates_allowed=True) is None
    assert DATE_OF_BIRTH in find_identifiers(f"DOB {day}")


@settings(max_examples=300, derandomize=True, deadline=None)
@given(postcodes(), PROSE)
def test_every_postcode_shape_is_refused_in_text_and_as_a_case_ref(code, before):
    assert POSTCODE in find_identifiers(before + code + ", seen today")
    assert "postcode" in case_ref_problem(code.replace(" ", ""))


@settings(max_examples=300, derandomize=True, deadline=None)
@given(nhs_numbers, st.sampled_from(("", " ", "-")))
def test_every_valid_nhs_number_is_refused_in_text_and_as_a_case_ref(number, gap):
    assert nhs_number_valid(number)
    typed = gap.join((number[:3], number[3:6], number[6:]))
    assert NHS_NUMBER in find_identifiers(f"NHS {typed} on file")
    assert "NHS number" in case_ref_problem(typed.replace(" ", ""))


@settings(max_examples=300, derandomize=True, deadline=None)
@given(street_addresses(), PROSE)
def test_every_street_address_is_refused(address, before):
    text = before + address + ", since May"
    assert STREET_ADDRESS in find_identifiers(text)
    assert address not in refusal("The note", find_identifiers(text))
    assert cell_problem(text) is not None


@pytest.mark.parametrize("text", [
    "3 Way meeting with the school and health",
    "2 Family Court hearings and 1 County Court date",
    "Seen 3 times at the park; 2 hours in the lane",
    "a 3 hour drive; 4 separate court dates",
    "Team 2 Way of working; 10 Green flags",
    "Held 2 core group meetings at the school",
    "met the 3 children at Elm Road school",  # a street named, but no house number
    "CD-4810037 reviewed; 12 March review; 3/7 visit",  # no year: not a whole date
    "10.30 start, v1.2.3 of the plan, 45/12/2015 is no date",
])
def test_ordinary_writing_is_neither_an_address_nor_a_date(text):
    assert find_identifiers(text) == [] and not has_date(text)


@pytest.mark.parametrize("ref, why", [
    ("SW1A1AA", "postcode"), ("SW1A 1AA", "spaces"), ("9434765919", "NHS number"), ("943-476-5919", "NHS number"),
    ("DOB12/03/2015", "date"), ("CD-12/03/2015", "date"), ("2015-03-12", "date"), ("JAYDENSMITH", "no digits"),
    ("jo@x.gov.uk", "email"), ("C1", "format"), ("A" * 21 + "1", "format"), ("A" * 51 + "1", "at most 50"),
])
def test_what_is_never_a_case_reference(ref, why):
    reason = case_ref_problem(ref)
    assert reason is not None and why in reason and ref not in reason


@pytest.mark.parametrize("ref", ["CD-4810037", "1234567", "CIN/2024/0091", "LA_77_1", "CP-204817", "9434765918"])
def test_common_case_management_ids_are_case_references(ref):
    assert case_ref_problem(ref) is None


def test_the_councils_format_decides_the_shape_but_never_lets_an_identifier_through():
    mosaic = CaseRefFormat(r"\d{6,8}", example="1234567")
    assert case_ref_problem("1234567", mosaic) is None
    assert "(for example 1234567)" in case_ref_problem("CD-4810037", mosaic)
    anything = CaseRefFormat(r".+")
    assert case_ref_problem("SW1A1AA", anything) is not None and case_ref_problem("9434765919", anything) is not None
    assert case_ref_problem("JAYDENSMITH", anything) is not None
    assert "for example" not in case_ref_problem("x-1", CaseRefFormat(r"\d+"))  # the example does not fit: not shown
