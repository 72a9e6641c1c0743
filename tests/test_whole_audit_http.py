"""Read the whole audit through the served app and the fake Bot Connector, on both databases: the
service lead presses it on their oversight digest's line (the page comes as its own message; the digest
stays) and on the oversight request Review opens; a long audit comes in pages each within Teams' 28 KB,
Next and Back between them, every field in full, Confirm oversight and Dispute on the last page, and
confirming from there works. Another area's service lead and the auditor are refused, and read nothing."""
from __future__ import annotations

import json

from capabilities.audit_cycle.flow import WHOLE_AUDIT_READ
from dialogs import audit_cards as ac
from dialogs import card_tree
from qa.audit_calendar import cycle_dates
from storage.models import Allocation, Audit
from tests.support import activities as act
from tests.support.escalations import chat, set_up, shown, utc

SUBMITTED = utc(2026, 12, 18, 11, 0)
# Longer than the form takes in one box, as an audit written in Welsh or pasted with long quotations
# measures in bytes: the whole audit passes 28 KB and must come in pages.
STRENGTHS = "".join(f"Strength {i}: the chronology is clear and the child's voice is heard. " for i in range(300))
IMPROVEMENTS = "".join(f"Improvement {i}: the plan needs dates and named owners. " for i in range(300))
MAX_BYTES = 28 * 1024


def buttons(card: dict) -> list[tuple[str, str, dict]]:
    return [(n.get("title"), n.get("verb"), {k: v for k, v in (n.get("data") or {}).items() if not k.startswith("_")})
            for n in card_tree.nodes(card) if n.get("type") == "Action.Execute"]


def quoted(card: dict) -> str:
    """The card's long answers, joined (each field is split into TextBlocks of 1,500 characters)."""
    return "".join(n["text"] for n in card_tree.nodes(card) if n.get("type") == "TextRun")


async def test_the_service_lead_reads_the_whole_audit_from_the_digest_line_in_pages(services, fake_connector,
                                                                                    bot_client):
    d = await set_up(services, fake_connector, bot_client, {"CR-1001": SUBMITTED}, grade="Requires Improvement")
    audit_id = (await d.one(Audit, Audit.allocation_id == d.ids["CR-1001"])).id
    async with d.db.sessions.begin() as session:
        row = await session.get(Audit, audit_id)
        row.strengths, row.improvements = STRENGTHS, IMPROVEMENTS
    cal = services.context.calendar
    digest_at = cal.at_send_time(cycle_dates(2026, 12, cal).service_lead_digest_day)
    await d.tick(digest_at)
    digest = await d.sent("service-lead-digest", "sam")
    assert ("Read the whole audit", ac.Verb.AUDIT_READ, {"audit_id": audit_id}) in buttons(digest.payload["card"])

    # Another area's service lead and the auditor: refused, nothing of the audit shown, nothing trailed.
    for key in ("cal", "ann"):
        body = await d.press(key, ac.Verb.AUDIT_READ, {"audit_id": audit_id}, "x", digest_at)
        assert "Only a service lead for the audit's service area" in shown(body)
        assert "Strength 1:" not in shown(body)
    assert await d.events(WHOLE_AUDIT_READ) == []

    before = len(d.fake.delivered(chat("sam")))
    body = await d.press("sam", ac.Verb.AUDIT_READ, {"audit_id": audit_id}, digest.activity_id, digest_at)
    assert body["value"] == "The whole audit of case CR-1001 is in our chat."
    assert not [u for u in d.fake.updates() if u.activity_id == digest.activity_id]  # the digest stays as it was
    [first] = [c for call in d.fake.delivered(chat("sam"))[before:] for c in call.cards]
    pages = [first]
    while (nxt := [b for b in buttons(pages[-1]) if b[0] == "Next"]):
        [(_, verb, data)] = nxt
        body = await d.press("sam", verb, data, "page", digest_at)
        pages.append(body["value"])
    assert len(pages) >= 2
    assert pages[0]["body"][0]["text"] == f"The whole audit: case CR-1001 (page 1 of {len(pages)})"
    for page in pages:  # each as Teams gets it (signed), within 28 KB
        signed = services.signer.sign(page)
        assert len(json.dumps(signed, ensure_ascii=False, separators=(",", ":")).encode()) < MAX_BYTES
    whole = "".join(quoted(p) for p in pages)
    assert STRENGTHS in whole and IMPROVEMENTS in whole  # every word, in full
    assert {b[1] for b in buttons(pages[-1])} >= {ac.Verb.OVERSIGHT_CONFIRM, ac.Verb.OVERSIGHT_DISPUTE}
    assert ac.Verb.OVERSIGHT_CONFIRM not in {b[1] for b in buttons(pages[0])}
    back = [b for b in buttons(pages[-1]) if b[0] == "Back"]
    assert back and back[0][2]["page_id"] == len(pages) - 1
    assert len(await d.events(WHOLE_AUDIT_READ)) == len(pages)

    body = await d.press("sam", ac.Verb.OVERSIGHT_CONFIRM, {"audit_id": audit_id, ac.OVERSIGHT_COMMENT: ""}, "page",
                         digest_at)
    assert "Oversight confirmed" in shown(body)
    assert (await d.one(Allocation, Allocation.id == d.ids["CR-1001"])).state == "oversight_confirmed"


async def test_read_from_the_oversight_request_review_opens(services, fake_connector, bot_client):
    d = await set_up(services, fake_connector, bot_client, {"CR-1001": SUBMITTED}, grade="Good")
    audit = await d.one(Audit, Audit.allocation_id == d.ids["CR-1001"])
    at = utc(2026, 12, 29, 10, 0)
    before = len(d.fake.delivered(chat("sam")))
    await d.press("sam", ac.Verb.OVERSIGHT_OPEN, {"audit_id": audit.id}, "digest", at)
    [request] = [c for call in d.fake.delivered(chat("sam"))[before:] for c in call.cards]
    [read] = [b for b in buttons(request) if b[0] == "Read the whole audit"]
    body = await d.press("sam", read[1], read[2], "request", at)
    page = body["value"]
    assert page["body"][0]["text"] == "The whole audit: case CR-1001"  # one page: short enough
    assert "Visits were on time" in shown(body) and "Plan drifted for months" in shown(body)
    assert {b[1] for b in buttons(page)} >= {ac.Verb.OVERSIGHT_CONFIRM, ac.Verb.OVERSIGHT_DISPUTE}
    # Teams sends a press from someone it was never sent to (a forwarded card): refused on the server.
    refused = await d.client.post("/api/messages", json={
        **act.card_action("paula", read[1], read[2], service_url=d.fake.url, aad="aad-paula", name="Paula Example"),
        "replyToId": "request"})
    assert "Visits were on time" not in await refused.text()
    body = await d.press("sam", ac.Verb.OVERSIGHT_DISPUTE, {"audit_id": audit.id, ac.DISPUTE_REASON: "Grade too high"},
                         "page", at)
    assert "Disputed" in shown(body)
