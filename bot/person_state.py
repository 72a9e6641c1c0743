"""Conversation state that belongs to one person in one conversation.

In a team channel's reply chain every member shares one conversation id
(`19:...@thread.tacv2;messageid=<root>`), so botbuilder's ConversationState, keyed by the
conversation alone, would let whoever answers next advance someone else's dialog. This state is
keyed by the conversation AND the sender of the activity, so a dialog (and anything else kept
per conversation) is the sender's own wherever it runs.
"""
from __future__ import annotations

from botbuilder.core import BotState, Storage, TurnContext
from botbuilder.schema import Activity


def sender_key(activity: Activity) -> str | None:
    """Who sent `activity`, as state is keyed: the Entra object id (lower case; Teams' casing is
    not promised), else the Teams user id (`from.id`); None when the activity names no sender."""
    user = activity.from_property
    if user is None:
        return None
    aad = user.aad_object_id.strip().lower() if isinstance(user.aad_object_id, str) else ""
    return aad or (user.id if isinstance(user.id, str) and user.id else None)


class PersonConversationState(BotState):
    """botbuilder BotState keyed `<channel>/conversations/<conversation id>/people/<sender>`."""

    def __init__(self, storage: Storage) -> None:
        super().__init__(storage, "PersonConversationState")

    def get_storage_key(self, turn_context: TurnContext) -> str:
        """The storage key of this turn's sender in this turn's conversation. TypeError (as
        botbuilder's ConversationState raises) when the activity has no channelId, conversation
        id or sender."""
        activity = turn_context.activity
        channel_id = activity.channel_id
        conversation_id = activity.conversation.id if activity.conversation else None
        sender = sender_key(activity)
        if not channel_id or not conversation_id or not sender:
            raise TypeError("PersonConversationState: the activity names no channel, conversation or sender")
        return f"{channel_id}/conversations/{conversation_id}/people/{sender}"
