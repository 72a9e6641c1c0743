"""The retention of the spine's tables: the outbox, duty runs, conversation state and follow-ups
every capability writes through, and the roster, chats, teams and leases. No one capability owns
them, so the retention capability declares them (docs/privacy.md section 6)."""
from __future__ import annotations

from capabilities.registry import Kept, RetentionRule
from qa.retention import BOT_STATE, DUTY_RUNS, FOLLOW_UPS, OUTBOX
from storage import retention as past

RULES = (
    RetentionRule("outbox", OUTBOX, past.outbox),  # pending messages are never purged
    RetentionRule("duty_runs", DUTY_RUNS, past.duty_runs),
    RetentionRule("bot_state", BOT_STATE, past.bot_state),
    RetentionRule("follow_ups", FOLLOW_UPS, past.follow_ups),
    Kept("people", "staff, leavers included (marked left_at and sent nothing): audit records name who audited "
                   "and who confirmed oversight for as long as they are kept; removing a leaver is a manual step"),
    Kept("conversations", "where the bot reaches each person; removed with the person, by hand"),
    Kept("teams", "the teams the bot is in, marked removed_at when it is taken out"),
    Kept("channels", "the channels of those teams, marked deleted_at when deleted"),
    Kept("leases", "one row per named lock (the sweep's, the sender's), reused for ever"),
)
