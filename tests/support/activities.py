"""Teams-shaped activities, as Microsoft Teams posts them to /api/messages.

Shapes follow what Teams (and Microsoft 365 Agents Playground) send: channelData.tenant.id,
from.aadObjectId, conversation.conversationType and tenantId, recipient = the bot "28:...".
Pass `service_url=fake_connector.url` so the bot's replies reach the fake connector.
"""
from __future__ import annotations

import itertools
import uuid
from typing import Any

from bot.card_signing import CardSigner

BOT_ID = "28:bot-id"
BOT_NAME = "QA Bot"
TENANT = "tenant-1"
TIMESTAMP = "2026-12-01T09:00:00.000Z"
_ids = itertools.count(1)


def user_id(key: str) -> str:
    return f"29:user-{key}"


def personal_conversation_id(key: str) -> str:
    return f"a:personal-chat-{key}"


def _base(kind: str, *, service_url: str, conversation: dict[str, Any], user: str, aad: str | None,
          name: str, tenant: str, channel_data: dict[str, Any] | None = None) -> dict[str, Any]:
    data = {"tenant": {"id": tenant}}
    data.update(channel_data or {})
    sender: dict[str, Any] = {"id": user, "name": name}
    if aad:
        sender["aadObjectId"] = aad
    return {
        "type": kind,
        "id": f"f:{next(_ids)}-{uuid.uuid4().hex[:8]}",
        "timestamp": TIMESTAMP,
        "localTimestamp": TIMESTAMP,
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": sender,
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "conversation": conversation,
        "channelData": data,
        "locale": "en-GB",
        "entities": [{"type": "clientInfo", "locale": "en-GB", "country": "GB", "platform": "Web",
                      "timezone": "Europe/London"}],
    }


def personal_conversation(key: str, tenant: str = TENANT) -> dict[str, Any]:
    return {"conversationType": "personal", "tenantId": tenant, "id": personal_conversation_id(key)}


def _personal(kind: str, key: str, service_url: str, aad: str | None, name: str, tenant: str) -> dict[str, Any]:
    return _base(kind, service_url=service_url, conversation=personal_conversation(key, tenant),
                 user=user_id(key), aad=aad, name=name, tenant=tenant)


def installation_add(key: str, *, service_url: str, aad: str | None = None, name: str = "",
                     tenant: str = TENANT) -> dict[str, Any]:
    """installationUpdate (add) in a personal chat: the user installed the app."""
    activity = _personal("installationUpdate", key, service_url, aad, name or f"User {key}", tenant)
    activity["action"] = "add"
    return activity


def installation_remove(key: str, *, service_url: str, aad: str | None = None, name: str = "",
                        tenant: str = TENANT) -> dict[str, Any]:
    activity = _personal("installationUpdate", key, service_url, aad, name or f"User {key}", tenant)
    activity["action"] = "remove"
    return activity


def personal_members_added(key: str, *, service_url: str, aad: str | None = None, name: str = "",
                           tenant: str = TENANT) -> dict[str, Any]:
    """conversationUpdate with the bot in membersAdded, in the user's personal chat."""
    activity = _personal("conversationUpdate", key, service_url, aad, name or f"User {key}", tenant)
    activity["membersAdded"] = [{"id": BOT_ID}]
    return activity


def message(key: str, text: str, *, service_url: str, aad: str | None = None, name: str = "",
            tenant: str = TENANT, mention_bot: bool = False) -> dict[str, Any]:
    """A message the user typed in their personal chat (optionally @mentioning the bot)."""
    activity = _personal("message", key, service_url, aad, name or f"User {key}", tenant)
    activity["textFormat"] = "plain"
    if mention_bot:
        mention = f"<at>{BOT_NAME}</at>"
        activity["text"] = f"{mention} {text}"
        activity["entities"].append({"type": "mention", "text": mention,
                                     "mentioned": {"id": BOT_ID, "name": BOT_NAME}})
    else:
        activity["text"] = text
    return activity


# What the bot signs cards with in tests (no app password, no QA_CARD_SIGNING_KEY: the development key).
TEST_SIGNER = CardSigner.from_secrets()


def card_action(key: str, verb: str, data: dict[str, Any] | None = None, *, service_url: str,
                aad: str | None = None, name: str = "", tenant: str = TENANT, signed: bool = True) -> dict[str, Any]:
    """invoke adaptiveCard/action: the user pressed an Action.Execute button. Its data is signed as
    the bot signs the buttons it sends (bot/card_signing.py) unless `signed` is False (a forgery)."""
    activity = _personal("invoke", key, service_url, aad, name or f"User {key}", tenant)
    activity["name"] = "adaptiveCard/action"
    data = dict(data or {})
    if signed:
        data = TEST_SIGNER.sign_data(verb, data)
    activity["value"] = {"action": {"type": "Action.Execute", "id": f"action-{verb}", "verb": verb,
                                    "data": data},
                         "trigger": "manual"}
    activity["replyToId"] = "1:card-message"
    return activity


# -- team scope ---------------------------------------------------------------------------

def team_id(key: str) -> str:
    return f"19:team-{key}@thread.tacv2"


def channel_id(key: str, channel: str) -> str:
    return f"19:{channel}-{key}@thread.tacv2"


def thread_conversation_id(key: str, channel: str = "general", root: str = "1700000000001") -> str:
    """A channel thread's conversation id: the same for every member who replies in the thread."""
    return f"{channel_id(key, channel)};messageid={root}"


