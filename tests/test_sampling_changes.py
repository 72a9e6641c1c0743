"""Changing a proposed sample (framework 9.3, qa/sampling.py): a swap takes the next eligible case of
the same list and service area for the same auditor, a move goes only to an auditor who may audit the
case and has room, a removal never leaves an auditor under the month's minimum nor drops a re-audit, and
a fresh draw keeps the rules. Whatever a change would break is named, and nothing is changed."""
from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from qa.framework import Role
from qa.sampling import (
    Auditor,
    Case,
    Owed,
    Pick,
    Refused,
    Rules,
    check_move,
    check_remove,
    propose,
    redraw,
    replacement,
    still_unmet,
    why_not_auditor,
)
from tests.support.sampling_orgs import MONTH, organisations

PM_A = Auditor(1, "PM Alpha", Role.PRACTICE_MANAGER, "Alpha", ("North",))
PM_B = Auditor(2, "PM Beta", Role.PRACTICE_MANAGER, "Beta", ("North",))
PM_C = Auditor(3, "PM Gamma", Role.PRACTICE_MANAGER, "Gamma", ("South",))
WORKER = Auditor(9, "SW Alpha", Role.PRACTITIONER, "Alpha", ("North",))
PEOPLE = (PM_A, PM_B, PM_C, WORKER)


def case(n: int, team: str = "Alpha", area: str = "North", listed: str = "List 6", holder: int | None = 9,
         manager: int | None = 1) -> Case:
    return Case(f"CR-{n}", listed, team, area, holder, manager)


def test_a_move_goes_only_where_the_rules_allow():
    picks = [Pick(case(1), 2), Pick(case(2, "Beta", manager=2), 1), Pick(case(3, "Gamma", "South", manager=3), 2)]
    moved = check_move(picks, "cr-1", 3, PEOPLE)  # references are matched without regard to case
    assert moved == Pick(case(1), 3)
    line = check_move(picks, "CR-1", 1, PEOPLE)  # PM Alpha manages CR-1's case holder
    assert isinstance(line, Refused) and line.rule.startswith("PM Alpha ") and "may not audit CR-1" in line.rule
    assert "is not someone who audits" in check_move(picks, "CR-1", 9, PEOPLE).rule
    assert "in an auditing role: practice manager)" in check_move(picks, "CR-1", 9, PEOPLE).rule  # words, not ids
    assert "is PM Beta's already" in check_move(picks, "CR-1", 2, PEOPLE).rule
    assert "is not in this sample" in check_move(picks, "CR-404", 3, PEOPLE).rule
    assert "Zephyrine" not in check_move(picks, "Zephyrine", 3, PEOPLE).rule  # what was typed is not repeated
    # PM Alpha has one case: moving it away leaves them none (the month's minimum).
    alone = [Pick(case(2, "Beta", manager=2), 1), Pick(case(4, "Gamma", "South", manager=3), 2)]
    refused = check_move(alone, "CR-2", 3, PEOPLE)
    assert isinstance(refused, Refused) and "PM Alpha would have 0 cases" in refused.rule
    # The maximum: PM Gamma at two already.
    full = picks + [Pick(case(5, "Beta", manager=2), 3), Pick(case(6, "Beta", manager=2), 3)]
    refused = check_move(full, "CR-1", 3, PEOPLE)
    assert isinstance(refused, Refused) and "more than the 2" in refused.rule


def test_a_removal_keeps_the_minimum_and_the_reaudits():
    picks = [Pick(case(1), 2), Pick(case(7), 2), Pick(case(2, "Beta", manager=2), 1),
             Pick(case(8, "Beta", manager=2), 3, reaudit=True)]
    assert check_remove(picks, "CR-1", PEOPLE) == Pick(case(1), 2)
    assert "fewer than the 1 every auditor" in check_remove(picks, "CR-2", PEOPLE).rule
    assert "re-audit an escalation owes" in check_remove(picks, "CR-8", PEOPLE).rule
    # With a minimum of none, any drawn case may go.
    assert check_remove(picks, "CR-2", PEOPLE, Rules(per_auditor=0)) == Pick(case(2, "Beta", manager=2), 1)


