"""Changing the month's proposed sample in chat (framework 9.3: the QA unit selects the cases), and
the full list as a workbook:

- `change`: swap a case for another eligible one, move it to another auditor, remove it, or draw the
  whole proposal again (a new seed, the same eligible cases): the QA unit only, on the proposal the
  card showed and not yet used; the rules (qa/sampling.py check_move, check_remove, replacement,
  redraw) decide, and a change they do not allow says which rule and writes nothing. Each change is
  one transaction with one trail row (`sample_swapped`, `sample_moved`, `sample_removed`,
  `sample_redrawn`: case references and roster ids only), and the card shows the proposal as it now is.
- `offer_workbook` / `make_workbook`: the list as it now stands, offered through Teams' file consent
  card (an outbox message due now) and made when the QA unit allows it (who may is checked again).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from capabilities.context import Context
from capabilities.kit import Outcome, Status, already, invalid, look, not_found, refuse, unit, use_case
from capabilities.registry import FileMade, OutboxKind
from capabilities.sampling import access, config, workbook
from capabilities.sampling.flow import MAX_SEED, proposal_view, qa_case, qa_picks
from dialogs import report_cards as rc
from dialogs.card_kit import format_month
from dialogs.payload import Payload
from dialogs.sample_cards import proposal_card, sample_used_card
from qa.sampling import Refused, check_move, check_remove, redraw, replacement
from storage import files
from storage.sampling import (
    Roster,
    move_pick,
    proposal_of,
    replace_draw,
    roster,
    spares_of,
    swap_pick,
    take_out,
)

OFFER = "sample"
SWAP, MOVE, REMOVE, REDRAW = "swap", "move", "remove", "redraw"
NO_CASE = "Choose or type the case to change first. Nothing was changed."
NO_AUDITOR = ("Choose or type the auditor to move the case to (their email, or their name as the roster has it). "
              "Nothing was changed.")
UNKNOWN_AUDITOR = ("I could not find that auditor on the roster: type their email, or their name as the roster has "
                   "it. Nothing was changed.")
SENDING = "I'm sending the list to you here now: press Allow on the file card to save it."


def _sample() -> dict:
    from dialogs import samples

    return samples.report_card_samples()["report_file_offer"]


WORKBOOK_KIND = OutboxKind("sample-workbook", rc.file_offer_card, _sample)


@dataclass
class FileOutcome(Outcome):
    file: FileMade | None = None


def _text(value: object, limit: int) -> str:
    return " ".join(value.split())[:limit] if isinstance(value, str) else ""


async def _open(act, ctx: Context, month: object, proposal_id: object, *, lock: bool):  # noqa: ANN001, ANN202
    """The proposal the card showed, still changeable: the QA unit's, not drawn again since, not used."""
    if not access.may_choose(act.actor):
        refuse(access.NOT_A_CHOOSER)
    if not isinstance(month, str) or not isinstance(proposal_id, int):
        invalid("I couldn't tell which sample this was. Type \"sample\" to see it again.")
    found = await proposal_of(act.session, month, lock=lock)
    if found is None:
        not_found(f"The sample for {month} is no longer there. Nothing was changed.")
    row, picks = found
    if row.id != proposal_id:
        already(f"The sample for {format_month(month)} was proposed again since this card (seed {row.seed}). "
                "Type \"sample\" to see it. Nothing was changed.")
    people = await roster(act.session)
    if row.confirmed_at is not None:
        view = proposal_view(row, picks, people, ctx.calendar.tz)
        already(f"This sample was already {view.used}, so it can no longer be changed: change its allocations with "
                "an allocation list or Reallocate now. Nothing was changed.",
                card=sample_used_card(month, f"This sample was already {view.used}, so it can no longer be changed: "
                                      "change its allocations with an allocation list or Reallocate now."))
    return row, picks, people


def _auditor(value: object, people: Roster) -> int:
    typed = _text(value, 254)
    if not typed:
        invalid(NO_AUDITOR)
    if typed.isdigit() and int(typed) in people.names:
        return int(typed)
    found = people.holder_of(typed)
    if found is None:
        invalid(UNKNOWN_AUDITOR)
    return found


