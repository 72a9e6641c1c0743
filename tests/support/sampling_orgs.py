"""Generated organisations for the audit sample's rules (tests/test_sampling_rules.py,
tests/test_sampling_changes.py): areas of teams, each with a practice manager and practitioners
holding cases on the lists; some cases audited lately, some closed."""
from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from qa.framework import Role
from qa.sampling import Auditor, Case

MONTH = "2027-01"
LISTS = ("List 6", "List 7", "List 8")


@st.composite
def organisations(draw, min_teams: int = 1):
    """Areas of at least `min_teams` teams (one team alone may leave its manager nothing to audit), each with a manager (a practice manager) and
    practitioners; cases on the lists held by those practitioners; some audited, some closed."""
    areas = draw(st.integers(1, 3))
    auditors: list[Auditor] = []
    holders: list[tuple[int, str, str, int]] = []  # (id, team, area, manager id)
    pid = 1
    for a in range(areas):
        for t in range(draw(st.integers(min_teams, 4))):
            team, area = f"Team {a}-{t}", f"Area {a}"
            manager = pid
            auditors.append(Auditor(manager, f"Manager {manager}", Role.PRACTICE_MANAGER, team, (area,)))
            pid += 1
            for _ in range(draw(st.integers(1, 3))):
                holders.append((pid, team, area, manager))
                pid += 1
    cases: list[Case] = []
    audited: dict[str, str] = {}
    n = draw(st.integers(len(auditors) * 3, len(auditors) * 8))
    for i in range(n):
        holder = holders[draw(st.integers(0, len(holders) - 1))]
        closed = draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans())
        cases.append(Case(f"CR-{1000 + i}", draw(st.sampled_from(LISTS)), holder[1], holder[2], holder[0],
                          holder[3], date(2026, 11, 30) if closed else None))
        when = draw(st.sampled_from([None, None, None, "2026-02", "2026-01", "2025-12", "2024-06"]))
        if when:
            audited[f"CR-{1000 + i}"] = when
    # Someone in another role never audits unless the council names it.
    auditors.append(Auditor(pid, "A Practitioner", Role.PRACTITIONER, "Team 0-0", ("Area 0",)))
    return cases, auditors, audited
