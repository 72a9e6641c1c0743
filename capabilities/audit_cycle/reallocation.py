"""The QA unit moves an audit to another auditor from Teams (framework 9.3: the QA unit distributes
the month's allocations and reallocates a case an auditor cannot do), from the decline notice's
Reallocate or from `reallocate <case ref>`, before the audit is started.

`reallocate` is one unit of work on the kit: the QA unit only (checked here, against the sender, on
every press); the allocation locked, not started (allocated or declined), its month open; the chosen
person re-checked against the rules (qa/reallocation.py: active, practice manager or above, not the
case holder nor their line manager, not the auditor it moves from); then the move, one trail row
("reallocated", as the allocation import writes), the new auditor's allocation notice (the same
notice the month's list and late imports send: `duties.notify_allocations`, due at once in working
hours, else the next working morning; before the month's notice moment the 3rd's notice carries it),
every other copy of the decline notice updated in place, and the old auditor's own allocation notice too:
the case's section says it has moved to whom, with no button left on it (capabilities/copies.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from capabilities import kit
from capabilities.audit_cycle import flow
from capabilities.audit_cycle.duties import notify_allocations
from capabilities.audit_cycle.kinds import ALLOCATION_MOVED, ALLOCATION_NOTICE, DECLINE_UPDATE
from capabilities.context import Context
from capabilities.copies import update_copies
from capabilities.kit import NOTHING_CHANGED, Status, invalid, refuse, unit, use_case
from dialogs.card_kit import format_month
from dialogs.card_update import acted_card
from dialogs.conversation import command_words
from dialogs.reallocation_cards import ReallocationView, moved_section, moved_words, shows_case
from qa.audit_calendar import cycle_dates, month_key, parse_month_key
from qa.reallocation import CHOICES_SHOWN, Candidate, choice_title, why_not
from storage import cycle
from storage.models import Allocation, Audit, AuditMonth, Person
from storage.people import is_qa_unit
from storage.reallocation import candidates_for, line_manager_id

REALLOCATED = "reallocated"  # TrailEvent.action, as the allocation import writes it
ONLY_QA_UNIT = f"Only the QA unit can reallocate an audit. {NOTHING_CHANGED}"
CHOOSE = "Please choose the new auditor."
NOT_STARTED = ("allocated", "declined")


@dataclass
class ReallocationOutcome(kit.Outcome):
    """What `reallocate` and `reallocation_for` answer."""

    allocation_id: int | None = None
    case_ref: str = ""
    from_name: str = ""
    to_name: str = ""
    actor_name: str = ""
    at: datetime | None = None
    told_now: bool = False  # the new auditor's notice is due at once (working hours)
    view: ReallocationView | None = None  # for `reallocate <case ref>`


def choices(candidates: list[Candidate]) -> tuple[tuple[int, str], ...]:
    """What a card offers: the first CHOICES_SHOWN, fewest audits first."""
    return tuple((c.person_id, choice_title(c)) for c in candidates[:CHOICES_SHOWN])


def moved_card(case_ref: str, to_name: str, actor_name: str, at: datetime, tz, *, from_name: str) -> dict:
    """Every copy of the decline notice once the case is moved: who took it, by whom, when; no button."""
    return acted_card(f"Allocation declined: case {case_ref}", f"Reallocated to {to_name}", actor_name, at, tz,
                      details=[("Case", case_ref), ("Declined by", from_name), ("New auditor", to_name)])


async def _started(act: kit.Act, allocation: Allocation) -> bool:
    has_audit = (await act.session.execute(select(Audit.id).where(Audit.allocation_id == allocation.id))).first()
    return allocation.state not in NOT_STARTED or allocation.started_at is not None or has_audit is not None


async def _movable(act: kit.Act, allocation: Allocation) -> None:
    """Stops (nothing written) unless the allocation may be moved: not started, its month open."""
    if await _started(act, allocation):
        kit.already(f"{await flow.where_it_is(act, allocation)} Only an audit not yet started can be reallocated. "
                    f"{NOTHING_CHANGED}")
    month = await act.session.get(AuditMonth, allocation.month)
    if month is not None and month.closed_at is not None:
        invalid(f"{format_month(allocation.month)} is closed: it takes no more changes. {NOTHING_CHANGED}")


@use_case(ReallocationOutcome)
async def reallocate(ctx: Context, actor_id: int, allocation_id: int, to_person_id: int | None, *, now: datetime,
                     via: str, pressed: list[int] | tuple[int, ...] = (),
                     declined_by: int | None = None) -> ReallocationOutcome:
    """Move `allocation_id` to `to_person_id` (see the module notes). `pressed`: the outbox rows of the
    pressed message, which the press's own answer replaces; `declined_by`: pressed on the decline notice
    of this auditor, so a case they no longer hold (moved already) is left alone. Refused for anyone but the QA unit; ALREADY
    when started meanwhile; INVALID for no choice, an ineligible choice or a closed month."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        if not is_qa_unit(act.actor):
            refuse(ONLY_QA_UNIT)
        allocation = await act.lock(Allocation, allocation_id, missing=flow.NOT_FOUND, options=flow._LOADED)
        if declined_by is not None and (allocation.auditor_id != declined_by or allocation.state != "declined"):
            kit.already(f"Case {allocation.case_ref} was already reallocated: its auditor is now "
                        f"{allocation.auditor.display_name}. {NOTHING_CHANGED}", title=f"Case {allocation.case_ref}")
        await _movable(act, allocation)
        if to_person_id is None:
            invalid(CHOOSE)
        chosen = await act.session.get(Person, to_person_id)
        if chosen is None:
            invalid(f"I can't find that person on the roster. {CHOOSE}")
        problem = why_not(Candidate(chosen.id, chosen.display_name, chosen.role, chosen.active),
                          case_holder_id=allocation.case_holder_id,
                          line_manager_id=await line_manager_id(act.session, allocation.case_holder_id),
                          current_auditor_id=allocation.auditor_id)
        if problem:
            invalid(f"{chosen.display_name} can't take this audit: they {problem}. {NOTHING_CHANGED}")
        was, old = allocation.state, allocation.auditor
        allocation.auditor_id, allocation.auditor = chosen.id, chosen
        allocation.state, allocation.decline_reason = "allocated", None
        allocation.notified_at = None  # the new auditor's own notice
        allocation.updated_at = now
        await act.session.flush()
        act.trail("allocation", allocation.id, REALLOCATED, month=allocation.month, case_ref=allocation.case_ref,
                  from_auditor_id=old.id, to_auditor_id=chosen.id, was=was)
        told_now = False
        dates = cycle_dates(*parse_month_key(allocation.month), act.calendar)
        if now > act.calendar.at_send_time(dates.allocation_notice_day):  # else the 3rd's notice carries it
            due = act.calendar.next_send_moment(now)
            await notify_allocations(act.session, act.calendar, allocation.month, [allocation], due, now, late=True)
            told_now = due <= now
        card = moved_card(allocation.case_ref, chosen.display_name, act.actor.display_name, now, act.calendar.tz,
                          from_name=old.display_name)
        await update_copies(act.session, [f"decline-notice:{allocation.id}:"], card,
                            f"Case {allocation.case_ref} reallocated to {chosen.display_name}", kind=DECLINE_UPDATE,
                            key=f"{DECLINE_UPDATE}:{allocation.id}:{now.strftime('%Y%m%dT%H%M%S%f')}", now=now,
                            skip=pressed)
        await _tell_old_auditor(act, allocation, old, chosen, pressed)
        act.urgent = told_now
        return ReallocationOutcome(Status.DONE, f"Case {allocation.case_ref} reallocated to {chosen.display_name}",
                                   card=card, allocation_id=allocation.id, case_ref=allocation.case_ref,
                                   from_name=old.display_name, to_name=chosen.display_name,
                                   actor_name=act.actor.display_name, at=now, told_now=told_now, urgent=told_now)


