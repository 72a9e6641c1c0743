"""The use cases of observations, floor walks and feedback. Each is one transaction on the kit's
`unit` (the actor active on the roster): it re-checks who may act (access.py) and the typed text,
writes the record, its trail row (lengths, counts and flags, never the text) and its messages.

- `record_observation`: a manager's observation of a supervisee; the supervisee gets it to reflect on.
- `reflect`: the supervisee adds their reflection, once.
- `record_walk`: a senior manager's walk of a team's floor, with its themes.
- `record_feedback`: a feedback entry; a complaint or compliment reaches the QA unit at once, and
  the family's view an audit asked for is settled.
- `family_view_not_possible`: the auditor says why the family's view could not be sought.

The conversations (observe.py, walk.py, feedback.py) and the press handlers (actions.py) call them
with plain values and say the Outcome's message.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.context import Context
from capabilities.kit import Outcome, Status, already, invalid, refuse, unit, use_case
from capabilities.observations import access, kinds
from capabilities.observations.common import NOT_ON_ROSTER, checked_text
from dialogs import observation_cards as oc
from dialogs.observation_cards import FeedbackView, ObservationView
from dialogs.steps import AnswerError
from qa.framework import Role
from qa.identifiers import DEFAULT_CASE_REFS, CaseRefFormat, case_ref_problem, first_refusal
from qa.observations import (
    AREAS,
    COMPLAINT,
    COMPLIMENT,
    FAMILY_VIEW,
    FEEDBACK_KINDS,
    FEEDBACK_SOURCES,
    HOW_GIVEN,
    MAX_TEXT,
    WALK_THEMES,
)
from storage import follow_ups
from storage import people as roster
from storage.models import Allocation, Audit, FeedbackEntry, FloorWalk, Observation, Person
from storage.observations import family_view_recorded

NOTHING_SAVED = " Nothing was saved."

OBSERVATION_RECORDED = "observation_recorded"
REFLECTED = "observation_reflected"
NOT_AN_OBSERVER = ("Observations of practice are recorded by practice managers, service leads, heads of service "
                   "and deputy directors (and, once the roster has those roles, the team managers of conference "
                   "chairs and IROs).")
NOT_YOURS = "{name} is not one of your supervisees on the roster, so I can't record this observation. " \
            "Nothing was saved."
OBSERVATION_SAVED = ("Saved. {name} will get the observation to add their reflection; its action plan is reviewed "
                     "in supervision.")
NOT_YOURS_TO_REFLECT = "This observation is not yours to reflect on. Nothing was changed."
ALREADY_REFLECTED = "Your reflection on this observation is already saved. Nothing was changed."

WALK_RECORDED = "floor_walk_recorded"
NOTE_MAX = 500
NOT_SENIOR = "Walking the floor is recorded by service leads, heads of service and deputy directors."
WALK_SAVED = "Saved. The QA unit will see the themes by team in its monthly digest."

FEEDBACK_RECORDED = "feedback_recorded"
NOT_POSSIBLE_RECORDED = "family_view_not_possible"
FEEDBACK_SAVED = ("Saved: thank you. The principal social work team and the QA unit will see it in the monthly "
                  "digest.")
FEEDBACK_SAVED_AT_ONCE = "Saved: thank you. The QA unit has been sent this {kind} now."
NOT_AN_AUDIT = "I can't find that audit, or it is not yours to record the family's view for. " \
               "Type feedback to record feedback."
ALREADY_RECORDED = "The family's view for this audit is already recorded. Nothing was changed."


def observation_view(observation: Observation, observer: str, supervisee: str) -> ObservationView:
    return ObservationView(observation_id=observation.id, observer_name=observer, supervisee_name=supervisee,
                           observed_on=observation.observed_on, area=observation.area,
                           went_well=observation.went_well, to_develop=observation.to_develop,
                           actions=list(observation.actions), reflection=observation.reflection,
                           reflected_at=observation.reflected_at)


def feedback_view(entry: FeedbackEntry, author_name: str) -> FeedbackView:
    return FeedbackView(entry_id=entry.id, author_name=author_name, source=entry.source,
                        service_area=entry.service_area, team=entry.team, case_ref=entry.case_ref,
                        how_given=entry.how_given, rating=entry.rating, said=entry.said, kind=entry.kind,
                        recorded_at=entry.created_at, not_possible=entry.not_possible)


# -- observations ------------------------------------------------------------------------------

@use_case(Outcome)
async def record_observation(ctx: Context, actor_id: int | None, supervisee_id: int | None, observed_on: date,
                             area: str, went_well: str, to_develop: str, actions: Sequence[str], *,
                             dates_kept: bool = False, now: datetime, via: str) -> Outcome:
    """Save one observation: re-check who may observe whom and the typed text (identifiers
    refused; a date on its own questioned unless `dates_kept`: the dialog asked at each answer),
    write the observation, its trail row and the supervisee's notice (to add their reflection)."""
    actions = [a for a in actions if isinstance(a, str) and a.strip()]
    refused = first_refusal({"What went well": went_well, "What to develop": to_develop,
                             **{f"Action {n}": a for n, a in enumerate(actions, 1)}}, dates_kept=dates_kept)
    if refused or not actions or not went_well or not to_develop or area not in AREAS \
            or any(len(t) > MAX_TEXT for t in (went_well, to_develop, *actions)):
        invalid((refused or "The observation is incomplete.") + NOTHING_SAVED)
    async with unit(ctx, actor_id, now=now, via=via, not_on_roster=NOT_ON_ROSTER) as act:
        if not access.observes(act.actor):
            refuse(NOT_AN_OBSERVER + NOTHING_SAVED)
        supervisee = await act.session.get(Person, supervisee_id) if supervisee_id else None
        if not access.may_observe(act.actor, supervisee):
            refuse(NOT_YOURS.format(name=supervisee.display_name if supervisee else "That person"))
        observation = Observation(observer_id=act.actor.id, supervisee_id=supervisee.id, observed_on=observed_on,
                                  area=area, went_well=went_well, to_develop=to_develop, actions=actions,
                                  created_at=now)
        act.session.add(observation)
        await act.session.flush()
        act.trail("observation", observation.id, OBSERVATION_RECORDED, supervisee_id=supervisee.id,
                  area=AREAS.index(area), actions=len(actions), went_well_length=len(went_well),
                  to_develop_length=len(to_develop))
        view = observation_view(observation, act.actor.display_name, supervisee.display_name)
        line = f"{act.actor.display_name} recorded an observation of your practice: add your reflection"
        await act.notify(kinds.OBSERVATION_NOTICE, [supervisee], kinds.OBSERVATION_NOTICE.message(view, summary=line),
                         key=lambda _pid: f"observation-notice:{observation.id}")
        return Outcome(Status.DONE, OBSERVATION_SAVED.format(name=supervisee.display_name))


