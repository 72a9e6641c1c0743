"""A QA unit member sends the allocation list to the bot in Teams; anyone else is turned away.

Over HTTP through the real app: Teams-shaped message activities carrying a
file.download.info attachment whose downloadUrl points at a file host on 127.0.0.1. The list is
previewed on arrival and written only on Confirm (tests/test_files_in_chat.py); the month, the sheet
read and the checks are shown on the preview.
"""
from __future__ import annotations

import io
import json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy import select

from bot.clock import fixed_clock
from capabilities.audit_cycle.allocation_list import choose_month
from dialogs.allocation_cards import ImportOutcome, import_summary_card, rejected_card
from qa.allocations import COLUMNS
from storage.models import Allocation, AuditMonth, TrailEvent
from tests.support import activities as act
from tests.support.allocation_files import GOOD, csv_bytes, row, xlsx_bytes
from tests.support.card_validator import validate
from tests.support.chat_files import file_message, post, staff

LONDON = ZoneInfo("Europe/London")
MAX_CARD_BYTES = 28 * 1024


async def quinn_sends(bot_client, fake, file_host, name: str, data: bytes, text: str = ""):
    """Quinn (QA unit) sends `data` as `name`; the one reply (a preview, or a refusal)."""
    file_host.files[name] = data
    before = len(fake.delivered(act.personal_conversation_id("quinn")))
    await post(bot_client, file_message("quinn", "aad-quinn", service_url=fake.url, name=name,
                                        url=file_host.url(name), text=text))
    [reply] = fake.delivered(act.personal_conversation_id("quinn"))[before:]
    return reply


def facts_of(card: dict) -> dict[str, str]:
    return {f["title"]: f["value"] for part in card["body"] if part.get("type") == "FactSet" for f in part["facts"]}


async def confirm_last(bot_client, fake) -> None:
    """Quinn presses Confirm on the preview the bot sent last (files in chat: tests/test_files_in_chat.py)."""
    [card] = fake.delivered(act.personal_conversation_id("quinn"))[-1].cards
    [action] = [a for a in card["actions"] if a["title"] == "Confirm"]
    data = {k: v for k, v in action["data"].items() if not k.startswith("_")}
    resp = await bot_client.post("/api/messages", json=act.card_action("quinn", action["verb"], data,
                                                                        service_url=fake.url, aad="aad-quinn"))
    assert resp.status == 200, await resp.text()


async def stored(db) -> dict[str, Allocation]:
    async with db.sessions() as s:
        return {a.case_ref: a for a in (await s.execute(select(Allocation))).scalars()}




