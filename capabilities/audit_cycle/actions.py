"""The audit cycle's buttons (framework 9.3): one `Step` per card verb, in `STEPS`.

A press reaches `press(step, p)` from the Teams edge (bot/card_actions.py) with who pressed and
the notices the pressed message carried. The step's use case (capabilities/audit_cycle/flow.py)
re-checks who may act and where the audit is; the answer is then:
- a change (start, can't do, submit, confirm, dispute, resolve, uploaded): the message acted on
  is replaced in place to say who did what and when, without the buttons that no longer apply
  (dialogs/card_update.py), and the invoke response carries the same card. A message that held
  several notices (a digest, or one card listing several cases) is rebuilt with only the acted
  section changed;
- a refusal, or an old copy pressed again: a polite card, nothing changed, nothing updated;
- input to put right (a missing reason): a message, and the card stays as it was;
- the audit form (start, continue) and the oversight request (Review) come as new messages.

Adding a button: its use case in flow.py, its card in dialogs/audit_cards.py, its `Step` here.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from capabilities.audit_cycle import (
    case_holder,
    commands,
    config,
    draft_check,
    flow,
    form_flow,
    kinds,
    reallocation,
    safeguarding,
)
from capabilities.audit_forms import config as forms_config
from capabilities.copies import pressed
from capabilities.kit import Status
from capabilities.press import UNREADABLE, Press, Reply, positive_id
from dialogs import audit_cards as ac
from dialogs import case_holder_cards as ch
from dialogs import safeguarding_cards as sc
from dialogs.audit_cards import Verb
from dialogs.card_kit import action_set, execute, format_moment, text
from dialogs.card_update import Acted, keep_none, mentions, rebuild
from dialogs.card_update import polite_card as _polite_card
from dialogs.form_cards import Verb as FormVerb
from dialogs.observation_cards import FamilyViewOwed, family_view_buttons
from qa.audit_calendar import parse_month_key
from qa.framework import Role
from storage.models import OutboxMessage

log = logging.getLogger(__name__)

FORM_PAGES = (FormVerb.FORM_BACK, FormVerb.FORM_NEXT, FormVerb.FORM_SAVE)  # answered with the page to show
UseCase = Callable[..., Awaitable[flow.AuditOutcome]]  # (ctx, actor id, subject id, data, now=, via=)


@dataclass(frozen=True)
class Step:
    """One audit-cycle button: what it acts on, the use case it runs, and what the card then says."""

    verb: str
    subject: str  # "allocation_id" or "audit_id": the id the button's data carries
    card: str  # the card it is pressed on, for the trail, when the message is not one of our notices
    run: UseCase
    done: str = ""  # the acted-on message then says "<done> by <who>, <when>"
    # The heading of a card about this one audit, so it can be replaced whole when not ours to read.
    title: str | None = None
    next: tuple[tuple[str, str], ...] = ()  # facts shown under the outcome
    done_text: str = "Done."  # what to say when the pressed message cannot be rebuilt ({ref}: the case)


# The form an audit is started on: the allocation's form (form_flow.py), the default form in use
# (QA_FORMS_DIR) when it names no other, its name and version.
async def _start(ctx, actor_id, subject, data, **kw):
    return await form_flow.start_audit(ctx, actor_id, subject, default=forms_config.default_form().ref, **kw)


async def _save(ctx, actor_id, subject, data, **kw):
    return await flow.save_draft(ctx, actor_id, subject, data, form=forms_config.default_form().ref, **kw)


async def _submit(ctx, actor_id, subject, data, **kw):
    return await flow.submit_audit(ctx, actor_id, subject, data, form=forms_config.default_form().ref, **kw)


async def _form_back(ctx, actor_id, subject, data, **kw):
    return await form_flow.turn_page(ctx, actor_id, subject, data, move=form_flow.BACK, **kw)


async def _form_next(ctx, actor_id, subject, data, **kw):
    return await form_flow.turn_page(ctx, actor_id, subject, data, move=form_flow.NEXT, **kw)


async def _form_save(ctx, actor_id, subject, data, **kw):
    return await form_flow.turn_page(ctx, actor_id, subject, data, move=form_flow.STAY, **kw)


async def _form_submit(ctx, actor_id, subject, data, **kw):
    return await form_flow.submit(ctx, actor_id, subject, data, **kw)


async def _decline(ctx, actor_id, subject, data, **kw):
    return await flow.decline_allocation(ctx, actor_id, subject, data.get(ac.decline_reason_input_id(subject)), **kw)


async def _open(ctx, actor_id, subject, data, **kw):
    return await flow.open_oversight(ctx, actor_id, subject, **kw)


async def _read(ctx, actor_id, subject, data, **kw):
    return await flow.read_whole_audit(ctx, actor_id, subject, **kw)


async def _confirm(ctx, actor_id, subject, data, **kw):
    return await flow.confirm_oversight(ctx, actor_id, subject, data.get(ac.OVERSIGHT_COMMENT),
                                        upload_days=config.settings().upload_days, **kw)


async def _dispute(ctx, actor_id, subject, data, **kw):
    return await flow.dispute_audit(ctx, actor_id, subject, data.get(ac.DISPUTE_REASON), **kw)


async def _resolve(ctx, actor_id, subject, data, **kw):
    return await flow.resolve_dispute(ctx, actor_id, subject, data.get(ac.RESOLUTION), **kw)


async def _uploaded(ctx, actor_id, subject, data, **kw):
    return await flow.confirm_uploaded(ctx, actor_id, subject, **kw)


STEPS: dict[str, Step] = {step.verb: step for step in (
    Step(Verb.AUDIT_START, "allocation_id", "allocation_notice", _start, "Audit started",
         next=(("Next", "The audit form is in this chat"),),
         done_text="Audit of case {ref} started: the form is in our chat."),
    Step(Verb.ALLOCATION_DECLINE, "allocation_id", "allocation_notice", _decline, "Declined",
         next=(("Sent to", "The QA unit, to reallocate"),),
         done_text="Thank you: the QA unit has been told you can't do the audit of case {ref}."),
    Step(Verb.AUDIT_SAVE_DRAFT, "allocation_id", "audit_form", _save, title="Audit: case {ref}"),
    Step(Verb.AUDIT_SUBMIT, "allocation_id", "audit_form", _submit, "Audit submitted", "Audit: case {ref}",
         next=(("Next", "Oversight by the service lead"),)),
    # A form of the council's own, in pages (form_flow.py, dialogs/form_cards.py).
    Step(FormVerb.FORM_BACK, "allocation_id", "audit_form", _form_back, title="Audit: case {ref}"),
    Step(FormVerb.FORM_NEXT, "allocation_id", "audit_form", _form_next, title="Audit: case {ref}"),
    Step(FormVerb.FORM_SAVE, "allocation_id", "audit_form", _form_save, title="Audit: case {ref}"),
    Step(FormVerb.FORM_SUBMIT, "allocation_id", "audit_form", _form_submit, "Audit submitted", "Audit: case {ref}",
         next=(("Next", "Oversight by the service lead"),)),
    Step(Verb.OVERSIGHT_OPEN, "audit_id", "oversight_digest", _open),
    Step(Verb.AUDIT_READ, "audit_id", "oversight_request", _read),
    Step(Verb.OVERSIGHT_CONFIRM, "audit_id", "oversight_request", _confirm, "Oversight confirmed",
         "Oversight needed: case {ref}", (("Next", "The auditor uploads the audit to Care Director"),)),
    Step(Verb.OVERSIGHT_DISPUTE, "audit_id", "oversight_request", _dispute, "Disputed",
         "Oversight needed: case {ref}", (("Sent to", "The auditor and the QA unit"),)),
    Step(Verb.DISPUTE_RESOLVE, "audit_id", "dispute", _resolve, "Resolution recorded", "Audit disputed: case {ref}",
         (("Next", "Back with the service lead for oversight"),)),
    Step(Verb.AUDIT_UPLOADED, "audit_id", "upload_request", _uploaded, "Uploaded to Care Director",
         "Upload the audit: case {ref}", (("Status", "Complete"),)),
)}


def subject_ids(verb: str, data: Mapping[str, Any]) -> dict[str, int] | None:
    step = STEPS.get(verb)
    found = positive_id(data.get(step.subject)) if step else None
    return {step.subject: found} if step and found is not None else None


async def press(p: Press) -> Reply:
    """Answer one press of an audit-cycle button."""
    step = STEPS.get(p.verb)
    ids = subject_ids(p.verb, p.data) if step else None
    if step is None or ids is None:
        return Reply(text=UNREADABLE)
    if p.actor is None:
        return Reply(card=polite_card(p.rows, ids, p.verb, flow.NOT_ON_ROSTER))
    outcome = await step.run(p.ctx, p.actor.id, ids[step.subject], p.data, now=p.now,
                             via=f"card:{card_name(p.verb, p.rows, ids)}")
    log.info("card action %s on %s: %s", p.verb, ids, outcome.status)
    if p.verb == Verb.AUDIT_READ and outcome.status == Status.UNCHANGED and outcome.summary is not None:
        pages = ac.whole_audit_pages(outcome.summary)
        page = pages[min(positive_id(p.data.get("page_id")) or 1, len(pages)) - 1]
        if any(row.kind != kinds.OVERSIGHT_REQUEST for row in p.rows):  # a digest line: the list stays as it is
            return Reply(text=f"The whole audit of case {outcome.case_ref} is in our chat.",
                         send=[(page, f"The whole audit: case {outcome.case_ref}")])
        return Reply(card=page)
    return reply_for(p.verb, outcome, p.rows, ids, p.ctx.calendar.tz)


def reply_for(verb: str, outcome: flow.AuditOutcome, rows: list[OutboxMessage], ids: dict[str, int],
              tz: tzinfo) -> Reply:
    """The answer to one press, from the action's outcome and the message it was pressed on."""
    step = STEPS[verb]
    ids = {**ids, **{k: v for k, v in (("allocation_id", outcome.allocation_id), ("audit_id", outcome.audit_id))
                     if v is not None}}
    ref = outcome.case_ref
    if outcome.status in (Status.REFUSED, Status.ALREADY, Status.NOT_FOUND):
        return Reply(card=polite_card(rows, ids, verb, outcome.message, ref))
    if verb in FORM_PAGES or (outcome.status == Status.INVALID and outcome.card is not None):
        # deliver_now: a safeguarding concern described on the page is escalated at once
        return Reply(card=outcome.card, deliver_now=outcome.urgent) if outcome.card is not None else \
            Reply(text=outcome.message, deliver_now=outcome.urgent)
    if outcome.status == Status.INVALID:
        if outcome.view is not None:
            return Reply(card=ac.audit_form_card(outcome.view, outcome.draft, outcome.errors))
        return Reply(text=outcome.message)
    if verb == Verb.AUDIT_SAVE_DRAFT:
        form = ac.audit_form_card(outcome.view, outcome.draft, outcome.errors)
        note = f"Draft saved {format_moment(outcome.at, tz)}. Press Continue audit on your allocation to come back to it."
        form["body"].insert(1, text(note, subtle=True, spacing="Small"))
        if config.settings().draft_check and outcome.view.case_holder_name:  # the council offers the factual check
            form["actions"].append(ch.share_draft_button(outcome.view.allocation_id, outcome.view.case_holder_name))
        return Reply(card=form, deliver_now=outcome.urgent)
    if verb == Verb.OVERSIGHT_OPEN:
        return Reply(text=f"The audit of case {ref} is in our chat, ready for your oversight.",
                     send=[(ac.oversight_request_card(outcome.summary), f"Oversight needed: case {ref}")])
    send = []
    if verb == Verb.AUDIT_START:
        form = outcome.card if outcome.card is not None else ac.audit_form_card(outcome.view, outcome.draft)
        send = [(form, f"Audit form: case {ref}")]
        if outcome.status == Status.UNCHANGED:
            return Reply(text=f"Your audit form for case {ref} is in our chat.", send=send)
    acted = Acted(step.done, outcome.actor_name, outcome.at, tz, _details(verb, outcome), keep_for(verb, ids))
    shown: dict[int, dict] = {}
    new_card = rebuild(rows, ids, acted.apply, shown)
    if new_card is None and step.title:
        new_card = acted.whole(step.title.format(ref=ref), [])
    if new_card is not None and verb == Verb.AUDIT_SUBMIT and outcome.family_view:  # framework 9.4: ask the family
        owed = FamilyViewOwed(outcome.allocation_id, ref, outcome.at.astimezone(tz).date())
        new_card["body"].append(action_set(family_view_buttons(owed)))
    if new_card is None:  # a message we cannot read back (it may list other cases): leave it be
        return Reply(text=step.done_text.format(ref=ref), send=send, deliver_now=outcome.urgent)
    return Reply(card=new_card, update=True, send=send, deliver_now=outcome.urgent, shown=shown)


