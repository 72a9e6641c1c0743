"""qa/reallocation.py: who may take over an audit the QA unit moves, and in what order. No database."""
from __future__ import annotations

from qa.reallocation import Candidate, choice_title, eligible, why_not, with_counts

HOLDER, MANAGER, AUDITOR = 1, 2, 3


def rules(**kw):
    return {"case_holder_id": HOLDER, "line_manager_id": MANAGER, "current_auditor_id": AUDITOR, **kw}


def test_practice_managers_and_above_only_active_not_the_holder_their_manager_or_the_auditor():
    people = [Candidate(HOLDER, "Pat", "practice_manager"), Candidate(MANAGER, "Pam", "practice_manager"),
              Candidate(AUDITOR, "Ann", "practice_manager"), Candidate(4, "Priya", "practitioner"),
              Candidate(5, "Iris", "iro"), Candidate(6, "Lee", "practice_manager", active=False),
              Candidate(7, "Mo", "practice_manager"), Candidate(8, "Sam", "service_lead"),
              Candidate(9, "Hana", "head_of_service"), Candidate(10, "Dee", "deputy_director"),
              Candidate(11, "Quinn", "qa_unit"), Candidate(12, "Paula", "principal_social_worker")]
    assert [c.name for c in eligible(people, **rules())] == ["Dee", "Hana", "Mo", "Paula", "Quinn", "Sam"]
    assert why_not(people[0], **rules()) == "holds the case"
    assert why_not(people[1], **rules()) == "is the case holder's line manager"
    assert why_not(people[2], **rules()) == "is already this case's auditor"
    assert why_not(people[3], **rules()).startswith("is not in a role that audits")
    assert why_not(people[5], **rules()) == "has left the roster"


def test_fewest_audits_this_month_first_then_by_name_then_id():
    people = with_counts([(20, "sam", "service_lead", True), (21, "Mo", "practice_manager", True),
                          (22, "Abi", "practice_manager", True), (23, "Abi", "practice_manager", True)],
                         {20: 0, 21: 2, 22: 1})
    assert [(c.person_id, c.audits_this_month) for c in eligible(people, **rules())] == [
        (23, 0), (20, 0), (22, 1), (21, 2)]


def test_no_line_manager_on_the_roster_excludes_nobody_more():
    people = [Candidate(MANAGER, "Pam", "practice_manager")]
    assert eligible(people, **rules(line_manager_id=None)) == people


def test_choice_title_names_the_count():
    assert choice_title(Candidate(1, "Mo Ahmed", "practice_manager", audits_this_month=1)) == \
        "Mo Ahmed · 1 audit this month"
    assert choice_title(Candidate(1, "Mo Ahmed", "practice_manager")) == "Mo Ahmed · 0 audits this month"
