"""The month's audit sample (framework 9.3, qa/sampling.py) over generated organisations: every
manager covered when it can be, no case audited within twelve months, no closed case, no auditor in
the case's own line, proportions within one case of exact, the same seed the same proposal, and
what cannot be done reported rather than broken."""
from __future__ import annotations

from collections import Counter
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from qa.framework import Role
from qa.sampling import Auditor, Case, Owed, Rules, Separation, months_between, propose, shares, why_not_auditor
from tests.support.sampling_orgs import LISTS, MONTH, organisations


def _eligible_pool(cases, audited, rules=Rules()):
    return [c for c in cases if c.closed_on is None
            and not (c.case_ref in audited and months_between(audited[c.case_ref], MONTH) <= rules.lookback_months)]


def _everyone_can_have_one(managers, pool, rules) -> bool:
    """Whether each manager can have a different eligible case (a plain augmenting-path matching,
    written apart from the rule's own)."""
    owner: dict[str, int] = {}

    def take(m, seen):
        for c in pool:
            if c.case_ref in seen or why_not_auditor(m, c, rules) is not None:
                continue
            seen.add(c.case_ref)
            if c.case_ref not in owner or take(by_id[owner[c.case_ref]], seen):
                owner[c.case_ref] = m.person_id
                return True
        return False

    by_id = {m.person_id: m for m in managers}
    return all(take(m, set()) for m in managers)


@settings(max_examples=60, deadline=None)
@given(organisations(), st.integers(0, 2**32))
def test_rules_hold_over_generated_organisations(org, seed):
    cases, auditors, audited = org
    rules = Rules()
    proposal = propose(MONTH, cases, auditors, seed=seed, rules=rules, audited=audited, today=date(2026, 12, 7))
    by_case = {c.case_ref: c for c in cases}
    managers = [a for a in auditors if a.role == Role.PRACTICE_MANAGER]
    people = {a.person_id: a for a in auditors}
    counts = proposal.per_auditor()
    for pick in proposal.picks:
        case = by_case[pick.case.case_ref]
        assert case.closed_on is None
        if case.case_ref in audited:
            assert months_between(audited[case.case_ref], MONTH) > 12
        assert pick.auditor_id is not None
        auditor = people[pick.auditor_id]
        assert auditor.role == Role.PRACTICE_MANAGER
        assert why_not_auditor(auditor, case, rules) is None
        assert auditor.team != case.team and auditor.person_id != case.line_manager_id
    assert len({p.case.case_ref for p in proposal.picks}) == len(proposal.picks)
    assert all(n <= rules.max_per_auditor for n in counts.values())
    pool = _eligible_pool(cases, audited)
    # Every manager covered whenever another team's eligible case exists for each: with at least two
    # teams per area and enough cases, that is when the pool is big enough.
    if _everyone_can_have_one(managers, pool, rules):
        assert all(counts[m.person_id] == 1 for m in managers), proposal.unmet
    if not proposal.unmet:  # every stratum (list, area) within one case of its exact share
        strata = Counter((c.annex_a_list, c.service_area) for c in pool)
        drawn = Counter((p.case.annex_a_list, p.case.service_area) for p in proposal.picks)
        for key, n in strata.items():
            assert abs(drawn[key] - len(proposal.picks) * n / len(pool)) < 1
    for m in managers:
        if counts[m.person_id] == 0:
            assert any(m.name in line for line in proposal.unmet)


@settings(max_examples=60, deadline=None)
@given(organisations(), st.integers(0, 2**32))
def test_same_input_and_seed_same_proposal_whatever_the_row_order(org, seed):
    cases, auditors, audited = org
    one = propose(MONTH, cases, auditors, seed=seed, audited=audited)
    two = propose(MONTH, list(reversed(cases)), list(reversed(auditors)), seed=seed, audited=audited)
    assert one.picks == two.picks and one.unmet == two.unmet


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.tuples(st.sampled_from(LISTS), st.sampled_from(("A", "B", "C"))), st.integers(0, 500),
                       min_size=1), st.integers(0, 400))
def test_shares_are_within_one_case_of_exact(sizes, total):
    got = shares(sizes, total)
    whole = sum(sizes.values())
    assert sum(got.values()) == min(total, whole)
    for key, n in sizes.items():
        assert got[key] <= n
        if whole:
            assert abs(got[key] - min(total, whole) * n / whole) < 1


def test_the_drawn_sample_is_stratified_by_list_and_area():
    auditors = [Auditor(i, f"M{i}", Role.PRACTICE_MANAGER, f"T{i}", ("Area X",)) for i in range(1, 21)]
    cases = [Case(f"CR-{i}", LISTS[i % 2], "Team Z", "Area X") for i in range(300)]  # 150 + 150
    cases += [Case(f"CR-{i}", "List 8", "Team Z", "Area X") for i in range(300, 400)]  # 100
    proposal = propose(MONTH, cases, auditors, seed=7)
    per_list = proposal.per_list()  # exact shares 7.5, 7.5 and 5
    assert sorted((per_list["List 6"], per_list["List 7"])) == [7, 8] and per_list["List 8"] == 5
    assert not proposal.unmet


