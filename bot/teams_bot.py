"""The Teams activity handler: translate an activity into a use case, reply.

Who is who: a personal install stores the chat's ConversationReference (so the bot can write
later) and links it to the roster person, by Entra object id or else by the email Teams' member
look-up gives; the person is welcomed once. Team installs and channel events keep Team/Channel.
Everything else goes to what the capabilities registered (capabilities/catalogue.py), and only
through the registry: a typed command to its ChatCommand, a button to its CardVerb, a file to
its FileIntake, an event to its EventHandler; anything not understood gets the registry's
not-understood answer (the help card for the person's role). `on_message_activity` is the one
place the order of a message's routes is written.

Conversations (botbuilder dialogs, dialogs/) run here: a command with a registered DialogEntry
begins its dialog, and while a dialog is active it gets each message first (after card buttons
and files). A message that is exactly a registered command word or alias and not one of the waiting
question's choices is neither an answer nor the command: the sender is told they are in the middle
of the dialog and can type cancel to leave it, and the question is asked again (_dialog). `cancel`
or `stop` leave it. Dialog state is the
sender's own state in this conversation (bot/person_state.py: keyed by conversation AND sender,
so in a channel thread, where everyone shares the conversation id, nobody else's answer reaches
it), in the bot_state table (storage/bot_state.py), saved at the end of every turn, so a
conversation carries on after a restart; one left for an hour ends on the next message. Who the
sender is is checked at every step: a dialog begun by one roster person ends if the sender is no
longer that person.

Every message's text is cleaned once, first (dialogs.conversation.plain_text: the bot's mention,
HTML and entities removed), so commands, prompts and parsers all read the same plain text.

Where others read the answers (a team channel): only commands and buttons the registry declares
`channel=True` answer there; any other command (or the conversation it starts, or a file) is
answered in the sender's personal chat, with one line in the channel saying so, or refused with
that line when the bot cannot reach the sender's personal chat.

Who is who comes from the activity's `from`, always: a chat's roster person is the sender only
when the chat is the sender's own (its user id is `from.id`). A stored chat or team address is
refreshed only from an activity the bot accepted (not one answered 400).
"""
from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from contextvars import ContextVar
from copy import copy
from dataclasses import replace
from datetime import datetime
from typing import Any

from botbuilder.core import BotAdapter, InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.dialogs import DialogContext, DialogSet, DialogTurnResult, DialogTurnStatus
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    AdaptiveCardInvokeValue,
    ChannelAccount,
    ConversationAccount,
)

from bot import card_actions, file_consent, file_download, metrics
from bot.adapter import OutboundError
from bot.card_actions import CHAT, UNREAD, send_card
from bot.connector import ConnectorError
from bot.person_state import PersonConversationState
from bot.proactive import open_personal_chat
from bot.services import Services
from capabilities.catalogue import registry as default_registry
from capabilities.registry import ANY_FILE, CommandReply, FileUpload, InboundEvent, Registry, Said
from dialogs.conversation import (
    ACTOR,
    ACTOR_CHANGED,
    ARGUMENT,
    BUTTON_IN_PERSONAL_CHAT,
    CANCEL_WORDS,
    EXPIRED,
    EXPIRES_AFTER,
    NO_PERSONAL_CHAT,
    NOTHING_TO_STOP,
    STARTED_IN_PERSONAL_CHAT,
    STOPPED,
    TOLD_IN_PERSONAL_CHAT,
    command_words,
    mid_dialog,
    plain_text,
)
from storage import conversations as chats
from storage.bot_state import SqlStorage
from storage.models import Conversation, Person

log = logging.getLogger(__name__)

NO_INTAKE = "I don't take files of this kind, so I have not opened it."
_PERSON = "qa.person"  # turn_state: the roster person behind this turn's activity (None: not on the roster)
_DIALOG_CONTEXT = "qa.dialog_context"  # turn_state: this turn's DialogContext
NOBODY = "-"  # DialogActor of a dialog begun by someone not on the roster


def actor_mark(person: Person | None) -> str:
    """Who a dialog was begun for, as DialogActor keeps it: the roster person's id, or NOBODY."""
    return str(person.id) if person is not None else NOBODY

TEAM_EVENTS = {"channelCreated", "channelRenamed", "channelRestored", "channelDeleted", "teamRenamed",
               "teamDeleted", "teamHardDeleted"}


def bot_mentions(activity: Activity) -> list[str]:
    """The markup (`<at>QA Bot</at>`) of the activity's mention entities that name the bot (the
    recipient); a malformed entity is passed over."""
    bot_id = activity.recipient.id if activity.recipient else None
    found = []
    for entity in activity.entities or []:
        props = entity if isinstance(entity, dict) else \
            {**(getattr(entity, "additional_properties", None) or {}), "type": getattr(entity, "type", None)}
        mentioned = props.get("mentioned")
        if props.get("type") == "mention" and isinstance(props.get("text"), str) and isinstance(mentioned, dict) \
                and bot_id and mentioned.get("id") == bot_id:
            found.append(props["text"])
    return found