async def _tell_old_auditor(act: kit.Act, allocation: Allocation, old: Person, chosen: Person,
                            pressed: list[int] | tuple[int, ...]) -> int:
    """The old auditor's allocation notices of the month (the 3rd's and any late one) that show the case:
    its section now says it has moved to `chosen`, no button left (sent copies replaced in place at the
    sender's pace, unsent ones go out so). Returns the copies changed."""
    base = f"{ALLOCATION_NOTICE}:{allocation.month}:{old.id}"
    words = moved_words(chosen.display_name, act.actor.display_name, act.now, act.calendar.tz)

    def theirs(row) -> bool:  # ":12" is not ":1"; and only notices showing this case
        return (row.idempotency_key == base or row.idempotency_key.startswith(base + ":")) and shows_case(
            (row.payload or {}).get("card") or {}, allocation.id, allocation.case_ref)

    done = await update_copies(act.session, [base], lambda c: moved_section(c, allocation.id, allocation.case_ref, words),
                               f"Case {allocation.case_ref} has moved to {chosen.display_name}", kind=ALLOCATION_MOVED,
                               key=f"{ALLOCATION_MOVED}:{allocation.id}:{act.now.strftime('%Y%m%dT%H%M%S%f')}",
                               now=act.now, skip=pressed, only=theirs)
    return done.updated + done.queued


@use_case(ReallocationOutcome)
async def reallocation_for(ctx: Context, actor_id: int, typed_ref: str, *, now: datetime,
                           via: str) -> ReallocationOutcome:
    """`reallocate <case ref>`: the case in the latest month up to now (as typed, compared as typed
    words are: case and punctuation aside), with who may take it over. Reads only."""
    async with kit.look(ctx, actor_id, now=now, via=via) as act:
        if not is_qa_unit(act.actor):
            refuse(ONLY_QA_UNIT)
        wanted = command_words(typed_ref)
        if not wanted:
            invalid("Which case? Type reallocate and the case reference, e.g. reallocate CR-1002.")
        today = act.calendar.local_date(now)
        month = await cycle.latest_month(act.session, month_key(today.year, today.month))
        found = None
        if month is not None:
            rows = (await act.session.execute(select(Allocation.id, Allocation.case_ref).where(
                Allocation.month == month))).all()
            found = next((r.id for r in rows if command_words(r.case_ref) == wanted), None)
        if found is None:
            kit.not_found(f"I can't find case {typed_ref.strip()} in {format_month(month) if month else 'any month'}'s "
                          "allocations.")
        allocation = (await act.session.execute(
            select(Allocation).where(Allocation.id == found).options(*flow._LOADED))).scalar_one()
        await _movable(act, allocation)
        eligible = await candidates_for(act.session, allocation)
        shown = choices(eligible)
        view = ReallocationView(allocation.id, allocation.case_ref, format_month(allocation.month), allocation.team,
                                allocation.service_area, allocation.auditor.display_name, allocation.state, shown,
                                more=len(eligible) - len(shown))
        return ReallocationOutcome(Status.UNCHANGED, allocation_id=allocation.id, case_ref=allocation.case_ref,
                                   view=view)


