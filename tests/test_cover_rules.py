"""qa/cover.py: work for someone away or gone reaches the first person who is there; nothing is dropped."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from qa.cover import AWAY, LEFT, Absence, Route, Someone, covered_by, receiver, returning, starting

MON = date(2026, 12, 7)


def test_someone_there_receives_their_own_work():
    people = {1: Someone(1, manager=2)}
    assert receiver(1, MON, people) == Route(1, 1)


def test_someone_away_without_a_named_cover_has_their_work_go_to_their_manager():
    people = {1: Someone(1, manager=2, absences=(Absence(MON, MON + timedelta(days=4)),)), 2: Someone(2)}
    assert receiver(1, MON, people) == Route(1, 2, AWAY)
    assert receiver(1, MON - timedelta(days=1), people) == Route(1, 1)  # before the absence
    assert receiver(1, MON + timedelta(days=5), people) == Route(1, 1)  # back


def test_the_cover_named_on_the_away_card_comes_before_the_manager():
    people = {1: Someone(1, manager=2, absences=(Absence(MON, MON, cover=3),)), 2: Someone(2), 3: Someone(3)}
    assert receiver(1, MON, people) == Route(1, 3, AWAY)
    assert covered_by(3, MON, people) == [1]
    assert covered_by(2, MON, people) == []


def test_a_leavers_work_goes_to_their_manager():
    people = {1: Someone(1, manager=2, left=True), 2: Someone(2)}
    assert receiver(1, MON, people) == Route(1, 2, LEFT)


def test_a_cover_who_is_away_too_passes_it_on_to_theirs():
    people = {1: Someone(1, manager=2, absences=(Absence(MON, MON),)),
              2: Someone(2, manager=3, absences=(Absence(MON, MON),)), 3: Someone(3)}
    assert receiver(1, MON, people) == Route(1, 3, AWAY)
    assert covered_by(3, MON, people) == [1, 2]


def test_with_nobody_there_the_work_stays_where_it_was_addressed():
    assert receiver(1, MON, {1: Someone(1, absences=(Absence(MON, MON),))}) == Route(1, 1)  # no manager
    loop = {1: Someone(1, absences=(Absence(MON, MON, cover=2),)), 2: Someone(2, absences=(Absence(MON, MON, cover=1),))}
    assert receiver(1, MON, loop) == Route(1, 1)


def test_the_mornings_find_absences_begun_and_ended():
    fri, sat, mon = MON - timedelta(days=3), MON - timedelta(days=2), MON
    rows = [(1, Absence(MON - timedelta(days=10), fri)), (2, Absence(fri, sat)), (3, Absence(sat, MON + timedelta(days=3))),
            (4, Absence(MON - timedelta(days=10), MON - timedelta(days=4)))]
    assert [pid for pid, _ in returning(rows, mon, fri)] == [1, 2]
    assert [pid for pid, _ in starting(rows, mon, fri)] == [3]


people_ids = st.integers(1, 8)


@st.composite
def rosters(draw):
    people = {}
    for pid in range(1, 9):
        absences = tuple(Absence(MON - timedelta(days=draw(st.integers(0, 3))), MON + timedelta(days=draw(st.integers(-1, 3))),
                                 draw(st.none() | people_ids)) for _ in range(draw(st.integers(0, 2))))
        people[pid] = Someone(pid, manager=draw(st.none() | people_ids), left=draw(st.booleans()),
                              absences=tuple(a for a in absences if a.first <= a.last))
    return people


def _there(someone: Someone) -> bool:
    return not someone.left and someone.absence_on(MON) is None


@given(rosters(), people_ids)
def test_work_always_reaches_someone_there_or_stays_put(people, pid):
    route = receiver(pid, MON, people)
    assert route.to in people
    if route.moved:
        assert _there(people[route.to]) and route.reason in (AWAY, LEFT)
    elif route.reason == "":
        # kept: either they are there, or nobody in their chain is
        assert _there(people[pid]) or all(not _there(people[q]) for q in people if q in _chain(pid, people))


def _chain(pid, people):
    seen, current = [], pid
    while current is not None and current in people and current not in seen:
        seen.append(current)
        someone = people[current]
        absence = someone.absence_on(MON)
        current = someone.manager if someone.left else (None if absence is None else (absence.cover or someone.manager))
    return seen[1:] + [current] if current is not None else seen[1:]


@given(rosters(), people_ids)
def test_the_cover_may_act_for_exactly_those_whose_work_they_receive(people, cover):
    for pid in covered_by(cover, MON, people):
        assert receiver(pid, MON, people).to == cover
    assert cover not in covered_by(cover, MON, people)
