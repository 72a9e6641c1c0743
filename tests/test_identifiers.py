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
    check_fields,
    find_identifiers,
    first_refusal,
    nhs_number_valid,
    refusal,
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
    assert set(found) <= {DATE_OF_BIRTH, POSTCODE, NHS_NUMBER, PHONE, EMAIL}


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.from_regex(r"[a-z]{2,12}\.[a-z]{2,12}@[a-z]{3,10}\.(gov\.uk|com|org)", fullmatch=True),
       st.sampled_from(["Contact ", "email: ", "(", "Parent "]))
def test_every_email_shape_is_found(address, before):
    assert EMAIL in find_identifiers(before + address + " today")
