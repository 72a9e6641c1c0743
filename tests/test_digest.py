"""Digests: several notices to one person as one message (pure, plus Microsoft's card parser)."""
import pytest

from dialogs.digest import CARD_CONTENT_TYPE, MAX_ACTIVITY_BYTES, activity_bytes, digest_activities, digest_activity
from tests.support.card_validator import card_problems  # Microsoft's parser: tools/validate-cards.js


def notice(n: int, *, inputs: bool = False, filler: int = 0) -> dict:
    body = [{"type": "TextBlock", "text": f"Audit {n} of case CD-{n:05d} is due", "weight": "Bolder", "wrap": True},
            {"type": "FactSet", "facts": [{"title": "Due", "value": "Thursday 24 December 2026"}]}]
    if filler:
        body.append({"type": "TextBlock", "text": "x" * filler, "wrap": True})
    if inputs:
        body.append({"type": "Input.Text", "id": "reason", "label": "Reason", "maxLength": 500})
    actions = [{"type": "Action.Execute", "title": "Start", "verb": "audit.start", "data": {"allocation_id": n},
                "associatedInputs": "none"},
               {"type": "Action.ShowCard", "title": "Decline", "card": {
                   "type": "AdaptiveCard",
                   "body": [{"type": "Input.Text", "id": f"decline_reason_{n}", "label": "Why", "maxLength": 500}],
                   "actions": [{"type": "Action.Execute", "title": "Send", "verb": "allocation.decline",
                                "data": {"allocation_id": n}, "associatedInputs": "auto"}]}}]
    card = {"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": "1.5", "body": body, "actions": actions}
    return {"text": f"Audit {n} is due", "card": card, "summary": f"Audit {n} due 24 December"}


def only_card(activity: dict) -> dict:
    (attachment,) = activity["attachments"]
    assert attachment["contentType"] == CARD_CONTENT_TYPE
    return attachment["content"]


def test_one_notice_is_its_own_card():
    payload = notice(1)
    activity = digest_activity([payload])
    assert activity["type"] == "message"
    card = only_card(activity)
    assert card["body"] == payload["card"]["body"] and card["actions"] == payload["card"]["actions"]
    assert activity["summary"] == card["fallbackText"] == "Audit 1 is due"


def test_several_notices_become_one_card_with_a_section_each():
    payloads = [notice(1), notice(2), notice(3)]
    activity = digest_activity(payloads)
    card = only_card(activity)
    assert card["version"] == "1.5" and "actions" not in card
    heading, *sections = card["body"]
    assert heading["text"] == "You have 3 updates"
    assert len(sections) == 3
    for payload, section in zip(payloads, sections, strict=True):
        assert section["type"] == "Container" and section["separator"] is True
        *body, action_set = section["items"]
        assert body == payload["card"]["body"]
        assert action_set == {"type": "ActionSet", "actions": payload["card"]["actions"]}
    assert activity["summary"].startswith("You have 3 updates: Audit 1 due 24 December; Audit 2")
    assert card_problems([card]) == [[]]


def test_text_only_notices_join_a_digest_as_text():
    activity = digest_activity([{"text": "Supervision is due this week", "card": None, "summary": "Supervision"},
                                notice(7)])
    first = only_card(activity)["body"][1]
    assert first["items"] == [{"type": "TextBlock", "text": "Supervision is due this week", "wrap": True}]
    assert digest_activity([{"text": "Just text", "card": None}]) == {"type": "message", "text": "Just text"}


def test_a_digest_stays_under_28_kb_by_splitting_in_order():
    payloads = [notice(n, filler=3000) for n in range(1, 31)]  # ~3.6 KB each, ~110 KB in all
    messages = digest_activities(payloads)
    assert len(messages) > 1
    assert [i for _, indexes in messages for i in indexes] == list(range(30))  # each once, in order
    for activity, indexes in messages:
        assert activity_bytes(activity) <= MAX_ACTIVITY_BYTES
        if len(indexes) > 1:
            assert only_card(activity)["body"][0]["text"] == f"You have {len(indexes)} updates"
    # Greedy: a message plus the next notice would have passed the limit.
    first, rest = messages[0][1], messages[1][1]
    assert activity_bytes(digest_activity([payloads[i] for i in first + rest[:1]])) > MAX_ACTIVITY_BYTES
    assert card_problems([only_card(a) for a, _ in messages]) == [[]] * len(messages)


def test_small_notices_all_fit_one_message():
    messages = digest_activities([notice(n) for n in range(1, 11)])
    assert [indexes for _, indexes in messages] == [list(range(10))]


def test_cards_that_cannot_merge_go_alone_in_order():
    with_inputs = notice(2, inputs=True)  # top-level input: another section's button would validate it
    refreshing = {**notice(3), "card": {**notice(3)["card"], "refresh": {"action": {"type": "Action.Execute"}}}}
    marked = {**notice(4), "alone": True}
    messages = digest_activities([notice(1), with_inputs, refreshing, marked, notice(5), notice(6)])
    assert [indexes for _, indexes in messages] == [[0], [1], [2], [3], [4, 5]]


def test_colliding_input_ids_start_a_new_message():
    a, b = notice(1), notice(1)  # same decline_reason_1 input id in both
    b["summary"] = "again"
    messages = digest_activities([a, b, notice(2)])
    assert [indexes for _, indexes in messages] == [[0], [1, 2]]
    assert card_problems([only_card(m) for m, _ in messages]) == [[], []]


@pytest.mark.parametrize("bad", [[], [None], [{"text": "x", "card": {"type": "HeroCard"}}], [{"card": None}]])
def test_bad_payloads_are_refused(bad):
    with pytest.raises(ValueError):
        digest_activity(bad)
    if bad:
        with pytest.raises(ValueError):
            digest_activities(bad)


def test_nothing_to_send_is_no_message():
    assert digest_activities([]) == []
