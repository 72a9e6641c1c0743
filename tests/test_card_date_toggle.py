"""A date on its own in a card's free text is questioned, with a way to keep it when it is the day of a
visit or meeting (qa.identifiers.card_press, dialogs/date_toggle.py, bot/card_actions.py): the re-shown form
keeps what was typed and gains the toggle; sent with it on, the date is kept; a date of birth next to
"DOB", a postcode, an address or an NHS number are still refused."""
from __future__ import annotations

import json

import pytest

from capabilities.catalogue import registry
from dialogs import card_tree
from dialogs.alert_cards import CASE_REF, CATEGORY, DESCRIPTION, TEAM, Verb
from dialogs.date_toggle import with_date_toggle, without_toggle
from dialogs.samples import sample_cards
from qa.identifiers import (
    DATE_KEPT_INPUT,
    DATE_KEPT_TOGGLE,
    KEEP_WITH_TOGGLE,
    KEEP_WITHOUT_YEAR,
    card_press,
    first_refusal,
    screen,
)
from storage.models import Alert
from tests.support.card_validator import MAX_CARD_BYTES, run_validator
from tests.support.escalations import set_up, shown, utc

VISIT = "Home visit on 12/03/2025 went ahead as planned"
BORN = "Child born 12/03/2015, seen at home"
RAISED = utc(2026, 12, 21, 10)


def test_screening_in_a_card_press_offers_the_toggle_and_keeps_the_date_when_it_is_on():
    with card_press(False) as press:
        found = screen("The note", VISIT)
    assert found is not None and found.questioned and KEEP_WITH_TOGGLE in found.message and press.questioned
    with card_press(True) as press:
        assert screen("The note", VISIT) is None and first_refusal({"The note": VISIT}) is None
        for text, kind in ((BORN, "a date of birth"), ("DOB: 12/03/2015", "a date of birth"),
                           ("Seen at SW1A 1AA", "a postcode"), ("Seen at 14 Elm Road", "a street address"),
                           ("NHS 943 476 5919", "an NHS number")):
            found = screen("The note", text)
            assert found is not None and not found.questioned and kind in found.message, text
    assert not press.questioned
    # Outside a press (a dialog, a file): as before.
    assert KEEP_WITHOUT_YEAR in screen("The note", VISIT).message


def send_buttons(card: dict) -> list[dict]:
    return [a for kind in ("Action.Execute", "Action.Submit") for a in card_tree.actions(card, kind)]


def free_text_forms() -> dict[str, tuple[dict, dict]]:
    """Every registered sample card that takes free text and sends it with a registered verb: the card and
    what a person sends from it (a date on its own in every text box)."""
    verbs = set(registry().verbs)
    found = {}
    for name, card in sample_cards().items():
        boxes = [e["id"] for e in card_tree.nodes(card) if e.get("type") == "Input.Text"]
        sent_with = {(a.get("verb") or (a.get("data") or {}).get("verb")) for a in send_buttons(card)}
        if boxes and sent_with & verbs:
            found[name] = (card, {box: f"{VISIT} ({box})" for box in boxes})
    return found


FORMS = free_text_forms()


def test_there_are_free_text_forms_to_check():
    assert len(FORMS) >= 10, sorted(FORMS)


@pytest.mark.parametrize("name", sorted(FORMS))
def test_every_free_text_form_re_shown_keeps_the_text_and_gains_one_toggle(name):
    card, sent = FORMS[name]
    shown_again = with_date_toggle(card, sent)
    assert shown_again is not None
    toggles = [e for e in card_tree.nodes(shown_again) if e.get("id") == DATE_KEPT_INPUT]
    assert len(toggles) == 1 and toggles[0]["title"] == DATE_KEPT_TOGGLE and toggles[0]["type"] == "Input.Toggle"
    values = {e["id"]: e.get("value") for e in card_tree.nodes(shown_again)
              if e.get("id") in sent and str(e.get("type", "")).startswith("Input.")}
    assert values == sent
    assert with_date_toggle(shown_again, sent) is not None  # asked twice: still one toggle
    assert len([e for e in card_tree.nodes(with_date_toggle(shown_again, sent))
                if e.get("id") == DATE_KEPT_INPUT]) == 1
    assert len(json.dumps(shown_again, ensure_ascii=False, separators=(",", ":")).encode()) < MAX_CARD_BYTES


def test_every_re_shown_form_is_a_valid_card():
    cards = [{"name": name, "card": with_date_toggle(card, sent)} for name, (card, sent) in FORMS.items()]
    rc, report, stderr = run_validator(cards)
    assert report is not None, stderr
    assert {c["name"]: c["problems"] for c in report["cards"] if c["problems"]} == {}


def test_an_answer_that_is_not_the_form_says_to_drop_the_year():
    message = {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": f"If it is a visit, {KEEP_WITH_TOGGLE}."}]}
    assert with_date_toggle(message, {"note": VISIT}) is None
    assert KEEP_WITHOUT_YEAR in without_toggle(message)["body"][0]["text"]


# ---------------------------------------------------------------- over Teams: the practice alert form


@pytest.fixture
async def desk(services, fake_connector, bot_client):
    return await set_up(services, fake_connector, bot_client, {})


def alert(description: str, **more) -> dict:
    return {CASE_REF: "CR-9001", TEAM: "Team Alpha", CATEGORY: "Drift or delay", DESCRIPTION: description, **more}


def card_of(body: dict) -> dict:
    return body["value"]


async def test_a_date_is_questioned_then_kept_with_the_toggle_and_a_dob_still_refused(desk):
    d = desk
    body = await d.press("ira", Verb.RAISE, alert(VISIT), "form", RAISED)
    assert "If it is a date of birth, please remove it" in shown(body) and DATE_KEPT_TOGGLE in shown(body)
    form = card_of(body)
    boxes = {e.get("id"): e for e in card_tree.elements(form)}
    assert boxes[DESCRIPTION]["value"] == VISIT and boxes[DATE_KEPT_INPUT]["type"] == "Input.Toggle"
    assert await d.all(Alert) == []

    body = await d.press("ira", Verb.RAISE, alert(BORN, **{DATE_KEPT_INPUT: "true"}), "form", RAISED)
    assert "a date of birth" in shown(body) and await d.all(Alert) == []
    body = await d.press("ira", Verb.RAISE, alert("Seen at 14 Elm Road on 12/03/2025", **{DATE_KEPT_INPUT: "true"}),
                         "form", RAISED)
    assert "a street address" in shown(body) and await d.all(Alert) == []
    body = await d.press("ira", Verb.RAISE, alert(VISIT, **{DATE_KEPT_INPUT: "false"}), "form", RAISED)
    assert DATE_KEPT_TOGGLE in shown(body) and await d.all(Alert) == []

    body = await d.press("ira", Verb.RAISE, alert(VISIT, **{DATE_KEPT_INPUT: "true"}), "form", RAISED)
    assert "Alert raised: case CR-9001" in shown(body)
    [raised] = await d.all(Alert)
    assert raised.description == VISIT
