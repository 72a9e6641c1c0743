"""Card buttons at the Teams edge: an `adaptiveCard/action` invoke (Universal Actions), or a
message whose value carries {"verb": ...} (Action.Submit, for clients without them).

One press: find who pressed (their personal chat's roster person) and the notices the pressed
message carried, hand both to the verb's registered use case (capabilities.registry.CardVerb),
then carry out its `Reply`: alerts first (they are urgent), then the update in place
(UpdateActivity on activity.reply_to_id), then new messages. The invoke response carries the
acted-on card, or a short message.

Messages written due now (safeguarding alerts): the turn wakes the app's outbox sender when
`services.sender` is set, and otherwise delivers due rows itself before answering, so an alert
never waits for the next sweep.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue

from bot import metrics
from bot.card_signing import CardSigner, malformed
from bot.services import Services
from capabilities.press import UNREADABLE, Press, Reply
from capabilities.registry import Registry
from dialogs.card_update import card_title
from dialogs.date_toggle import with_date_toggle, without_toggle
from qa.identifiers import DATE_KEPT_INPUT, card_press, toggled_on
from storage.conversations import actor_for_chat, personal_chat_of
from storage.models import Person
from storage.outbox import record_shown, sent_rows
from storage.unavailable import database_unavailable

log = logging.getLogger(__name__)

UNSIGNED = ("I couldn't check this card's button, so nothing was changed. Type \"my audits\" (or \"oversight\", "
            "\"cycle\") for a fresh card.")

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MESSAGE_CONTENT_TYPE = "application/vnd.microsoft.activity.message"
# turn_state: the personal chat's Conversation row (its person loaded) as read at the start of the
# turn (bot/teams_bot.py), None when it is not recorded; UNREAD when the turn did not read it.
CHAT = "qa.chat"
UNREAD = object()
ERROR_CONTENT_TYPE = "application/vnd.microsoft.error"


class InvokeAnswer(AdaptiveCardInvokeResponse):
    """botbuilder's model types `value` as an object; a message answer's value is a string."""

    _attribute_map = {**AdaptiveCardInvokeResponse._attribute_map, "value": {"key": "value", "type": "object"}}


def is_card_submit(activity: Activity, registry: Registry) -> bool:
    """A message from an Action.Submit button carrying one of the registered verbs in its value."""
    value = activity.value
    return activity.type == "message" and isinstance(value, dict) and value.get("verb") in registry.verbs


async def on_card_action(services: Services, registry: Registry, turn_context: TurnContext,
                         value: AdaptiveCardInvokeValue) -> AdaptiveCardInvokeResponse:
    action = value.action if isinstance(value.action, dict) else {}
    verb = action.get("verb")
    data = action.get("data") if isinstance(action.get("data"), dict) else {}
    if not isinstance(verb, str) or verb not in registry.verbs:
        log.info("unknown card action verb")
        return AdaptiveCardInvokeResponse(status_code=400, type=ERROR_CONTENT_TYPE, value={
            "code": "BadRequest", "message": "This card action is not one I know."})
    if malformed(data):  # a signature this bot never writes: the client's error, refused before any look-up
        log.info("card action %s refused: its signature is malformed", verb)
        return AdaptiveCardInvokeResponse(status_code=400, type=ERROR_CONTENT_TYPE, value={
            "code": "BadRequest", "message": UNSIGNED})
    try:
        reply = await act(services, registry, turn_context, verb, data)
        await carry_out(services, turn_context, reply)
    except Exception as exc:  # noqa: BLE001 - answer the client; the log has the type, never the inputs
        if database_unavailable(exc):
            raise  # not this press's fault: the edge answers 503 and Teams sends it again (bot/app.py)
        log.error("card action %s failed: %s", verb, type(exc).__name__, exc_info=(type(exc), exc, exc.__traceback__))
        return AdaptiveCardInvokeResponse(status_code=500, type=ERROR_CONTENT_TYPE, value={
            "code": "InternalError", "message": "Sorry, something went wrong on my side. Please try again."})
    # One line per press (the verb and what it answered, never the data), so a press that changed
    # nothing shows in the log as clearly as one that failed.
    log.info("card action %s answered with %s", verb, "a card" if reply.card is not None else "a message")
    if reply.card is not None:
        return AdaptiveCardInvokeResponse(status_code=200, type=CARD_CONTENT_TYPE,
                                          value=services.signer.sign(reply.card))
    return InvokeAnswer(status_code=200, type=MESSAGE_CONTENT_TYPE, value=reply.text or "Done.")


async def on_card_submit(services: Services, registry: Registry, turn_context: TurnContext) -> None:
    """The Action.Submit route: the same actions; what an invoke would answer comes as a message."""
    value = dict(turn_context.activity.value)
    verb = value.pop("verb")
    value.pop("msteams", None)
    reply = await act(services, registry, turn_context, verb, value)
    await carry_out(services, turn_context, reply)
    if reply.card is not None and not (reply.update and turn_context.activity.reply_to_id):
        await send_card(turn_context, reply.card, card_title(reply.card), services.signer)
    elif reply.card is None and reply.text:
        await turn_context.send_activity(reply.text)


async def act(services: Services, registry: Registry, turn_context: TurnContext, verb: Any,
              data: Mapping[str, Any]) -> Reply:
    """Who pressed, on what, handed to the verb's use case."""
    handler = registry.verbs.get(verb) if isinstance(verb, str) else None
    if handler is None:
        return Reply(text=UNREADABLE)
    metrics.of(services).pressed(handler.verb)
    if not services.signer.verify(verb, data):  # made up, altered, or from before the key changed
        log.info("card action %s refused: its data is not signed by this bot", verb)
        return Reply(text=UNSIGNED)
    activity = turn_context.activity
    conversation_id = activity.conversation.id if activity.conversation else ""
    user_id = activity.from_property.id if activity.from_property else None
    person = await _actor(services, turn_context, conversation_id, user_id)
    rows = (await sent_rows(services.db, activity.reply_to_id, conversation_id, person.id if person else None)
            if activity.reply_to_id else [])
    teams_name = activity.from_property.name if activity.from_property else None
    # Every card's free text is screened inside this one press (qa.identifiers.card_press): a date on its
    # own is kept when the person turned the toggle on, and questioned with the toggle offered otherwise.
    with card_press(toggled_on(data.get(DATE_KEPT_INPUT))) as screening:
        reply = await handler.handle(Press(
            ctx=services.context, verb=handler.verb, data=data, actor=person, rows=rows, now=services.clock(),
            teams_name=teams_name, aad_object_id=activity.from_property.aad_object_id if activity.from_property else None))
    return offer_date_toggle(reply, data) if screening.questioned else reply


