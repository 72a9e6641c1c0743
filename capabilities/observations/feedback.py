"""`feedback`: a feedback entry in under a minute (framework 9.4, 14 and 6), and the family's view
an audit asked for.

Any roster person answers, one tap at a time: from whom, the service area and team, a case ref if
there is one, how it was given, a rating where one applies (children and families: how they felt
about the help they got), what was said in the person's words without names, then Save.
Complaints and compliments go to the QA unit at once (`feedback-alert`, due now). `feedback audit
<allocation id>` (the "Record the family's view" button of an audit that asked for it) starts the
same conversation about that audit's case; "not possible" with a reason is a valid answer too.
"""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.context import Context
from capabilities.observations import kinds
from capabilities.observations.common import NOT_ON_ROSTER, checked_text
from capabilities.press import UNREADABLE, Press, Reply, positive_id
from dialogs import observation_cards as oc
from dialogs.observation_cards import NO_NAMES, FeedbackView
from dialogs.steps import AnswerError, Answers, Question, Start, Step, StepsDialog
from qa.allocations import CASE_REF
from qa.identifiers import first_refusal
from qa.observations import (
    COMPLAINT,
    COMPLIMENT,
    FAMILY_VIEW,
    FEEDBACK_SOURCES,
    HOW_GIVEN,
    NO_RATING,
    RATINGS,
    rating_value,
)
from storage import follow_ups
from storage.models import Allocation, Audit, FeedbackEntry, Person, TrailEvent
from storage.observations import family_view_recorded, people_with_roles, service_areas, teams_in
from storage.outbox import enqueue
from storage.people import active_person

DIALOG = "practice-feedback"
COMMAND = "feedback"
VIA = "dialog:feedback"
RECORDED = "feedback_recorded"
NOT_POSSIBLE_RECORDED = "family_view_not_possible"

TITLE = "The family's view"
SOURCE_Q = "Feedback from whom?"
AREA_Q = "About which service area?"
TEAM_Q = "Which team?"
CASE_Q = "The case reference, if there is one (never a name)."
NO_CASE = "No case ref"
HOW_Q = "How was it given?"
RATING_Q = "How did they feel about the help they got? (1 very unhappy to 5 very happy)"
SAID_Q = "What was said, in their words. " + NO_NAMES
SAVE = "Save"
SAVED = "Saved: thank you. The principal social work team and the QA unit will see it in the monthly digest."
SAVED_AT_ONCE = "Saved: thank you. The QA unit has been sent this {how} now."
NOT_AN_AUDIT = "I can't find that audit, or it is not yours to record the family's view for. " \
               "Type feedback to record feedback."
ALREADY_RECORDED = "The family's view for this audit is already recorded. Nothing was changed."
_AUDIT_ARGUMENT = re.compile(r"^audit (\d{1,9})$")


def _rated(answers: Answers) -> bool:
    return answers.get("source") in FEEDBACK_SOURCES[:2]


def summary(answers: Answers) -> str:
    lines = [f"From: {answers['source']}", f"Service area: {answers['area']}", f"Team: {answers['team']}",
             f"Case ref: {answers.get('case_ref') or 'none'}", f"How: {answers['how']}"]
    if _rated(answers):
        lines.append(f"Rating: {answers.get('rating') or NO_RATING}")
    lines.append(f"What was said: {answers['said']}")
    return "\n\n".join(lines)  # paragraphs: a hero card's text runs single line breaks together


def _case_ref(text: str, *_) -> str:
    ref = text.strip().upper()
    if len(ref) > 50 or not CASE_REF.match(ref):
        raise AnswerError("A case reference is letters and digits (with - _ or /), up to 50, e.g. CD-4810037. "
                      "Never a name.")
    return ref


def _short(field: str, limit: int = 200):
    return lambda text, *_: checked_text(field, text, limit=limit)


