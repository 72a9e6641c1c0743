"""Induction of new staff and managers (framework 9.2: "All new staff and managers must receive an induction ...
the staff member must sign off each element in the Induction Plan as it is completed"; section 8: practice
managers implement induction; rules in qa/induction.py, queries in storage/induction.py, cards in
dialogs/induction_cards.py).

Who gets a plan: someone whose roster start_date is within the last QA_INDUCTION_NEW_STARTER_MONTHS months gets
one on the next working morning without anyone asking (capabilities/workforce/induction_duties.py); anyone else
when their manager types `induction <their email>` (their direct reports only: the roster names the sender as
their supervisor, or the sender covers that supervisor while away). The plan is the council's definition file
(QA_INDUCTION_PLAN_FILE), each element's target date from the start on the working calendar.

The use cases, on the kit (capabilities/kit.py: one transaction, who may act re-checked against the sender, one
trail row): `mark` (a manager marks a new starter), `sign_off` (the starter presses Done), `confirm` (their
manager confirms one element, or every one signed off). The chat commands `induction [EMAIL]` and
`my induction`, and the buttons, are here too.
"""
from __future__ import annotations

import argparse
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from capabilities.context import Context
from capabilities.kit import NOT_ON_ROSTER, Outcome, Status, already, invalid, not_found, refuse, unit, use_case
from capabilities.registry import CliCommand, CommandError, CommandReply, Relation, Said
from capabilities.workforce import config, induction_kinds
from capabilities.workforce.induction_file import check_file
from capabilities.workforce.managed import managed_person
from dialogs import induction_cards as ic
from dialogs.card_kit import format_day
from dialogs.payload import Payload
from qa import emails
from qa.induction import SIGNED, PlanDefinition, is_new_starter, plan_targets, standing
from storage import induction as store
from storage.models import Person
from storage.people import person_by_email, supervises_anyone
from storage.workforce import StaffMember, workforce

log = logging.getLogger(__name__)
NOTHING_CHANGED = "Nothing was changed."
TITLE = "Induction"


async def _supervises(ctx: Context, person: Person) -> bool:
    async with ctx.db.sessions() as session:
        return await supervises_anyone(session, person)


# The same relation as supervision's `supervision` command (a supervisor of anyone on the roster): a manager
# marks a direct report as a new starter and confirms their induction.
SUPERVISOR = Relation("supervisor", "people the roster names as someone's supervisor", _supervises)


def lines(stored: store.StoredPlan, plan: PlanDefinition, today: date) -> tuple[ic.ElementLine, ...]:
    """A stored plan's elements as shown, in target order; an element no longer in the council's plan keeps its id
    as its title."""
    out = []
    for e in stored.elements:
        element = plan.element(e.element_id)
        out.append(ic.ElementLine(e.element_id, element.title if element else e.element_id.replace("_", " "),
                                  e.target, standing(e, today), e.signed_on, e.confirmed_on,
                                  element.detail if element else ""))
    return tuple(out)


def plan_view(staff: Mapping[int, StaffMember], stored: store.StoredPlan, plan: PlanDefinition,
              today: date) -> ic.PlanView:
    me = staff.get(stored.person_id)
    manager = staff.get(me.supervisor_id) if me is not None and me.supervisor_id is not None else None
    return ic.PlanView(stored.person_id, plan.title, stored.started_on, manager.name if manager else "",
                       lines(stored, plan, today))


def starter_lines(staff: Mapping[int, StaffMember], stored: store.StoredPlan, plan: PlanDefinition,
                  today: date) -> ic.StarterLines:
    who = staff.get(stored.person_id)
    return ic.StarterLines(stored.person_id, who.name if who else "someone", stored.started_on,
                           lines(stored, plan, today))


def plan_payload(view: ic.PlanView) -> Payload:
    return Payload.of(induction_kinds.PLAN.card(view), f"Your induction: {view.plan_title}")


@dataclass
class InductionOutcome(Outcome):
    person_id: int | None = None
    count: int = 0


