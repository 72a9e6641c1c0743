"""The draft shared with the case holder for a factual check before submitting (framework 9.3, "working
alongside the case holder"), through the served app on both databases: offered only when the council sets
QA_CASE_HOLDER_DRAFT_CHECK; the auditor shares the saved draft, the case holder comments (screened for
identifiers), the auditor sees the comment, and the audit's judgement is unchanged. One trail row each."""
from __future__ import annotations

import pytest
from sqlalchemy import update

from capabilities.audit_cycle import config, draft_check
from capabilities.registry import ConfigurationError
from dialogs import case_holder_cards as ch
from dialogs.audit_cards import Verb
from storage.models import Allocation, Audit
from tests.support.cards import buttons, form, put_cards
from tests.support.escalations import chat, set_up, shown, utc

AT = utc(2026, 12, 15, 10)  # Tuesday 15 December 2026


def test_the_setting_is_yes_or_no_and_off_unless_set():
    assert config.from_env({}).draft_check is False
    assert config.from_env({config.DRAFT_CHECK_ENV: " Yes "}).draft_check is True
    assert config.from_env({config.DRAFT_CHECK_ENV: "off"}).draft_check is False
    with pytest.raises(ConfigurationError, match="QA_CASE_HOLDER_DRAFT_CHECK must be yes or no, not 'maybe'"):
        config.from_env({config.DRAFT_CHECK_ENV: "maybe"})


@pytest.fixture
async def desk(services, fake_connector, bot_client):
    """Ann's audit of Pat's case CR-1001, a draft not yet submitted."""
    d = await set_up(services, fake_connector, bot_client, {"CR-1001": utc(2026, 12, 14, 9)}, grade="Good")
    async with d.db.sessions.begin() as session:
        await session.execute(update(Allocation).where(Allocation.id == d.ids["CR-1001"])
                              .values(state="started", submitted_at=None))
        await session.execute(update(Audit).where(Audit.allocation_id == d.ids["CR-1001"])
                              .values(submitted_at=None, submitted_by_id=None))
    return d


def offered(monkeypatch, yes: bool) -> None:
    monkeypatch.setattr(config, "settings", lambda: config.AuditCycleSettings(draft_check=yes))


async def test_not_offered_unless_the_council_says_so(desk, monkeypatch):
    d = desk
    allocation_id = d.ids["CR-1001"]
    offered(monkeypatch, False)
    saved = await d.press("ann", Verb.AUDIT_SAVE_DRAFT, form(allocation_id), "form-1", AT)
    assert not [b for b in buttons(saved["value"]) if b[1] == ch.Verb.DRAFT_SHARE]
    body = await d.press("ann", ch.Verb.DRAFT_SHARE, {"allocation_id": allocation_id}, "form-1", AT)
    assert "not offered by this council" in shown(body)
    assert await d.events(draft_check.DRAFT_SHARED) == []


async def test_shared_commented_and_the_judgement_unchanged(desk, monkeypatch):
    d = desk
    allocation_id = d.ids["CR-1001"]
    offered(monkeypatch, True)
    saved = await d.press("ann", Verb.AUDIT_SAVE_DRAFT, form(allocation_id, **{"strengths": "Warm, steady direct work"}),
                          "form-1", AT)
    share = ("Share with Pat Example for a factual check", ch.Verb.DRAFT_SHARE, {"allocation_id": allocation_id})
    assert share in buttons(saved["value"])

    # Only the auditor (or the QA unit) shares.
    for who in ("pat", "pam", "sam"):
        body = await d.press(who, ch.Verb.DRAFT_SHARE, {"allocation_id": allocation_id}, "x", AT)
        assert "Only the auditor allocated this case" in shown(body), who
    body = await d.press("ann", ch.Verb.DRAFT_SHARE, {"allocation_id": allocation_id}, "form-1", AT)
    assert "Draft shared with Pat Example for a factual check" in shown(body)
    await d.tick(utc(2026, 12, 15, 10, 1))
    [message] = [m for m in d.fake.delivered(chat("pat")) if "a factual check" in m.all_text()]
    seen = message.all_text()
    assert "Draft audit of your case CR-1001: a factual check" in seen and "Warm, steady direct work" in seen
    assert "your comment does not change it" in seen
    audit_id = (await d.one(Audit, Audit.allocation_id == allocation_id)).id
    assert ("Send my comment", ch.Verb.DRAFT_COMMENT, {"audit_id": audit_id}) in buttons(message.cards[0])
    pat_copy = (await d.sent("draft-check", "pat")).activity_id

    # Only the case holder comments; identifiers are refused like every other free text.
    body = await d.press("pam", ch.Verb.DRAFT_COMMENT, {"audit_id": audit_id, ch.COMMENT: "Fine"}, "x", AT)
    assert "Only the case holder the draft was shared with" in shown(body)
    body = await d.press("pat", ch.Verb.DRAFT_COMMENT, {"audit_id": audit_id, ch.COMMENT: "They live at SW1A 1AA"},
                         pat_copy, AT)
    assert "postcode" in shown(body)
    body = await d.press("pat", ch.Verb.DRAFT_COMMENT, {"audit_id": audit_id, ch.COMMENT: "  "}, pat_copy, AT)
    assert "Please write your comment" in shown(body)
    comment = "The second visit was joint with the school nurse, not alone."
    body = await d.press("pat", ch.Verb.DRAFT_COMMENT, {"audit_id": audit_id, ch.COMMENT: comment}, pat_copy,
                         utc(2026, 12, 15, 11))
    assert "Your comment" in shown(body) and buttons(body["value"]) == []
    assert put_cards(d.fake, pat_copy) == [body["value"]]
    again = await d.press("pat", ch.Verb.DRAFT_COMMENT, {"audit_id": audit_id, ch.COMMENT: "More"}, pat_copy,
                          utc(2026, 12, 15, 11, 5))
    assert comment in shown(again) and "More" not in shown(again) and buttons(again["value"]) == []  # as it stands
    await d.tick(utc(2026, 12, 15, 11, 15))
    to_ann = d.fake.delivered(chat("ann"))[-1].all_text()
    assert "Factual check: case CR-1001" in to_ann and comment in to_ann and "Your judgement is yours" in to_ann

    # The judgement is the auditor's: nothing of it changed.
    audit = await d.one(Audit, Audit.allocation_id == allocation_id)
    assert (audit.overall_grade, audit.strengths, audit.case_holder_comment) == (
        "Good", "Warm, steady direct work", comment)
    [shared] = await d.events(draft_check.DRAFT_SHARED)
    [commented] = await d.events(draft_check.DRAFT_COMMENTED)
    assert shared.actor_id == d.ids["ann"] and shared.detail == {"again": False, "grade": "Good"}
    assert commented.actor_id == d.ids["pat"] and commented.detail == {"length": len(comment), "told": True}

    # Submitted, the draft can be neither shared nor commented on.
    submitted = await d.press("ann", Verb.AUDIT_SUBMIT, form(allocation_id), "form-1", utc(2026, 12, 15, 14))
    assert "Audit submitted" in shown(submitted)
    body = await d.press("ann", ch.Verb.DRAFT_SHARE, {"allocation_id": allocation_id}, "x", utc(2026, 12, 15, 15))
    assert "has been submitted" in shown(body)