def _details(verb: str, outcome: flow.AuditOutcome) -> list[tuple[str, str]]:
    details = [("Case", outcome.case_ref)]
    if verb in (Verb.AUDIT_SUBMIT, FormVerb.FORM_SUBMIT):
        details.append(("Overall grade", outcome.grade or "Not graded"))
        if outcome.safeguarding:
            details.append(("Safeguarding concern", "Escalated at once"))
    return details + list(STEPS[verb].next)


def keep_for(verb: str, ids: dict[str, int]) -> Callable[[dict], dict | None]:
    """Which of the acted section's buttons still apply: after a start, Start becomes Continue
    (and "I can't do this audit" stays); after anything else, none."""
    if verb != Verb.AUDIT_START:
        return keep_none

    def keep(action: dict) -> dict | None:
        if action.get("type") == "Action.Execute" and action.get("verb") == Verb.AUDIT_START:
            return execute("Continue audit", Verb.AUDIT_START, {"allocation_id": ids["allocation_id"]},
                           style="positive")
        return action

    return keep


def card_name(verb: str, rows: list[OutboxMessage], ids: dict[str, int]) -> str:
    """The card pressed, for the trail: the outbox kind of the notice holding the button, if ours."""
    for row in rows:
        if mentions((row.payload or {}).get("card"), ids):
            return re.sub(r"[^a-z0-9_]+", "_", row.kind.lower()).strip("_") or STEPS[verb].card
    return STEPS[verb].card


