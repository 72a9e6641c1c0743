"""A small fixed audit history, written by hand straight to the database, for the reports' tests.

Three months (July, August, September 2026), two service areas (North, South). Deadlines: 28 July
(Tue), 28 August (Fri), 28 September (Mon). Times are 10:00 UTC (11:00 in London, the same day).

    case  month  area   submitted   grade                key areas                          other
    J1    07     North  20 Jul      Good                 all Good                           discussion, family views, theme Neglect, uploaded
    J2    07     North  30 Jul late Requires Improvement all RI                             oversight confirmed
    J3    07     South  10 Jul      Outstanding          all Outstanding                    safeguarding, uploaded
    A1    08     North  27 Aug      Good                 first four Good, last three RI     disputed, resolved, confirmed; theme Neglect
    A2    08     South  28 Aug      Inadequate           all Inadequate                     declined once and reallocated; safeguarding, family views
    A3    08     South  -           -                    -                                  outstanding (allocated)
    S1    09     North  1 Sep       Outstanding          all Outstanding                    discussion, family views, theme Domestic abuse, uploaded
    S2    09     North  29 Sep late Good                 all Good                           disputed, still open
    S3    09     South  15 Sep      Requires Improvement Planning Inadequate, others RI     safeguarding, theme Domestic abuse
    S4    09     South  -           -                    -                                  declined, not reallocated

Every case is on Annex A List 8 and was uploaded (an allocation list), except September's: the
bot's sample drew S1-S4 with seed 42, S3 and S4 from List 6 (S1, S2 from List 8).

`add_escalations` (the golden tests only) adds, on top (issue 10):

    A2's moderation: agreed Inadequate on 1 Sep; escalation opened 1 Sep, closed 15 Sep; update 1
        due 4 Sep, sent 4 Sep (on time); update 2 due 11 Sep, sent 14 Sep (late).
    R2    09     South  22 Sep      Requires Improvement all RI                             the re-audit of A2 (case CR-A2)
    An update still owed: none.
    Dip samples: July's (J1 agreed, J2 disagreed: would give Good), August's (A1 agreed).

`add_observations` (the golden tests only): supervisors Pat -> Aud -> Nora, Pip -> Ben -> Sol.
Observations: Pat on 10 Mar 2026, Aud on 1 Sep 2025 (394 days before 30 Sep 2026: not in the
twelve months), Pip on 2 Oct 2026 (after Q3); Ben never. Feedback (UTC):

    15 Jul 10:00  Parent or carer            South  Conversation  rating 4
    3 Aug 10:00   Child or young person      North  Compliment    rating 5
    20 Aug 10:00  Professional/partner       South  Complaint     rating 2
    12 Sep 10:00  (not possible to ask)      South  -             -
    30 Sep 23:30  Staff member               North  Survey        -         (1 Oct 00:30 in London: October)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from sqlalchemy import select, update

from qa.framework import KEY_AREAS
from storage.db import Database
from storage.models import (
    Allocation,
    Audit,
    AuditMonth,
    Conversation,
    DipSample,
    DipSampleItem,
    Escalation,
    EscalationUpdate,
    FeedbackEntry,
    Moderation,
    Observation,
    Person,
    Reaudit,
    TrailEvent,
)

SET_UP = datetime(2026, 7, 1, 9, tzinfo=timezone.utc)
DOMAIN = "council.gov.uk"

# name -> (role, service areas)
PEOPLE = {
    "Quinn": ("qa_unit", ""),
    "Dee": ("deputy_director", "North;South"),
    "Nora": ("service_lead", "North"),
    "Sol": ("service_lead", "South"),
    "Aud": ("practice_manager", "North"),
    "Ben": ("practice_manager", "South"),
    "Pat": ("practitioner", "North"),
    "Pip": ("practitioner", "South"),
}


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, tzinfo=timezone.utc)


def every(grade: str) -> dict[str, str]:
    return dict.fromkeys(KEY_AREAS, grade)


@dataclass(frozen=True)
class Case:
    ref: str
    month: str
    area: str
    submitted: datetime | None = None
    grade: str | None = None
    key_areas: dict = field(default_factory=dict)
    state: str = "submitted"
    theme: str = ""
    discussion: bool = False
    family_views: bool = False
    safeguarding: bool = False
    disputed: datetime | None = None
    resolved: datetime | None = None
    oversight: datetime | None = None
    uploaded: datetime | None = None
    declines: int = 0
    case_ref: str = ""  # "CR-<ref>" unless given
    annex_list: str = "List 8"
    how_chosen: str = "uploaded"


FOUR_GOOD_THREE_RI = {a: ("Good" if i < 4 else "Requires Improvement") for i, a in enumerate(KEY_AREAS)}
PLANNING_INADEQUATE = {a: ("Inadequate" if a == "Planning" else "Requires Improvement") for a in KEY_AREAS}

SAMPLED = "sampled, seed 42"

HISTORY = (
    Case("J1", "2026-07", "North", at(7, 20), "Good", every("Good"), "complete", "Neglect", discussion=True,
         family_views=True, oversight=at(8, 3), uploaded=at(8, 4)),
    Case("J2", "2026-07", "North", at(7, 30), "Requires Improvement", every("Requires Improvement"),
         "oversight_confirmed", oversight=at(8, 5)),
    Case("J3", "2026-07", "South", at(7, 10), "Outstanding", every("Outstanding"), "complete", safeguarding=True,
         oversight=at(7, 20), uploaded=at(7, 21)),
    Case("A1", "2026-08", "North", at(8, 27), "Good", FOUR_GOOD_THREE_RI, "oversight_confirmed", "Neglect",
         disputed=at(9, 1), resolved=at(9, 2), oversight=at(9, 3)),
    Case("A2", "2026-08", "South", at(8, 28), "Inadequate", every("Inadequate"), "submitted", safeguarding=True,
         family_views=True, declines=1),
    Case("A3", "2026-08", "South", state="allocated"),
    Case("S1", "2026-09", "North", at(9, 1), "Outstanding", every("Outstanding"), "complete", "Domestic abuse",
         discussion=True, family_views=True, oversight=at(9, 30), uploaded=at(10, 1), how_chosen=SAMPLED),
    Case("S2", "2026-09", "North", at(9, 29), "Good", every("Good"), "disputed", disputed=at(10, 2),
         how_chosen=SAMPLED),
    Case("S3", "2026-09", "South", at(9, 15), "Requires Improvement", PLANNING_INADEQUATE, "submitted",
         "Domestic abuse", safeguarding=True, annex_list="List 6", how_chosen=SAMPLED),
    Case("S4", "2026-09", "South", state="declined", declines=1, annex_list="List 6", how_chosen=SAMPLED),
)


async def add_people(db: Database, with_chats: bool = True, service_url: str = "https://smba.example/") -> dict[str, int]:
    """The people, each with a personal chat as tests.support.activities names it for the key
    `<name>` (a:personal-chat-<name>, user 29:user-<name>); name -> id."""
    async with db.sessions.begin() as session:
        people = {name: Person(email=f"{name.lower()}@{DOMAIN}", display_name=f"{name} Example", role=role,
                               team=f"{areas or 'QA'} team", service_area=areas, created_at=SET_UP,
                               updated_at=SET_UP)
                  for name, (role, areas) in PEOPLE.items()}
        session.add_all(people.values())
        await session.flush()
        if with_chats:
            for name, person in people.items():
                session.add(Conversation(conversation_id=f"a:personal-chat-{name}", tenant_id="tenant-1",
                                         service_url=service_url, bot_id="28:bot-id",
                                         user_id=f"29:user-{name}", reference={}, installed_at=SET_UP,
                                         person_id=person.id))
        return {name: p.id for name, p in people.items()}


async def add_history(db: Database, people: dict[str, int], cases=HISTORY) -> dict[str, int]:
    """The allocations (case refs CR-<ref>), their audits and decline trail rows; ref -> allocation id."""
    ids = {}
    async with db.sessions.begin() as session:
        known = set((await session.scalars(select(AuditMonth.month))).all())
        for month in sorted({c.month for c in cases} - known):
            session.add(AuditMonth(month=month, imported_at=SET_UP))
        await session.flush()
        for c in cases:
            north = c.area == "North"
            allocated = datetime(int(c.month[:4]), int(c.month[5:]), 3, 9, tzinfo=timezone.utc)
            row = Allocation(
                month=c.month, case_ref=c.case_ref or f"CR-{c.ref}", annex_a_list=c.annex_list, service_area=c.area,
                team=f"{c.area} Team 1", theme=c.theme, auditor_id=people["Aud" if north else "Ben"],
                case_holder_id=people["Pat" if north else "Pip"], state=c.state, started_at=c.submitted,
                submitted_at=c.submitted, oversight_at=c.oversight,
                oversight_by_id=people["Nora" if north else "Sol"] if c.oversight else None,
                disputed_at=c.disputed, dispute_reason="Grade" if c.disputed else None, resolved_at=c.resolved,
                resolution="Agreed" if c.resolved else None, uploaded_at=c.uploaded,
                decline_reason="On leave" if c.state == "declined" else None, how_chosen=c.how_chosen,
                created_at=allocated, updated_at=allocated)
            session.add(row)
            await session.flush()
            ids[c.ref] = row.id
            if c.submitted is not None:
                session.add(Audit(allocation_id=row.id, overall_grade=c.grade, key_areas=dict(c.key_areas),
                                  discussion_held=c.discussion, seek_family_views=c.family_views,
                                  safeguarding_concern=c.safeguarding, submitted_at=c.submitted,
                                  submitted_by_id=row.auditor_id, updated_at=c.submitted))
            for _ in range(c.declines):
                session.add(TrailEvent(subject_type="allocation", subject_id=row.id, month=c.month,
                                       actor_id=row.auditor_id, action="allocation_declined", via="test",
                                       detail={}, at=allocated))
    return ids


REAUDIT = Case("R2", "2026-09", "South", at(9, 22), "Requires Improvement", every("Requires Improvement"),
               case_ref="CR-A2", how_chosen="re-audit")
# (number, due on, sent at): the end of the due day (London) is 23:00 UTC the same day.
UPDATES = ((1, 4, at(9, 4)), (2, 11, at(9, 14)))
# month -> ((ref, state, grade given), ...)
DIP_SAMPLES = {"2026-07": (("J1", "agreed", None), ("J2", "disagreed", "Good")),
               "2026-08": (("A1", "agreed", None),)}


async def add_escalations(db: Database, people: dict[str, int], ids: dict[str, int]) -> dict[str, int]:
    """A2's moderation, escalation and updates, its re-audit R2 (a September allocation of case
    CR-A2) and the dip samples above, on `add_history`'s allocations `ids`; ids with R2's added."""
    ids = {**ids, **await add_history(db, people, (REAUDIT,))}
    async with db.sessions.begin() as session:
        audits = dict((await session.execute(select(Audit.allocation_id, Audit.id))).all())
        moderation = Moderation(audit_id=audits[ids["A2"]], allocation_id=ids["A2"], state="agreed",
                                original_grade="Inadequate", decided_grade="Inadequate",
                                decided_by_id=people["Quinn"], decided_at=at(9, 1), created_at=at(8, 28))
        session.add(moderation)
        await session.flush()
        escalation = Escalation(moderation_id=moderation.id, allocation_id=ids["A2"], state="closed",
                                opened_at=at(9, 1), closed_at=at(9, 15), closed_by_id=people["Quinn"])
        session.add(escalation)
        await session.flush()
        for number, day, sent in UPDATES:
            session.add(EscalationUpdate(escalation_id=escalation.id, number=number, due_on=date(2026, 9, day),
                                         due_at=datetime(2026, 9, day, 23, tzinfo=timezone.utc), state="sent",
                                         text="Actions agreed", sent_by_id=people["Sol"], sent_at=sent,
                                         created_at=at(9, 1)))
        session.add(Reaudit(moderation_id=moderation.id, original_allocation_id=ids["A2"], month="2026-09",
                            allocation_id=ids["R2"], created_at=at(9, 1)))
        for month, items in DIP_SAMPLES.items():
            sample = DipSample(month=month, seed=1, percent=10, population=3,
                               drawn_at=at(int(month[5:]) + 1, 10))
            session.add(sample)
            await session.flush()
            for ref, state, grade in items:
                session.add(DipSampleItem(sample_id=sample.id, audit_id=audits[ids[ref]], allocation_id=ids[ref],
                                          state=state, grade_given=grade, decided_by_id=people["Quinn"],
                                          decided_at=sample.drawn_at))
    return ids


SUPERVISORS = {"Pat": "Aud", "Aud": "Nora", "Pip": "Ben", "Ben": "Sol"}
OBSERVED = (("Pat", "Aud", date(2026, 3, 10)), ("Aud", "Nora", date(2025, 9, 1)), ("Pip", "Ben", date(2026, 10, 2)))
FEEDBACK = (  # (when, source, area, how given, rating, not possible)
    (at(7, 15), "Parent or carer", "South", "Conversation", 4, False),
    (at(8, 3), "Child or young person", "North", "Compliment", 5, False),
    (at(8, 20), "Professional or partner agency", "South", "Complaint", 2, False),
    (at(9, 12), "", "South", "", None, True),
    (datetime(2026, 9, 30, 23, 30, tzinfo=timezone.utc), "Staff member", "North", "Survey", None, False),
)


async def add_observations(db: Database, people: dict[str, int]) -> None:
    """The supervisors, observations and feedback entries above."""
    async with db.sessions.begin() as session:
        for name, supervisor in SUPERVISORS.items():
            await session.execute(update(Person).where(Person.id == people[name])
                                  .values(supervisor_email=f"{supervisor.lower()}@{DOMAIN}"))
        for who, by, on in OBSERVED:
            session.add(Observation(observer_id=people[by], supervisee_id=people[who], observed_on=on,
                                    area="Core group meeting", went_well="Clear plan", to_develop="Recording",
                                    actions=["Review"], created_at=datetime.combine(on, datetime.min.time(),
                                                                                    tzinfo=timezone.utc)))
        for when, source, area, how, rating, not_possible in FEEDBACK:
            session.add(FeedbackEntry(author_id=people["Aud" if area == "North" else "Ben"], source=source,
                                      service_area=area, team=f"{area} Team 1",
                                      how_given="Letter or email" if how in ("Complaint", "Compliment") else how,
                                      kind=how if how in ("Complaint", "Compliment") else "Comment or suggestion",
                                      rating=rating,
                                      said="" if not_possible else "Helpful", not_possible=not_possible,
                                      created_at=when))