def offer_date_toggle(reply: Reply, sent: Mapping[str, Any]) -> Reply:
    """A press whose free text held a date on its own: the re-shown form keeps what the person typed
    and gains the toggle that keeps the date (dialogs/date_toggle.py); an answer that is not the form
    says to write the day without its year instead."""
    form = with_date_toggle(reply.card, sent) if reply.card is not None else None
    if form is not None:
        return replace(reply, card=form)
    return replace(reply, card=without_toggle(reply.card), text=without_toggle(reply.text))


async def _actor(services: Services, turn_context: TurnContext, conversation_id: str,
                 user_id: str | None) -> Person | None:
    """Who pressed: the active roster person linked to this personal chat, for its own user only
    (storage.conversations.actor_for_chat), from the chat as the turn read it if it did; in a channel,
    the person of the sender's own personal chat."""
    conversation = turn_context.activity.conversation
    if conversation is not None and (conversation.is_group or conversation.conversation_type == "channel"):
        # Pressed on a card in a channel (only verbs declared for channels get here): the sender is the
        # person of their own personal chat, found by their Teams id, never by anything on the card.
        if not user_id:
            return None
        async with services.db.sessions() as session:
            own = await personal_chat_of(session, user_id=user_id, tenant_id=conversation.tenant_id or "")
            return own.person if own is not None and own.person is not None and own.person.active else None
    chat = turn_context.turn_state.get(CHAT, UNREAD)
    if chat is UNREAD:
        return await actor_for_chat(services.db, conversation_id, user_id)
    if chat is None or chat.person_id is None or not user_id or chat.user_id != user_id:
        return None
    return chat.person if chat.person is not None and chat.person.active else None


async def carry_out(services: Services, turn_context: TurnContext, reply: Reply) -> None:
    """Alerts first (they are urgent), then the update in place, then new messages."""
    if reply.deliver_now:
        await deliver_now(services)
    reply_to = turn_context.activity.reply_to_id
    if reply.update and reply.card is not None and reply_to:
        update = Activity(type="message", id=reply_to,
                          attachments=[CardFactory.adaptive_card(services.signer.sign(reply.card))])
        try:
            await turn_context.update_activity(update)
        except Exception as exc:  # noqa: BLE001 - the change is made; the invoke response still shows it
            log.warning("could not update the acted-on message: %s", type(exc).__name__)
    if reply.shown:
        await record_shown(services.db, reply.shown)
    for new_card, summary in reply.send:
        await send_card(turn_context, new_card, summary, services.signer)


async def deliver_now(services: Services) -> None:
    """Send what is due now through the Deliver port: the app's sender is woken if there is one,
    else the rows go before the press is answered."""
    try:
        await services.deliver.now()
    except Exception as exc:  # noqa: BLE001 - the rows stay due; the app's sender will send them
        log.error("immediate delivery failed: %s", type(exc).__name__, exc_info=(type(exc), exc, exc.__traceback__))


async def send_card(turn_context: TurnContext, content: dict, summary: str, signer: CardSigner) -> None:
    """A card (its buttons signed) plus a one-line text (also the notification summary) for clients
    without cards."""
    message = MessageFactory.attachment(CardFactory.adaptive_card(signer.sign(content)), text=summary)
    message.summary = summary
    await turn_context.send_activity(message)