def _refused(what: str, found: Refused) -> None:
    invalid(f"Not {what}: {found.rule}. Nothing was changed.")


@use_case(Outcome)
async def change(ctx: Context, actor_id: int | None, how: str, month: object, proposal_id: object, case_ref: object,
                 auditor: object, *, now: datetime, via: str) -> Outcome:
    """`how` (SWAP, MOVE, REMOVE, REDRAW) on `month`'s proposal `proposal_id` (the card's), for the case
    `case_ref` and, for a move, `auditor` (a roster id, an email or a name the roster has once): all as
    Teams sent them, untrusted. The card of the proposal as it now is, or why nothing changed."""
    rules = config.rules()
    async with unit(ctx, actor_id, now=now, via=via, not_on_roster=access.NOT_A_CHOOSER) as act:
        row, stored, people = await _open(act, ctx, month, proposal_id, lock=True)
        picks = qa_picks(stored, people)
        ref = _text(case_ref, 50)
        if how != REDRAW and not ref:
            invalid(NO_CASE)
        if how == MOVE:
            to = _auditor(auditor, people)
            moved = check_move(picks, ref, to, people.auditors, rules)
            if isinstance(moved, Refused):
                _refused("moved", moved)
            before = next(p.auditor_id for p in picks if p.case.case_ref == moved.case.case_ref)
            await move_pick(act.session, row.id, moved.case.case_ref, to)
            act.trail("month", None, "sample_moved", month=row.month, case_ref=moved.case.case_ref, from_id=before, to_id=to)
            note = f"Moved {moved.case.case_ref} to {people.names.get(to, 'them')}."
        elif how == REMOVE:
            removed = check_remove(picks, ref, people.auditors, rules)
            if isinstance(removed, Refused):
                _refused("removed", removed)
            await take_out(act.session, row.id, removed.case.case_ref)
            act.trail("month", None, "sample_removed", month=row.month, case_ref=removed.case.case_ref,
                      auditor_id=removed.auditor_id)
            note = f"Removed {removed.case.case_ref} from the sample."
        elif how == SWAP:
            spares = [qa_case(p, people) for p in await spares_of(act.session, row.id)]
            swapped = replacement(picks, ref, spares, people.auditors, rules)
            if isinstance(swapped, Refused):
                _refused("swapped", swapped)
            old, new = swapped
            await swap_pick(act.session, row.id, old.case.case_ref, new.case_ref)
            act.trail("month", None, "sample_swapped", month=row.month, case_ref=old.case.case_ref,
                      replacement=new.case_ref, auditor_id=old.auditor_id)
            whose = f", still {people.names[old.auditor_id]}'s" if old.auditor_id in people.names else ""
            note = (f"Swapped {old.case.case_ref} for {new.case_ref} ({new.annex_a_list}, "
                    f"{new.service_area}){whose}.")
        elif how == REDRAW:
            spares = [qa_case(p, people) for p in await spares_of(act.session, row.id)]
            seed = secrets.randbelow(MAX_SEED)
            fresh = await files.off_loop(_redraw, row.month, picks, spares, people, seed, rules, row.theme)
            await replace_draw(act.session, row, fresh)
            act.trail("month", None, "sample_redrawn", month=row.month, seed=seed, picks=len(fresh.picks),
                      unmet=len(fresh.unmet))
            note = f"Drawn again with seed {seed}: {len(fresh.picks)} cases."
        else:
            invalid("I couldn't read this card's action. Nothing was changed.")
        await act.session.flush()
        found = await proposal_of(act.session, row.month)
        assert found is not None
        view = proposal_view(found[0], found[1], people, ctx.calendar.tz, rules, note=note)
    return Outcome(Status.DONE, note, card=proposal_card(view))


def _redraw(month, picks, spares, people: Roster, seed: int, rules, theme: str):  # noqa: ANN001, ANN202
    return redraw(month, picks, spares, people.auditors, seed=seed, rules=rules, theme=theme)


