"""The audit-cycle cards' buttons, at the Teams edge: an `adaptiveCard/action` invoke (Universal
Actions), or a message whose value carries {"verb": ...} (Action.Submit, for clients without them).

One press: find who pressed (their personal chat's roster person), do the action
(storage/audit_flow.py re-checks who may act and where the audit is), then answer:
- a change (start, can't do, submit, confirm, dispute, resolve, uploaded): the message acted on
  is replaced in place (UpdateActivity on activity.reply_to_id) to say who did what and when,
  without the buttons that no longer apply, and the invoke response carries the same card. A
  message that held several notices (a digest: outbox rows sharing its activity id, or one card
  listing several cases) is rebuilt with only the acted section changed;
- a refusal, or an old copy pressed again: a polite card, nothing changed, nothing updated;
- input to put right (a missing reason): a message, and the card stays as it was;
- the audit form (start, continue) and the oversight request (Review) come as new messages.

Safeguarding alerts are written due now; the turn then wakes the app's outbox sender when
`services` carries one (`services.sender`), and otherwise delivers due rows itself through
OutboxSender.deliver_due before answering, so an alert never waits for the next sweep.
"""
from __future__ import annotations

import copy
import logging
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue

from bot.services import Services
from dialogs import audit_cards as ac
from dialogs.audit_cards import Verb
from dialogs.card_kit import attention, card, execute, format_moment, heading, text
from dialogs.digest import digest_activity
from qa.calendar import WorkingCalendar
from storage import audit_flow as flow
from storage.models import OutboxMessage

log = logging.getLogger(__name__)

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MESSAGE_CONTENT_TYPE = "application/vnd.microsoft.activity.message"
ERROR_CONTENT_TYPE = "application/vnd.microsoft.error"

VERBS = (Verb.AUDIT_START, Verb.ALLOCATION_DECLINE, Verb.AUDIT_SAVE_DRAFT, Verb.AUDIT_SUBMIT, Verb.OVERSIGHT_OPEN,
         Verb.OVERSIGHT_CONFIRM, Verb.OVERSIGHT_DISPUTE, Verb.DISPUTE_RESOLVE, Verb.AUDIT_UPLOADED)
_BY_ALLOCATION = (Verb.AUDIT_START, Verb.ALLOCATION_DECLINE, Verb.AUDIT_SAVE_DRAFT, Verb.AUDIT_SUBMIT)

# The card each verb is pressed on, when the message is not one of our outbox rows (for `via`).
DEFAULT_CARD = {
    Verb.AUDIT_START: "allocation_notice", Verb.ALLOCATION_DECLINE: "allocation_notice",
    Verb.AUDIT_SAVE_DRAFT: "audit_form", Verb.AUDIT_SUBMIT: "audit_form", Verb.OVERSIGHT_OPEN: "oversight_digest",
    Verb.OVERSIGHT_CONFIRM: "oversight_request", Verb.OVERSIGHT_DISPUTE: "oversight_request",
    Verb.DISPUTE_RESOLVE: "dispute", Verb.AUDIT_UPLOADED: "upload_request",
}
# What the acted-on message then says: "<outcome> by <who>, <when>".
OUTCOME_TEXT = {
    Verb.AUDIT_START: "Audit started", Verb.ALLOCATION_DECLINE: "Declined", Verb.AUDIT_SUBMIT: "Audit submitted",
    Verb.OVERSIGHT_CONFIRM: "Oversight confirmed", Verb.OVERSIGHT_DISPUTE: "Disputed",
    Verb.DISPUTE_RESOLVE: "Resolution recorded", Verb.AUDIT_UPLOADED: "Uploaded to Care Director",
}
# Cards about one audit only, whose heading we know: safe to replace whole even when not ours to read.
_SINGLE_CARD_TITLES = {
    Verb.AUDIT_SAVE_DRAFT: "Audit: case {ref}", Verb.AUDIT_SUBMIT: "Audit: case {ref}",
    Verb.OVERSIGHT_CONFIRM: "Oversight needed: case {ref}", Verb.OVERSIGHT_DISPUTE: "Oversight needed: case {ref}",
    Verb.DISPUTE_RESOLVE: "Audit disputed: case {ref}", Verb.AUDIT_UPLOADED: "Upload the audit: case {ref}",
}
UNREADABLE = "I couldn't read this card's action. Nothing was changed."

CardAction = Callable[[TurnContext, AdaptiveCardInvokeValue], Awaitable[AdaptiveCardInvokeResponse]]