@use_case(Outcome)
async def reflect(ctx: Context, actor_id: int | None, observation_id: int, text: str, *, now: datetime,
                  via: str) -> Outcome:
    """The supervisee's reflection on their observation, once; the answer's card is the whole record."""
    async with unit(ctx, actor_id, now=now, via=via, not_on_roster=NOT_ON_ROSTER) as act:
        try:
            text = checked_text("Your reflection", text, limit=oc.REFLECTION_MAX, keep=None)
        except AnswerError as refused:
            invalid(refused.message)
        observation = await act.lock(Observation, observation_id, missing=NOT_YOURS_TO_REFLECT)
        if not access.may_reflect(act.actor, observation):
            refuse(NOT_YOURS_TO_REFLECT)
        if observation.reflection is not None:
            already(ALREADY_REFLECTED)
        observation.reflection = text
        observation.reflected_at = now
        act.trail("observation", observation.id, REFLECTED, reflection_length=len(text))
        view = observation_view(observation, await act.name(observation.observer_id), act.actor.display_name)
        return Outcome(Status.DONE, card=oc.observation_record_card(view, ctx.calendar.tz))


# -- walking the floor -------------------------------------------------------------------------

@use_case(Outcome)
async def record_walk(ctx: Context, actor_id: int | None, team: str, walked_on: date, themes: Sequence[str],
                      note: str, *, dates_kept: bool = False, now: datetime, via: str) -> Outcome:
    """Save one floor walk, with its trail row. Typed text as record_observation's."""
    themes = [t for t in themes if t in WALK_THEMES]
    team = team.strip()
    refused = first_refusal({"Team": team, "The note": note}, dates_kept=dates_kept)
    if refused or not themes or not team or len(note) > NOTE_MAX:
        invalid((refused or "The walk is incomplete.") + NOTHING_SAVED)
    async with unit(ctx, actor_id, now=now, via=via, not_on_roster=NOT_ON_ROSTER) as act:
        if not access.walks_the_floor(act.actor):
            refuse(NOT_SENIOR + NOTHING_SAVED)
        walk = FloorWalk(walker_id=act.actor.id, team=team[:200], walked_on=walked_on, themes=themes, note=note,
                         created_at=now)
        act.session.add(walk)
        await act.session.flush()
        act.trail("floor_walk", walk.id, WALK_RECORDED, themes=[WALK_THEMES.index(t) for t in themes],
                  note_length=len(note))
        return Outcome(Status.DONE, WALK_SAVED)


# -- feedback and the family's view ------------------------------------------------------------

async def family_view_owed(session: AsyncSession, actor: Person, allocation_id: int) -> Allocation | str:
    """The allocation whose family's view `actor` owes, or what to tell them instead."""
    allocation = await session.get(Allocation, allocation_id)
    audit = (await session.scalars(select(Audit).where(Audit.allocation_id == allocation_id))).first() \
        if allocation else None
    if not access.owes_family_view(actor, allocation, audit):
        return NOT_AN_AUDIT
    if await family_view_recorded(session, allocation_id):
        return ALREADY_RECORDED
    return allocation