def test_a_swap_takes_the_next_eligible_case_of_the_same_list_and_area():
    picks = [Pick(case(1), 2), Pick(case(2, "Beta", manager=2), 1)]
    spares = [case(20, listed="List 7"), case(21, "Beta", manager=2), case(22, "Gamma", "South"), case(23), case(24)]
    # CR-21 is PM Beta's own team; CR-20 another list; CR-22 another area: CR-23 is next.
    assert replacement(picks, "CR-1", spares, PEOPLE) == (Pick(case(1), 2), case(23))
    none_left = replacement(picks, "CR-1", spares[:3], PEOPLE)
    assert isinstance(none_left, Refused) and "no other eligible case on List 6 in North that PM Beta may audit" in none_left.rule
    reaudit = [Pick(case(1), 2, reaudit=True)]
    assert "cannot be swapped" in replacement(reaudit, "CR-1", spares, PEOPLE).rule


@settings(max_examples=40, deadline=None)
@given(organisations(min_teams=2), st.integers(0, 2**32), st.data())
def test_changes_the_rules_allow_keep_every_rule(org, seed, data):
    cases, auditors, audited = org
    rules = Rules()
    proposal = propose(MONTH, cases, auditors, seed=seed, audited=audited)
    picks = list(proposal.picks)
    by_id = {a.person_id: a for a in auditors}
    before = Counter(p.auditor_id for p in picks)
    if not picks:
        return
    target = data.draw(st.sampled_from(picks)).case.case_ref
    who = data.draw(st.sampled_from(auditors)).person_id
    moved = check_move(picks, target, who, auditors, rules)
    if not isinstance(moved, Refused):
        after = [moved if p.case.case_ref == target else p for p in picks]
        counts = Counter(p.auditor_id for p in after)
        assert why_not_auditor(by_id[who], moved.case, rules) is None
        assert counts[who] <= rules.max_per_auditor
        assert all(counts[a] >= rules.per_auditor for a in before if a is not None)
    removed = check_remove(picks, target, auditors, rules)
    if not isinstance(removed, Refused):
        counts = Counter(p.auditor_id for p in picks if p.case.case_ref != target)
        assert all(counts[a] >= rules.per_auditor for a in before if a is not None) and not removed.reaudit
    swapped = replacement(picks, target, proposal.spares, auditors, rules)
    if not isinstance(swapped, Refused):
        old, new = swapped
        assert new.case_ref not in {p.case.case_ref for p in picks}
        assert (new.annex_a_list, new.service_area) == (old.case.annex_a_list, old.case.service_area)
        assert old.auditor_id is None or why_not_auditor(by_id[old.auditor_id], new, rules) is None
    # The spares are eligible and never in the sample.
    assert not {c.case_ref for c in proposal.spares} & {p.case.case_ref for p in picks}


@settings(max_examples=30, deadline=None)
@given(organisations(min_teams=2), st.integers(0, 2**32), st.integers(0, 2**32))
def test_a_fresh_draw_keeps_the_reaudits_and_draws_from_the_same_cases(org, seed, again):
    cases, auditors, audited = org
    owed = [Owed(cases[0], None)] if cases else []
    first = propose(MONTH, cases, auditors, seed=seed, audited=audited, owed=owed)
    pool = {p.case.case_ref for p in first.picks} | {c.case_ref for c in first.spares}
    second = redraw(MONTH, first.picks, first.spares, auditors, seed=again, theme="Neglect")
    assert second.theme == "Neglect" and second.seed == again
    assert {p.case.case_ref for p in second.picks} <= pool
    assert [p.case.case_ref for p in second.picks if p.reaudit] == [p.case.case_ref for p in first.picks if p.reaudit]
    assert second == redraw(MONTH, first.picks, first.spares, auditors, seed=again, theme="Neglect")
    by_id = {a.person_id: a for a in auditors}
    for p in second.picks:
        if p.auditor_id is not None and not p.reaudit:
            assert why_not_auditor(by_id[p.auditor_id], p.case, Rules()) is None


def test_what_cannot_be_satisfied_is_worked_out_again_after_a_change():
    drawn = ["20 cases were wanted but only 3 are eligible", "PM Gamma has no case: none left that they may audit"]
    picks = [Pick(case(1), 2), Pick(case(2, "Beta", manager=2), 1), Pick(case(3, "Beta", manager=2), 3),
             Pick(case(4), None, reaudit=True)]
    assert still_unmet(drawn, picks, PEOPLE) == ["20 cases were wanted but only 3 are eligible",
                                                 "re-audit CR-4 has no eligible auditor left"]
    assert still_unmet(drawn, picks[:2], PEOPLE)[-1] == "PM Gamma has no case: none left that they may audit"
    assert still_unmet([], picks[:2], PEOPLE, Rules(per_auditor=2, max_per_auditor=2))[0] == \
        "PM Alpha has only 1 of the 2 cases each auditor audits"