class InvokeAnswer(AdaptiveCardInvokeResponse):
    """botbuilder's model types `value` as an object; a message answer's value is a string."""

    _attribute_map = {**AdaptiveCardInvokeResponse._attribute_map, "value": {"key": "value", "type": "object"}}


@dataclass
class Reply:
    """What a press produces at the edge."""

    card: dict | None = None  # the acted-on card's new content (the invoke response)
    text: str | None = None  # or a short message, leaving the card as it is
    update: bool = False  # also replace the acted-on message with `card` (UpdateActivity)
    send: list[tuple[dict, str]] = field(default_factory=list)  # new messages: (card, summary)
    deliver_now: bool = False  # outbox rows due now were written (safeguarding alerts)
    # Outbox row id -> the payload the acted-on message now shows, so a later press on the same
    # message rebuilds it from what people see, not from what was first sent.
    shown: dict[int, dict] = field(default_factory=dict)


# -- wiring -----------------------------------------------------------------------------------

def card_actions(services: Services) -> dict[str, CardAction]:
    """The verbs this module answers, for QaBot.card_actions."""

    async def handle(turn_context: TurnContext, value: AdaptiveCardInvokeValue) -> AdaptiveCardInvokeResponse:
        return await on_card_action(services, turn_context, value)

    return {verb: handle for verb in VERBS}


def is_card_submit(activity: Activity) -> bool:
    """A message from an Action.Submit button carrying one of our verbs in its value."""
    value = activity.value
    return activity.type == "message" and isinstance(value, dict) and value.get("verb") in VERBS


async def on_card_action(services: Services, turn_context: TurnContext,
                         value: AdaptiveCardInvokeValue) -> AdaptiveCardInvokeResponse:
    action = value.action if isinstance(value.action, dict) else {}
    verb = action.get("verb")
    data = action.get("data") if isinstance(action.get("data"), dict) else {}
    try:
        reply = await act(services, turn_context, verb, data)
        await carry_out(services, turn_context, reply)
    except Exception as exc:  # noqa: BLE001 - answer the client; the log has the type, never the inputs
        log.error("card action %s failed: %s", verb, type(exc).__name__, exc_info=(type(exc), exc, exc.__traceback__))
        return AdaptiveCardInvokeResponse(status_code=500, type=ERROR_CONTENT_TYPE, value={
            "code": "InternalError", "message": "Sorry, something went wrong on my side. Please try again."})
    if reply.card is not None:
        return AdaptiveCardInvokeResponse(status_code=200, type=CARD_CONTENT_TYPE, value=reply.card)
    return InvokeAnswer(status_code=200, type=MESSAGE_CONTENT_TYPE, value=reply.text or "Done.")


async def on_card_submit(services: Services, turn_context: TurnContext) -> None:
    """The Action.Submit route: the same actions; what an invoke would answer comes as a message."""
    value = dict(turn_context.activity.value)
    verb = value.pop("verb")
    value.pop("msteams", None)
    reply = await act(services, turn_context, verb, value)
    await carry_out(services, turn_context, reply)
    if reply.card is not None and not (reply.update and turn_context.activity.reply_to_id):
        await _send_card(turn_context, reply.card, _card_title(reply.card))
    elif reply.card is None and reply.text:
        await turn_context.send_activity(reply.text)


async def carry_out(services: Services, turn_context: TurnContext, reply: Reply) -> None:
    """Alerts first (they are urgent), then the update in place, then new messages."""
    if reply.deliver_now:
        await deliver_now(services)
    reply_to = turn_context.activity.reply_to_id
    if reply.update and reply.card is not None and reply_to:
        update = Activity(type="message", id=reply_to, attachments=[CardFactory.adaptive_card(reply.card)])
        try:
            await turn_context.update_activity(update)
        except Exception as exc:  # noqa: BLE001 - the change is made; the invoke response still shows it
            log.warning("could not update the acted-on message: %s", type(exc).__name__)
    if reply.shown:
        await flow.record_shown(services.db, reply.shown)
    for new_card, summary in reply.send:
        await _send_card(turn_context, new_card, summary)


async def deliver_now(services: Services) -> None:
    """Send what is due now: wake the app's sender if there is one, else deliver here."""
    wake = getattr(getattr(services, "sender", None), "wake", None)
    if callable(wake):
        wake()
        return
    from bot.sender import OutboxSender

    try:
        await OutboxSender(services).deliver_due(services.clock(), wait_retries=0)
    except Exception as exc:  # noqa: BLE001 - the rows stay due; the app's sender will send them
        log.error("immediate delivery failed: %s", type(exc).__name__, exc_info=(type(exc), exc, exc.__traceback__))


