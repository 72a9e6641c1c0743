"""Opening a 1:1 chat with someone the bot has not talked to (e.g. a team member).

Teams needs the user's Teams id and the tenant; an email is not an address. The new chat is
recorded as a Conversation, so the outbox can deliver to it like any installed chat.
"""
from __future__ import annotations

import logging

from botbuilder.schema import (
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)

from bot.adapter import OutboundError
from bot.services import Services
from storage.conversations import (
    PersonalChat,
    add_personal_chat_if_absent,
    link_chat,
    roster_person_for,
    tenant_key,
)

log = logging.getLogger(__name__)


async def open_personal_chat(services: Services, *, service_url: str, tenant_id: str, bot_id: str,
                             user_id: str, aad_object_id: str | None = None) -> str:
    """POST /v3/conversations for a 1:1 chat with `user_id`; returns the conversation id.

    Raises OutboundError when Teams refuses (e.g. 403: the app is not installed for the user).
    """
    tenant_id = tenant_key(tenant_id)  # as the chat is stored and every later message carries it
    parameters = ConversationParameters(
        is_group=False,
        bot=ChannelAccount(id=bot_id),
        members=[ChannelAccount(id=user_id)],
        tenant_id=tenant_id,
        channel_data={"tenant": {"id": tenant_id}},
    )
    body = parameters.serialize()
    # botbuilder-schema spells the key `tenantID`; the Bot Connector REST API reads `tenantId`.
    body.pop("tenantID", None)
    body["tenantId"] = tenant_id
    resp = await services.connector.create_conversation(service_url, body)
    conversation_id = (resp.body or {}).get("id") if resp.ok else None
    if not conversation_id:
        log.warning("create conversation answered %s", resp.status)
        raise OutboundError(resp.status, resp.sub_code)

    reference = ConversationReference(
        channel_id="msteams",
        service_url=service_url,
        bot=ChannelAccount(id=bot_id),
        user=ChannelAccount(id=user_id, aad_object_id=aad_object_id),
        conversation=ConversationAccount(id=conversation_id, conversation_type="personal", tenant_id=tenant_id),
    )
    chat = PersonalChat(conversation_id=conversation_id, tenant_id=tenant_id, service_url=service_url,
                        bot_id=bot_id, user_id=user_id, aad_object_id=aad_object_id,
                        reference=reference.serialize())
    now = services.clock()
    async with services.db.sessions.begin() as session:
        if await add_personal_chat_if_absent(session, chat, now=now) and aad_object_id:
            person = await roster_person_for(session, aad_object_id=aad_object_id, email=None)
            if person is not None:
                await link_chat(session, conversation_id, person.id)
    return conversation_id