async def _owed(session: AsyncSession, actor: Person, allocation_id: int) -> Allocation:
    owed = await family_view_owed(session, actor, allocation_id)
    if owed == ALREADY_RECORDED:
        already(owed)
    if isinstance(owed, str):
        refuse(owed)
    return owed


@use_case(Outcome)
async def record_feedback(ctx: Context, actor_id: int | None, *, source: str | None, how: str | None,
                          kind: str | None, area: str, team: str, said: str, case_ref: str | None, rating: int | None,
                          allocation_id: int | None, dates_kept: bool = False,
                          case_refs: CaseRefFormat = DEFAULT_CASE_REFS, now: datetime, via: str) -> Outcome:
    """Save one feedback entry: re-check the author, the audit and every typed field, write the entry,
    its trail row, a complaint's or compliment's alert to the QA unit (due now) and settle the
    audit's owed family view. Typed text as record_observation's; the case reference in the council's
    format `case_refs` (QA_CASE_REF_PATTERN; the dialog checked it: a bad one here is refused, not stored)."""
    if source not in FEEDBACK_SOURCES or how not in HOW_GIVEN or kind not in FEEDBACK_KINDS:
        invalid("Feedback is from one of the offered sources, of one of the offered kinds and given in one of the "
                "offered ways." + NOTHING_SAVED)
    refused = first_refusal({"What was said": said, "Service area": area, "Team": team}, dates_kept=dates_kept)
    if case_ref is not None and (problem := case_ref_problem(case_ref, case_refs)):
        refused = refused or f"The case reference {problem}."
    if refused or not said.strip():
        invalid((refused or "What was said is needed.") + NOTHING_SAVED)
    async with unit(ctx, actor_id, now=now, via=via, not_on_roster=NOT_ON_ROSTER) as act:
        if allocation_id is not None:
            await _owed(act.session, act.actor, allocation_id)
        entry = FeedbackEntry(author_id=act.actor.id, source=source, service_area=area[:200], team=team[:200],
                              case_ref=case_ref, how_given=how, kind=kind, rating=rating, said=said,
                              allocation_id=allocation_id, not_possible=False, created_at=now)
        act.session.add(entry)
        await act.session.flush()
        act.trail("feedback", entry.id, FEEDBACK_RECORDED, said_length=len(said), rated=rating is not None,
                  case_ref=case_ref is not None, how=HOW_GIVEN.index(how), kind=FEEDBACK_KINDS.index(kind),
                  source=FEEDBACK_SOURCES.index(source),
                  allocation_id=allocation_id)
        if allocation_id is not None:
            await follow_ups.cancel_for(act.session, "allocation", [allocation_id], now, kinds=(FAMILY_VIEW,))
        if kind not in (COMPLAINT, COMPLIMENT):
            return Outcome(Status.DONE, FEEDBACK_SAVED)
        line = f"{kind} recorded by {act.actor.display_name} ({area})"
        payload = kinds.FEEDBACK_ALERT.message(feedback_view(entry, act.actor.display_name), ctx.calendar.tz,
                                               summary=line, alone=True)
        await act.notify(kinds.FEEDBACK_ALERT, await roster.active_people(act.session, (Role.QA_UNIT,)), payload,
                         key=f"feedback-alert:{entry.id}", urgent=True)
        said_back = FEEDBACK_SAVED_AT_ONCE.format(kind=kind.lower())
        return Outcome(Status.DONE, said_back + (f" {oc.NOT_A_STATUTORY_COMPLAINT}" if kind == COMPLAINT else ""))


@use_case(Outcome)
async def family_view_not_possible(ctx: Context, actor_id: int | None, allocation_id: int, reason: str, *,
                                   now: datetime, via: str) -> Outcome:
    """The auditor records why the family's view could not be sought; that settles it. The answer's
    card says it is recorded."""
    try:
        reason = checked_text("The reason", reason, limit=oc.REASON_MAX, keep=None)
    except AnswerError as refused:
        invalid(refused.message)
    async with unit(ctx, actor_id, now=now, via=via, not_on_roster=NOT_ON_ROSTER) as act:
        owed = await _owed(act.session, act.actor, allocation_id)
        entry = FeedbackEntry(author_id=act.actor.id, source="", service_area=owed.service_area, team=owed.team,
                              case_ref=owed.case_ref, how_given="", rating=None, said=reason,
                              allocation_id=owed.id, not_possible=True, created_at=now)
        act.session.add(entry)
        await act.session.flush()
        act.trail("feedback", entry.id, NOT_POSSIBLE_RECORDED, month=owed.month, reason_length=len(reason),
                  allocation_id=owed.id)
        await follow_ups.cancel_for(act.session, "allocation", [owed.id], now, kinds=(FAMILY_VIEW,))
        return Outcome(Status.DONE, card=oc.family_view_done_card(owed.case_ref, True))