def polite_card(rows: list[OutboxMessage], ids: Mapping[str, int], verb: str, message: str, ref: str = "") -> dict:
    """Why nothing changed: in the pressed section of a message with several, else as its own card."""
    step = STEPS.get(verb)
    title = (step.title if step and step.title else "Case {ref}").format(ref=ref) if ref else "Nothing was changed"
    return _polite_card(rows, ids, message, title)


__all__ = ["STEPS", "Acted", "Step", "card_name", "keep_for", "polite_card", "press", "rebuild", "reply_for"]


async def refresh_cycle_status(press: Press) -> Reply:
    """The cycle status card's Refresh (verb cycle.status, data {"month": "YYYY-MM"}): the same
    month's figures as of now, in place of the card pressed. QA unit only; checked here."""
    month = press.data.get("month")
    try:
        parse_month_key(month if isinstance(month, str) else "")
    except ValueError:
        return Reply(text=UNREADABLE)
    if press.actor is None or press.actor.role != Role.QA_UNIT:
        return Reply(card=commands.not_qa_unit().card)
    return Reply(card=(await commands.figures(press.ctx, month, press.now)).card, update=True)


# -- the case holder's side (capabilities/audit_cycle/case_holder.py) ------------------------------------

def _keep_conversation(verb: str) -> Callable[[dict], dict | None]:
    """After Conversation held, the two conversation buttons go; every other button stays."""
    def keep(action: dict) -> dict | None:
        if verb == ch.Verb.CONVERSATION_HELD and (
                action.get("verb") == ch.Verb.CONVERSATION_HELD or action.get("title") == "Conversation arranged"):
            return None
        return action
    return keep