async def _send_card(turn_context: TurnContext, content: dict, summary: str) -> None:
    message = MessageFactory.attachment(CardFactory.adaptive_card(content), text=summary)
    message.summary = summary
    await turn_context.send_activity(message)


# -- one press --------------------------------------------------------------------------------

def _positive_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and 0 < value < 2**31 else None


def subject_ids(verb: str, data: Mapping[str, Any]) -> dict[str, int] | None:
    key = "allocation_id" if verb in _BY_ALLOCATION else "audit_id"
    found = _positive_id(data.get(key))
    return {key: found} if found is not None else None


async def act(services: Services, turn_context: TurnContext, verb: Any, data: Mapping[str, Any]) -> Reply:
    if verb not in VERBS:
        return Reply(text=UNREADABLE)
    ids = subject_ids(verb, data)
    if ids is None:
        return Reply(text=UNREADABLE)
    activity = turn_context.activity
    conversation_id = activity.conversation.id if activity.conversation else ""
    user_id = activity.from_property.id if activity.from_property else None
    db = services.db
    person = await flow.actor_for_chat(db, conversation_id, user_id)
    rows = (await flow.sent_rows(db, activity.reply_to_id, conversation_id, person.id if person else None)
            if activity.reply_to_id else [])
    calendar = WorkingCalendar(tz=services.settings.tz)
    if person is None:
        return Reply(card=polite_card(rows, ids, verb, flow.NOT_ON_ROSTER))
    kw = {"now": services.clock(), "calendar": calendar, "via": f"card:{card_name(verb, rows, ids)}"}
    subject = next(iter(ids.values()))
    if verb == Verb.AUDIT_START:
        outcome = await flow.start_audit(db, person.id, subject, **kw)
    elif verb == Verb.AUDIT_SAVE_DRAFT:
        outcome = await flow.save_draft(db, person.id, subject, data, **kw)
    elif verb == Verb.AUDIT_SUBMIT:
        outcome = await flow.submit_audit(db, person.id, subject, data, **kw)
    elif verb == Verb.ALLOCATION_DECLINE:
        reason = data.get(ac.decline_reason_input_id(subject))
        outcome = await flow.decline_allocation(db, person.id, subject, reason, **kw)
    elif verb == Verb.OVERSIGHT_OPEN:
        outcome = await flow.open_oversight(db, person.id, subject, **kw)
    elif verb == Verb.OVERSIGHT_CONFIRM:
        outcome = await flow.confirm_oversight(db, person.id, subject, data.get(ac.OVERSIGHT_COMMENT), **kw)
    elif verb == Verb.OVERSIGHT_DISPUTE:
        outcome = await flow.dispute_audit(db, person.id, subject, data.get(ac.DISPUTE_REASON), **kw)
    elif verb == Verb.DISPUTE_RESOLVE:
        outcome = await flow.resolve_dispute(db, person.id, subject, data.get(ac.RESOLUTION), **kw)
    else:
        outcome = await flow.confirm_uploaded(db, person.id, subject, **kw)
    log.info("card action %s on %s: %s", verb, ids, outcome.status)
    return reply_for(verb, outcome, rows, ids, calendar.tz)


