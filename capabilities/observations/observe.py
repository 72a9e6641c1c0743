"""`observe`: a manager records a direct observation of practice (framework section 11), and the
supervisee adds their reflection.

Practice managers, service leads, heads of service and deputy directors observe. (The team
managers of conference chairs and IROs observe too: the roster's `iro`/`cp_chair` roles come with
the supervision issue; until then their managers are on the roster as practice managers or
service leads and observe as such.) One step at a time: whom (their supervisees, most overdue
first; senior managers may type anyone's name), when (Today), the area of practice, what went
well, what to develop, the action plan (one or more actions, then Done), a summary, Save.
`observe <name>` (the button beside each person on the practice-week list) skips "whom".

Save calls flow.record_observation: one transaction with its trail row and the supervisee's notice
(`observation-notice`), which carries a box for their reflection (`observation.reflect`).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.context import Context
from capabilities.observations import access, flow
from capabilities.observations.common import NOT_ON_ROSTER, checked_text, parse_day
from capabilities.observations.flow import NOT_AN_OBSERVER
from dialogs.observation_cards import NO_NAMES
from dialogs.steps import AnswerError, Answers, Question, Start, Step, StepsDialog, normal
from qa.observations import AREAS, MAX_ACTIONS, Supervisee, most_overdue_first
from storage.models import Person
from storage.observations import active_people, last_observed, supervisees_of
from storage.people import active_person

DIALOG = "observe"
COMMAND = "observe"
VIA = "dialog:observe"
MAX_LISTED = 20  # supervisees offered at once (the rest by typing a name)

NO_SUPERVISEES = "You have no supervisees on the roster, so there is no one for you to observe yet."
WHOM_Q = "Whom did you observe? Most overdue first."
WHOM_TYPED = " Or type their name as the roster has it."
WHEN_Q = "When? Tap Today, or type the date (e.g. 28/11/2026)."
AREA_Q = "Which area of practice?"
WELL_Q = "What went well? " + NO_NAMES
DEVELOP_Q = "What to develop? " + NO_NAMES
ACTION_FIRST = "The action plan: type the first action. " + NO_NAMES
ACTION_MORE = "Action {n}: type another action, or tap Done."
DONE = "Done"
SAVE = "Save"
UNKNOWN_NAME = "I can't find exactly one person of that name on the roster: please tap a name, or type it in full."


async def candidates(session: AsyncSession, actor: Person) -> list[Person]:
    """Whom `actor` may observe: their supervisees; anyone for senior managers."""
    if access.observes_anyone(actor):
        return [p for p in await active_people(session) if p.id != actor.id]
    return await supervisees_of(session, actor)


def summary(answers: Answers, name: str) -> str:
    # Paragraphs: a hero card's text (markdown) runs single line breaks together.
    actions = "\n\n".join(f"Action {n}: {a}" for n, a in enumerate(answers.get("actions", []), 1))
    return (f"Observed: {name}\n\nOn: {answers['when']}\n\nArea: {answers['area']}\n\n"
            f"What went well: {answers['well']}\n\nWhat to develop: {answers['develop']}\n\n{actions}")


async def _start(ctx: Context, actor_id: int | None, argument: str | None) -> Start:
    async with ctx.db.sessions() as session:
        actor = await active_person(session, actor_id)
        if actor is None:
            return Start(message=NOT_ON_ROSTER)
        if not access.observes(actor):
            return Start(message=NOT_AN_OBSERVER)
        people = await candidates(session, actor)
    if not people:
        return Start(message=NO_SUPERVISEES)
    if argument:
        named = [p for p in people if normal(p.display_name) == argument]
        if len(named) == 1:
            return Start(answers={"whom": named[0].id})
    return Start()


async def _ask_area(_answers: Answers, _actor: int | None) -> Question:
    return Question(AREA_Q, [(a, a) for a in AREAS])


async def _ask_well(_answers: Answers, _actor: int | None) -> Question:
    return Question(WELL_Q, typed=True)


async def _ask_develop(_answers: Answers, _actor: int | None) -> Question:
    return Question(DEVELOP_Q, typed=True)


async def _ask_action(answers: Answers, _actor: int | None) -> Question:
    given = answers.get("actions") or []
    if not given:
        return Question(ACTION_FIRST, typed=True)
    if len(given) >= MAX_ACTIONS:
        return Question(f"That is {MAX_ACTIONS} actions, the most one plan holds: tap Done.", skip=DONE)
    return Question(ACTION_MORE.format(n=len(given) + 1), typed=True, skip=DONE)


async def save(ctx: Context, actor_id: int | None, answers: Answers) -> str:
    """The conversation's answers to flow.record_observation; the sentence to say."""
    try:
        observed_on = date.fromisoformat(answers.get("when") or "")
    except ValueError:
        return "The date is not readable." + flow.NOTHING_SAVED
    outcome = await flow.record_observation(
        ctx, actor_id, answers.get("whom"), observed_on, answers.get("area") or "", answers.get("well") or "",
        answers.get("develop") or "", answers.get("actions") or [], dates_kept=True, now=ctx.clock(),
        via=VIA)
    return outcome.message