async def conversation(p: Press) -> Reply:
    """The auditor's Conversation arranged (with its day) or Conversation held, on the allocation notice:
    the pressed section says so (its other buttons stay), and the case holder's notice is updated."""
    allocation_id = positive_id(p.data.get("allocation_id"))
    if allocation_id is None:
        return Reply(text=UNREADABLE)
    ids = {"allocation_id": allocation_id}
    if p.actor is None:
        return Reply(card=_polite_card(p.rows, ids, flow.NOT_ON_ROSTER, "Nothing was changed"))
    via = f"card:{card_name(p.verb, p.rows, ids)}" if p.verb in STEPS else "card:allocation_notice"
    if p.verb == ch.Verb.CONVERSATION_ARRANGED:
        outcome = await case_holder.conversation_arranged(
            p.ctx, p.actor.id, allocation_id, p.data.get(ch.conversation_input_id(allocation_id)), now=p.now, via=via)
    else:
        outcome = await case_holder.conversation_held(p.ctx, p.actor.id, allocation_id, now=p.now, via=via)
    if outcome.status == Status.INVALID:
        return Reply(text=outcome.message)
    if outcome.status != Status.DONE:
        return Reply(card=_polite_card(p.rows, ids, outcome.message, "Nothing was changed"))
    acted = Acted(outcome.message, p.actor.display_name, p.now, p.ctx.calendar.tz, [], _keep_conversation(p.verb))
    shown: dict[int, dict] = {}
    new_card = rebuild(p.rows, ids, acted.apply, shown)
    if new_card is None:
        return Reply(text=f"{outcome.message}: the case holder's notice shows it.")
    return Reply(card=new_card, update=True, shown=shown)


