"""The reports' cards and the outbox payload that carries a file consent card (pure)."""
from __future__ import annotations

import pytest

from dialogs import digest, payload
from dialogs import report_cards as rc
from dialogs.samples import report_card_samples, report_view


def test_the_analysis_card_is_a_compact_table_under_28_kb():
    card = report_card_samples()["report_card_whole_service"]
    assert digest.activity_bytes(digest.digest_activity([{"card": card, "summary": "x"}])) < digest.MAX_ACTIVITY_BYTES
    tables = [e for e in card["body"] if e["type"] == "Table"]
    assert len(tables) == 3  # headline figures, by service area, what later sections add
    assert len(tables[0]["rows"]) == 1 + len(report_view().lines)
    assert all(len(row["cells"]) == 6 for row in tables[0]["rows"])


def test_a_payload_with_a_file_consent_card_goes_alone_with_it_after_the_card():
    consent = rc.file_consent_attachment("audit-analysis-2026-11.xlsx", "Monthly audit analysis", 12_345,
                                         {"offer": "report", "report": "monthly", "period": "2026-11"})
    assert consent["content"]["acceptContext"] == consent["content"]["declineContext"]
    offer = {"card": rc.file_offer_card("Audit register", "6,000 allocations"), "summary": "Audit register",
             "attachments": [consent]}
    notice = {"card": rc.report_refused_card("Something else"), "summary": "Something else"}
    sent = digest.digest_activities([notice, offer, notice])
    assert [indexes for _, indexes in sent] == [[0], [1], [2]]
    activity = sent[1][0]
    assert [a["contentType"] for a in activity["attachments"]] == [digest.CARD_CONTENT_TYPE, rc.FILE_CONSENT]
    with pytest.raises(ValueError):
        payload.check_payload({**offer, "attachments": [{"name": "no content type"}]})


def test_each_trend_is_coloured_by_whether_its_move_is_good():
    # More Inadequate grades or more late audits is an arrow up, and not good news: red, not green.
    card = report_card_samples()["report_card_whole_service"]
    headline = next(e for e in card["body"] if e["type"] == "Table")
    trends = {row["cells"][0]["items"][0]["text"]: row["cells"][-1]["items"][0] for row in headline["rows"][1:]}
    worse = [f for f, cell in trends.items() if cell["text"].endswith("worse")]
    better = [f for f, cell in trends.items() if cell["text"].endswith("better")]
    assert worse and better
    assert all(trends[f].get("color") == "Attention" for f in worse)
    assert all(trends[f].get("color") == "Good" for f in better)
    assert all("color" not in cell for cell in trends.values() if not cell["text"].endswith(("worse", "better")))
    assert trends["Late"]["text"] == "\u2193 better" and trends["Not yet submitted"]["text"] == "\u2191 worse"