def typed_text(activity: Activity) -> str:
    """What the sender typed, as plain text (dialogs.conversation.plain_text, the one cleaner):
    the bot's mention, HTML and entities removed."""
    return plain_text(activity.text if isinstance(activity.text, str) else None, bot_mentions=bot_mentions(activity),
                      bot_name=activity.recipient.name if activity.recipient else None)


def clean_text(activity: Activity) -> None:
    """Replace a message's text with what was typed (typed_text), once, before any route, prompt
    or parser reads it."""
    if activity.type == ActivityTypes.message and isinstance(activity.text, str):
        activity.text = typed_text(activity)


def command_text(activity: Activity) -> str:
    """The message text as a command: typed_text, then dialogs.conversation.command_words (lower
    case, punctuation to spaces, single spaces)."""
    return command_words(typed_text(activity))


def bounded(value: Any, limit: int) -> str | None:
    """An id from the activity if it is a non-empty string that fits its column, else None."""
    return value if isinstance(value, str) and 0 < len(value) <= limit else None


def name_of(value: Any, limit: int = 300) -> str | None:
    return value.strip()[:limit] or None if isinstance(value, str) else None


def channel_data(activity: Activity) -> dict[str, Any]:
    return activity.channel_data if isinstance(activity.channel_data, dict) else {}


def tenant_id(activity: Activity) -> str:
    """The activity's tenant, read this one way for the allow-list, for storage and so for every
    message out: channelData.tenant.id, else conversation.tenantId (some clients and channels
    send only that); trimmed and lower-case (storage.conversations.tenant_key); '' if neither.
    """
    tenant = channel_data(activity).get("tenant")
    found = chats.tenant_key(tenant.get("id")) if isinstance(tenant, dict) else ""
    conversation = activity.conversation
    if found or conversation is None:
        return found
    # botbuilder's ConversationAccount maps `tenantID`, so Teams' `tenantId` stays among the
    # properties it did not know.
    extra = getattr(conversation, "additional_properties", None)
    extra = extra if isinstance(extra, dict) else {}
    return chats.tenant_key(extra.get("tenantId")) or chats.tenant_key(conversation.tenant_id)


# What conversation_reference gave for an address and its accounts: a chat's every activity gives
# the same, and msrest's serialisation of it was a good part of a turn's own time.
_REFERENCES: dict[str, dict[str, Any]] = {}
_REFERENCES_KEPT = 1024


def conversation_reference(activity: Activity) -> dict[str, Any]:
    """The ConversationReference to keep for a chat, as JSON, without the activity's id: that
    changes with every activity, and a proactive message answers none. (PersonalChat adds the
    tenant, which botbuilder's serialisation drops.)"""
    key = json.dumps([activity.service_url, activity.channel_id, activity.locale,
                      *(vars(account) if account is not None else None
                        for account in (activity.from_property, activity.recipient, activity.conversation))],
                     sort_keys=True, default=repr)
    reference = _REFERENCES.get(key)
    if reference is None:
        reference = TurnContext.get_conversation_reference(activity).serialize()
        reference.pop("activityId", None)
        if len(_REFERENCES) >= _REFERENCES_KEPT:
            _REFERENCES.clear()
        _REFERENCES[key] = reference
    return json.loads(json.dumps(reference))  # the caller's own copy


def team_of(activity: Activity) -> dict[str, Any] | None:
    team = channel_data(activity).get("team")
    return team if isinstance(team, dict) and team.get("id") else None


def is_shared(activity: Activity) -> bool:
    """Whether others read what the bot answers here: a team channel (or its thread) or a group chat."""
    conversation = activity.conversation
    return bool(team_of(activity)) or (conversation is not None and (
        bool(conversation.is_group) or conversation.conversation_type in ("channel", "groupChat")))


def accepted(turn_context: TurnContext) -> bool:
    """Whether the turn's activity was accepted: not answered with a status of 400 or more (an
    invoke's HTTP status, or the status its body carries, as a card action's answer does)."""
    answer = turn_context.turn_state.get(BotAdapter._INVOKE_RESPONSE_KEY)  # noqa: SLF001 - botbuilder's key
    response = getattr(answer, "value", None)
    if not isinstance(response, InvokeResponse):
        return True
    body = response.body
    inner = body.get("statusCode") if isinstance(body, dict) else getattr(body, "status_code", None)
    return (response.status or 200) < 400 and not (isinstance(inner, int) and inner >= 400)


def is_personal(activity: Activity) -> bool:
    """A 1:1 chat we can record: personal scope, with a conversation id and a user id."""
    conversation = activity.conversation
    if conversation is None or not conversation.id or team_of(activity):
        return False
    if activity.from_property is None or not activity.from_property.id:
        return False
    kind = conversation.conversation_type
    return kind == "personal" or (kind is None and not conversation.is_group)


# A message turn's conversation state as read with its chat (QaBot._refresh_address), so the
# dialogs' ConversationState.load does not read it again. A context variable: each turn runs in
# its own task, so one turn never sees another's.
_READ_AHEAD: ContextVar[dict[str, Any] | None] = ContextVar("qa_state_read_ahead", default=None)