async def findings(p: Press) -> Reply:
    """The case holder's Add my reflection, Talk about this in supervision or Agree to use in a practice forum,
    on their findings card: the card is replaced by the findings as they now stand."""
    audit_id = positive_id(p.data.get("audit_id"))
    if audit_id is None:
        return Reply(text=UNREADABLE)
    ids = {"audit_id": audit_id}
    if p.actor is None:
        return Reply(card=_polite_card(p.rows, ids, flow.NOT_ON_ROSTER, "Nothing was changed"))
    via = "card:audit_findings"
    if p.verb == ch.Verb.FINDINGS_REFLECT:
        outcome = await case_holder.reflect(p.ctx, p.actor.id, audit_id, p.data.get(ch.REFLECTION), now=p.now, via=via)
    elif p.verb == ch.Verb.FINDINGS_FORUM:
        outcome = await case_holder.agree_forum(p.ctx, p.actor.id, audit_id, now=p.now, via=via)
    else:
        outcome = await case_holder.ask_supervision(p.ctx, p.actor.id, audit_id, now=p.now, via=via)
    if outcome.status == Status.INVALID:
        return Reply(text=outcome.message)
    if outcome.card is not None:
        return Reply(card=outcome.card, update=outcome.status == Status.DONE)
    return Reply(card=_polite_card(p.rows, ids, outcome.message, "Nothing was changed"))


