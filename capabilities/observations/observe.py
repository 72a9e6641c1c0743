"""`observe`: a manager records a direct observation of practice (framework section 11), and the
supervisee adds their reflection.

Practice managers, service leads, heads of service and deputy directors observe. (The team
managers of conference chairs and IROs observe too: the roster's `iro`/`cp_chair` roles come with
the supervision issue; until then their managers are on the roster as practice managers or
service leads and observe as such.) One step at a time: whom (their supervisees, most overdue
first; senior managers may type anyone's name), when (Today), the area of practice, what went
well, what to develop, the action plan (one or more actions, then Done), a summary, Save.
`observe <name>` (the button beside each person on the practice-week list) skips "whom".

Saved in one transaction with its trail row and the supervisee's notice (`observation-notice`),
which carries a box for their reflection (`observation.reflect`).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.context import Context
from capabilities.observations import kinds
from capabilities.observations.common import NOT_ON_ROSTER, checked_text, parse_day
from capabilities.press import UNREADABLE, Press, Reply, positive_id
from dialogs import observation_cards as oc
from dialogs.observation_cards import NO_NAMES, ObservationView
from dialogs.steps import AnswerError, Answers, Question, Start, Step, StepsDialog, normal
from qa.identifiers import first_refusal
from qa.observations import AREAS, MAX_ACTIONS, MAX_TEXT, OBSERVER_ROLES, SENIOR_ROLES, Supervisee, most_overdue_first
from storage.models import Observation, Person, TrailEvent
from storage.observations import active_people, last_observed, supervisees_of
from storage.outbox import enqueue
from storage.people import active_person

DIALOG = "observe"
COMMAND = "observe"
VIA = "dialog:observe"
RECORDED = "observation_recorded"
REFLECTED = "observation_reflected"
TITLE = "Observation of practice"
MAX_LISTED = 20  # supervisees offered at once (the rest by typing a name)

NOT_AN_OBSERVER = ("Observations of practice are recorded by practice managers, service leads, heads of service "
                   "and deputy directors (and, once the roster has those roles, the team managers of conference "
                   "chairs and IROs).")
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
SAVED = "Saved. {name} will get the observation to add their reflection; its action plan is reviewed in supervision."
NOT_YOURS = "{name} is not one of your supervisees on the roster, so I can't record this observation. " \
            "Nothing was saved."
UNKNOWN_NAME = "I can't find exactly one person of that name on the roster: please tap a name, or type it in full."


async def candidates(session: AsyncSession, actor: Person) -> tuple[list[Person], bool]:
    """Whom `actor` may observe (their supervisees; anyone for senior managers) and whether that is
    anyone (senior)."""
    senior = actor.role in SENIOR_ROLES
    if senior:
        return [p for p in await active_people(session) if p.id != actor.id], True
    return await supervisees_of(session, actor), False


async def may_observe(session: AsyncSession, actor: Person, supervisee: Person | None) -> bool:
    if supervisee is None or not supervisee.active or supervisee.id == actor.id:
        return False
    return actor.role in SENIOR_ROLES or supervisee.supervisor_email == actor.email


def summary(answers: Answers, name: str) -> str:
    # Paragraphs: a hero card's text (markdown) runs single line breaks together.
    actions = "\n\n".join(f"Action {n}: {a}" for n, a in enumerate(answers.get("actions", []), 1))
    return (f"Observed: {name}\n\nOn: {answers['when']}\n\nArea: {answers['area']}\n\n"
            f"What went well: {answers['well']}\n\nWhat to develop: {answers['develop']}\n\n{actions}")


def observe_dialog(ctx: Context) -> StepsDialog:
    def today() -> date:
        return ctx.calendar.local_date(ctx.clock())

    async def start(actor_id: int | None, argument: str | None) -> Start:
        async with ctx.db.sessions() as session:
            actor = await active_person(session, actor_id)
            if actor is None:
                return Start(message=NOT_ON_ROSTER)
            if actor.role not in OBSERVER_ROLES:
                return Start(message=NOT_AN_OBSERVER)
            people, senior = await candidates(session, actor)
        if not people:
            return Start(message=NO_SUPERVISEES)
        if argument:
            named = [p for p in people if normal(p.display_name) == argument]
            if len(named) == 1:
                return Start(answers={"whom": named[0].id})
        return Start()

    async def ask_whom(_answers: Answers, actor_id: int | None) -> Question:
        async with ctx.db.sessions() as session:
            actor = await session.get(Person, actor_id)
            own = await supervisees_of(session, actor)
            senior = actor.role in SENIOR_ROLES
            last = await last_observed(session, [p.id for p in own], observer_id=actor.id)
        ordered = most_overdue_first(Supervisee(p.id, p.display_name, last.get(p.id)) for p in own)
        return Question(WHOM_Q + (WHOM_TYPED if senior or len(ordered) > MAX_LISTED else ""),
                        [(s.name, s.id) for s in ordered[:MAX_LISTED]], typed=True)

    async def ask_when(_answers: Answers, _actor: int | None) -> Question:
        return Question(WHEN_Q, [("Today", today().isoformat())], typed=True)

    async def ask_area(_answers: Answers, _actor: int | None) -> Question:
        return Question(AREA_Q, [(a, a) for a in AREAS])

    async def ask_well(_answers: Answers, _actor: int | None) -> Question:
        return Question(WELL_Q, typed=True)

    async def ask_develop(_answers: Answers, _actor: int | None) -> Question:
        return Question(DEVELOP_Q, typed=True)

    async def ask_action(answers: Answers, _actor: int | None) -> Question:
        given = answers.get("actions") or []
        if not given:
            return Question(ACTION_FIRST, typed=True)
        if len(given) >= MAX_ACTIONS:
            return Question(f"That is {MAX_ACTIONS} actions, the most one plan holds: tap Done.", skip=DONE)
        return Question(ACTION_MORE.format(n=len(given) + 1), typed=True, skip=DONE)

    async def ask_confirm(answers: Answers, _actor: int | None) -> Question:
        async with ctx.db.sessions() as session:
            person = await session.get(Person, answers.get("whom"))
        name = person.display_name if person else "someone"
        return Question(f"Please check, then tap Save (or type back to change something).\n\n"
                        f"{summary(answers, name)}", [(SAVE, SAVE)])

    async def finish(actor_id: int | None, answers: Answers) -> str:
        return await record_observation(ctx, actor_id, answers)

    steps = [
        Step("whom", ask_whom, parse=lambda text, _a, actor: resolve_typed_whom(ctx, actor, text)),
        Step("when", ask_when, parse=lambda text, *_: parse_day(text, today()).isoformat()),
        Step("area", ask_area),
        Step("well", ask_well, parse=lambda text, *_: checked_text("What went well", text)),
        Step("develop", ask_develop, parse=lambda text, *_: checked_text("What to develop", text)),
        Step("actions", ask_action, parse=lambda text, *_: checked_text("The action", text, limit=300),
             collect=True),
        Step("confirm", ask_confirm),
    ]
    return StepsDialog(DIALOG, steps, start, finish)


async def resolve_typed_whom(ctx: Context, actor_id: int | None, text: str) -> int:
    """The id of the one person `actor_id` may observe whose name is `text`; AnswerError otherwise."""
    async with ctx.db.sessions() as session:
        actor = await active_person(session, actor_id)
        if actor is None:
            raise AnswerError(NOT_ON_ROSTER)
        people, _senior = await candidates(session, actor)
    named = [p for p in people if normal(p.display_name) == normal(text)]
    if len(named) != 1:
        raise AnswerError(UNKNOWN_NAME)
    return named[0].id


def view_of(observation: Observation, observer: str, supervisee: str) -> ObservationView:
    return ObservationView(observation_id=observation.id, observer_name=observer, supervisee_name=supervisee,
                           observed_on=observation.observed_on, area=observation.area,
                           went_well=observation.went_well, to_develop=observation.to_develop,
                           actions=list(observation.actions), reflection=observation.reflection,
                           reflected_at=observation.reflected_at)


async def record_observation(ctx: Context, actor_id: int | None, answers: Answers) -> str:
    """Save one observation (one transaction): re-check who may observe whom, check the typed text
    again, write the observation, its trail row and the supervisee's notice. The sentence to say."""
    actions = [a for a in answers.get("actions") or [] if isinstance(a, str) and a.strip()]
    well, develop = answers.get("well") or "", answers.get("develop") or ""
    refused = first_refusal({"What went well": well, "What to develop": develop,
                             **{f"Action {n}": a for n, a in enumerate(actions, 1)}})
    if refused or not actions or not well or not develop or answers.get("area") not in AREAS \
            or any(len(t) > MAX_TEXT for t in (well, develop, *actions)):
        return (refused or "The observation is incomplete.") + " Nothing was saved."
    try:
        observed_on = date.fromisoformat(answers.get("when") or "")
    except ValueError:
        return "The date is not readable. Nothing was saved."
    now = ctx.clock()
    async with ctx.db.sessions.begin() as session:
        actor = await active_person(session, actor_id)
        if actor is None:
            return NOT_ON_ROSTER
        if actor.role not in OBSERVER_ROLES:
            return NOT_AN_OBSERVER + " Nothing was saved."
        supervisee = await session.get(Person, answers.get("whom")) if answers.get("whom") else None
        if not await may_observe(session, actor, supervisee):
            return NOT_YOURS.format(name=supervisee.display_name if supervisee else "That person")
        observation = Observation(observer_id=actor.id, supervisee_id=supervisee.id, observed_on=observed_on,
                                  area=answers["area"], went_well=well, to_develop=develop, actions=actions,
                                  created_at=now)
        session.add(observation)
        await session.flush()
        session.add(TrailEvent(subject_type="observation", subject_id=observation.id, month=None, actor_id=actor.id,
                               action=RECORDED, via=VIA, at=now,
                               detail={"supervisee_id": supervisee.id, "area": AREAS.index(observation.area),
                                       "actions": len(actions), "went_well_length": len(well),
                                       "to_develop_length": len(develop)}))
        view = view_of(observation, actor.display_name, supervisee.display_name)
        line = f"{actor.display_name} recorded an observation of your practice: add your reflection"
        await enqueue(session, key=f"observation-notice:{observation.id}", kind=kinds.OBSERVATION_NOTICE,
                      person_id=supervisee.id, due_at=ctx.calendar.next_send_moment(now), now=now,
                      payload=kinds.OBSERVATION_NOTICE.message(view, summary=line))
        name = supervisee.display_name
    return SAVED.format(name=name)