def test_never_own_team_nor_own_area_when_the_council_says_another_area():
    auditors = [Auditor(1, "Ann", Role.PRACTICE_MANAGER, "North 1", ("North",)),
                Auditor(2, "Bob", Role.PRACTICE_MANAGER, "South 1", ("South",))]
    cases = [Case("CR-1", "List 6", "North 2", "North"), Case("CR-2", "List 6", "South 2", "South")]
    proposal = propose(MONTH, cases, auditors, seed=1, rules=Rules(separation=Separation.AREA))
    given_to = {p.case.case_ref: p.auditor_id for p in proposal.picks}
    assert given_to == {"CR-1": 2, "CR-2": 1}
    same_area = propose(MONTH, cases[:1], auditors[:1], seed=1, rules=Rules(separation=Separation.AREA))
    assert same_area.picks == [] and same_area.unmet == ["Ann has no case: none left that they may audit"]


def test_what_cannot_be_done_is_reported_not_broken():
    auditors = [Auditor(1, "Ann", Role.PRACTICE_MANAGER, "T1", ("A",)), Auditor(2, "Bob", Role.PRACTICE_MANAGER, "T2", ("A",))]
    # Only Ann's team has cases: Bob audits one, Ann none.
    cases = [Case(f"CR-{i}", "List 6", "T1", "A") for i in range(5)]
    proposal = propose(MONTH, cases, auditors, seed=3)
    assert [p.auditor_id for p in proposal.picks] == [2]
    assert proposal.unmet == ["Ann has no case: none left that they may audit"]
    # Nothing eligible at all.
    empty = propose(MONTH, [], auditors, seed=3)
    assert empty.picks == [] and "2 cases were wanted but only 0 are eligible" in empty.unmet


def test_reaudits_come_first_and_a_theme_draws_from_its_lists():
    auditors = [Auditor(i, f"M{i}", Role.PRACTICE_MANAGER, f"T{i}", ("A",)) for i in (1, 2, 3)]
    cases = [Case(f"CR-{i}", LISTS[i % 3], "T9", "A") for i in range(30)]
    redo = Case("CR-99", "List 7", "T9", "A")
    rules = Rules(theme_lists={"missing children": ("List 8",)})
    proposal = propose(MONTH, cases, auditors, seed=5, rules=rules, owed=[Owed(redo, 2)],
                       audited={"CR-99": "2026-12"}, theme="Missing children")
    assert proposal.picks[0].case.case_ref == "CR-99" and proposal.picks[0].reaudit and proposal.picks[0].auditor_id == 2
    assert {p.case.annex_a_list for p in proposal.picks[1:]} == {"List 8"}
    assert proposal.per_auditor() == Counter({1: 1, 2: 1, 3: 1})
    unmapped = propose(MONTH, cases, auditors, seed=5, rules=rules, theme="Radicalisation")
    assert "mapped to no Annex A list" in unmapped.unmet[0]
    assert len(unmapped.picks) == 3


def test_more_than_one_round_stays_within_the_maximum():
    auditors = [Auditor(i, f"M{i}", Role.PRACTICE_MANAGER, f"T{i}", ("A",)) for i in (1, 2)]
    cases = [Case(f"CR-{i}", "List 6", "T9", "A") for i in range(30)]
    proposal = propose(MONTH, cases, auditors, seed=5, rules=Rules(size=6, max_per_auditor=2))
    assert proposal.per_auditor() == Counter({1: 2, 2: 2})
    assert proposal.unmet == ["6 cases were asked for but 2 auditors at most 2 each take 4"]


def test_roles_the_council_names_audit_too():
    auditors = [Auditor(1, "Sam", Role.SERVICE_LEAD, "T1", ("A",)), Auditor(2, "Pat", Role.PRACTICE_MANAGER, "T2", ("A",))]
    cases = [Case(f"CR-{i}", "List 6", "T9", "A") for i in range(5)]
    assert propose(MONTH, cases, auditors, seed=1).per_auditor() == Counter({2: 1})
    named = Rules(auditor_roles=frozenset({Role.PRACTICE_MANAGER, Role.SERVICE_LEAD}))
    assert propose(MONTH, cases, auditors, seed=1, rules=named).per_auditor() == Counter({1: 1, 2: 1})


def test_settings_have_the_framework_defaults_and_name_a_wrong_value():
    import pytest

    from capabilities.registry import ConfigurationError
    from capabilities.sampling.config import from_env

    assert from_env({}) == Rules()
    got = from_env({"QA_SAMPLE_PER_MANAGER": "2", "QA_SAMPLE_MAX_PER_AUDITOR": "3", "QA_SAMPLE_AUDITOR_FROM": "Area",
                    "QA_SAMPLE_AUDITOR_ROLES": "practice_manager, Service Lead",
                    "QA_SAMPLE_THEME_LISTS": "Missing children: List 6, List 8; Physical abuse: List 7"})
    assert (got.per_auditor, got.max_per_auditor, got.separation) == (2, 3, Separation.AREA)
    assert got.auditor_roles == {Role.PRACTICE_MANAGER, Role.SERVICE_LEAD}
    assert got.theme_lists == {"missing children": ("List 6", "List 8"), "physical abuse": ("List 7",)}
    for env, named in [({"QA_SAMPLE_AUDITOR_FROM": "street"}, "QA_SAMPLE_AUDITOR_FROM"),
                       ({"QA_SAMPLE_AUDITOR_ROLES": "practitioner"}, "QA_SAMPLE_AUDITOR_ROLES"),
                       ({"QA_SAMPLE_PER_MANAGER": "3"}, "QA_SAMPLE_MAX_PER_AUDITOR"),
                       ({"QA_SAMPLE_THEME_LISTS": "no colon here"}, "QA_SAMPLE_THEME_LISTS"),
                       ({"QA_SAMPLE_LOOKBACK_MONTHS": "twelve"}, "QA_SAMPLE_LOOKBACK_MONTHS")]:
        with pytest.raises(ConfigurationError, match=named):
            from_env(env)
