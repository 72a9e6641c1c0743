"""botbuilder's CloudAdapter, kept, with two changes that make a turn cheap:

- the msrest ConnectorClient and UserTokenClient botbuilder builds on every turn are cached
  (their constructors rebuild msrest's retry policy each time, most of a stock turn's CPU);
- activities go out through our pooled aiohttp BotConnector instead of a new requests
  session in a thread pool.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes, ConversationReference, ResourceResponse
from botframework.connector import Channels
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    JwtTokenValidation,
)

from bot.connector import BotConnector
from storage.unavailable import database_unavailable

log = logging.getLogger(__name__)


class OutboundError(Exception):
    def __init__(self, status: int, sub_code: str | None = None) -> None:
        super().__init__(f"Bot Connector answered {status}" + (f" ({sub_code})" if sub_code else ""))
        self.status = status
        self.sub_code = sub_code


class DependencyUnavailable(Exception):  # noqa: N818 - says what happened, as the edge answers it
    """The turn could not be processed because the database (or the network under it) is down."""


def dependency_down(error: BaseException) -> bool:
    """The error, or one that caused it, is the database (or the network under it) being
    unavailable, not the activity: storage/unavailable.py decides, for every driver."""
    return database_unavailable(error)


class _CachingConnectorFactory(ConnectorFactory):
    def __init__(self, inner: ConnectorFactory, cache: dict) -> None:
        self._inner = inner
        self._cache = cache

    async def create(self, service_url: str, audience: str = None):  # noqa: RUF013 - botbuilder's signature
        key = (service_url, audience)
        client = self._cache.get(key)
        if client is None:
            client = self._cache[key] = await self._inner.create(service_url, audience)
        return client


class CachingAuthentication(BotFrameworkAuthentication):
    """Delegates to botbuilder's authentication; caches the clients it builds per turn."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self._inner = inner
        self._connectors: dict = {}
        self._user_token_clients: dict = {}

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        result = await self._inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = _CachingConnectorFactory(result.connector_factory, self._connectors)
        return result

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str):
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return _CachingConnectorFactory(self._inner.create_connector_factory(claims_identity), self._connectors)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity):
        key = JwtTokenValidation.get_app_id_from_claims(claims_identity.claims) if claims_identity else None
        client = self._user_token_clients.get(key)
        if client is None:
            client = self._user_token_clients[key] = await self._inner.create_user_token_client(claims_identity)
        return client

    def create_bot_framework_client(self):
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)


def serialised(activity: Activity) -> dict[str, Any]:
    """activity.serialize(), but an attachment whose content is a dict (a card: JSON already) keeps
    that content as it is: msrest would walk it value by value to an equal dict, which was most of
    the cost of serialising a card reply."""
    attachments = activity.attachments or []
    contents = [attachment.content for attachment in attachments]
    if not any(type(content) is dict for content in contents):
        return activity.serialize()
    try:
        for attachment, content in zip(attachments, contents, strict=True):
            if type(content) is dict:
                attachment.content = None
        body = activity.serialize()
    finally:
        for attachment, content in zip(attachments, contents, strict=True):
            attachment.content = content
    if len(body.get("attachments") or []) != len(attachments):  # msrest left one out: let it do it all
        return activity.serialize()
    for entry, content in zip(body["attachments"], contents, strict=True):
        if type(content) is dict:
            entry["content"] = content
    return body


class QaAdapter(CloudAdapter):
    def __init__(self, authentication: BotFrameworkAuthentication, connector: BotConnector) -> None:
        super().__init__(CachingAuthentication(authentication))
        self.connector = connector
        self.on_turn_error = self._on_turn_error

    async def send_activities(self, context: TurnContext, activities: list[Activity]) -> list[ResourceResponse]:
        responses: list[ResourceResponse] = []
        for activity in activities:
            activity.id = None
            if activity.type == "delay":
                await asyncio.sleep((activity.value or 1000) / 1000)
                responses.append(ResourceResponse(id=""))
            elif activity.type == ActivityTypes.invoke_response:
                context.turn_state[self._INVOKE_RESPONSE_KEY] = activity
                responses.append(ResourceResponse(id=""))
            elif activity.type == ActivityTypes.trace and activity.channel_id != Channels.emulator:
                responses.append(ResourceResponse(id=""))
            else:
                body = serialised(activity)
                conversation_id = activity.conversation.id
                if activity.reply_to_id:
                    resp = await self.connector.reply_to_activity(
                        activity.service_url, conversation_id, activity.reply_to_id, body)
                else:
                    resp = await self.connector.send_to_conversation(activity.service_url, conversation_id, body)
                if not resp.ok:
                    raise OutboundError(resp.status, resp.sub_code)
                responses.append(ResourceResponse(id=(resp.body or {}).get("id", "")))
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity):
        resp = await self.connector.update_activity(
            activity.service_url, activity.conversation.id, activity.id, serialised(activity))
        if not resp.ok:
            raise OutboundError(resp.status, resp.sub_code)
        return ResourceResponse(id=(resp.body or {}).get("id") or activity.id)

    async def delete_activity(self, context: TurnContext, reference: ConversationReference):
        resp = await self.connector.delete_activity(reference.service_url, reference.conversation.id,
                                                    reference.activity_id)
        if not resp.ok:
            raise OutboundError(resp.status, resp.sub_code)

    async def _on_turn_error(self, context: TurnContext, error: Exception) -> None:
        if dependency_down(error):
            # Not a failure of this activity: the channel is told to send it again (bot/app.py: 503).
            log.error("turn not processed, a dependency is down: %s", type(error).__name__)
            raise DependencyUnavailable() from error
        # Type and activity kind only: message text may hold case details.
        log.error("turn failed: %s on a %s activity", type(error).__name__, context.activity.type,
                  exc_info=(type(error), error, error.__traceback__))
        if context.activity.type == ActivityTypes.message and not isinstance(error, OutboundError):
            try:
                await context.send_activity("Sorry, something went wrong on my side. Please try again in a moment.")
            except Exception:  # noqa: BLE001 - the connector may be the thing that failed
                log.warning("could not tell the user about the failed turn")
