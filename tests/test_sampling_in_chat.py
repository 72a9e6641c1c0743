"""The month's Annex A extract sent in chat (framework 9.3 "Selection and distribution"): the QA unit
sends the council's workbook (title rows above each list's header, a guidance sheet, a hidden lookup
sheet, every identifying column Ofsted's lists carry); the bot recognises it, previews it naming the
columns it ignores (never a cell of them), and on Confirm proposes the sample for the month chosen on
the preview card, with the full list offered as a workbook. The QA unit then swaps, moves and removes
cases, draws again and uses the sample, each a signed press over HTTP that keeps the rules or says which
it would break. No identifying value reaches a table, a log line or a message. Real app, fake Bot
Connector, the stand-in file host, both databases."""
from __future__ import annotations

import io
import json
import logging

import openpyxl
import pytest
from sqlalchemy import select

from bot import file_consent
from bot.clock import fixed_clock
from capabilities.sampling import config
from dialogs import sample_cards as sc
from dialogs.intake_cards import SCOPE_INPUT, Verb
from dialogs.report_cards import FILE_CONSENT
from dialogs.status_cards import MAX_CARD_BYTES, card_bytes
from storage.models import Allocation, FilePreview, SamplePick, SampleProposal, TrailEvent
from tests.support import activities as act
from tests.support.chat_files import file_message, post
from tests.support.sampling import NOW, SECRETS, annex_a_workbook, assert_no_secret, everything_stored, roster
from tests.support.status import accept, add_person, chat

FEBRUARY = "2027-02"


@pytest.fixture
def two_cases_each(monkeypatch):
    """Eight cases for four managers, at most three each: room to move and remove within the rules."""
    monkeypatch.setenv(config.SIZE_ENV, "8")
    monkeypatch.setenv(config.MAX_ENV, "3")
    config.rules.cache_clear()
    yield
    config.rules.cache_clear()