async def draft(p: Press) -> Reply:
    """The auditor's Share with the case holder for a factual check (on the "Draft saved" form: the form
    stays, a line says what happened), or the case holder's Send my comment (their card shows it sent)."""
    key = "allocation_id" if p.verb == ch.Verb.DRAFT_SHARE else "audit_id"
    ident = positive_id(p.data.get(key))
    if ident is None:
        return Reply(text=UNREADABLE)
    if p.actor is None:
        return Reply(text=flow.NOT_ON_ROSTER)
    if p.verb == ch.Verb.DRAFT_SHARE:
        outcome = await draft_check.share_draft(p.ctx, p.actor.id, ident, offered=config.settings().draft_check,
                                                now=p.now, via="card:audit_form")
        return Reply(text=outcome.message)
    comment = p.data.get(ch.COMMENT)
    outcome = await draft_check.comment_on_draft(p.ctx, p.actor.id, ident, comment if isinstance(comment, str) else None,
                                                 now=p.now, via="card:draft_check")
    if outcome.card is not None:
        return Reply(card=outcome.card, update=outcome.status == Status.DONE)
    return Reply(text=outcome.message)


# -- safeguarding ownership's buttons ---------------------------------------------------------------

async def safeguarding_press(p: Press) -> Reply:
    """Answer "I'm taking this" or "Record what was done" (the only place these presses are read)."""
    concern_id = positive_id(p.data.get("concern_id"))
    if concern_id is None:
        return Reply(text=UNREADABLE)
    if p.actor is None:
        return Reply(text=flow.NOT_ON_ROSTER)
    if p.verb == sc.Verb.CLAIM:
        outcome = await safeguarding.claim(p.ctx, p.actor.id, concern_id, now=p.now,
                                           via="card:safeguarding_alert", pressed=p.rows)
    else:
        note = p.data.get(sc.NOTE)
        outcome = await safeguarding.record_note(p.ctx, p.actor.id, concern_id,
                                                 note if isinstance(note, str) else None, now=p.now,
                                                 via="card:safeguarding_alert", pressed=p.rows)
    log.info("card action %s on concern %s: %s", p.verb, concern_id, outcome.status)
    if outcome.card is None:
        return Reply(text=outcome.message or flow.NOTHING_CHANGED)
    return Reply(card=outcome.card, update=True, deliver_now=outcome.urgent)


# -- the QA unit's Reallocate (capabilities/audit_cycle/reallocation.py) ----------------------------

async def reallocate_press(p: Press) -> Reply:
    """Reallocate, on the decline notice or on `reallocate <case ref>`'s card (data allocation_id, input
    reallocate_to_<allocation_id>: a person id). Done: the pressed message shows who took the case (only
    its section, in a digest), the other copies are updated by the use case, and the new auditor's notice,
    due now in working hours, is delivered at once. Anything else: a polite answer, nothing changed."""
    allocation_id = positive_id(p.data.get("allocation_id"))
    if allocation_id is None:
        return Reply(text=UNREADABLE)
    ids = {"allocation_id": allocation_id}
    if p.actor is None:
        return Reply(card=_polite_card(p.rows, ids, flow.NOT_ON_ROSTER, "Nothing was changed"))
    to = positive_id(p.data.get(ac.reallocate_input_id(allocation_id)))
    via = "card:" + (re.sub(r"[^a-z0-9_]+", "_", p.rows[0].kind.lower()) if p.rows else "reallocation")
    outcome = await reallocation.reallocate(p.ctx, p.actor.id, allocation_id, to, now=p.now, via=via,
                                            pressed=pressed(p.rows),
                                            declined_by=positive_id(p.data.get("declined_by_id")))
    log.info("card action %s on %s: %s", p.verb, ids, outcome.status)
    if outcome.status == Status.INVALID:
        return Reply(text=outcome.message)
    if outcome.status != Status.DONE:
        title = f"Case {outcome.case_ref}" if outcome.case_ref else "Nothing was changed"
        return Reply(card=_polite_card(p.rows, ids, outcome.message, title))
    acted = Acted(f"Reallocated to {outcome.to_name}", outcome.actor_name, p.now, p.ctx.calendar.tz,
                  [("Case", outcome.case_ref), ("New auditor", outcome.to_name)], keep_none)
    shown: dict[int, dict] = {}
    new_card = rebuild(p.rows, ids, acted.apply, shown)
    return Reply(card=new_card or outcome.card, update=True, shown=shown, deliver_now=outcome.urgent)
