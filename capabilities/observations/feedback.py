"""`feedback`: a feedback entry in under a minute (framework 9.4, 14 and 6), and the family's view
an audit asked for.

Any roster person answers, one tap at a time: from whom, the service area and team, a case ref if
there is one, what kind it is (complaint, compliment, or comment or suggestion) and, apart, how it was given
(conversation, phone, letter or email, survey, a meeting), a rating where one applies (children and families: how they felt
about the help they got), what was said in the person's words without names, then Save.
Complaints and compliments go to the QA unit at once (`feedback-alert`, due now); a complaint is
told plainly that this is not the council's statutory complaints procedure, and how to make one. `feedback audit
<allocation id>` (the "Record the family's view" button of an audit that asked for it) starts the
same conversation about that audit's case; "not possible" with a reason is a valid answer too.
"""
from __future__ import annotations

import re

from capabilities.context import Context
from capabilities.observations import flow
from capabilities.observations.common import NOT_ON_ROSTER, checked_case_ref, checked_text
from capabilities.settings import case_refs
from dialogs.observation_cards import NO_NAMES
from dialogs.steps import Answers, Question, Start, Step, StepsDialog
from qa.observations import FEEDBACK_KINDS, FEEDBACK_SOURCES, HOW_GIVEN, NO_RATING, RATINGS, rating_value
from storage.observations import service_areas, teams_in
from storage.people import active_person

DIALOG = "practice-feedback"
COMMAND = "feedback"
VIA = "dialog:feedback"

SOURCE_Q = "Feedback from whom?"
AREA_Q = "About which service area?"
TEAM_Q = "Which team?"
CASE_Q = "The case reference, if there is one (never a name)."
NO_CASE = "No case ref"
KIND_Q = "Is it a complaint, a compliment, or a comment or suggestion?"
HOW_Q = "How was it given?"
RATING_Q = "How did they feel about the help they got? (1 very unhappy to 5 very happy)"
SAID_Q = "What was said, in their words. " + NO_NAMES
SAVE = "Save"
_AUDIT_ARGUMENT = re.compile(r"^audit (\d{1,9})$")


def _rated(answers: Answers) -> bool:
    return answers.get("source") in FEEDBACK_SOURCES[:2]


def summary(answers: Answers) -> str:
    lines = [f"From: {answers['source']}", f"Service area: {answers['area']}", f"Team: {answers['team']}",
             f"Case ref: {answers.get('case_ref') or 'none'}", f"Kind: {answers['kind']}",
             f"How it was given: {answers['how']}"]
    if _rated(answers):
        lines.append(f"Rating: {answers.get('rating') or NO_RATING}")
    lines.append(f"What was said: {answers['said']}")
    return "\n\n".join(lines)  # paragraphs: a hero card's text runs single line breaks together


def _case_ref(text: str, *_) -> str:
    return checked_case_ref(text)


def _short(field: str, limit: int = 200):
    return lambda text, *_: checked_text(field, text, limit=limit)


async def _start(ctx: Context, actor_id: int | None, argument: str | None) -> Start:
    async with ctx.db.sessions() as session:
        actor = await active_person(session, actor_id)
        if actor is None:
            return Start(message=NOT_ON_ROSTER)
        match = _AUDIT_ARGUMENT.match(argument or "")
        if not match:
            return Start()  # no words after `feedback`, or words that are not an audit: the ordinary questions
        owed = await flow.family_view_owed(session, actor, int(match[1]))
    if isinstance(owed, str):
        return Start(message=owed)
    return Start(answers={"allocation_id": owed.id, "case_ref": owed.case_ref, "area": owed.service_area,
                          "team": owed.team})


async def _ask_source(_answers: Answers, _actor: int | None) -> Question:
    return Question(SOURCE_Q, [(s, s) for s in FEEDBACK_SOURCES])


async def _ask_case(_answers: Answers, _actor: int | None) -> Question:
    return Question(CASE_Q, typed=True, skip=NO_CASE)


async def _ask_kind(_answers: Answers, _actor: int | None) -> Question:
    return Question(KIND_Q, [(k, k) for k in FEEDBACK_KINDS])


async def _ask_how(_answers: Answers, _actor: int | None) -> Question:
    return Question(HOW_Q, [(h, h) for h in HOW_GIVEN])


async def _ask_rating(_answers: Answers, _actor: int | None) -> Question:
    return Question(RATING_Q, [(r, r) for r in (*RATINGS, NO_RATING)])


async def _ask_said(_answers: Answers, _actor: int | None) -> Question:
    return Question(SAID_Q, typed=True)


async def _ask_confirm(answers: Answers, _actor: int | None) -> Question:
    return Question(f"Please check, then tap Save (or type back to change something).\n\n{summary(answers)}",
                    [(SAVE, SAVE)])


async def save(ctx: Context, actor_id: int | None, answers: Answers) -> str:
    """The conversation's answers to flow.record_feedback; the sentence to say."""
    outcome = await flow.record_feedback(
        ctx, actor_id, source=answers.get("source"), how=answers.get("how"), kind=answers.get("kind"),
        area=answers.get("area") or "",
        team=answers.get("team") or "", said=answers.get("said") or "", case_ref=answers.get("case_ref"),
        rating=rating_value(answers.get("rating")) if _rated(answers) else None,
        allocation_id=answers.get("allocation_id"), dates_kept=True,
        case_refs=case_refs(), now=ctx.clock(), via=VIA)
    return outcome.message


def feedback_dialog(ctx: Context) -> StepsDialog:
    async def ask_area(_answers: Answers, actor_id: int | None) -> Question:
        async with ctx.db.sessions() as session:
            areas = await service_areas(session)
            actor = await active_person(session, actor_id)
        mine = [a for a in (actor.service_areas if actor else []) if a in areas]
        ordered = mine + [a for a in areas if a not in mine]
        return Question(AREA_Q, [(a, a) for a in ordered], typed=not ordered)

    async def ask_team(answers: Answers, _actor: int | None) -> Question:
        async with ctx.db.sessions() as session:
            teams = await teams_in(session, answers.get("area"))
        return Question(TEAM_Q + (" Tap one, or type it." if teams else " Type it."), [(t, t) for t in teams],
                        typed=True)

    steps = [
        Step("source", _ask_source),
        Step("area", ask_area, parse=_short("Service area")),
        Step("team", ask_team, parse=_short("Team")),
        Step("case_ref", _ask_case, parse=_case_ref),
        Step("kind", _ask_kind),
        Step("how", _ask_how),
        Step("rating", _ask_rating, applies=_rated),
        Step("said", _ask_said, parse=lambda text, *_: checked_text("What was said", text)),
        Step("confirm", _ask_confirm),
    ]
    return StepsDialog(DIALOG, steps, lambda actor_id, argument: _start(ctx, actor_id, argument),
                       lambda actor_id, answers: save(ctx, actor_id, answers))