@use_case(InductionOutcome)
async def mark(ctx: Context, actor_id: int | None, email: str, *, now: datetime, via: str,
               plan: PlanDefinition, months: int) -> InductionOutcome:
    """The sender marks their direct report (the roster person at `email`) as a new starter: their induction plan
    is made from the roster's start date when that makes them a new starter (within `months`,
    QA_INDUCTION_NEW_STARTER_MONTHS), else from today (the council's local day: someone new to their role, such as a
    practitioner become a manager, or with no start date on the roster), and sent to them. Refused for anyone but
    their supervisor (or someone covering them); an address not on the roster is not found. Already: they have a
    plan from that start."""
    today = ctx.calendar.local_date(now)
    address = emails.key(email)
    if address is None:
        invalid("Type induction and the new starter's email address, e.g. induction sam.lee@council.gov.uk. "
                + NOTHING_CHANGED)
    async with unit(ctx, actor_id, now=now, via=via) as act:
        staff = await workforce(act.session, ctx.calendar.tz)
        person = await person_by_email(act.session, address)
        about = staff.get(person.id) if person is not None else None
        if about is None:
            not_found(f"Nobody on the roster has the address {address}. " + NOTHING_CHANGED)
        if not await act.may(lambda actor: about.supervisor_id == actor.id and actor.id != about.id):
            refuse(f"Only {about.name}'s supervisor can mark them as a new starter: the roster names "
                   + (f"{staff[about.supervisor_id].name}." if about.supervisor_id in staff else "nobody.")
                   + " " + NOTHING_CHANGED)
        started = about.start_date if about.start_date and is_new_starter(about.start_date, today, months) else today
        targets = plan_targets(started, plan.elements, ctx.calendar)
        if not await store.make_plan(act.session, about.id, started, targets, now):
            already(f"{about.name} already has an induction plan from {format_day(started)}. " + NOTHING_CHANGED)
        stored = (await store.plans(act.session, ctx.calendar.tz, [about.id]))[about.id]
        await act.notify(induction_kinds.PLAN, [about.id], plan_payload(plan_view(staff, stored, plan, today)),
                         key=f"{induction_kinds.PLAN}:{about.id}:{started}")
        act.trail("person", about.id, "induction_marked", started_on=started.isoformat(), elements=len(targets))
    return InductionOutcome(Status.DONE, f"{about.name} is marked as a new starter: their induction plan "
                                         f"({len(targets)} elements from {format_day(started)}) is on its way to "
                                         "them. You confirm each element as they sign it off.",
                            person_id=about.id, count=len(targets))


@use_case(InductionOutcome)
async def sign_off(ctx: Context, actor_id: int | None, person_id: int, element_id: str, *, now: datetime,
                   via: str) -> InductionOutcome:
    """The starter `person_id` signs off `element_id` of their current plan (the sender must be them). Already:
    signed off before (the first stands)."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        assert act.actor is not None
        if act.actor.id != person_id:
            refuse("Only the new starter signs off their induction; their manager then confirms it. "
                   + NOTHING_CHANGED)
        stored = (await store.plans(act.session, ctx.calendar.tz, [person_id])).get(person_id)
        if stored is None or element_id not in {e.element_id for e in stored.elements}:
            not_found("This element is not in your current induction plan. " + NOTHING_CHANGED)
        if not await store.sign_off(act.session, person_id, stored.started_on, element_id, now):
            already("You already signed this element off. " + NOTHING_CHANGED)
        act.trail("person", person_id, "induction_signed_off", element=element_id)
    return InductionOutcome(Status.DONE, "Signed off: your manager is asked to confirm it.", person_id=person_id,
                            count=1)


@use_case(InductionOutcome)
async def confirm(ctx: Context, actor_id: int | None, person_id: int, element_id: str | None, *, now: datetime,
                  via: str) -> InductionOutcome:
    """Confirm `element_id` of the starter's current plan (None: every element signed off and not yet
    confirmed). Refused for the starter themself and anyone but their supervisor, those above them or the QA
    unit, and for an element not yet signed off. Already: nothing left to confirm."""
    today = ctx.calendar.local_date(now)
    async with unit(ctx, actor_id, now=now, via=via) as act:
        about, staff = await managed_person(act, ctx.calendar.tz, person_id, "confirm their induction", NOTHING_CHANGED)
        stored = (await store.plans(act.session, ctx.calendar.tz, [person_id])).get(person_id)
        if stored is None:
            not_found(f"{about.name} has no induction plan. " + NOTHING_CHANGED)
        states = {e.element_id: e for e in stored.elements}
        if element_id is not None and element_id not in states:
            not_found(f"This element is not in {about.name}'s current induction plan. " + NOTHING_CHANGED)
        if element_id is not None and states[element_id].signed_on is None:
            refuse(f"{about.name} has not signed this element off yet: it is confirmed after they do. "
                   + NOTHING_CHANGED)
        wanted = [element_id] if element_id is not None else [
            e.element_id for e in stored.elements if standing(e, today) == SIGNED]
        count = await store.confirm(act.session, person_id, stored.started_on, wanted,
                                    act.actor.id if act.actor else None, now) if wanted else 0
        if not count:
            already(f"Everything {about.name} signed off is already confirmed. " + NOTHING_CHANGED)
        act.trail("person", person_id, "induction_confirmed", elements=count,
                  **({"element": element_id} if element_id else {}))
    return InductionOutcome(Status.DONE, f"Confirmed {count} element{'s' if count != 1 else ''} of {about.name}'s "
                                         "induction.", person_id=person_id, count=count)


# ---------------------------------------------------------------- the chat commands


def _notice(message: str, good: bool = False) -> CommandReply:
    return CommandReply(ic.induction_notice_card(TITLE, message, good=good), message)


async def induction_command(said: Said) -> CommandReply:
    """`induction EMAIL`: mark a direct report as a new starter; `induction` alone: the manager's card to confirm
    their direct reports' inductions."""
    if said.person is None:
        return _notice(NOT_ON_ROSTER)
    if said.argument.strip():
        outcome = await mark(said.ctx, said.person.id, emails.typed(said.argument), now=said.now, via="command:induction",
                             plan=config.plan_in_use(), months=config.new_starter_months())
        return _notice(outcome.message, good=outcome.status == Status.DONE)
    today = said.ctx.calendar.local_date(said.now)
    plan = config.plan_in_use()
    async with said.ctx.db.sessions() as session:
        staff = await workforce(session, said.ctx.calendar.tz)
        reports = [s.id for s in staff.values() if s.supervisor_id == said.person.id and s.id != said.person.id]
        found = await store.plans(session, said.ctx.calendar.tz, reports)
    starters = sorted((starter_lines(staff, p, plan, today) for p in found.values()
                       if any(e.confirmed_on is None for e in p.elements)), key=lambda s: s.name.casefold())
    if not starters:
        return _notice("None of your supervisees has an induction in progress. To mark one as a new starter, type "
                       "induction and their email address.")
    waiting = sum(line.standing == SIGNED for s in starters for line in s.lines)
    return CommandReply(induction_kinds.CONFIRM.card(ic.ConfirmView(today, tuple(starters))),
                        f"Induction: {len(starters)} in progress, {waiting} to confirm")