def feedback_dialog(ctx: Context) -> StepsDialog:
    async def start(actor_id: int | None, argument: str | None) -> Start:
        async with ctx.db.sessions() as session:
            actor = await active_person(session, actor_id)
            if actor is None:
                return Start(message=NOT_ON_ROSTER)
            match = _AUDIT_ARGUMENT.match(argument or "")
            if argument and not match:
                return Start()  # words after `feedback` that are not an audit: the ordinary questions
            if match:
                owed = await family_view_owed(session, actor, int(match[1]))
                if isinstance(owed, str):
                    return Start(message=owed)
                return Start(answers={"allocation_id": owed.id, "case_ref": owed.case_ref,
                                      "area": owed.service_area, "team": owed.team})
            return Start()

    async def ask_source(_answers: Answers, _actor: int | None) -> Question:
        return Question(SOURCE_Q, [(s, s) for s in FEEDBACK_SOURCES])

    async def ask_area(_answers: Answers, actor_id: int | None) -> Question:
        async with ctx.db.sessions() as session:
            areas = await service_areas(session)
            actor = await session.get(Person, actor_id) if actor_id else None
        mine = [a for a in (actor.service_areas if actor else []) if a in areas]
        ordered = mine + [a for a in areas if a not in mine]
        return Question(AREA_Q, [(a, a) for a in ordered], typed=not ordered)

    async def ask_team(answers: Answers, _actor: int | None) -> Question:
        async with ctx.db.sessions() as session:
            teams = await teams_in(session, answers.get("area"))
        return Question(TEAM_Q + (" Tap one, or type it." if teams else " Type it."), [(t, t) for t in teams],
                        typed=True)

    async def ask_case(_answers: Answers, _actor: int | None) -> Question:
        return Question(CASE_Q, typed=True, skip=NO_CASE)

    async def ask_how(_answers: Answers, _actor: int | None) -> Question:
        return Question(HOW_Q, [(h, h) for h in HOW_GIVEN])

    async def ask_rating(_answers: Answers, _actor: int | None) -> Question:
        return Question(RATING_Q, [(r, r) for r in (*RATINGS, NO_RATING)])

    async def ask_said(_answers: Answers, _actor: int | None) -> Question:
        return Question(SAID_Q, typed=True)

    async def ask_confirm(answers: Answers, _actor: int | None) -> Question:
        return Question(f"Please check, then tap Save (or type back to change something).\n\n{summary(answers)}",
                        [(SAVE, SAVE)])

    async def finish(actor_id: int | None, answers: Answers) -> str:
        return await record_feedback(ctx, actor_id, answers)

    steps = [
        Step("source", ask_source),
        Step("area", ask_area, parse=_short("Service area")),
        Step("team", ask_team, parse=_short("Team")),
        Step("case_ref", ask_case, parse=_case_ref),
        Step("how", ask_how),
        Step("rating", ask_rating, applies=_rated),
        Step("said", ask_said, parse=lambda text, *_: checked_text("What was said", text)),
        Step("confirm", ask_confirm),
    ]
    return StepsDialog(DIALOG, steps, start, finish)


async def family_view_owed(session: AsyncSession, actor: Person, allocation_id: int) -> Allocation | str:
    """The allocation whose family's view `actor` owes, or what to tell them instead."""
    allocation = await session.get(Allocation, allocation_id)
    audit = (await session.scalars(select(Audit).where(Audit.allocation_id == allocation_id))).first() \
        if allocation else None
    if allocation is None or audit is None or allocation.auditor_id != actor.id or not audit.seek_family_views:
        return NOT_AN_AUDIT
    if await family_view_recorded(session, allocation_id):
        return ALREADY_RECORDED
    return allocation


def view_of(entry: FeedbackEntry, author_name: str) -> FeedbackView:
    return FeedbackView(entry_id=entry.id, author_name=author_name, source=entry.source,
                        service_area=entry.service_area, team=entry.team, case_ref=entry.case_ref,
                        how_given=entry.how_given, rating=entry.rating, said=entry.said,
                        recorded_at=entry.created_at, not_possible=entry.not_possible)


