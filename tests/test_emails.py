"""qa.emails: the one rule for email addresses in every file and comparison, over the whole kind
(RFC 5322's dot-atom local parts, internationalised domains), and the sign-in names Teams gives. Pure."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa import emails
from qa.allocations import PersonInfo, parse_allocations
from qa.identifiers import EMAIL, find_identifiers
from qa.roster import COLUMNS, RosterProblems, parse_roster
from qa.supervision_files import parse_caseload

ATEXT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~"
LDH = "abcdefghijklmnopqrstuvwxyz0123456789"

atoms = st.text(alphabet=ATEXT, min_size=1, max_size=12)
local_parts = st.lists(atoms, min_size=1, max_size=4).map(".".join).filter(lambda s: len(s) <= 64)
labels = st.builds(lambda a, mid, b: a + mid + b, st.sampled_from(LDH),
                   st.text(alphabet=LDH + "-", max_size=10), st.sampled_from(LDH)) | st.sampled_from(LDH)
top_levels = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=6)
domains = st.builds(lambda ls, tld: ".".join([*ls, tld]), st.lists(labels, min_size=1, max_size=3), top_levels)
addresses = st.builds(lambda local, domain: f"{local}@{domain}", local_parts, domains)


@given(addresses)
def test_every_dot_atom_address_is_accepted(address):
    assert emails.is_email(address)
    assert emails.key(address) == address.lower()


@given(addresses, st.sampled_from([str.upper, str.lower, str.title, str.swapcase]), st.sampled_from(["", " ", "\t"]))
def test_addresses_compare_without_case_or_surrounding_space(address, case, space):
    assert emails.same(case(address) + space, space + address)
    assert emails.key(emails.key(address)) == emails.key(address)  # a key is its own key


@given(local_parts, domains, st.sampled_from([" ", "@", "..", ",", ";", "<", ">", "(", ")", "[", "]", "\\", '"', ":"]))
def test_a_character_outside_the_dot_atom_is_refused(local, domain, bad):
    assert not emails.is_email(f"{local}{bad}x@{domain}")


@pytest.mark.parametrize("address", [
    "aoife.o'brien@council.gov.uk", "Aoife.O'Brien@Council.Gov.UK", "sam+qa@council.gov.uk",
    "jo-anne.smith2@council.gov.uk", "1234@council.gov.uk", "o'neill_d@my-council.org.uk",
    "jo@bücher.example", "jo@xn--bcher-kva.example", "rené@example.org".replace("é", "e"),
])
def test_real_addresses_are_accepted(address):
    assert emails.is_email(address)


@pytest.mark.parametrize("text", [
    "", "ann", "ann@", "@council.gov.uk", "ann@council", "a..b@council.gov.uk", ".ann@council.gov.uk",
    "ann.@council.gov.uk", "ann@@council.gov.uk", "ann@council..gov.uk", "ann@-council.gov.uk",
    "ann@council-.gov.uk", "ann smith@council.gov.uk", "ann@council.gov.uk;bo@council.gov.uk",
    "Ann <ann@council.gov.uk>", '"ann"@council.gov.uk', "ann@council.123", "a" * 65 + "@council.gov.uk",
    "ann@" + "a" * 64 + ".uk", "ann@" + ".".join(["abcdefghi"] * 26) + ".uk",
])
def test_what_is_not_an_address_is_refused(text):
    assert not emails.is_email(text)


def test_an_internationalised_domain_is_one_address_however_it_is_written():
    assert emails.same("Jo@BÜCHER.example", "jo@xn--bcher-kva.example")


# -- every file kind takes the same addresses --------------------------------------------------

APOSTROPHE = "Aoife.O'Brien@Council.gov.uk"


def test_the_roster_takes_an_apostrophe_and_stores_it_lower_case():
    rows = [dict(zip(COLUMNS, [APOSTROPHE, "Aoife O'Brien", "practice_manager", "Team A", "Children in Need",
                               "", "", "", ""], strict=True)),
            dict(zip(COLUMNS, ["sam+qa@council.gov.uk", "Sam", "practitioner", "Team A", "Children in Need",
                               "aoife.o'brien@council.gov.uk", "", "", ""], strict=True))]
    entries = parse_roster(rows, list(COLUMNS))
    assert [e.email for e in entries] == ["aoife.o'brien@council.gov.uk", "sam+qa@council.gov.uk"]
    assert entries[1].supervisor_email == "aoife.o'brien@council.gov.uk"


def test_the_roster_finds_the_same_address_twice_whatever_its_case():
    row = [APOSTROPHE, "Aoife", "qa_unit", "QA", "", "", "", "", ""]
    rows = [dict(zip(COLUMNS, row, strict=True)), dict(zip(COLUMNS, [APOSTROPHE.lower(), *row[1:]], strict=True))]
    with pytest.raises(RosterProblems, match="appears more than once"):
        parse_roster(rows, list(COLUMNS))


def test_allocations_and_the_caseload_find_a_roster_person_by_an_apostrophe_address_in_any_case():
    known = {"aoife.o'brien@council.gov.uk": PersonInfo(1, "aoife.o'brien@council.gov.uk", "practitioner",
                                                        ("Children in Need",)),
             "qa.lead@council.gov.uk": PersonInfo(2, "qa.lead@council.gov.uk", "qa_unit", ())}
    header = ["case_ref", "annex_a_list", "service_area", "team", "auditor_email", "case_holder_email", "theme"]
    row = dict(zip(header, ["CR-1001", "List 1", "Children in Need", "Team A", "QA.Lead@council.gov.uk",
                            APOSTROPHE, ""], strict=True))
    [entry] = parse_allocations(header, [row], known, "2026-12")
    assert entry.case_holder_id == 1
    from datetime import date

    caseload = parse_caseload([{"case_ref": "CR-1001", "case_holder_email": APOSTROPHE,
                                "last_case_supervision_on": ""}],
                              ["case_ref", "case_holder_email", "last_case_supervision_on"], known,
                              date(2026, 12, 1))
    assert caseload[0].case_holder_id == 1


def test_free_text_screening_still_finds_an_apostrophe_address():
    assert EMAIL in find_identifiers(f"please ask {APOSTROPHE} about it")


# -- the sign-in names Teams gives --------------------------------------------------------------

@pytest.mark.parametrize("email, upn, listed, linked", [
    ("sam.patel@council.gov.uk", "spatel@council.onmicrosoft.com", "sam.patel@council.gov.uk", True),
    ("sam.patel@council.gov.uk", "spatel@council.onmicrosoft.com", "SPatel@council.onmicrosoft.com", True),
    (None, "spatel@council.onmicrosoft.com", "spatel@council.onmicrosoft.com", True),
    ("jo.bloggs@partner.org", "jo.bloggs_partner.org#EXT#@council.onmicrosoft.com", "jo.bloggs@partner.org", True),
    (None, "jo.bloggs_partner.org#EXT#@council.onmicrosoft.com", "Jo.Bloggs@partner.org", True),
    (None, "jo.bloggs_partner.org#EXT#@council.onmicrosoft.com",
     "jo.bloggs_partner.org#ext#@council.onmicrosoft.com", True),
    (None, "o'neill_d_partner.org#EXT#@council.onmicrosoft.com", "o'neill_d@partner.org", True),
    ("sam.patel@council.gov.uk", "spatel@council.onmicrosoft.com", "sam.patel2@council.gov.uk", False),
    (None, "jo.bloggs_partner.org#EXT#@council.onmicrosoft.com", "jo.bloggs@council.onmicrosoft.com", False),
    (None, None, "sam.patel@council.gov.uk", False),
    ("not an address", "also not", "sam.patel@council.gov.uk", False),
])
def test_a_person_is_linked_when_the_roster_lists_their_email_their_upn_or_a_guests_home_address(
        email, upn, listed, linked):
    assert emails.signs_in_as(listed, email, upn) is linked


@given(local_parts.filter(lambda s: "#" not in s), domains, domains)
def test_any_guests_upn_gives_back_their_home_address(local, home, tenant):
    upn = f"{local}_{home}#EXT#@{tenant}"
    if emails.is_email(upn):
        assert emails.guest_home_address(upn) == f"{local}@{home}".lower()


def test_the_email_is_tried_before_the_upn():
    assert emails.sign_in_keys("A@x.org", "b@x.org") == ("a@x.org", "b@x.org")
    assert emails.sign_in_keys("a@x.org", "A@X.org") == ("a@x.org",)


@pytest.mark.parametrize("said", ["ana@example.gov.uk", " ana@example.gov.uk. ", "<ana@example.gov.uk>",
                                  "mailto:ana@example.gov.uk", "<mailto:ana@example.gov.uk>.", "ana@example.gov.uk,"])
def test_an_address_typed_after_a_command_is_read_without_its_wrapping(said):
    assert emails.typed(said) == "ana@example.gov.uk"


def test_what_is_not_an_address_stays_not_one():
    assert not emails.is_email(emails.typed("Ana Diaz.")) and emails.typed("") == ""
