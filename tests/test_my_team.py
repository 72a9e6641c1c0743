"""`my team` for practice managers (framework 9.3: managers get "detailed feedback about the judgements made
regarding their teams") over HTTP on both databases: their team's audits this quarter once oversight is
confirmed, in the audit's words, and their team's open remedial actions; another team's manager sees none of
it, an audit before oversight only as a count, and anyone not a practice manager is told whom it is for."""
from __future__ import annotations

import json

from capabilities.audit_cycle.team import this_quarter
from dialogs.remedial_cards import RESPONSIBLE, TARGET, TEXT, Verb
from storage.models import RemedialAction, RemedialPlan
from tests.support.escalations import confirm_oversight, set_up, utc


def all_text(card: dict) -> str:
    return json.dumps(card, ensure_ascii=False)


def test_this_quarter():
    assert this_quarter(2026, 11) == ("2026-10", "2026-11", "2026-12")
    assert this_quarter(2027, 1) == ("2027-01", "2027-02", "2027-03")


async def test_a_practice_manager_sees_their_teams_audits_after_oversight_and_open_actions(
        services, fake_connector, bot_client):
    d = await set_up(services, fake_connector, bot_client, {"CR-1001": utc(2026, 12, 14, 9),
                                                            "CR-1002": utc(2026, 12, 15, 9)})
    await confirm_oversight(d, "CR-1001", utc(2026, 12, 21, 10))  # CR-1002 still awaits oversight
    await d.tick(utc(2026, 12, 21, 10, 15))
    [plan] = await d.all(RemedialPlan)
    await d.press("hana", Verb.ADD, {"plan_id": plan.id, TEXT: "Plan reviewed with the family network",
                                     TARGET: "2026-12-24", RESPONSIBLE: str(d.ids["pat"])}, "x", utc(2026, 12, 21, 11))

    shown = all_text(await d.say("pam", "my team", utc(2026, 12, 22, 10)))
    for words in ("Your team: Team Alpha", "Audits, Oct\u2013Dec 2026", "CR-1001", "Requires Improvement",
                  "December 2026", "Pat Example", "audited by Ann Example", "Visits were on time",
                  "Plan drifted for months", "1 more audit is still in progress or awaiting oversight",
                  "Open remedial actions", "Plan reviewed with the family network", "By Thursday 24 December 2026"):
        assert words in shown, words
    assert "CR-1002" not in shown  # before oversight: counted, not described

    # Another team's manager sees nothing of Team Alpha's.
    other = all_text(await d.say("ann", "my team", utc(2026, 12, 22, 10)))
    assert "Your team: Team Gamma" in other and "CR-1001" not in other and "Plan reviewed" not in other
    # Not a practice manager: one sentence saying whom it is for, nothing read.
    for key in ("pat", "sam", "quinn"):
        assert "practice manager" in (await d.told(key, "my team", utc(2026, 12, 22, 10))).lower(), key

    # Done, the action leaves the list; past its day, an open one is marked overdue.
    [action] = await d.all(RemedialAction)
    await d.press("pat", Verb.DONE, {"action_id": action.id}, "x", utc(2026, 12, 23, 10))
    assert "None: every remedial action on your team's cases is done" in all_text(
        await d.say("pam", "my team", utc(2026, 12, 23, 11)))
