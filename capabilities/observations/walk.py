"""`walk`: a senior manager records walking the floor of a team (framework section 11: they walk
the floor regularly, talk to staff, listen and observe, and report themes to the QA unit).

Service leads, heads of service and deputy directors: the team (their service areas' teams first;
any team typed), the date (Today), themes from a fixed list (one or more, then Done), a short note
(or none), Save. The QA unit gets the themes by team monthly (duties.MonthlyDigestDuty).
"""
from __future__ import annotations

from datetime import date

from capabilities.context import Context
from capabilities.observations import access, flow
from capabilities.observations.common import NOT_ON_ROSTER, checked_text, parse_day
from capabilities.observations.flow import NOT_SENIOR, NOTE_MAX
from dialogs.observation_cards import NO_NAMES
from dialogs.steps import Answers, Question, Start, Step, StepsDialog
from qa.observations import WALK_THEMES
from storage.observations import teams_in
from storage.people import active_person

DIALOG = "walk"
COMMAND = "walk"
VIA = "dialog:walk"

TEAM_Q = "Which team's floor did you walk? Tap one, or type it."
WHEN_Q = "When? Tap Today, or type the date (e.g. 28/11/2026)."
THEMES_FIRST = "Which themes came up? Tap one at a time."
THEMES_MORE = "Any other theme? Tap another, or Done."
NOTE_Q = "A short note for the QA unit (up to 500 characters), or tap No note. " + NO_NAMES
NO_NOTE = "No note"
DONE = "Done"
SAVE = "Save"


def summary(answers: Answers) -> str:
    return (f"Team: {answers['team']}\n\nOn: {answers['when']}\n\nThemes: {', '.join(answers['themes'])}\n\n"
            f"Note: {answers.get('note') or 'none'}")


def walk_dialog(ctx: Context) -> StepsDialog:
    def today() -> date:
        return ctx.calendar.local_date(ctx.clock())

    async def start(actor_id: int | None, _argument: str | None) -> Start:
        async with ctx.db.sessions() as session:
            actor = await active_person(session, actor_id)
        if actor is None:
            return Start(message=NOT_ON_ROSTER)
        return Start() if access.walks_the_floor(actor) else Start(message=NOT_SENIOR)

    async def ask_team(_answers: Answers, actor_id: int | None) -> Question:
        async with ctx.db.sessions() as session:
            actor = await active_person(session, actor_id)
            teams = []
            for area in actor.service_areas if actor else []:
                teams += [t for t in await teams_in(session, area) if t not in teams]
        return Question(TEAM_Q, [(t, t) for t in teams], typed=True)

    async def ask_when(_answers: Answers, _actor: int | None) -> Question:
        return Question(WHEN_Q, [("Today", today().isoformat())], typed=True)

    async def ask_themes(answers: Answers, _actor: int | None) -> Question:
        chosen = answers.get("themes") or []
        left = [(t, t) for t in WALK_THEMES if t not in chosen]
        return Question(THEMES_MORE if chosen else THEMES_FIRST, left, skip=DONE if chosen else None)

    async def ask_note(_answers: Answers, _actor: int | None) -> Question:
        return Question(NOTE_Q, typed=True, skip=NO_NOTE)

    async def ask_confirm(answers: Answers, _actor: int | None) -> Question:
        return Question(f"Please check, then tap Save (or type back to change something).\n\n{summary(answers)}",
                        [(SAVE, SAVE)])

    async def finish(actor_id: int | None, answers: Answers) -> str:
        return await save(ctx, actor_id, answers)

    steps = [
        Step("team", ask_team, parse=lambda text, *_: checked_text("Team", text, limit=200)),
        Step("when", ask_when, parse=lambda text, *_: parse_day(text, today()).isoformat()),
        Step("themes", ask_themes, collect=True),
        Step("note", ask_note, parse=lambda text, *_: checked_text("The note", text, limit=NOTE_MAX)),
        Step("confirm", ask_confirm),
    ]
    return StepsDialog(DIALOG, steps, start, finish)


async def save(ctx: Context, actor_id: int | None, answers: Answers) -> str:
    """The conversation's answers to flow.record_walk; the sentence to say."""
    try:
        walked_on = date.fromisoformat(answers.get("when") or "")
    except ValueError:
        return "The date is not readable." + flow.NOTHING_SAVED
    outcome = await flow.record_walk(ctx, actor_id, answers.get("team") or "", walked_on, answers.get("themes") or [],
                                     answers.get("note") or "", dates_kept=True, now=ctx.clock(), via=VIA)
    return outcome.message
