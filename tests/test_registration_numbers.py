"""Registration numbers: the roster's optional registration_number is a registered member of staff's
Social Work England number ("SW" and digits; framework 9.2: the principal social worker tests
registration compliance). The rule in the fast layer; the import on both databases."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from qa.roster import COLUMNS, RosterProblems, parse_roster, swe_number
from storage.models import Person
from storage.roster import import_roster
from tests.support.supervision import ANA, BEN, ROSTER_COLUMNS, at, roster_rows, write_csv, write_roster

HEADER = [*COLUMNS, "registration_number"]


@pytest.mark.fast
@pytest.mark.parametrize(("typed", "stored"), [
    ("SW12345", "SW12345"), ("sw 12345", "SW12345"), (" Sw1 ", "SW1"), ("SW1234567890", "SW1234567890"),
    ("SW", None), ("12345", None), ("SW12A45", None), ("SWE12345", None), ("SW12345678901", None), ("", None),
])
def test_a_swe_number_is_sw_and_digits(typed, stored):
    assert swe_number(typed) == stored


@pytest.mark.fast
def test_the_roster_reads_registration_numbers_when_the_column_is_there():
    numbers = ["", "", "", "sw 104 233", "SW99", "", ""]
    rows = [{**r, "registration_number": n} for r, n in zip(roster_rows(), numbers, strict=True)]
    entries = parse_roster(rows, HEADER)
    assert [e.registration_number for e in entries][3:5] == ["SW104233", "SW99"]
    assert all(e.registration_number is None for e in parse_roster(roster_rows(), list(COLUMNS)))


@pytest.mark.fast
def test_a_wrong_number_is_refused_by_row_and_column():
    rows = [{**r, "registration_number": ""} for r in roster_rows()]
    rows[3]["registration_number"] = "12345"
    rows[4] = {**rows[4], "registration_number": "SW5", "registered": "no"}
    with pytest.raises(RosterProblems) as caught:
        parse_roster(rows, HEADER)
    text = str(caught.value)
    assert "row 5, column registration_number" in text and "SW followed by digits" in text
    assert "row 6, column registration_number" in text and "registered is not yes" in text
    with pytest.raises(RosterProblems) as twice:
        parse_roster(rows[:1], [*HEADER, "registration_number"])
    assert "registration_number appears twice" in str(twice.value)


async def _people(db) -> dict[str, Person]:
    async with db.sessions() as session:
        return {p.email: p for p in (await session.execute(select(Person))).scalars()}


async def test_import_with_and_without_the_column(db, tmp_path):
    await import_roster(db, write_roster(tmp_path / "r1.csv"), at("2026-12-01T09:00"))
    assert {p.registration_number for p in (await _people(db)).values()} == {None}
    rows = [{**r, "registration_number": {ANA: "SW104233", BEN: "sw 77"}.get(r["email"], "")} for r in roster_rows()]
    report = await import_roster(db, write_csv(tmp_path / "r2.csv", [*ROSTER_COLUMNS, "registration_number"], rows),
                                 at("2026-12-02T09:00"))
    assert report.updated == 2 and report.unchanged == 5
    people = await _people(db)
    assert (people[ANA].registration_number, people[BEN].registration_number) == ("SW104233", "SW77")
    # A file without the column leaves the numbers as they are.
    again = await import_roster(db, write_roster(tmp_path / "r3.csv"), at("2026-12-03T09:00"))
    assert again.unchanged == 7 and (await _people(db))[ANA].registration_number == "SW104233"
