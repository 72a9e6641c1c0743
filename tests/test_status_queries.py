"""The status figures read in SQL give the very figures the whole-roster reads gave, on both databases:
supervision compliance (framework 9.1) from `teams_at`'s grouped facts equals `team_figures` on the
whole board, for the whole service and for a service lead's areas; observation coverage (framework 11)
from `coverage_groups` equals a person-by-person count; the chat's scoped answers equal the whole
answer's rows of those areas. A council built here with every fact the rules read varied (1:1s with
and without a length, agreement reviews, ASYE years with and without a switch, cases exempt, late and
supervised after the month's end, a supervisor who left, starters after the month's end, teams across
two areas, a team with no name, observations in and out of the year)."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from capabilities.observations.duties import coverage_in, coverage_rows
from capabilities.supervision.compliance import month_end, team_figures, teams_at
from dialogs import observation_cards as oc
from qa.calendar import WorkingCalendar
from qa.observations import observation_due
from qa.supervision import AGREEMENT, CASE, GROUP, ONE_TO_ONE
from storage.models import AsyeSwitch, CaseExemption, CaseloadCase, Observation, Person, SupervisionSession
from storage.observations import active_people, last_observed
from storage.supervision import load_board, subject_for_person, subject_for_team

CAL = WorkingCalendar()
AT = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
AREAS = ("North", "South", "East")


async def a_council(db, seed: int = 20) -> None:
    """Sixty people in nine teams under three managers, with every fact varied (seeded, so the same each run)."""
    rng = random.Random(seed)
    async with db.sessions.begin() as session:
        managers = []
        for m, area in enumerate(AREAS):
            manager = Person(email=f"pm{m}@example.org", display_name=f"Manager {m}", role="practice_manager",
                             team=f"{area} 0", service_area=area, supervisor_email=None, created_at=AT, updated_at=AT,
                             left_at=AT if m == 2 else None)  # East's manager has left: East's people have none
            session.add(manager)
            managers.append(manager)
        await session.flush()
        people = []
        for n in range(60):
            area = AREAS[n % 3]
            both = f"{area};{AREAS[(n + 1) % 3]}" if n % 7 == 0 else area  # some in two areas
            team = "" if n == 59 else f"{AREAS[(n // 3) % 3]} {n % 3}"  # teams mixing areas; one with no name
            person = Person(email=f"p{n}@example.org", display_name=f"Worker {n}", role="practitioner", team=team,
                            service_area=both if n % 11 else "", supervisor_email=f"PM{n % 3}@example.org"
                            if n % 13 else None, created_at=AT + timedelta(days=n % 4 * 40), updated_at=AT,
                            start_date=rng.choice([None, None, date(2026, 3, 2), date(2026, 12, 14)]),
                            asye_start_date=date(2026, 2, 2) if n % 5 == 0 else None,
                            left_at=AT if n % 17 == 0 else None)
            session.add(person)
            people.append(person)
        await session.flush()
        for n, person in enumerate(people):
            for kind in (ONE_TO_ONE, AGREEMENT, CASE):  # one of a kind a day per subject, as the table holds
                days = {date(2026, 9, 1) + timedelta(days=rng.randrange(120)) for _ in range(rng.randrange(4))}
                for day in sorted(days):  # some after the month's end
                    session.add(SupervisionSession(
                        subject=subject_for_person(person.id), supervisee_id=person.id, team=person.team,
                        kind=kind, held_on=day, duration_minutes=rng.choice([None, 60, 90, 120]),
                        state=rng.choice(["recorded", "recorded", "awaiting_confirmation"]), via="test",
                        recorded_at=AT))
            if n % 5 == 0 and n % 10:
                session.add(AsyeSwitch(person_id=person.id, four_weekly_from=date(2026, 7, 1), recorded_at=AT))
            for c in range(rng.randrange(3)):
                ref = f"CR-{n}-{c}"
                session.add(CaseloadCase(case_ref=ref, case_holder_id=person.id, first_seen_on=date(2026, 8, 3),
                                         last_case_supervision_on=rng.choice(
                                             [None, date(2026, 9, 14), date(2026, 10, 20), date(2026, 12, 20)]),
                                         imported_at=AT))
                if rng.random() < 0.3:
                    session.add(CaseExemption(case_ref=ref, recorded_at=AT))
            for _ in range(rng.randrange(3)):
                session.add(Observation(observer_id=managers[n % 2].id, supervisee_id=person.id,
                                        observed_on=date(2025, 6, 1) + timedelta(days=rng.randrange(540)),
                                        area="Core group meeting", went_well="Clear plan", to_develop="Recording",
                                        actions=["Review"], created_at=AT))
        for team, day in (("North 1", date(2026, 11, 12)), ("South 2", date(2026, 10, 30)), ("", date(2026, 11, 3))):
            session.add(SupervisionSession(subject=subject_for_team(team), supervisee_id=None, team=team, kind=GROUP,
                                           held_on=day, state="recorded", via="test", recorded_at=AT))


async def test_compliance_from_grouped_facts_equals_the_whole_boards(db):
    await a_council(db)
    async with db.sessions() as session:
        board = await load_board(session, month_end(2026, 11), CAL.tz)
        whole = team_figures(board, 2026, 11, CAL)
        grouped = await teams_at(session, 2026, 11, CAL)
        north = await teams_at(session, 2026, 11, CAL, wanted=lambda _team, area: area == "North", among=["North"])
        south_one = await teams_at(session, 2026, 11, CAL, wanted=lambda team, _area: team == "South 1")
        none = await teams_at(session, 2026, 11, CAL, wanted=lambda _team, area: area == "West", among=["West"])
    assert len(whole) >= 6 and any(t.case[1] for t in whole) and any(t.asye[1] for t in whole)
    assert any(t.group_held for t in whole) and any(t.full_length[1] for t in whole)
    assert grouped == whole
    assert north == [t for t in whole if t.area == "North"] and north
    assert south_one == [t for t in whole if t.team == "South 1"] and south_one
    assert none == []


def _coverage_person_by_person(people, last, today, area=None) -> list[oc.CoverageRow]:
    counts: dict[tuple[str, str], list[int]] = {}
    for person in people:
        areas = person.service_areas or [""]
        if area is not None and area not in areas:
            continue
        key = (area if area is not None else areas[0], person.team)
        seen, total = counts.setdefault(key, [0, 0])
        counts[key] = [seen + (not observation_due(last.get(person.id), today)), total + 1]
    return [oc.CoverageRow(a, t, seen, total) for (a, t), (seen, total) in sorted(counts.items())]


async def test_coverage_from_grouped_counts_equals_person_by_person(db):
    await a_council(db)
    today = date(2026, 10, 7)
    async with db.sessions() as session:
        people = [p for p in await active_people(session) if p.supervisor_email]
        last = await last_observed(session, [p.id for p in people])
        rows = await coverage_rows(session, today)
        north = await coverage_rows(session, today, "North")
        both = await coverage_in(session, today, ["North", "South"])
        observed = (await session.execute(select(Observation.id))).all()
    assert len(observed) > 20
    assert rows == _coverage_person_by_person(people, last, today) and 0 < sum(r.observed for r in rows) < sum(
        r.people for r in rows)
    assert north == _coverage_person_by_person(people, last, today, "North")
    assert both == north + _coverage_person_by_person(people, last, today, "South")


async def test_the_card_alone_is_the_card_the_whole_figures_give(db, services):
    """`supervision status` typed in chat decides a card too long for Teams from its first teams' figures
    (capabilities/status/figures.py PROBE_ROWS): the card is the one the whole figures give, counting every team."""
    from capabilities.status.access import OBSERVATIONS, SUPERVISION, Scope
    from capabilities.status.figures import PROBE_ROWS, figures

    await a_council(db)
    now = datetime(2026, 12, 7, 9, 5, tzinfo=timezone.utc)
    for scope in (Scope(), Scope(("North",))):
        for name in (SUPERVISION, OBSERVATIONS):
            whole, card = (await figures(services.context, name, scope, now),
                           await figures(services.context, name, scope, now, card_only=True))
            assert card.card == whole.card and not whole.too_long
    async with db.sessions.begin() as session:  # a team of one for each of PROBE_ROWS + 10 more workers
        session.add_all(Person(email=f"worker{n}@example.org", display_name=f"Worker {n}", role="practitioner",
                               team=f"North team {n:03d}", service_area="North", supervisor_email="pm0@example.org",
                               created_at=AT, updated_at=AT) for n in range(PROBE_ROWS + 10))
    for scope in (Scope(), Scope(("North",))):
        whole, card = (await figures(services.context, SUPERVISION, scope, now),
                       await figures(services.context, SUPERVISION, scope, now, card_only=True))
        assert whole.too_long and card.too_long and card.card == whole.card
        assert f"These figures have {len(whole.view.rows):,} lines" in str(card.card)
        assert len(whole.view.rows) > PROBE_ROWS + 10