def reply_for(verb: str, outcome: flow.Outcome, rows: list[OutboxMessage], ids: dict[str, int],
              tz: tzinfo) -> Reply:
    """The answer to one press, from the action's outcome and the message it was pressed on."""
    ids = {**ids, **{k: v for k, v in (("allocation_id", outcome.allocation_id), ("audit_id", outcome.audit_id))
                     if v is not None}}
    ref = outcome.case_ref
    if outcome.status in (flow.REFUSED, flow.ALREADY):
        return Reply(card=polite_card(rows, ids, verb, outcome.message, ref))
    if outcome.status == flow.INVALID:
        if outcome.view is not None:
            return Reply(card=ac.audit_form_card(outcome.view, outcome.draft, outcome.errors))
        return Reply(text=outcome.message)
    if verb == Verb.AUDIT_SAVE_DRAFT:
        form = ac.audit_form_card(outcome.view, outcome.draft, outcome.errors)
        note = f"Draft saved {format_moment(outcome.at, tz)}. Press Continue audit on your allocation to come back to it."
        form["body"].insert(1, text(note, subtle=True, spacing="Small"))
        return Reply(card=form, deliver_now=outcome.urgent)
    if verb == Verb.OVERSIGHT_OPEN:
        return Reply(text=f"The audit of case {ref} is in our chat, ready for your oversight.",
                     send=[(ac.oversight_request_card(outcome.summary), f"Oversight needed: case {ref}")])
    send = []
    if verb == Verb.AUDIT_START:
        send = [(ac.audit_form_card(outcome.view, outcome.draft), f"Audit form: case {ref}")]
        if outcome.status == flow.UNCHANGED:
            return Reply(text=f"Your audit form for case {ref} is in our chat.", send=send)
    acted = Acted(OUTCOME_TEXT[verb], outcome.actor_name, outcome.at, tz, _details(verb, outcome),
                  keep_for(verb, ids))
    shown: dict[int, dict] = {}
    new_card = rebuild(rows, ids, acted.apply, shown)
    if new_card is None and verb in _SINGLE_CARD_TITLES:
        new_card = acted.whole(_SINGLE_CARD_TITLES[verb].format(ref=ref), [])
    if new_card is None:  # a message we cannot read back (it may list other cases): leave it be
        done = {Verb.AUDIT_START: f"Audit of case {ref} started: the form is in our chat.",
                Verb.ALLOCATION_DECLINE: f"Thank you: the QA unit has been told you can't do the audit of case {ref}."}
        return Reply(text=done.get(verb, "Done."), send=send, deliver_now=outcome.urgent)
    return Reply(card=new_card, update=True, send=send, deliver_now=outcome.urgent, shown=shown)


def _details(verb: str, outcome: flow.Outcome) -> list[tuple[str, str]]:
    details = [("Case", outcome.case_ref)]
    if verb == Verb.AUDIT_START:
        details.append(("Next", "The audit form is in this chat"))
    elif verb == Verb.ALLOCATION_DECLINE:
        details.append(("Sent to", "The QA unit, to reallocate"))
    elif verb == Verb.AUDIT_SUBMIT:
        details.append(("Overall grade", outcome.grade or "Not graded"))
        if outcome.safeguarding:
            details.append(("Safeguarding concern", "Escalated at once"))
        details.append(("Next", "Oversight by the service lead"))
    elif verb == Verb.OVERSIGHT_CONFIRM:
        details.append(("Next", "The auditor uploads the audit to Care Director"))
    elif verb == Verb.OVERSIGHT_DISPUTE:
        details.append(("Sent to", "The auditor and the QA unit"))
    elif verb == Verb.DISPUTE_RESOLVE:
        details.append(("Next", "Back with the service lead for oversight"))
    elif verb == Verb.AUDIT_UPLOADED:
        details.append(("Status", "Complete"))
    return details


def keep_for(verb: str, ids: dict[str, int]) -> Callable[[dict], dict | None]:
    """Which of the acted section's buttons still apply: after a start, Start becomes Continue
    (and "I can't do this audit" stays); after anything else, none."""
    if verb != Verb.AUDIT_START:
        return lambda _action: None

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
            return re.sub(r"[^a-z0-9_]+", "_", row.kind.lower()).strip("_") or DEFAULT_CARD[verb]
    return DEFAULT_CARD[verb]


# -- changing a sent card ------------------------------------------------------------------------

def _matches(data: Any, ids: Mapping[str, int]) -> bool:
    return isinstance(data, dict) and any(data.get(k) == v for k, v in ids.items())


def mentions(node: Any, ids: Mapping[str, int]) -> bool:
    """Some Action.Execute in `node` (buttons in shown cards too) acts on these ids."""
    return any(_matches(action.get("data"), ids) for action in _executes(node))


def _executes(node: Any) -> Iterator[dict]:
    if isinstance(node, dict):
        if node.get("type") == "Action.Execute":
            yield node
        for value in node.values():
            yield from _executes(value)
    elif isinstance(node, list):
        for item in node:
            yield from _executes(item)


def about_only(content: dict, ids: Mapping[str, int]) -> bool:
    """Every button on the card acts on these ids: the card is about this one audit."""
    actions = list(_executes(content))
    return bool(actions) and all(_matches(a.get("data"), ids) for a in actions)


def _card_title(content: dict) -> str:
    """The card's first heading."""
    for node in _walk(content.get("body") or []):
        if node.get("type") == "TextBlock" and node.get("style") == "heading" and node.get("text"):
            return str(node["text"])
    return "Audit"