async def record_feedback(ctx: Context, actor_id: int | None, answers: Answers) -> str:
    """Save one feedback entry (one transaction): re-check the author and the audit, check every
    typed field again, write the entry, its trail row, a complaint's or compliment's alert to the
    QA unit (due now) and settle the audit's owed family view. The sentence to say."""
    source, how = answers.get("source"), answers.get("how")
    if source not in FEEDBACK_SOURCES or how not in HOW_GIVEN:
        return "Feedback is from one of the offered sources and given in one of the offered ways. Nothing was saved."
    said, area, team = answers.get("said") or "", answers.get("area") or "", answers.get("team") or ""
    refused = first_refusal({"What was said": said, "Service area": area, "Team": team})
    if refused or not said.strip():
        return (refused or "What was said is needed.") + " Nothing was saved."
    now = ctx.clock()
    async with ctx.db.sessions.begin() as session:
        actor = await active_person(session, actor_id)
        if actor is None:
            return NOT_ON_ROSTER
        allocation_id = answers.get("allocation_id")
        if allocation_id is not None:
            owed = await family_view_owed(session, actor, allocation_id)
            if isinstance(owed, str):
                return owed
        entry = FeedbackEntry(author_id=actor.id, source=source, service_area=area[:200], team=team[:200],
                              case_ref=answers.get("case_ref"), how_given=how,
                              rating=rating_value(answers.get("rating")) if _rated(answers) else None,
                              said=said, allocation_id=allocation_id, not_possible=False, created_at=now)
        session.add(entry)
        await session.flush()
        session.add(TrailEvent(subject_type="feedback", subject_id=entry.id, month=None, actor_id=actor.id,
                               action=RECORDED, via=VIA, at=now,
                               detail={"said_length": len(said), "rated": entry.rating is not None,
                                       "case_ref": entry.case_ref is not None, "how": HOW_GIVEN.index(how),
                                       "source": FEEDBACK_SOURCES.index(source),
                                       "allocation_id": allocation_id}))
        if allocation_id is not None:
            await _settle_family_view(session, allocation_id, now)
        if how in (COMPLAINT, COMPLIMENT):
            view = view_of(entry, actor.display_name)
            for person in await people_with_roles(session, ("qa_unit",)):
                line = f"{how} recorded by {actor.display_name} ({area})"
                await enqueue(session, key=f"feedback-alert:{entry.id}:{person.id}", kind=kinds.FEEDBACK_ALERT,
                              person_id=person.id, due_at=now, now=now,
                              payload=kinds.FEEDBACK_ALERT.message(view, ctx.calendar.tz, summary=line, alone=True))
            return SAVED_AT_ONCE.format(how=how.lower())
    return SAVED


async def _settle_family_view(session: AsyncSession, allocation_id: int, now: datetime) -> None:
    await follow_ups.cancel_for(session, "allocation", [allocation_id], now, kinds=(FAMILY_VIEW,))


async def family_view_not_possible(p: Press) -> Reply:
    """The "Not possible" button: the auditor says why the family's view could not be sought."""
    allocation_id = positive_id(p.data.get("allocation_id"))
    reason = p.data.get(oc.REASON)
    reason = reason.strip() if isinstance(reason, str) else ""
    if allocation_id is None:
        return Reply(card=oc.polite_message_card(TITLE, UNREADABLE))
    if p.actor is None:
        return Reply(card=oc.polite_message_card(TITLE, NOT_ON_ROSTER))
    try:
        reason = checked_text("The reason", reason, limit=oc.REASON_MAX)
    except AnswerError as refused:
        return Reply(text=refused.message)
    async with p.ctx.db.sessions.begin() as session:
        actor = await active_person(session, p.actor.id)
        owed = await family_view_owed(session, actor, allocation_id) if actor else NOT_ON_ROSTER
        if isinstance(owed, str):
            return Reply(card=oc.polite_message_card(TITLE, owed))
        entry = FeedbackEntry(author_id=actor.id, source="", service_area=owed.service_area, team=owed.team,
                              case_ref=owed.case_ref, how_given="", rating=None, said=reason,
                              allocation_id=owed.id, not_possible=True, created_at=p.now)
        session.add(entry)
        await session.flush()
        session.add(TrailEvent(subject_type="feedback", subject_id=entry.id, month=owed.month, actor_id=actor.id,
                               action=NOT_POSSIBLE_RECORDED, via=f"card:{oc.FAMILY_VIEW_NOT_POSSIBLE}", at=p.now,
                               detail={"reason_length": len(reason), "allocation_id": owed.id}))
        await _settle_family_view(session, owed.id, p.now)
        case_ref = owed.case_ref
    return Reply(card=oc.family_view_done_card(case_ref, True), update=True)
