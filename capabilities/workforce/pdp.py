"""Personal development plans (framework 9.2: "All staff have a Personal Development Plan (PDP) as part of their
annual appraisal. The content of the PDP is collated at team level ..."; rules qa/training_needs.py, queries
storage/training_needs.py, cards dialogs/pdp_cards.py).

When a manager presses Held today on an appraisal line, the PDP form follows in their chat (`after_appraisal`);
they can open it later with `pdp <email>` for anyone they manage. The form offers the council's learning topics
(capabilities/workforce/topics.py) and a short note of any other learning need, screened for identifiers. Each use
case re-checks on the server that the sender may record the person's appraisal (their supervisor, anyone above,
or the QA unit: access.may_record_asye), and a plan always belongs to the person's latest appraisal recorded:
topic tags and dates, never what the appraisal said.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from capabilities.context import Context
from capabilities.kit import Outcome, Status, look, refuse, unit, use_case
from capabilities.registry import CommandReply, Relation, Said
from capabilities.workforce import topics as topic_file
from capabilities.workforce.appraisal import last_appraisals
from capabilities.workforce.managed import managed_person
from dialogs import pdp_cards as pc
from dialogs.card_kit import format_day
from qa import emails
from qa.training_needs import TopicList, chosen_topics, note_problem
from storage.models import Person
from storage.people import person_by_email, supervises_anyone
from storage.training_needs import plan_of, save_plan
from storage.workforce import StaffMember

NOTHING_SAVED = "Nothing was saved."


async def _manages(ctx: Context, person: Person) -> bool:
    async with ctx.db.sessions() as session:
        return await supervises_anyone(session, person)


# `pdp` is for managers: anyone the roster names as someone's supervisor (a relation, not a role). The same relation,
# by its name, as supervision's (capabilities/supervision/access.py SUPERVISOR), defined here because supervision
# imports this capability and not the other way round.
MANAGES = Relation("supervisor", "people the roster names as someone's supervisor", _manages)
HOW = "Type pdp and the person's work email, for example: pdp ana.diaz@example.gov.uk"


@dataclass
class PdpOutcome(Outcome):
    view: pc.PdpView | None = None


def _choices(topics: TopicList) -> tuple[pc.TopicChoice, ...]:
    return tuple(pc.TopicChoice(t.id, t.label, t.group) for t in topics.topics)


async def _about(act, ctx: Context, person_id: int) -> tuple[StaffMember, Mapping[int, StaffMember]]:
    """The person and the roster's staff, once the actor is known to manage them (else Stop)."""
    return await managed_person(act, ctx.calendar.tz, person_id, "record their personal development plan",
                                NOTHING_SAVED)


@use_case(PdpOutcome)
async def form(ctx: Context, actor_id: int | None, person_id: int, *, now: datetime, via: str,
               topics: TopicList | None = None) -> PdpOutcome:
    """The PDP form for `person_id`'s latest appraisal recorded, with the plan already saved for it. Refused for
    anyone but their manager (or those above, or the QA unit), and when no appraisal is recorded yet."""
    topics = topics or topic_file.in_use()
    async with look(ctx, actor_id, now=now, via=via) as act:
        about, _staff = await _about(act, ctx, person_id)
        held_on = (await last_appraisals(act.session, [about.id])).get(about.id)
        if held_on is None:
            refuse(f"No appraisal is recorded for {about.name} yet: press Held today on their appraisal line in "
                   "your supervision digest first.")
        saved = await plan_of(act.session, about.id, held_on)
        view = pc.PdpView(about.id, about.name, held_on, _choices(topics),
                          tuple(saved.topics) if saved else (), saved.note if saved else None)
    return PdpOutcome(Status.DONE, f"Personal development plan: {about.name}", view=view)


@use_case(PdpOutcome)
async def save(ctx: Context, actor_id: int | None, person_id: int, month: object, picked: object, note: object, *,
               now: datetime, via: str, topics: TopicList | None = None) -> PdpOutcome:
    """Save the topics `picked` (the card's multi-select value) and `note` for `person_id`'s latest appraisal, whose
    month must be `month` (the card's; a later appraisal needs a new form). Invalid: a topic not on the list, a
    note with an identifier or too long (the form comes back with what was typed and why). One trail row
    (`pdp_recorded`: the number of topics and whether there is a note, never the note)."""
    topics = topics or topic_file.in_use()
    text = note.strip() if isinstance(note, str) else None
    async with unit(ctx, actor_id, now=now, via=via) as act:
        about, _staff = await _about(act, ctx, person_id)
        held_on = (await last_appraisals(act.session, [about.id])).get(about.id)
        if held_on is None:
            refuse(f"No appraisal is recorded for {about.name}. " + NOTHING_SAVED)
        chosen, unknown = chosen_topics(picked, topics)
        view = pc.PdpView(about.id, about.name, held_on, _choices(topics), tuple(chosen), text or None)
        if not isinstance(month, str) or month != f"{held_on:%Y-%m}":
            refuse(f"A later appraisal is recorded for {about.name} (held {format_day(held_on)}): type pdp and "
                   "their email for its plan. " + NOTHING_SAVED)
        problem = (f"{', '.join(unknown)} is not on the council's list of learning topics any more."
                   if unknown else None) or note_problem(text)
        if problem:
            return PdpOutcome(Status.INVALID, problem, view=_with(view, problem + " " + NOTHING_SAVED))
        await save_plan(act.session, about.id, held_on, chosen, text or None, act.actor.id if act.actor else None,
                        now)
        act.trail("person", about.id, "pdp_recorded", appraisal_on=held_on.isoformat(), topics=len(chosen),
                  note=bool(text))
    words = pc.pdp_saved_words(about.name, [topics.label(t) for t in chosen], bool(text))
    return PdpOutcome(Status.DONE, words, view=_with(view, words, good=True))


def _with(view: pc.PdpView, message: str, good: bool = False) -> pc.PdpView:
    return pc.PdpView(view.person_id, view.name, view.appraisal_on, view.choices, view.chosen, view.note, message,
                      good)


# ---------------------------------------------------------------- the command, and what a press sends


async def after_appraisal(ctx: Context, actor_id: int | None, person_id: int, now: datetime) -> list[tuple[dict, str]]:
    """The PDP form to send after an appraisal was recorded as held (nothing if it cannot be): (card, summary)."""
    outcome = await form(ctx, actor_id, person_id, now=now, via="card:pdp")
    if outcome.view is None:
        return []
    return [(pc.pdp_card(outcome.view), outcome.message)]


async def command(said: Said) -> CommandReply:
    """`pdp <email>`: the PDP form for someone the sender manages (checked on the server)."""
    email = emails.typed(said.argument)
    if not emails.is_email(email):
        return CommandReply(pc.pdp_notice_card(HOW), HOW)
    async with said.ctx.db.sessions() as session:
        person = await person_by_email(session, email)
    if person is None or person.left_at is not None:
        message = f"Nobody on the roster has the email {email}. " + HOW
        return CommandReply(pc.pdp_notice_card(message), message)
    outcome = await form(said.ctx, said.person.id if said.person else None, person.id, now=said.now,
                         via="command:pdp")
    if outcome.view is None:
        return CommandReply(pc.pdp_notice_card(outcome.message), outcome.message)
    return CommandReply(pc.pdp_card(outcome.view), outcome.message)