def _in_channel(kind: str, team_key: str, user_key: str, *, service_url: str, aad: str | None, name: str,
                tenant: str, channel: str, root: str) -> dict[str, Any]:
    conversation = {"isGroup": True, "conversationType": "channel", "tenantId": tenant,
                    "id": thread_conversation_id(team_key, channel, root)}
    data = {"team": {"id": team_id(team_key), "aadGroupId": f"group-{team_key}"},
            "channel": {"id": channel_id(team_key, channel)}}
    return _base(kind, service_url=service_url, conversation=conversation, user=user_id(user_key), aad=aad,
                 name=name or f"User {user_key}", tenant=tenant, channel_data=data)


def channel_message(team_key: str, user_key: str, text: str, *, service_url: str, aad: str | None = None,
                    name: str = "", tenant: str = TENANT, channel: str = "general",
                    root: str = "1700000000001") -> dict[str, Any]:
    """A message typed in a team channel's thread, as Teams sends it there: HTML with the bot's
    mention, `<p><at>QA Bot</at>&nbsp;text</p>`, and the mention entity. The sender is the user
    `user_key` (same Teams id as in their personal chat, user_id(user_key))."""
    activity = _in_channel("message", team_key, user_key, service_url=service_url, aad=aad, name=name,
                           tenant=tenant, channel=channel, root=root)
    mention = f"<at>{BOT_NAME}</at>"
    activity["textFormat"] = "xml"
    activity["text"] = f"<p>{mention}&nbsp;{text}</p>"
    activity["entities"].append({"type": "mention", "text": mention, "mentioned": {"id": BOT_ID, "name": BOT_NAME}})
    return activity


def channel_card_action(team_key: str, user_key: str, verb: str, data: dict[str, Any] | None = None, *,
                        service_url: str, aad: str | None = None, tenant: str = TENANT) -> dict[str, Any]:
    """invoke adaptiveCard/action: a button pressed on a card in a team channel's thread."""
    activity = _in_channel("invoke", team_key, user_key, service_url=service_url, aad=aad, name="",
                           tenant=tenant, channel="general", root="1700000000001")
    activity["name"] = "adaptiveCard/action"
    activity["value"] = {"action": {"type": "Action.Execute", "id": f"action-{verb}", "verb": verb,
                                    "data": TEST_SIGNER.sign_data(verb, dict(data or {}))},
                         "trigger": "manual"}
    activity["replyToId"] = "1:card-message"
    return activity


def _team_update(key: str, *, service_url: str, event: str | None, team: dict[str, Any],
                 channel: dict[str, Any] | None = None, tenant: str = TENANT,
                 conversation_id: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"team": team}
    if event:
        data["eventType"] = event
    if channel:
        data["channel"] = channel
    conversation = {"isGroup": True, "conversationType": "channel", "tenantId": tenant,
                    "id": conversation_id or team["id"]}
    return _base("conversationUpdate", service_url=service_url, conversation=conversation,
                 user=user_id(f"owner-{key}"), aad=f"aad-owner-{key}", name="Team Owner", tenant=tenant,
                 channel_data=data)


def team_bot_added(key: str, *, service_url: str, name: str = "Children's QA",
                   tenant: str = TENANT) -> dict[str, Any]:
    """conversationUpdate: the bot was added to a team (arrives in the General channel)."""
    team = {"id": team_id(key), "name": name, "aadGroupId": f"group-{key}"}
    activity = _team_update(key, service_url=service_url, event="teamMemberAdded", team=team, tenant=tenant)
    activity["membersAdded"] = [{"id": BOT_ID}]
    return activity


def team_bot_removed(key: str, *, service_url: str, tenant: str = TENANT) -> dict[str, Any]:
    team = {"id": team_id(key), "aadGroupId": f"group-{key}"}
    activity = _team_update(key, service_url=service_url, event="teamMemberRemoved", team=team, tenant=tenant)
    activity["membersRemoved"] = [{"id": BOT_ID}]
    return activity


def channel_event(key: str, event: str, channel: str, *, service_url: str, channel_name: str | None = None,
                  tenant: str = TENANT) -> dict[str, Any]:
    """channelCreated / channelRenamed / channelDeleted / channelRestored in a team."""
    info: dict[str, Any] = {"id": channel_id(key, channel)}
    if channel_name is not None:
        info["name"] = channel_name
    team = {"id": team_id(key), "aadGroupId": f"group-{key}"}
    return _team_update(key, service_url=service_url, event=event, team=team, channel=info, tenant=tenant)


def team_renamed(key: str, new_name: str, *, service_url: str, tenant: str = TENANT) -> dict[str, Any]:
    team = {"id": team_id(key), "name": new_name, "aadGroupId": f"group-{key}"}
    return _team_update(key, service_url=service_url, event="teamRenamed", team=team, tenant=tenant)


# -- roster rows the activities above refer to ---------------------------------------------

def roster_person(email: str, name: str, role: str, *, aad: str | None = None, team: str = "Team Alpha",
                  service_area: str = "Children in Need", supervisor_email: str | None = None):
    """A Person row as a roster import would write it (inserted directly by tests)."""
    from datetime import datetime, timezone

    from storage.models import Person

    at = datetime(2026, 11, 1, 9, tzinfo=timezone.utc)
    return Person(email=email.lower(), display_name=name, role=role, team=team, service_area=service_area,
                  supervisor_email=supervisor_email, aad_object_id=aad, created_at=at, updated_at=at)


async def add_people(db, *people) -> None:
    async with db.sessions.begin() as session:
        session.add_all(people)