def workbook_with_a_hidden_template(visible_rows: list[dict]) -> bytes:
    """A hidden "Template" sheet first (one example case), then the list on a visible sheet."""
    book = openpyxl.Workbook()
    template = book.active
    template.title = "Template"
    template.append(list(COLUMNS))
    template.append([row("CR-0001").get(h) or None for h in COLUMNS])
    template.sheet_state = "hidden"
    sheet = book.create_sheet("Allocations")
    sheet.append(list(COLUMNS))
    for r in visible_rows:
        sheet.append([r.get(h) or None for h in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_a_csv_is_previewed_per_area_and_confirm_writes_it_with_a_trail_row_per_case(
        bot_client, fake_connector, file_host, db):
    await act.add_people(db, *staff())
    reply = await quinn_sends(bot_client, fake_connector, file_host, "december.csv", csv_bytes(GOOD, bom=True),
                              "allocations for 2026-12")
    [card] = reply.cards
    shown = facts_of(card)
    assert shown["For"] == "December 2026 (the month in your message)" and shown["Added"] == "3"
    assert "Children in Need: 2 cases" in reply.all_text() and "CR-1001, CR-1002, CR-1003" in reply.all_text()
    assert file_host.fetched == ["december.csv"]
    assert await stored(db) == {}  # a preview writes nothing
    async with db.sessions() as s:
        assert (await s.execute(select(AuditMonth))).first() is None
    await confirm_last(bot_client, fake_connector)
    assert set(await stored(db)) == {"CR-1001", "CR-1002", "CR-1003"}
    async with db.sessions() as s:
        allocated = (await s.execute(select(TrailEvent).where(TrailEvent.action == "allocated"))).scalars().all()
        month = (await s.execute(select(AuditMonth))).scalar_one()
    assert month.month == "2026-12"
    assert sorted(e.detail["case_ref"] for e in allocated) == ["CR-1001", "CR-1002", "CR-1003"]


async def test_an_xlsx_month_is_taken_from_the_file_name(bot_client, fake_connector, file_host, db):
    await act.add_people(db, *staff())
    reply = await quinn_sends(bot_client, fake_connector, file_host, "allocations-2027-01.xlsx", xlsx_bytes(GOOD))
    [card] = reply.cards
    assert facts_of(card)["For"] == "January 2027 (the month in the file name)"
    assert await stored(db) == {}
    await confirm_last(bot_client, fake_connector)
    assert {a.month for a in (await stored(db)).values()} == {"2027-01"}


async def test_without_a_month_the_current_month_in_the_councils_time_zone_is_used(
        bot_client, services, fake_connector, file_host, db):
    await act.add_people(db, *staff())
    # 23:30 UTC on 31 March is 00:30 on 1 April in London (BST): April's list, not March's.
    services.clock = fixed_clock(datetime(2027, 3, 31, 23, 30, tzinfo=timezone.utc))
    reply = await quinn_sends(bot_client, fake_connector, file_host, "list.csv", csv_bytes(GOOD))
    [card] = reply.cards
    assert facts_of(card)["For"].startswith("April 2027 (this month")
    assert await stored(db) == {}
    await confirm_last(bot_client, fake_connector)
    assert {a.month for a in (await stored(db)).values()} == {"2027-04"}


async def test_the_preview_names_the_sheet_read_and_a_hidden_sheet_is_never_imported(
        bot_client, fake_connector, file_host, db):
    await act.add_people(db, *staff())
    reply = await quinn_sends(bot_client, fake_connector, file_host, "december.xlsx",
                              workbook_with_a_hidden_template(GOOD), "2026-12")
    [card] = reply.cards
    assert facts_of(card)["File read"] == 'december.xlsx, sheet "Allocations"'
    assert facts_of(card)["Added"] == "3" and "CR-0001" not in reply.all_text()  # not the hidden template's case
    await confirm_last(bot_client, fake_connector)
    assert set(await stored(db)) == {"CR-1001", "CR-1002", "CR-1003"}

    refused = await quinn_sends(bot_client, fake_connector, file_host, "january.xlsx",
                                workbook_with_a_hidden_template([*GOOD, row("CR-2002", "nobody@council.gov.uk")]),
                                "2027-01")
    seen = refused.all_text()
    assert refused.text.startswith("january.xlsx, sheet 'Allocations' was not imported for 2027-01")
    assert "Not imported" in seen and 'I could not take january.xlsx, sheet \\"Allocations\\"' in seen
    assert "row 5, column auditor_email: nobody@council.gov.uk is not on the roster" in seen
    assert "Confirm" not in json.dumps(refused.cards)
    assert {a.month for a in (await stored(db)).values()} == {"2026-12"}


async def test_a_refused_list_shows_every_problem_and_stores_nothing(bot_client, fake_connector, file_host, db):
    await act.add_people(db, *staff())
    reply = await quinn_sends(bot_client, fake_connector, file_host, "bad.csv", csv_bytes(
        [*GOOD, row("CR-1001", "sw1@council.gov.uk"), row("CR-2002", "nobody@council.gov.uk")]), "2026-12")
    seen = reply.all_text()
    assert "Not imported" in seen and "nothing was changed" in seen
    assert "row 2, column case_ref: the same case is allocated more than once (rows 2, 5)" in seen
    assert "row 5, column auditor_email: sw1@council.gov.uk is a practitioner" in seen
    assert "row 6, column auditor_email: nobody@council.gov.uk is not on the roster" in seen
    assert await stored(db) == {}


async def test_identifying_columns_are_refused_over_teams_too(bot_client, fake_connector, file_host, db):
    await act.add_people(db, *staff())
    header = ["Child Name", *GOOD[0]]
    file_host.files["annex.csv"] = csv_bytes([dict(r, **{"Child Name": "Jane Doe"}) for r in GOOD], header)
    await post(bot_client, file_message("quinn", "aad-quinn", service_url=fake_connector.url, name="annex.csv",
                                        url=file_host.url("annex.csv"), text="2026-12"))
    [reply] = fake_connector.delivered(act.personal_conversation_id("quinn"))
    assert "column A 'Child Name' would hold a name about a child" in reply.all_text()
    assert "Jane Doe" not in reply.all_text()
    assert await stored(db) == {}


async def test_every_free_text_cell_and_case_ref_is_screened_over_teams(bot_client, fake_connector, file_host, db):
    """A child's details in the theme, team or Annex A list cell, and identifiers in the case_ref
    column, refuse the file naming row and column, never repeating what the cell holds."""
    await act.add_people(db, *staff())
    file_host.files["themes.csv"] = csv_bytes([
        row("CR-1001", theme="Neglect; DOB 12/03/2015"), row("CR-1002", theme="Home at 14 Elm Road"),
        row("CR-1003", theme="Seen 12 March 2015"), row("CR-1004", team="CIN Team 1, SW1A 1AA"),
        row("CR-1005", annex="List 6 NHS 943 476 5919"), row("SW1A1AA"), row("9434765919"), row("DOB12/03/2015"),
        row("JAYDENSMITH"), row("CR-1010", theme="Exploitation, reviewed in March")])
    await post(bot_client, file_message("quinn", "aad-quinn", service_url=fake_connector.url, name="themes.csv",
                                        url=file_host.url("themes.csv"), text="2026-12"))
    [reply] = fake_connector.delivered(act.personal_conversation_id("quinn"))
    seen = reply.all_text()
    for where, what in (("row 2, column theme", "a date of birth"), ("row 3, column theme", "a street address"),
                        ("row 4, column theme", "holds a date"), ("row 5, column team", "a postcode"),
                        ("row 6, column annex_a_list", "an NHS number"), ("row 7, column case_ref", "is a postcode"),
                        ("row 8, column case_ref", "is an NHS number"), ("row 9, column case_ref", "holds a date"),
                        ("row 10, column case_ref", "has no digits")):
        assert f"{where}: " in seen and what in seen.split(f"{where}: ", 1)[1].split("\n", 1)[0], where
    assert "row 11" not in seen  # a theme without identifiers is fine
    for typed in ("12/03/2015", "Elm Road", "SW1A", "943 476", "JAYDENSMITH", "9434765919"):
        assert typed not in seen, typed
    assert await stored(db) == {}


@pytest.mark.parametrize("who, aad", [("sol", "aad-sol"), ("stranger", "aad-nobody")])
async def test_anyone_outside_the_qa_unit_is_told_only_the_qa_unit_can(bot_client, fake_connector, file_host, db,
                                                                       who, aad):
    await act.add_people(db, *staff())
    file_host.files["december.csv"] = csv_bytes(GOOD)
    await post(bot_client, file_message(who, aad, service_url=fake_connector.url, name="december.csv",
                                        url=file_host.url("december.csv"), text="2026-12"))
    [reply] = fake_connector.delivered(act.personal_conversation_id(who))
    assert "Only the QA unit can send me files to import" in reply.text
    assert reply.cards == []
    assert file_host.fetched == []  # the file was never opened
    assert await stored(db) == {}


async def test_a_file_that_is_not_a_spreadsheet_is_not_downloaded(bot_client, fake_connector, file_host, db):
    await act.add_people(db, *staff())
    file_host.files["notes.pdf"] = b"%PDF-1.7"
    await post(bot_client, file_message("quinn", "aad-quinn", service_url=fake_connector.url, name="notes.pdf",
                                        url=file_host.url("notes.pdf")))
    [reply] = fake_connector.delivered(act.personal_conversation_id("quinn"))
    assert "notes.pdf: the file must be a .csv or .xlsx file" in reply.all_text()
    assert file_host.fetched == []


@pytest.mark.parametrize("url, said", [
    ("http://files.example.org/files/december.csv", "not a secure (https) address"),
    ("ftp://127.0.0.1/december.csv", "not a secure (https) address"),
])
async def test_only_https_links_are_fetched(bot_client, fake_connector, file_host, db, url, said):
    await act.add_people(db, *staff())
    await post(bot_client, file_message("quinn", "aad-quinn", service_url=fake_connector.url, name="december.csv",
                                        url=url, text="2026-12"))
    [reply] = fake_connector.delivered(act.personal_conversation_id("quinn"))
    assert said in reply.text and SEND_AGAIN in reply.text
    assert await stored(db) == {}


async def test_a_missing_or_oversized_file_is_reported(bot_client, fake_connector, file_host, db):
    await act.add_people(db, *staff())
    conv = act.personal_conversation_id("quinn")
    await post(bot_client, file_message("quinn", "aad-quinn", service_url=fake_connector.url, name="gone.csv",
                                        url=file_host.url("gone.csv"), text="2026-12"))
    assert "the file's link answered 404 instead of the file" in fake_connector.delivered(conv)[-1].text
    file_host.files["huge.csv"] = csv_bytes(GOOD) + b"\n" * (5 * 1024 * 1024)
    await post(bot_client, file_message("quinn", "aad-quinn", service_url=fake_connector.url, name="huge.csv",
                                        url=file_host.url("huge.csv"), text="2026-12"))
    assert "larger than 5 MB" in fake_connector.delivered(conv)[-1].text
    assert await stored(db) == {}


SIGN_IN = (b"<!DOCTYPE html>\r\n<html><head><title>Sign in to your account</title></head>"
           b"<body><form action=\"https://login.microsoftonline.com/\"></form></body></html>")
SEND_AGAIN = "Nothing was imported. Send the file again from Teams on a computer or on the web (teams.microsoft.com)"


@pytest.mark.parametrize("name, body, content_type, said", [
    # Teams on a phone: the link answers with the sign-in page (labelled as HTML, or not at all)
    ("december.xlsx", SIGN_IN, "text/html; charset=utf-8", "a web page (HTML), such as a sign-in or sharing page"),
    ("december.xlsx", SIGN_IN, "application/octet-stream", "a web page (HTML), such as a sign-in or sharing page"),
    ("december.csv", SIGN_IN, "text/html", "a web page (HTML), such as a sign-in or sharing page"),
    ("december.xlsx", b'{"error":{"code":"accessDenied"}}', "application/json", "a JSON message"),
    ("december.xlsx", b"", "application/octet-stream", "empty (0 bytes), not the workbook"),
    ("december.xlsx", b"case_ref,team\r\n", "text/csv", "not an Excel workbook: an .xlsx starts as a ZIP archive"),
    ("december.csv", b"%PDF-1.7", "application/pdf", "not CSV text: it came as application/pdf"),
])
async def test_a_link_that_gives_something_other_than_the_file_imports_nothing_and_says_what_to_do(
        bot_client, fake_connector, file_host, db, name, body, content_type, said):
    await act.add_people(db, *staff())
    file_host.files["first.csv"] = csv_bytes(GOOD)  # the month's list, already imported
    await post(bot_client, file_message("quinn", "aad-quinn", service_url=fake_connector.url, name="first.csv",
                                        url=file_host.url("first.csv"), text="2026-12"))
    await confirm_last(bot_client, fake_connector)
    before = await stored(db)
    assert set(before) == {"CR-1001", "CR-1002", "CR-1003"}
    file_host.files[name] = body
    file_host.content_types[name] = content_type
    await post(bot_client, file_message("quinn", "aad-quinn", service_url=fake_connector.url, name=name,
                                        url=file_host.url(name), text="2026-12"))
    reply = fake_connector.delivered(act.personal_conversation_id("quinn"))[-1]
    assert reply.text.startswith(f"I could not use {name}: what its link gave me is {said}")
    assert SEND_AGAIN in reply.text
    assert "password" not in reply.text and "damaged" not in reply.text and "corrupt" not in reply.text
    assert reply.cards == []
    assert {k: (a.id, a.auditor_id, a.state) for k, a in (await stored(db)).items()} == {
        k: (a.id, a.auditor_id, a.state) for k, a in before.items()}  # the month's list as it was: nothing withdrawn


async def test_a_link_that_redirects_to_a_sign_in_page_imports_nothing(bot_client, fake_connector, file_host, db):
    await act.add_people(db, *staff())
    file_host.redirects["december.xlsx"] = "login"
    file_host.files["login"] = SIGN_IN
    file_host.content_types["login"] = "text/html"
    await post(bot_client, file_message("quinn", "aad-quinn", service_url=fake_connector.url, name="december.xlsx",
                                        url=file_host.url("december.xlsx"), text="2026-12"))
    [reply] = fake_connector.delivered(act.personal_conversation_id("quinn"))
    assert file_host.fetched == ["december.xlsx", "login"]
    assert "what its link gave me is a web page (HTML)" in reply.text and SEND_AGAIN in reply.text
    assert await stored(db) == {}


async def test_a_download_that_does_not_finish_in_time_imports_nothing(bot_client, fake_connector, file_host, db,
                                                                       monkeypatch):
    monkeypatch.setattr("bot.file_download.DOWNLOAD_TIMEOUT", 0.2)
    await act.add_people(db, *staff())
    file_host.files["december.csv"] = csv_bytes(GOOD)
    file_host.held.add("december.csv")  # the host never answers
    await post(bot_client, file_message("quinn", "aad-quinn", service_url=fake_connector.url, name="december.csv",
                                        url=file_host.url("december.csv"), text="2026-12"))
    [reply] = fake_connector.delivered(act.personal_conversation_id("quinn"))
    assert reply.text.startswith("I could not fetch december.csv: the download did not finish within 0.2 seconds. ")
    assert SEND_AGAIN in reply.text
    assert await stored(db) == {}


# ---------------------------------------------------------------- pure parts


@pytest.mark.parametrize("text, name, expected", [
    ("for 2026-12 please", "x.csv", ("2026-12", "message")),
    ("<p>2027-02</p>", "alloc 2026-12.csv", ("2027-02", "message")),
    ("", "alloc 2026-11.csv", ("2026-11", "file name")),
    ("ref 12026-121", "alloc.csv", ("2026-12", "current")),
    ("2026-13", "alloc.csv", ("2026-12", "current")),
])
def test_choose_month(text, name, expected):
    now = datetime(2026, 12, 3, 9, tzinfo=timezone.utc)
    assert choose_month(text, name, now, LONDON) == expected


def _largest_cards() -> list[tuple[str, dict]]:
    refs = [f"CASE-{i:044d}" for i in range(600)]  # 49-character references
    outcome = ImportOutcome(month="2026-12", file_name="a" * 200 + ".xlsx", month_source="current",
                            counts=[("Added", 600)], sections=[("added", refs[:300]), ("updated", refs[300:])],
                            sheet="s" * 31)  # Excel's longest sheet name
    problems = [f"row {i}, column auditor_email: " + "x" * 400 for i in range(2, 500)]
    return [("summary", import_summary_card(outcome)),
            ("rejected", rejected_card("2026-12", "a.xlsx", "message", problems, "s" * 31)),
            ("small", import_summary_card(ImportOutcome("2026-12", "a.csv", "message", [("Added", 0)], [])))]


def test_cards_stay_under_teams_size_limit_and_say_how_much_was_cut():
    cards = dict(_largest_cards())
    for name, card in cards.items():
        assert len(json.dumps(card, ensure_ascii=False).encode()) < MAX_CARD_BYTES, name
        assert card["version"] == "1.5"
    summary = json.dumps(cards["summary"], ensure_ascii=False)
    assert "CASE-00000000000000000000000000000000000000000000000 and 65 more" not in summary
    assert " and 65 more" in summary and '"300 cases"' in summary  # the budget ran out in "added"
    assert "…and 458 more." in json.dumps(cards["rejected"], ensure_ascii=False)


def test_cards_pass_microsofts_adaptive_card_parser():
    rc, report = validate(_largest_cards())
    assert {c["name"]: c["problems"] for c in report["cards"]} == {"summary": [], "rejected": [], "small": []}
    assert rc == 0