def nodes(tree):
    if isinstance(tree, dict):
        yield tree
        for value in tree.values():
            yield from nodes(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from nodes(value)


def action(card: dict, verb: str) -> dict:
    [found] = [n for n in nodes(card) if n.get("type") == "Action.Execute" and n.get("verb") == verb]
    return found


async def press(bot_client, fake, who: str, card: dict, verb: str, **inputs) -> dict:
    """`who` presses the `verb` button of `card` with `inputs` (Teams adds them to the signed data)."""
    ids = {k: v for k, v in action(card, verb)["data"].items() if not k.startswith("_")}
    activity = act.card_action(who, verb, ids, service_url=fake.url)
    activity["value"]["action"]["data"].update(inputs)
    resp = await bot_client.post("/api/messages", json=activity)
    assert resp.status == 200, await resp.text()
    return await resp.json()


def shown(answer: dict) -> dict | None:
    """The card an invoke answer carries (the pressed card's new content), if any."""
    value = answer.get("value")
    return value if isinstance(value, dict) and value.get("type") == "AdaptiveCard" else None


async def send(bot_client, fake, file_host, who: str, name: str, data: bytes, text: str = ""):
    file_host.files[name] = data
    fake.clear()
    await post(bot_client, file_message(who, None, service_url=fake.url, name=name, url=file_host.url(name), text=text))
    return fake.delivered(chat(who))


async def picks(db, state: str = "picked") -> list[SamplePick]:
    async with db.sessions() as session:
        return list((await session.execute(select(SamplePick).where(SamplePick.state == state)
                                           .order_by(SamplePick.position))).scalars())


async def trail(db, action: str) -> list[TrailEvent]:
    async with db.sessions() as session:
        return list((await session.execute(select(TrailEvent).where(TrailEvent.action == action))).scalars())


@pytest.mark.usefixtures("two_cases_each")
async def test_the_extract_sent_in_chat_is_proposed_changed_and_used(db, services, fake_connector, bot_client, file_host,
                                                                     tmp_path, caplog):
    caplog.set_level(logging.INFO)
    services.clock = fixed_clock(NOW)
    ids = await roster(db, fake_connector.url)
    await add_person(db, "Paula", "practitioner", service_url=fake_connector.url)
    data = annex_a_workbook(tmp_path / "annex.xlsx").read_bytes()
    sent: list[str] = []  # every message and card the bot sent or answered with

    # Someone not in the QA unit: refused on the server, nothing downloaded.
    [reply] = await send(bot_client, fake_connector, file_host, "Paula", "annex.xlsx", data)
    assert "Only the QA unit" in reply.all_text() and file_host.fetched == []

    # A month chosen that the preview did not offer is refused (a forged input), nothing proposed.
    [reply] = await send(bot_client, fake_connector, file_host, "Quinn", "Annex A extract.xlsx", data)
    forged = await press(bot_client, fake_connector, "Quinn", reply.cards[0], Verb.CONFIRM, **{SCOPE_INPUT: "2031-05"})
    assert "Choose one of the months the preview offers" in json.dumps(forged)

    [reply] = await send(bot_client, fake_connector, file_host, "Quinn", "Annex A extract.xlsx", data)
    preview = reply.cards[0]
    text = json.dumps(preview, ensure_ascii=False)
    sent += [reply.all_text(), text, json.dumps(forged)]
    assert "Preview: the month's Annex A extract" in text
    assert "Forename" in text and "Date of Birth" in text and "Placement postcode" in text  # named, never read
    assert "Guidance" in text and "Lookups" not in text  # the guidance sheet named as not read; hidden: never
    assert "List 6: 24" in text and "List 8: 24" in text
    [month_box] = [n for n in nodes(preview) if n.get("id") == SCOPE_INPUT]
    assert month_box["value"] == "2027-01" and [c["value"] for c in month_box["choices"]] == ["2026-12", "2027-01", FEBRUARY]
    assert action(preview, Verb.CONFIRM)["associatedInputs"] == "auto"
    async with db.sessions() as session:
        assert (await session.scalar(select(SampleProposal))) is None  # nothing proposed before Confirm

    # Confirm, February chosen on the card: the proposal's card in place, the list offered as a workbook.
    fake_connector.clear()
    answer = await press(bot_client, fake_connector, "Quinn", preview, Verb.CONFIRM, **{SCOPE_INPUT: FEBRUARY})
    card = shown(answer)
    assert card is not None and card_bytes(card) < MAX_CARD_BYTES
    text = json.dumps(card, ensure_ascii=False)
    assert "Audit sample for February 2027" in text and "Proposed from Annex A extract.xlsx" in text
    assert "PM North CIN" in text and "Per service area" in text
    assert [p.month for p in await _proposals(db)] == [FEBRUARY]
    again = await press(bot_client, fake_connector, "Quinn", preview, Verb.CONFIRM, **{SCOPE_INPUT: FEBRUARY})
    assert "This file was confirmed already" in json.dumps(again)  # an extract is proposed from, not imported
    assert [p.month for p in await _proposals(db)] == [FEBRUARY]
    assert len(await picks(db)) == 8 and len(await picks(db, "spare")) == 64
    [offer] = [c for c in fake_connector.delivered(chat("Quinn"))
               if any(a.get("contentType") == FILE_CONSENT for a in c.activity.get("attachments", []))]
    [consent] = [a for a in offer.activity["attachments"] if a["contentType"] == FILE_CONSENT]
    assert consent["name"] == f"sample-{FEBRUARY}.xlsx"
    sent += [text, json.dumps(offer.activity, ensure_ascii=False)]
    assert (await accept(bot_client, fake_connector, "Quinn", consent)).status == 200
    await file_consent.settled()
    [upload] = fake_connector.uploads.values()
    sheet = openpyxl.load_workbook(io.BytesIO(upload.data))[f"Sample {FEBRUARY}"]
    assert sheet.max_row == 9
    cells = [str(v) for s in openpyxl.load_workbook(io.BytesIO(upload.data)).worksheets
             for row in s.iter_rows(values_only=True) for v in row if v is not None]
    async with db.sessions() as session:
        held = await session.scalar(select(FilePreview.data).where(FilePreview.state == "confirmed"))
    assert held is None  # the upload is not kept once decided

    # Paula cannot change it; a reference not in the sample is not repeated back.
    refused = await press(bot_client, fake_connector, "Paula", card, sc.SWAP_VERB, case_ref="CR-1001")
    assert "is for the QA unit" in json.dumps(refused)
    unknown = await press(bot_client, fake_connector, "Quinn", card, sc.SWAP_VERB, case_ref=SECRETS[0])
    assert "not in this sample" in json.dumps(unknown) and SECRETS[0] not in json.dumps(unknown)
    sent.append(json.dumps(unknown))

    # Swap: the next eligible case of the same list and service area, for the same auditor.
    first = (await picks(db))[0]
    answer = await press(bot_client, fake_connector, "Quinn", card, sc.SWAP_VERB, case_ref=first.case_ref)
    card = shown(answer)
    assert card is not None and f"Swapped {first.case_ref} for" in json.dumps(card)
    now_picked = await picks(db)
    new = next(p for p in now_picked if p.position == first.position)
    assert new.case_ref != first.case_ref and (new.annex_a_list, new.service_area, new.auditor_id) == (
        first.annex_a_list, first.service_area, first.auditor_id)
    assert first.case_ref in {p.case_ref for p in await picks(db, "out")}
    [swapped] = await trail(db, "sample_swapped")
    assert swapped.detail["replacement"] == new.case_ref and swapped.actor_id == ids["quinn@council.gov.uk"]

    # Move: to an auditor in the case's own team is refused, naming the rule; elsewhere it moves.
    target = now_picked[1]
    own = ids[f"pm.{target.team.lower().replace(' ', '.')}@council.gov.uk"]
    answer = await press(bot_client, fake_connector, "Quinn", card, sc.MOVE_VERB, case_ref=target.case_ref,
                         auditor=str(own))
    assert shown(answer) is None and "Not moved:" in json.dumps(answer) and "may not audit" in json.dumps(answer)
    assert (await picks(db))[1].auditor_id == target.auditor_id
    counts = {a: sum(1 for p in now_picked if p.auditor_id == a) for a in {p.auditor_id for p in now_picked}}
    other = next(pid for email, pid in ids.items() if email.startswith("pm.") and pid not in (own, target.auditor_id)
                 and counts.get(pid, 0) < 3 and not email.startswith(f"pm.{target.team.lower().replace(' ', '.')}"))
    name = next(email for email, pid in ids.items() if pid == other)
    answer = await press(bot_client, fake_connector, "Quinn", card, sc.MOVE_VERB, case_ref=target.case_ref, auditor=name)
    card = shown(answer)
    assert card is not None and f"Moved {target.case_ref} to PM " in json.dumps(card)
    assert next(p for p in await picks(db) if p.case_ref == target.case_ref).auditor_id == other
    assert len(await trail(db, "sample_moved")) == 1

    # Remove: refused for the last case of the auditor the move took one from (the month's minimum);
    # allowed for a case whose auditor keeps one.
    now = await picks(db)
    left = [p for p in now if p.auditor_id == target.auditor_id]
    assert len(left) == 1  # two each, one moved away
    answer = await press(bot_client, fake_connector, "Quinn", card, sc.REMOVE_VERB, case_ref=left[0].case_ref)
    assert shown(answer) is None and "Not removed:" in json.dumps(answer) and "fewer than the 1" in json.dumps(answer)
    victim = next(p for p in now if sum(1 for q in now if q.auditor_id == p.auditor_id) >= 2 and not p.reaudit)
    answer = await press(bot_client, fake_connector, "Quinn", card, sc.REMOVE_VERB, case_ref=victim.case_ref)
    card = shown(answer)
    assert card is not None and f"Removed {victim.case_ref}" in json.dumps(card)
    assert len(await picks(db)) == 7 and len(await trail(db, "sample_removed")) == 1

    # Draw again: a new seed from the same eligible cases; the removed and swapped-out cases stay out.
    async with db.sessions() as session:
        seed = (await session.scalar(select(SampleProposal.seed)))
    answer = await press(bot_client, fake_connector, "Quinn", card, sc.REDRAW_VERB)
    card = shown(answer)
    assert card is not None and "Drawn again with seed" in json.dumps(card)
    async with db.sessions() as session:
        assert (await session.scalar(select(SampleProposal.seed))) != seed
    drawn = await picks(db)
    assert len(drawn) == 8 and not {victim.case_ref, first.case_ref} & {p.case_ref for p in drawn}
    assert len(await trail(db, "sample_redrawn")) == 1
    sent.append(json.dumps(card, ensure_ascii=False))

    # Send me the list: the list as it now stands, offered again through the file consent card.
    fake_connector.clear()
    fake_connector.uploads.clear()
    assert "sending the list" in json.dumps(await press(bot_client, fake_connector, "Quinn", card, sc.WORKBOOK_VERB))
    [offer] = [c for c in fake_connector.delivered(chat("Quinn"))
               if any(a.get("contentType") == FILE_CONSENT for a in c.activity.get("attachments", []))]
    [consent] = [a for a in offer.activity["attachments"] if a["contentType"] == FILE_CONSENT]
    allow = act._personal("invoke", "Quinn", fake_connector.url, None, "Quinn Example", act.TENANT)
    allow.update(name="fileConsent/invoke", value=fake_connector.consent_answer(consent, "accept"),
                 replyToId="1:second-consent-card")  # another message than the first offer's
    assert (await bot_client.post("/api/messages", json=allow)).status == 200
    await file_consent.settled()
    [upload] = fake_connector.uploads.values()
    rows = list(openpyxl.load_workbook(io.BytesIO(upload.data))[f"Sample {FEBRUARY}"].iter_rows(values_only=True))
    assert sorted(r[0] for r in rows[1:]) == sorted(p.case_ref for p in drawn)
    cells += [str(v) for r in rows for v in r if v is not None]

    # Use this sample: the month's allocations; after that the proposal cannot be changed.
    answer = await press(bot_client, fake_connector, "Quinn", card, sc.USE_VERB)
    assert "8 allocated" in json.dumps(answer)
    async with db.sessions() as session:
        allocations = (await session.execute(select(Allocation).where(Allocation.month == FEBRUARY))).scalars().all()
    assert sorted(a.case_ref for a in allocations) == sorted(p.case_ref for p in drawn)
    late = await press(bot_client, fake_connector, "Quinn", card, sc.SWAP_VERB, case_ref=drawn[0].case_ref)
    assert "can no longer be changed" in json.dumps(late)
    assert len(await trail(db, "sample_swapped")) == 1

    # Typed, `sample` shows it again; the notification names the month in words.
    fake_connector.clear()
    await post(bot_client, act.message("Quinn", "sample", service_url=fake_connector.url))
    [typed] = fake_connector.delivered(chat("Quinn"))
    assert typed.activity["text"] == "Audit sample for February 2027: 8 cases"

    # Nothing identifying anywhere: tables, log lines, messages, cards and the workbook.
    sent += [c.all_text() + json.dumps(c.activity, ensure_ascii=False) for c in fake_connector.calls if c.activity]
    assert_no_secret(await everything_stored(db), caplog.text, "\n".join(sent), "\n".join(cells))


async def _proposals(db) -> list[SampleProposal]:
    async with db.sessions() as session:
        return list((await session.execute(select(SampleProposal))).scalars())


def test_an_extract_is_told_from_the_other_files_by_its_header_under_the_titles(tmp_path):
    from capabilities.sampling.file_kind import month_choices, recognise
    from qa.tabular import DEFAULT_LIMITS

    workbook = annex_a_workbook(tmp_path / "annex.xlsx").read_bytes()
    assert recognise(workbook, "annex.xlsx", DEFAULT_LIMITS)
    flat = b"List,case_ref,Allocated Team,Allocated Worker\nList 6,CR-1,North CIN,\n"
    assert recognise(flat, "extract.csv", DEFAULT_LIMITS)
    # An allocation list under a title row is not an extract (it names auditors); nor is a roster.
    titled = b"December allocations\ncase_ref,annex_a_list,auditor_email\nCR-1,List 6,pm@council.gov.uk\n"
    assert not recognise(titled, "allocations.csv", DEFAULT_LIMITS)
    assert not recognise(b"email,display_name,role\nq@council.gov.uk,Q,qa_unit\n", "roster.csv", DEFAULT_LIMITS)
    assert not recognise(b"not a workbook", "annex.xlsx", DEFAULT_LIMITS)

    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    london = ZoneInfo("Europe/London")
    chosen, offered = month_choices("", "annex.xlsx", datetime(2026, 12, 31, 23, 30, tzinfo=UTC), london)
    assert chosen == "2027-01" and [m for m, _ in offered] == ["2026-12", "2027-01", "2027-02"]
    chosen, offered = month_choices("for 2027-03 please", "annex.xlsx", datetime(2026, 12, 7, tzinfo=UTC), london)
    assert chosen == "2027-03" and dict(offered)["2027-03"] == "March 2027 (the month in your message)"


def test_the_proposal_card_offers_drop_downs_when_short_and_typed_references_when_long():
    from dialogs import sample_samples

    def inputs(card: dict) -> dict[str, str]:
        return {n["id"]: n["type"] for n in nodes(card) if str(n.get("type", "")).startswith("Input.")}

    small = sc.proposal_card(sample_samples.small_view())
    assert inputs(small) == {sc.CASE_INPUT: "Input.ChoiceSet", sc.AUDITOR_INPUT: "Input.ChoiceSet"}
    [auditors] = [n for n in nodes(small) if n.get("id") == sc.AUDITOR_INPUT]
    assert auditors["choices"][0] == {"title": sample_samples.small_view().auditors[0][1], "value": "1"}
    assert "The cases" in json.dumps(small)
    large = sc.proposal_card(sample_samples.view())
    assert inputs(large) == {sc.CASE_INPUT: "Input.Text", sc.AUDITOR_INPUT: "Input.Text"}
    for card in (small, large):
        assert card_bytes(card) < MAX_CARD_BYTES
        for verb in (sc.SWAP_VERB, sc.MOVE_VERB, sc.REMOVE_VERB):
            assert action(card, verb)["associatedInputs"] == "auto"
            assert set(action(card, verb)["data"]) == {"month", "proposal_id"}
    used = sc.proposal_card(sample_samples.view("used by Aoife Ní Bhriain, 7 January 2027"))
    assert inputs(used) == {} and not [n for n in nodes(used) if n.get("type") == "Action.Execute"]


def test_a_previews_counts_are_written_with_thousands_separators():
    from dialogs import intake_cards

    card = intake_cards.samples()["intake_preview_annex_a"]
    facts = {f["title"]: f["value"] for n in nodes(card) if n.get("type") == "FactSet" for f in n["facts"]}
    assert facts["Cases read"] == "18,402" and facts["Rows skipped"] == "37"  # as the per-list counts are
