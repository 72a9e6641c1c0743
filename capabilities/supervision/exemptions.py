"""Case supervision exemptions from Teams (framework 9.1: "case-level supervision should take place every
eight weeks unless an exemption has been agreed by a Service Lead"). The same rule as the command line's
`supervision exempt` (storage.supervision.change_exemption): only an active service lead, only for a case on
the caseload whose holder is in their service areas, checked here against the sender every time; exempting
takes a reason (free text, screened for identifiers: qa/identifiers.py); one trail row.

On a digest a service lead of the case holder's area receives (capabilities/supervision/plan.py `exempts_for`),
the case supervision line carries **Exempt a case** (`exemption_form` opens the form in place: the cases due on
the line, a required reason) and a **Lift exemption** per case already exempt; the pressed digest shows the line
as it now stands, its count of items due recounted (capabilities/supervision/actions.py).

Once changed, today's supervision digests showing the case holder's case supervision line (the supervisor's,
or whoever has it while they are away) show the line as it now stands, in place (capabilities/copies.py):
an exempted case leaves the line (the line goes when no case is left); a lifted exemption is counted again on
a line already there, and otherwise comes back with the next morning's digest.
"""
from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from capabilities import kit
from capabilities.context import Context
from capabilities.copies import update_copies
from capabilities.kit import NOTHING_CHANGED, Status, invalid, refuse, unit, use_case
from capabilities.supervision import kinds
from capabilities.supervision.plan import exempted_cases, supervisee_lines
from dialogs import card_tree
from dialogs.supervision_cards import Line, LineKey, line_words, recount
from qa.framework import Role
from qa.identifiers import first_refusal
from qa.supervision import CASE, Cadences
from storage.models import OutboxMessage, Person
from storage.supervision import Board, ExemptionError, change_exemption, load_board

ONLY_SERVICE_LEAD = ("Only a service lead can exempt a case from case supervision or lift an exemption (framework "
                     f"9.1). {NOTHING_CHANGED}")
REASON_MAX = 500  # storage.models.CaseExemption.reason
WHICH = "Which case? Type exempt, the case reference and the reason, e.g. exempt CR-1002 stable placement, plan on track."


@dataclass
class ExemptionOutcome(kit.Outcome):
    case_ref: str = ""
    digests: int = 0  # digests changed in place (or, not yet sent, going out changed)
    holder_id: int | None = None  # the case holder, whose case line changed
    line: Line | None = None  # their case supervision line as it now stands, as the actor sees it (None: none due)
    exempted: tuple[str, ...] = ()  # the holder's cases exempt now