async def my_induction(said: Said) -> CommandReply:
    """`my induction`: the sender's own plan, with Done on each element not yet signed off."""
    if said.person is None:
        return _notice(NOT_ON_ROSTER)
    today = said.ctx.calendar.local_date(said.now)
    async with said.ctx.db.sessions() as session:
        staff = await workforce(session, said.ctx.calendar.tz)
        stored = (await store.plans(session, said.ctx.calendar.tz, [said.person.id])).get(said.person.id)
    if stored is None:
        return _notice("You have no induction plan. New starters get one from the roster's start date, or when "
                       "their manager marks them.")
    view = plan_view(staff, stored, config.plan_in_use(), today)
    return CommandReply(ic.plan_card(view), f"Your induction: {view.plan_title}")


async def plan_card_for(ctx: Context, person_id: int, now: datetime) -> dict | None:
    """The starter's plan card as it stands at `now` (None: they have no plan), to change a card in place."""
    today = ctx.calendar.local_date(now)
    async with ctx.db.sessions() as session:
        staff = await workforce(session, ctx.calendar.tz)
        stored = (await store.plans(session, ctx.calendar.tz, [person_id])).get(person_id)
    return ic.plan_card(plan_view(staff, stored, config.plan_in_use(), today)) if stored else None


# ---------------------------------------------------------------- the command line


def _add(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("show", help="the induction plan in use (QA_INDUCTION_PLAN_FILE): elements and target weeks")
    check = sub.add_parser("check", help="check an induction plan definition (.json) without using it")
    check.add_argument("file", type=Path)


def describe(plan: PlanDefinition) -> str:
    """The plan as plain text: a line for the plan, then one per element with its target week."""
    return "\n".join([f"{plan.title} ({plan.name} v{plan.version}), {len(plan.elements)} elements:",
                      *(f"  week {e.week:>2}  {e.id}: {e.title}" for e in plan.elements)])


async def _cli(args: argparse.Namespace, _ctx: Context) -> int:
    if args.action == "show":
        print(describe(config.induction_plan()))
        return 0
    checked = check_file(args.file)
    if checked.plan is None:
        raise CommandError("\n".join(f"{args.file.name} {problem}" for problem in checked.problems))
    print(f"{args.file.name}: no problems (not in use until QA_INDUCTION_PLAN_FILE names it)\n"
          + describe(checked.plan))
    return 0


CLI = CliCommand("induction", "the induction plan in use (show) and checking a definition (check FILE)", _add, _cli)