def _walk(node: Any) -> Iterator[dict]:
    if isinstance(node, dict):
        yield node
        for key in ("items", "body", "columns"):
            for child in node.get(key) or []:
                yield from _walk(child)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _top_actions(content: dict, ids: Mapping[str, int]) -> list[dict]:
    """The card's buttons acting on these ids, as pressed (a shown card's whole button)."""
    found = []
    for node in _walk(content.get("body") or []):
        if node.get("type") == "ActionSet":
            found += [a for a in node.get("actions") or [] if mentions(a, ids)]
    return found + [a for a in content.get("actions") or [] if mentions(a, ids)]


def mark_section(content: dict, ids: Mapping[str, int], status: dict,
                 keep: Callable[[dict], dict | None]) -> dict:
    """The card with the buttons acting on these ids replaced by `status` (and whatever `keep`
    keeps of them); every other section untouched."""
    placed = [False]

    def rework(node: Any) -> list[Any]:
        if isinstance(node, dict) and node.get("type") == "ActionSet" and mentions(node, ids):
            kept = [k for a in node.get("actions") or [] if (k := keep(a) if mentions(a, ids) else a) is not None]
            out: list[Any] = []
            if not placed[0]:
                out.append(status)
                placed[0] = True
            if kept:
                out.append({**node, "actions": kept})
            return out
        if isinstance(node, dict) and node.get("type") == "Container":
            return [{**node, "items": [x for item in node.get("items") or [] for x in rework(item)]}]
        return [node]

    result = copy.deepcopy(content)
    result["body"] = [x for item in result.get("body") or [] for x in rework(item)]
    actions = result.get("actions") or []
    if any(mentions(a, ids) for a in actions):
        actions = [k for a in actions if (k := keep(a) if mentions(a, ids) else a) is not None]
        if not placed[0]:
            result["body"].append(status)
        if actions:
            result["actions"] = actions
        else:
            result.pop("actions", None)
    return result


@dataclass
class Acted:
    """Who did what and when, to write over the acted-on card (or its section)."""

    outcome: str
    actor: str
    at: datetime
    tz: tzinfo
    details: list[tuple[str, str]]
    keep: Callable[[dict], dict | None]

    def whole(self, title: str, kept: list[dict]) -> dict:
        new = ac.acted_card(title, self.outcome, self.actor, self.at, self.tz, details=self.details)
        if kept:
            new["actions"] = kept
        return new

    def apply(self, content: dict, ids: Mapping[str, int]) -> dict:
        if about_only(content, ids):
            kept = [k for a in _top_actions(content, ids) if (k := self.keep(a)) is not None]
            return self.whole(_card_title(content), kept)
        status = text(f"{self.outcome} by {self.actor}, {format_moment(self.at, self.tz)}", color="Good",
                      weight="Bolder")
        return mark_section(content, ids, status, self.keep)


def rebuild(rows: list[OutboxMessage], ids: Mapping[str, int],
            change: Callable[[dict, Mapping[str, int]], dict], shown: dict[int, dict] | None = None) -> dict | None:
    """The card of the sent message `rows` made (one notice or a digest), with `change` applied to
    each notice acting on these ids; None when none of them does. Changed payloads go in `shown`."""
    payloads, hit = [], False
    for row in rows:
        payload = dict(row.payload or {})
        content = payload.get("card")
        if isinstance(content, dict) and mentions(content, ids):
            payload["card"] = change(content, ids)
            hit = True
            if shown is not None:
                shown[row.id] = payload
        payloads.append(payload)
    if not hit:
        return None
    try:
        activity = digest_activity(payloads)
    except ValueError:
        return None
    attachments = activity.get("attachments") or []
    return attachments[0].get("content") if attachments else None


def polite_card(rows: list[OutboxMessage], ids: Mapping[str, int], verb: str, message: str, ref: str = "") -> dict:
    """Why nothing changed: in the pressed section of a message with several, else as its own card."""

    def politely(content: dict, subject: Mapping[str, int]) -> dict:
        if about_only(content, subject):
            return card([heading(_card_title(content)), text(message)])
        return mark_section(content, subject, attention(message), lambda _action: None)

    rebuilt = rebuild(rows, ids, politely)
    if rebuilt is not None:
        return rebuilt
    title = _SINGLE_CARD_TITLES.get(verb, "Case {ref}").format(ref=ref) if ref else "Nothing was changed"
    return card([heading(title), text(message)])