@use_case(Outcome)
async def offer_workbook(ctx: Context, actor_id: int | None, month: object, proposal_id: object, *, now: datetime,
                         via: str) -> Outcome:
    """Queue to the QA unit member the offer of the proposal's full list (the file consent card), due now.
    A proposal already used may be asked for too (the list is then the month's allocations' source)."""
    async with look(ctx, actor_id, now=now, via=via, not_on_roster=access.NOT_A_CHOOSER) as act:
        if not access.may_choose(act.actor):
            refuse(access.NOT_A_CHOOSER)
        if not isinstance(month, str) or not isinstance(proposal_id, int):
            invalid("I couldn't tell which sample this was. Type \"sample\" to see it again.")
        found = await proposal_of(act.session, month)
        if found is None or found[0].id != proposal_id:
            not_found(f"That sample for {month} is no longer there: type \"sample\" to see the one there is now.")
        people = await roster(act.session)
    size = len(list_workbook(found[0], found[1], people, ctx.calendar.tz))
    async with unit(ctx, actor_id, now=now, via=via, not_on_roster=access.NOT_A_CHOOSER) as act:
        await queue_offer(act, month, len(found[1]), size, now=now)
    return Outcome(Status.DONE, SENDING, urgent=True)


async def queue_offer(act, month: str, cases: int, size: int, *, now: datetime) -> None:  # noqa: ANN001
    """The file consent card offering `month`'s list (about `size` bytes), to the actor, due now (its own message)."""
    title = f"The {format_month(month)} sample as a workbook"
    description = (f"{cases:,} cases, one row each (case reference, list, service area, team, case holder, "
                   "auditor), as the sample stands when you press Allow.")
    name = workbook.file_name(month)
    consent = rc.file_consent_attachment(name, description, size, {"offer": OFFER, "month": month})
    payload = Payload.of(rc.file_offer_card(title, description), title, attachments=(consent,))
    await act.notify(WORKBOOK_KIND, [act.actor], payload, due_at=now, urgent=True,
                     key=lambda pid: f"sample-workbook:{month}:{act.via}:{pid}:{now.isoformat()}")
    act.trail("month", None, "sample_workbook_offered", month=month, cases=cases)


@use_case(FileOutcome)
async def make_workbook(ctx: Context, actor_id: int | None, month: object, *, now: datetime, via: str) -> FileOutcome:
    """`month`'s list as it stands now, made for the QA unit member who allowed the file (re-checked)."""
    async with unit(ctx, actor_id, now=now, via=via, not_on_roster=access.NOT_A_CHOOSER) as act:
        if not access.may_choose(act.actor):
            refuse(access.NOT_A_CHOOSER)
        if not isinstance(month, str):
            invalid("I couldn't tell which sample this was.")
        found = await proposal_of(act.session, month)
        if found is None:
            not_found(f"The sample for {month} is no longer there.")
        row, picks = found
        people = await roster(act.session)
        act.trail("month", None, "sample_exported", month=month, cases=len(picks))
    data = await files.off_loop(list_workbook, row, picks, people, ctx.calendar.tz)
    return FileOutcome(Status.DONE, file=FileMade(workbook.file_name(month), data, "xlsx"))


def list_workbook(row, picks, people: Roster, tz) -> bytes:  # noqa: ANN001
    """The proposal `row` and its `picks` as they stand, as .xlsx bytes, with the summary sheet."""
    view = proposal_view(row, picks, people, tz)
    notes = [f"audit sample for {row.month} (seed {row.seed}) from {row.source_name}: {len(picks)} cases"]
    notes += ([f"{view.used}"] if view.used else [])
    notes += [f"could not be satisfied: {u}" for u in view.unmet]
    notes += [str(x) for x in (row.summary or {}).get("extract", ())]
    return workbook.rows_workbook(row.month, [(p.case_ref, p.annex_a_list, p.service_area, p.team, p.case_holder_id,
                                               p.auditor_id, p.reaudit) for p in picks], people.names, notes)