def _reason(value: str | None, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        invalid("Please give the reason for the exemption (a few words; no names, dates of birth or addresses).")
    if refused := first_refusal({"The reason": text}):
        invalid(f"{refused} {NOTHING_CHANGED}")
    if len(text) > REASON_MAX:
        invalid(f"Please keep the reason under {REASON_MAX} characters. {NOTHING_CHANGED}")
    return text


@use_case(ExemptionOutcome)
async def exempt(ctx: Context, actor_id: int, case_ref: str, reason: str | None, *, lift: bool = False,
                 now: datetime, via: str, cadences: Cadences = Cadences(),
                 pressed: Sequence[OutboxMessage] = (), holder_id: int | None = None) -> ExemptionOutcome:
    """Exempt `case_ref` from eight-weekly case supervision with `reason` (or, with `lift`, lift its exemption;
    a reason is then optional). REFUSED for anyone but a service lead, or a case outside their areas; INVALID
    for no case, no reason or one holding an identifier, or (`holder_id`, the digest line pressed) a case
    not on that holder's caseload; ALREADY when it was already so. `pressed`: the outbox rows of the digest
    pressed, left to the press's answer (`show_case_line` with the outcome's `line` and `exempted`)."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        if act.actor.role != Role.SERVICE_LEAD:
            refuse(ONLY_SERVICE_LEAD)
        ref = (case_ref or "").strip()
        if not ref:
            invalid(WHICH if not lift else "Which case? Type lift exemption and the case reference.")
        text = _reason(reason, required=not lift)
        try:
            change = await change_exemption(act.session, act.actor, ref, now, remove=lift, via=via, reason=text or None)
        except ExemptionError as exc:
            refuse(f"{exc}. {NOTHING_CHANGED}")
        if holder_id is not None and change.case_holder_id != holder_id:
            invalid(f"{change.case_ref} is not one of {await act.name(holder_id)}'s cases. {NOTHING_CHANGED}")
        if not change.changed:
            kit.already(f"{change.case_ref} is {'not exempt' if lift else 'already exempt'} from case supervision. "
                        f"{NOTHING_CHANGED}")
        line, exempted, digests = await _refresh_digests(act, change.case_holder_id, cadences, pressed)
        done = (f"{change.case_ref}: exemption lifted; case supervision is due every eight weeks again" if lift
                else f"{change.case_ref}: exempt from eight-weekly case supervision")
        return ExemptionOutcome(Status.DONE, done, case_ref=change.case_ref, digests=digests,
                                holder_id=change.case_holder_id, line=line, exempted=exempted)


def _case_line(board: Board, holder_id: int, day: date, act: kit.Act, cadences: Cadences,
               recipient_id: int | None) -> Line | None:
    """The holder's case supervision line today as `recipient_id`'s digest would show it, or None."""
    staff = board.staff.get(holder_id)
    if staff is None or holder_id not in board.facts:
        return None
    lines = supervisee_lines(board, staff, day, act.calendar, cadences,
                             recipient=board.staff.get(recipient_id) if recipient_id is not None else None)
    return next((ln for ln in lines if ln.kind == CASE), None)


@use_case(ExemptionOutcome)
async def exemption_form(ctx: Context, actor_id: int | None, key: LineKey, *, now: datetime, via: str,
                         cadences: Cadences = Cadences(), lifting: bool = False) -> ExemptionOutcome:
    """"Exempt a case" on the case supervision line `key` of a digest: the cases due on it today (`line`) and
    those exempt (`exempted`), for the form (UNCHANGED), to the service lead of the case holder's area only
    (REFUSED otherwise, checked against the sender); ALREADY when no case is due on the line any more (with
    `lifting`, "Lift an exemption": when none of the holder's cases is exempt). Reads only."""
    async with kit.look(ctx, actor_id, now=now, via=via) as act:
        if act.actor.role != Role.SERVICE_LEAD:
            refuse(ONLY_SERVICE_LEAD)
        holder = await act.session.get(Person, key.person_id)
        if holder is None or not set(act.actor.service_areas) & set(holder.service_areas):
            refuse(f"That case holder is not in {act.actor.display_name}'s service areas. {NOTHING_CHANGED}")
        today = act.calendar.local_date(now)
        board = await load_board(act.session, today, act.calendar.tz)
        line = _case_line(board, holder.id, today, act, cadences, act.actor.id)
        exempted = exempted_cases(board, holder.id)
        if lifting and not exempted:
            kit.already(f"None of {holder.display_name}'s cases is exempt from case supervision. {NOTHING_CHANGED}")
        if not lifting and (line is None or not line.case_refs):
            kit.already(f"No case supervision is due for {holder.display_name} today. {NOTHING_CHANGED}")
        return ExemptionOutcome(Status.UNCHANGED, case_ref="", holder_id=holder.id, line=line, exempted=exempted)


def _case_line_id(holder_id: int) -> str:
    return f"act-{LineKey(holder_id, CASE)}"


def with_case_line(content: dict, holder_id: int, line: Line | None) -> dict | None:
    """`content` (a digest card) with the holder's case supervision line as `line` says (None: removed, and
    their block with it when nothing else is left in it); None when the card has no such line."""
    new = copy.deepcopy(content)
    wanted = _case_line_id(holder_id)
    for node in card_tree.nodes(new):
        items = node.get("items") if node.get("type") == "Container" else None
        if not isinstance(items, list):
            continue
        at = next((i for i, item in enumerate(items) if isinstance(item, dict) and item.get("id") == wanted), None)
        if at is None or at == 0:
            continue
        if line is not None:
            items[at - 1]["text"] = line_words(line)
            return new
        del items[at - 1:at + 1]
        if not any(isinstance(i, dict) and str(i.get("id", "")).startswith(("act-", "note-", "form-")) for i in items):
            new["body"] = [b for b in new["body"] if b is not node]
        return recount(new, -1)  # the heading's "N items due" counts the line no more
    return None


async def _refresh_digests(act: kit.Act, holder_id: int, cadences: Cadences,
                           pressed: Sequence[OutboxMessage]) -> tuple[Line | None, tuple[str, ...], int]:
    """Today's digests with the holder's case line (but the pressed one), shown as the line now stands; the
    line as the actor's digest shows it, the holder's exempt cases, and how many digests change."""
    today = act.calendar.local_date(act.now)
    rows = [r for r in (await act.session.execute(select(OutboxMessage).where(
        OutboxMessage.kind == kinds.DIGEST, OutboxMessage.idempotency_key.like(f"{kinds.DIGEST}:{today}:%"),
        OutboxMessage.state.in_(("pending", "retrying", "sent"))))).scalars()]
    pressed_ids = {r.id for r in pressed}
    showing = [r for r in rows if with_case_line((r.payload or {}).get("card") or {}, holder_id, None) is not None]
    if not showing and not pressed:
        return None, (), 0
    board = await load_board(act.session, today, act.calendar.tz)
    changed = 0
    for row in showing:
        payload = row.payload or {}
        line = _case_line(board, holder_id, today, act, cadences, row.person_id)
        new = with_case_line(payload["card"], holder_id, line)
        if row.id in pressed_ids:
            continue
        others = [r.id for r in rows if r.id != row.id] + list(pressed_ids)
        done = await update_copies(act.session, [row.idempotency_key], new, str(payload.get("summary") or ""),
                                   kind=kinds.DIGEST_UPDATE, key=f"{kinds.DIGEST_UPDATE}:{holder_id}:"
                                   f"{act.now.strftime('%Y%m%dT%H%M%S%f')}", now=act.now, skip=others)
        changed += done.updated + done.queued
    return (_case_line(board, holder_id, today, act, cadences, act.actor.id), exempted_cases(board, holder_id),
            changed)