class TurnStorage(SqlStorage):
    """SqlStorage that answers a read of what this turn already read with its chat."""

    async def read(self, keys: Iterable[str]) -> dict[str, Any]:
        keys = list(keys) if keys is not None else keys
        ahead = _READ_AHEAD.get()
        if ahead is not None and keys and all(key in ahead for key in keys):
            _READ_AHEAD.set(None)  # once: a forced reload reads the table
            return {key: ahead[key] for key in keys if ahead[key] is not None}
        return await super().read(keys)


class QaBot(TeamsActivityHandler):
    def __init__(self, services: Services, registry: Registry | None = None) -> None:
        self.services = services
        self.registry = registry or default_registry()
        # Dialogs keep their state here, in the same database, per conversation AND sender; saved at
        # the end of each turn.
        self.person_state = PersonConversationState(TurnStorage(services.db, services.clock))
        self.dialog_state = self.person_state.create_property("DialogState")
        # When the active dialog last had a message (ISO 8601, UTC), to end one left for an hour.
        self.dialog_touched = self.person_state.create_property("DialogTouchedAt")
        # Who the active dialog was begun for (actor_mark), checked against the sender at every step.
        self.dialog_actor = self.person_state.create_property("DialogActor")
        self.dialogs = DialogSet(self.dialog_state)
        for entry in self.registry.dialogs.values():
            dialog = entry.build(services.context)
            if dialog.id != entry.dialog_id:
                raise ValueError(f"dialog {entry.dialog_id!r} built with id {dialog.id!r}")
            self.dialogs.add(dialog)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """Every invoke gets a deliberate answer: the card actions this bot answers (a well-formed
        adaptiveCard/action), a 400 with the reason for anything else (botbuilder would answer
        501, or fail to serialise its own 400)."""
        activity = turn_context.activity
        if activity.name == "fileConsent/invoke" and isinstance(activity.value, dict) \
                and activity.value.get("action") in ("accept", "decline") \
                and all(isinstance(activity.value.get(k, {}), dict) for k in ("context", "uploadInfo")):
            return await super().on_invoke_activity(turn_context)  # on_teams_file_consent_accept/_decline
        if activity.name != "adaptiveCard/action":
            log.info("invoke not handled: %s", (activity.name or "")[:60])
            return InvokeResponse(status=400, body={"error": "this bot does not handle this kind of invoke"})
        value = activity.value
        action = value.get("action") if isinstance(value, dict) else None
        if not isinstance(action, dict) or action.get("type") != "Action.Execute" \
                or not isinstance(action.get("verb"), str) or not isinstance(action.get("data", {}), dict):
            return InvokeResponse(status=400, body={
                "error": "an adaptiveCard/action invoke carries an Action.Execute with a verb and object data"})
        return await super().on_invoke_activity(turn_context)

    def _get_adaptive_card_invoke_value(self, activity: Activity) -> AdaptiveCardInvokeValue:
        """botbuilder's, given only the keys its model knows: it builds AdaptiveCardInvokeValue(**value),
        and msrest logs a warning for every other key (Teams sends "trigger" with every press)."""
        if isinstance(activity.value, dict):
            activity = copy(activity)
            activity.value = {key: value for key, value in activity.value.items()
                              if key in AdaptiveCardInvokeValue._attribute_map}
        return super()._get_adaptive_card_invoke_value(activity)

    async def on_turn(self, turn_context: TurnContext) -> None:
        token = _READ_AHEAD.set(None)
        try:
            clean_text(turn_context.activity)  # first: every route, prompt and parser reads plain text
            refresh = await self._read_address(turn_context)
            await super().on_turn(turn_context)
            await self.person_state.save_changes(turn_context)
            if refresh is not None and accepted(turn_context):
                await refresh()  # only an activity the bot accepted may move a chat or team
        finally:
            _READ_AHEAD.reset(token)

    async def _read_address(self, turn_context: TurnContext) -> Callable[[], Awaitable[None]] | None:
        """Read the known chat or team this activity comes from, and return what keeps where it is
        reached as the activity says (serviceUrl, tenant, bot id, object id, reference), so
        proactive messages go where Teams last spoke from; on_turn runs it after the turn, and
        only if the activity was accepted. None when there is nothing to keep. Install and team
        events record the whole chat or team themselves.

        A personal chat's row (with its roster person) is read once here and kept for the turn
        (card_actions.CHAT): who sent a message or pressed a button is then known without reading
        it again. The write happens only when something changed."""
        activity = turn_context.activity
        if activity.type in (ActivityTypes.installation_update, ActivityTypes.conversation_update):
            return None
        state_key = self._state_key(turn_context) if activity.type == ActivityTypes.message else None
        if team_of(activity):
            team = self._team_install(activity)
            return None if team is None else (lambda: self._refresh_team(team))
        if not is_personal(activity):
            return None
        chat = self._personal_chat(activity)
        if chat is None:
            return None
        # One statement: the chat with its person and, for a message (it may go to an active dialog),
        # the sender's state in it.
        async with self.services.db.sessions.one_statement() as session:
            row, state = await chats.chat_and_state(session, chat.conversation_id, state_key)
        if state is not None:
            _READ_AHEAD.set(state)
        turn_context.turn_state[CHAT] = row
        return (lambda: self._refresh_chat(chat, row)) if chats.personal_chat_moved(chat, row) else None

    async def _refresh_team(self, team: chats.TeamInstall) -> None:
        async with self.services.db.sessions.begin() as session:
            changed = await chats.refresh_team(session, team)
        if changed:
            log.info("team %s reached anew: %s changed", team.team_id, ", ".join(changed))

    async def _refresh_chat(self, chat: chats.PersonalChat, row: Conversation) -> None:
        async with self.services.db.sessions.begin() as session:  # rarely: a writer's transaction
            changed = await chats.refresh_personal_chat(session, chat, row)
        if changed:
            log.info("chat %s reached anew: %s changed", chat.conversation_id, ", ".join(changed))

    def _state_key(self, turn_context: TurnContext) -> str | None:
        """Where the sender's state in this conversation is kept; None if the activity cannot say
        (no channelId or sender: botbuilder refuses it when, and only if, state is read)."""
        try:
            return self.person_state.get_storage_key(turn_context)
        except TypeError:
            return None

    # -- installs -----------------------------------------------------------------------
    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if team_of(activity):
            await self._team_added(activity)
        elif is_personal(activity):
            await self._personal_installed(turn_context)

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        await self._bot_removed(turn_context.activity)

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        # Replaces botbuilder's dispatch, which looks up every added member over the network.
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        if bot_id and any(m.id == bot_id for m in activity.members_added or []):
            if team_of(activity):
                await self._team_added(activity)
            elif is_personal(activity):
                await self._personal_installed(turn_context)
        elif bot_id and any(m.id == bot_id for m in activity.members_removed or []):
            await self._bot_removed(activity)
        elif team_of(activity):
            await self._team_event(activity)

    async def _personal_installed(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        chat = self._personal_chat(activity)
        if chat is None:
            log.warning("ignored a personal install with missing or oversized ids")
            return
        email = None
        async with self.services.db.sessions() as session:
            existing = await chats.conversation_by_id(session, chat.conversation_id)
            known_email = existing.email if existing else None
            person = await chats.roster_person_for(session, aad_object_id=chat.aad_object_id, email=known_email)
        upn = None
        if person is None and not known_email:
            email, upn = await self._member_email(activity)
        now = self.services.clock()
        async with self.services.db.sessions.begin() as session:
            await chats.record_personal_chat(session, replace(chat, email=email, upn=upn), now=now)
            person = await chats.roster_person_for(session, aad_object_id=chat.aad_object_id,
                                                   email=email or known_email, upn=upn)
            if person is not None:
                await chats.link_chat(session, chat.conversation_id, person.id)
            # Teams sends two events per install: only the one that claims welcomed_at welcomes.
            welcome = await chats.claim_welcome(session, chat.conversation_id, now=now)
        log.info("personal install recorded: conversation %s, linked=%s, welcome=%s",
                 chat.conversation_id, person is not None, welcome)
        if not welcome or self.registry.welcome is None:
            return
        try:
            reply = await self.registry.welcome(Said(self.services.context, person, now, registry=self.registry))
            await send_card(turn_context, reply.card, reply.summary, self.services.signer)
        except Exception:
            # Let a later install event (or a re-install) welcome instead.
            async with self.services.db.sessions.begin() as session:
                await chats.release_welcome(session, chat.conversation_id, claimed_at=now)
            raise

    def _personal_chat(self, activity: Activity) -> chats.PersonalChat | None:
        """The chat to record, or None when an id is missing or will not fit its column."""
        user = activity.from_property
        values = {
            "conversation_id": bounded(activity.conversation.id, 500),
            "service_url": bounded(activity.service_url, 500),
            "bot_id": bounded(activity.recipient.id if activity.recipient else None, 200),
            "user_id": bounded(user.id if user else None, 200),
        }
        aad = user.aad_object_id if user else None
        tenant = tenant_id(activity)
        if None in values.values() or len(tenant) > 64 or (aad is not None and bounded(aad, 64) is None):
            return None
        return chats.PersonalChat(**values, tenant_id=tenant, aad_object_id=aad or None,
                                  reference=conversation_reference(activity))

    async def _member_email(self, activity: Activity) -> tuple[str | None, str | None]:
        """The user's (email, userPrincipalName) from Teams (GET .../members/{userId}); None for what
        Teams will not say."""
        user = activity.from_property
        if not user or not user.id:
            return None, None
        try:
            resp = await self.services.connector.get_member(activity.service_url, activity.conversation.id, user.id)
        except ConnectorError as exc:
            log.warning("member look-up failed: %s", exc)
            return None, None
        if not resp.ok or not resp.body:
            log.warning("member look-up answered %s", resp.status)
            return None, None
        email, upn = (resp.body.get(k) for k in ("email", "userPrincipalName"))
        email, upn = (bounded(v.strip().lower(), 320) if isinstance(v, str) else None for v in (email or upn, upn))
        return email, upn

    async def _bot_removed(self, activity: Activity) -> None:
        now = self.services.clock()
        team = self._team_install(activity)
        async with self.services.db.sessions.begin() as session:
            if team is not None:
                await chats.mark_team_removed(session, team.team_id, now=now)
            elif is_personal(activity):
                await chats.mark_unreachable(session, activity.conversation.id, reason="uninstalled", now=now)
        log.info("bot removed from %s", "a team" if team else "a chat")

    # -- teams and channels --------------------------------------------------------------
    def _team_install(self, activity: Activity) -> chats.TeamInstall | None:
        """The team in channelData, or None when there is none or its ids will not fit."""
        team = team_of(activity)
        team_id = bounded(team.get("id"), 500) if team else None
        service_url = bounded(activity.service_url, 500)
        bot_id = bounded(activity.recipient.id if activity.recipient else None, 200)
        tenant = tenant_id(activity)
        if not (team_id and service_url and bot_id) or len(tenant) > 64:
            return None
        return chats.TeamInstall(team_id=team_id, aad_group_id=bounded(team.get("aadGroupId"), 64),
                                 name=name_of(team.get("name")), tenant_id=tenant, service_url=service_url,
                                 bot_id=bot_id)

    async def _team_added(self, activity: Activity) -> None:
        install = self._team_install(activity)
        if install is None:
            log.warning("ignored a team install with missing or oversized ids")
            return
        channel = channel_data(activity).get("channel")
        channel = channel if isinstance(channel, dict) else {}
        # The General channel's id is the team id; Teams gives it no name.
        channel_id = bounded(channel.get("id"), 500) or install.team_id
        name = name_of(channel.get("name")) or ("General" if channel_id == install.team_id else None)
        async with self.services.db.sessions.begin() as session:
            team_row = await chats.record_team(session, install, now=self.services.clock())
            await chats.record_channel(session, team_row, channel_id, name)
        log.info("team recorded: %s", install.team_id)

    async def _team_event(self, activity: Activity) -> None:
        data = channel_data(activity)
        event = data.get("eventType")
        if event not in TEAM_EVENTS:
            return
        install = self._team_install(activity)
        if install is None:
            log.warning("ignored a %s event with missing or oversized ids", event)
            return
        channel = data.get("channel") if isinstance(data.get("channel"), dict) else {}
        channel_id = bounded(channel.get("id"), 500)
        now = self.services.clock()
        async with self.services.db.sessions.begin() as session:
            if event in ("teamDeleted", "teamHardDeleted"):
                await chats.mark_team_removed(session, install.team_id, now=now)
                return
            # Refreshes the team too: teamRenamed carries the new name in channelData.team.
            team_row = await chats.record_team(session, install, now=now)
            if event == "channelDeleted" and channel_id:
                await chats.mark_channel_deleted(session, team_row, channel_id, now=now)
            elif event != "teamRenamed" and channel_id:
                await chats.record_channel(session, team_row, channel_id, name_of(channel.get("name")))
        log.info("team event %s recorded for %s", event, install.team_id)

    # -- messages: the one place their order is written -------------------------------------
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        """A message goes to the first route that takes it, in this order:

        1. a card's button from a client without Universal Actions (Action.Submit carrying a
           registered verb): its CardVerb, as an Action.Execute press would (bot/card_actions.py);
        2. files: the FileIntake registered for their type (bot/file_download.py fetches them
           only if the intake asks);
        3. `cancel` or `stop`: leave the active dialog;
        4. the active dialog: a message that is exactly a command word and not one of the question's
           choices is not taken as the answer: the sender is told they are mid-conversation (type
           cancel to leave it) and asked again; anything else is an answer to its question;
        5. a command: its ChatCommand, or the DialogEntry it starts (also "observe sam patel");
        6. anything else: the registry's not-understood answer (the help card).

        Where others read the answers (is_shared: a team channel), a button or command the
        registry does not declare `channel=True`, and any file, is answered in the sender's
        personal chat instead (_in_personal_chat), and the not-understood answer names nobody.

        Other activities go by type: an event by name to its EventHandler (on_event_activity), an
        Action.Execute press to its CardVerb (on_adaptive_card_invoke).
        """
        for route in (self._card_button, self._files, self._dialog, self._command):
            if await route(turn_context):
                return
        await self._answer(turn_context, self.registry.not_understood)

    async def _card_button(self, turn_context: TurnContext) -> bool:
        if not card_actions.is_card_submit(turn_context.activity, self.registry):
            return False
        if is_shared(turn_context.activity) and not self.registry.verbs[turn_context.activity.value["verb"]].channel:
            await turn_context.send_activity(BUTTON_IN_PERSONAL_CHAT)
            return True
        await card_actions.on_card_submit(self.services, self.registry, turn_context)
        return True

    async def _files(self, turn_context: TurnContext) -> bool:
        activity = turn_context.activity
        if not file_download.has_files(activity):
            return False
        if is_shared(activity):  # what a file holds, and the answer about it, is no channel's business
            await self._in_personal_chat(turn_context, self._take_files, TOLD_IN_PERSONAL_CHAT)
            return True
        return await self._take_files(turn_context)

    async def _take_files(self, turn_context: TurnContext) -> bool:
        activity = turn_context.activity
        files = file_download.sent_files(activity, self.services.connector.session)
        intake = self.registry.intake_for(files[0].name if files else ANY_FILE)
        if intake is None:
            await turn_context.send_activity(NO_INTAKE)
            return True
        person = await self._who(turn_context)
        answer = await intake.handle(FileUpload(self.services.context, person, self.services.clock(),
                                                activity.text, files))
        metrics.of(self.services).imported(intake.name, "answered")
        if isinstance(answer, str):
            await turn_context.send_activity(answer)
        else:
            await send_card(turn_context, answer.card, answer.summary, self.services.signer)
        return True

    async def _dialog(self, turn_context: TurnContext) -> bool:
        """The sender's active dialog in this conversation (never anyone else's: the state is keyed
        by the sender), after checking the sender is still the roster person it was begun for."""
        dc = await self._dialog_context(turn_context)
        if command_text(turn_context.activity) in CANCEL_WORDS:
            await self._leave_dialog(turn_context, dc, STOPPED if dc.active_dialog else NOTHING_TO_STOP)
            return True
        if dc.active_dialog is None:
            return False
        if await self._dialog_expired(turn_context):
            await self._leave_dialog(turn_context, dc, EXPIRED)
            return True
        if await self.dialog_actor.get(turn_context) != actor_mark(await self._who(turn_context)):
            await self._leave_dialog(turn_context, dc, ACTOR_CHANGED)
            return True
        if (begun_by := self._command_typed_mid_dialog(turn_context, dc)) is not None:
            # Exactly a command word that is not one of the question's choices: most likely meant as the
            # command, so not taken as the answer (nothing saved); the question is asked again.
            await turn_context.send_activity(mid_dialog(begun_by))
            await dc.reprompt_dialog()
            await self.dialog_touched.set(turn_context, self.services.clock().isoformat())
            return True
        return await self._run_dialog(turn_context, dc.continue_dialog())

    def _command_typed_mid_dialog(self, turn_context: TurnContext, dc: DialogContext) -> str | None:
        """The command that began the active dialog when the message is exactly a registered command
        word or alias (registry.command_for) and not one of the waiting question's choices; else None."""
        typed = command_text(turn_context.activity)
        if not typed or self.registry.command_for(typed) is None:
            return None
        if typed in _choice_words(dc.active_dialog.state if dc.active_dialog else None):
            return None
        root = dc.stack[-1].id if dc.stack else ""
        entry = next((e for e in self.registry.dialogs.values() if e.dialog_id == root), None)
        return entry.command if entry is not None else "a conversation"

    async def _command(self, turn_context: TurnContext) -> bool:
        typed = command_text(turn_context.activity)
        command = self.registry.command_for(typed)
        entry = self.registry.dialog_for(command.name) if command else None
        options = {ACTOR: None}
        argument = ""
        if command is None and (with_argument := self.registry.dialog_with_argument(typed)):
            entry, options[ARGUMENT] = with_argument  # e.g. "observe sam patel" from a button
            command = self.registry.commands[entry.command]
        elif command is None and (taking := self.registry.command_with_argument(typed)):
            command, word = taking  # e.g. "reallocate CR-1002": the rest as typed
            argument = " ".join(typed_text(turn_context.activity).split()[len(word.split()):])
        if command is None or (entry is None and command.handle is None):
            return False
        if is_shared(turn_context.activity) and not command.channel:
            await self._in_personal_chat(turn_context, self._command,
                                         STARTED_IN_PERSONAL_CHAT if entry is not None else TOLD_IN_PERSONAL_CHAT)
            return True
        person = await self._who(turn_context)
        if not await self.registry.may_use(command, self.services.context, person):
            await turn_context.send_activity(command.for_whom())  # one sentence; nothing run, nothing written
            return True
        if entry is not None:
            options[ACTOR] = person.id if person else None
            dc = await self._dialog_context(turn_context)
            if dc.active_dialog is not None:  # begun from a channel over one waiting in the personal chat
                await dc.cancel_all_dialogs()
            await self.dialog_actor.set(turn_context, actor_mark(person))
            metrics.of(self.services).dialog("started", entry.dialog_id)
            await self._run_dialog(turn_context, dc.begin_dialog(entry.dialog_id, options))
            return True
        await self._answer(turn_context, command.handle, argument)
        return True

    async def _answer(self, turn_context: TurnContext, handle: Callable[[Said], Awaitable[CommandReply]] | None,
                      argument: str = "") -> None:
        """Run a registered answer to what was said and send its card (naming nobody where others
        read it: Said.shared)."""
        if handle is None:
            raise LookupError("no capability answers this message (the registry has no not_understood)")
        person = await self._who(turn_context)
        user = turn_context.activity.from_property
        reply = await handle(Said(self.services.context, person, self.services.clock(),
                                  teams_name=user.name if user else None, registry=self.registry,
                                  shared=is_shared(turn_context.activity), argument=argument))
        await send_card(turn_context, reply.card, reply.summary, self.services.signer)

    # -- personal answers stay personal ---------------------------------------------------------
    async def _in_personal_chat(self, turn_context: TurnContext, route: Callable[[TurnContext], Awaitable[bool]],
                                said_there: str) -> None:
        """Run `route` for this message as if the sender had sent it in their personal chat with the
        bot (its answers, and any conversation it begins, go there), then say `said_there` in this
        channel; when the bot cannot reach that chat, say NO_PERSONAL_CHAT here instead."""
        personal = await self._personal_turn(turn_context)
        if personal is not None:
            try:
                await route(personal)
                await self.person_state.save_changes(personal)
            except (OutboundError, ConnectorError) as exc:
                log.warning("could not answer in the personal chat: %s", type(exc).__name__)
                personal = None
        await turn_context.send_activity(said_there if personal is not None else NO_PERSONAL_CHAT)

    async def _personal_turn(self, turn_context: TurnContext) -> TurnContext | None:
        """A turn for this message moved to the sender's personal chat with the bot (found by
        `from.id`, opened if the bot has none yet); None when Teams will not let the bot open one."""
        activity = turn_context.activity
        user = activity.from_property
        tenant = tenant_id(activity)
        async with self.services.db.sessions() as session:
            chat = await chats.personal_chat_of(session, user_id=user.id, tenant_id=tenant)
        if chat is None:
            try:
                conversation_id = await open_personal_chat(
                    self.services, service_url=activity.service_url, tenant_id=tenant, bot_id=activity.recipient.id,
                    user_id=user.id, aad_object_id=bounded(user.aad_object_id, 64))
            except (OutboundError, ConnectorError) as exc:
                log.info("no personal chat for a channel answer: %s", type(exc).__name__)
                return None
            async with self.services.db.sessions() as session:
                chat = await chats.conversation_by_id(session, conversation_id)
            if chat is None or chat.user_id != user.id:
                return None
        moved = copy(activity)
        moved.id = None  # a new message in the chat, answering nothing there
        moved.reply_to_id = None
        moved.service_url = chat.service_url
        moved.recipient = ChannelAccount(id=chat.bot_id, name=activity.recipient.name)
        moved.conversation = ConversationAccount(id=chat.conversation_id, conversation_type="personal",
                                                 tenant_id=chat.tenant_id)
        moved.channel_data = {"tenant": {"id": chat.tenant_id}}
        personal = TurnContext(turn_context.adapter, moved)
        personal.turn_state[CHAT] = chat
        if _PERSON in turn_context.turn_state:
            personal.turn_state[_PERSON] = turn_context.turn_state[_PERSON]
        return personal

    # -- events (type "event"): by name, to what a capability registered ----------------------
    async def on_event_activity(self, turn_context: TurnContext) -> None:
        """An event a capability registered (Teams' read receipts: broadcasts) goes to its handler;
        any other goes to botbuilder's own dispatch, which ignores it."""
        activity = turn_context.activity
        handler = self.registry.events.get(activity.name) if isinstance(activity.name, str) else None
        if handler is None:
            await super().on_event_activity(turn_context)
            return
        conversation = activity.conversation
        await handler.handle(InboundEvent(self.services.context, activity.name, activity.value,
                                          conversation.id if conversation is not None and conversation.id else "",
                                          self.services.clock()))

    # -- conversations (dialogs) ------------------------------------------------------------
    async def _dialog_context(self, turn_context: TurnContext) -> DialogContext:
        """This turn's DialogContext (its state loaded once per turn)."""
        dc = turn_context.turn_state.get(_DIALOG_CONTEXT)
        if dc is None:
            dc = turn_context.turn_state[_DIALOG_CONTEXT] = await self.dialogs.create_context(turn_context)
        return dc

    async def _run_dialog(self, turn_context: TurnContext, step: Awaitable[DialogTurnResult]) -> bool:
        """Begin or continue a dialog (`step`); True when a dialog handled the turn."""
        result = await step
        if result.status == DialogTurnStatus.Complete:
            metrics.of(self.services).dialog("completed")
        if result.status == DialogTurnStatus.Waiting:
            await self.dialog_touched.set(turn_context, self.services.clock().isoformat())
        else:
            await self._forget_touched(turn_context)
        return result.status != DialogTurnStatus.Empty

    async def _dialog_expired(self, turn_context: TurnContext) -> bool:
        touched = await self.dialog_touched.get(turn_context)
        try:
            at = datetime.fromisoformat(touched) if isinstance(touched, str) else None
        except ValueError:
            at = None
        return at is not None and self.services.clock() - at >= EXPIRES_AFTER

    async def _forget_touched(self, turn_context: TurnContext) -> None:
        """Forget when the ended dialog was last touched and whom it was begun for."""
        for prop in (self.dialog_touched, self.dialog_actor):
            if await prop.get(turn_context) is not None:  # delete raises KeyError when absent
                await prop.delete(turn_context)

    async def _leave_dialog(self, turn_context: TurnContext, dc: DialogContext, message: str) -> None:
        if dc.active_dialog is not None:
            metrics.of(self.services).dialog("expired" if message == EXPIRED else "cancelled")
            await dc.cancel_all_dialogs()
        await self._forget_touched(turn_context)
        await turn_context.send_activity(message)

    async def _who(self, turn_context: TurnContext) -> Person | None:
        """The active roster person behind this message, remembering the chat if it is new; looked
        up once per turn."""
        if _PERSON in turn_context.turn_state:
            return turn_context.turn_state[_PERSON]
        person = turn_context.turn_state[_PERSON] = await self._look_up_who(turn_context)
        return person

    async def _look_up_who(self, turn_context: TurnContext) -> Person | None:
        """The sender's roster person: the chat's person only when the chat is the sender's own
        (its user id is `from.id`), else by the sender's Entra object id. A chat someone else
        writes in (another `from.id`) lends them neither its person nor its email."""
        activity = turn_context.activity
        user = activity.from_property
        aad = user.aad_object_id if user else None
        chat = turn_context.turn_state.get(CHAT, UNREAD)  # as read at the start of the turn
        if chat is UNREAD:
            async with self.services.db.sessions() as session:
                chat = await chats.conversation_by_id(session, activity.conversation.id) \
                    if activity.conversation else None
        own = isinstance(chat, Conversation) and user is not None and chat.user_id == user.id
        person = chat.person if own and chat.person and chat.person.active else None
        if person is None:
            async with self.services.db.sessions() as session:
                person = await chats.roster_person_for(session, aad_object_id=aad, email=chat.email if own else None,
                                                       upn=chat.upn if own else None)
        if is_personal(activity) and (chat is None or (own and chat.person_id is None and person is not None)):
            await self._remember_chat(activity, person)
        return person

    async def _remember_chat(self, activity: Activity, person: Person | None) -> None:
        # A chat installed before references were stored, or a person imported since: keep them.
        chat = self._personal_chat(activity)
        if chat is None:
            return
        async with self.services.db.sessions.begin() as session:
            await chats.add_personal_chat_if_absent(session, chat, now=self.services.clock())
            if person is not None:
                await chats.link_chat(session, chat.conversation_id, person.id)

    # -- files sent through the file consent card (bot/file_consent.py) ---------------------
    async def on_teams_file_consent_accept(self, turn_context: TurnContext, file_consent_card_response) -> None:
        await file_consent.on_accept(self.services, self.registry, turn_context, file_consent_card_response)

    async def on_teams_file_consent_decline(self, turn_context: TurnContext, file_consent_card_response) -> None:
        await file_consent.on_decline(turn_context)

    # -- Action.Execute -------------------------------------------------------------------
    async def on_adaptive_card_invoke(self, turn_context: TurnContext,
                                      invoke_value: AdaptiveCardInvokeValue) -> AdaptiveCardInvokeResponse:
        """A press, by verb; where others read the card (a team channel), only a verb declared
        `channel=True` acts: any other is answered with a line saying to use the personal chat."""
        action = invoke_value.action if isinstance(invoke_value.action, dict) else {}
        verb = self.registry.verbs.get(action.get("verb")) if isinstance(action.get("verb"), str) else None
        if verb is not None and not verb.channel and is_shared(turn_context.activity):
            return card_actions.InvokeAnswer(status_code=200, type=card_actions.MESSAGE_CONTENT_TYPE,
                                             value=BUTTON_IN_PERSONAL_CHAT)
        return await card_actions.on_card_action(self.services, self.registry, turn_context, invoke_value)


def _choice_words(state: Any) -> set[str]:
    """The choices (titles and synonyms, as command_words gives them) of a waiting question's state:
    a StepsDialog's offered buttons, or a botbuilder prompt's PromptOptions (kept under "options")."""
    if not isinstance(state, dict):
        return set()
    inner = state.get("dialogs")  # a ComponentDialog: the question is its own innermost active dialog
    if getattr(inner, "dialog_stack", None):
        return _choice_words(inner.dialog_stack[0].state)
    # A StepsDialog's question (dialogs/steps.py): the buttons offered, and its skip button.
    words = {command_words(str(title)) for title, *_ in state.get("offered") or ()}
    if state.get("skip"):
        words.add(command_words(str(state["skip"])))
    options = state.get("options")
    choices = (options.get("choices") if isinstance(options, dict) else getattr(options, "choices", None)) or ()
    for choice in choices:
        if isinstance(choice, str):
            words.add(command_words(choice))
            continue
        value = choice.get("value") if isinstance(choice, dict) else getattr(choice, "value", None)
        synonyms = choice.get("synonyms") if isinstance(choice, dict) else getattr(choice, "synonyms", None)
        words.update(command_words(str(w)) for w in (value, *(synonyms or ())) if w)
    return words