async def reflect(p: Press) -> Reply:
    """`observation.reflect`: the supervisee adds their reflection (once)."""
    observation_id = positive_id(p.data.get("observation_id"))
    if observation_id is None:
        return Reply(card=oc.polite_message_card(TITLE, UNREADABLE))
    if p.actor is None:
        return Reply(card=oc.polite_message_card(TITLE, NOT_ON_ROSTER))
    text = p.data.get(oc.REFLECTION)
    try:
        text = checked_text("Your reflection", text if isinstance(text, str) else "", limit=oc.REFLECTION_MAX)
    except AnswerError as refused:
        return Reply(text=refused.message)
    async with p.ctx.db.sessions.begin() as session:
        observation = await session.get(Observation, observation_id, with_for_update=True)
        if observation is None or observation.supervisee_id != p.actor.id:
            return Reply(card=oc.polite_message_card(TITLE, "This observation is not yours to reflect on. "
                                                            "Nothing was changed."))
        if observation.reflection is not None:
            return Reply(card=oc.polite_message_card(TITLE, "Your reflection on this observation is already "
                                                            "saved. Nothing was changed."))
        observation.reflection = text
        observation.reflected_at = p.now
        session.add(TrailEvent(subject_type="observation", subject_id=observation.id, month=None, actor_id=p.actor.id,
                               action=REFLECTED, via=f"card:{oc.REFLECT}", at=p.now,
                               detail={"reflection_length": len(text)}))
        observer = await session.get(Person, observation.observer_id)
        view = view_of(observation, observer.display_name if observer else "someone", p.actor.display_name)
    return Reply(card=oc.observation_record_card(view, p.ctx.calendar.tz), update=True)