def observe_dialog(ctx: Context) -> StepsDialog:
    def today() -> date:
        return ctx.calendar.local_date(ctx.clock())

    async def ask_whom(_answers: Answers, actor_id: int | None) -> Question:
        async with ctx.db.sessions() as session:
            actor = await active_person(session, actor_id)
            own = await supervisees_of(session, actor) if actor else []
            senior = actor is not None and access.observes_anyone(actor)
            last = await last_observed(session, [p.id for p in own], observer_id=actor_id)
        ordered = most_overdue_first(Supervisee(p.id, p.display_name, last.get(p.id)) for p in own)
        return Question(WHOM_Q + (WHOM_TYPED if senior or len(ordered) > MAX_LISTED else ""),
                        [(s.name, s.id) for s in ordered[:MAX_LISTED]], typed=True)

    async def ask_when(_answers: Answers, _actor: int | None) -> Question:
        return Question(WHEN_Q, [("Today", today().isoformat())], typed=True)

    async def ask_confirm(answers: Answers, _actor: int | None) -> Question:
        async with ctx.db.sessions() as session:
            person = await session.get(Person, answers.get("whom"))
        name = person.display_name if person else "someone"
        return Question(f"Please check, then tap Save (or type back to change something).\n\n"
                        f"{summary(answers, name)}", [(SAVE, SAVE)])

    steps = [
        Step("whom", ask_whom, parse=lambda text, _a, actor: resolve_typed_whom(ctx, actor, text)),
        Step("when", ask_when, parse=lambda text, *_: parse_day(text, today()).isoformat()),
        Step("area", _ask_area),
        Step("well", _ask_well, parse=lambda text, *_: checked_text("What went well", text)),
        Step("develop", _ask_develop, parse=lambda text, *_: checked_text("What to develop", text)),
        Step("actions", _ask_action, parse=lambda text, *_: checked_text("The action", text, limit=300),
             collect=True),
        Step("confirm", ask_confirm),
    ]
    return StepsDialog(DIALOG, steps, lambda actor_id, argument: _start(ctx, actor_id, argument),
                       lambda actor_id, answers: save(ctx, actor_id, answers))


async def resolve_typed_whom(ctx: Context, actor_id: int | None, text: str) -> int:
    """The id of the one person `actor_id` may observe whose name is `text`; AnswerError otherwise."""
    async with ctx.db.sessions() as session:
        actor = await active_person(session, actor_id)
        if actor is None:
            raise AnswerError(NOT_ON_ROSTER)
        people = await candidates(session, actor)
    named = [p for p in people if normal(p.display_name) == normal(text)]
    if len(named) != 1:
        raise AnswerError(UNKNOWN_NAME)
    return named[0].id
