"""What every conversation (a botbuilder dialog in dialogs/) shares with the Teams edge that runs it.

The edge (bot/teams_bot.py) gives an active dialog the turn first: while one is active, what
the person types goes to it (a ChoicePrompt re-prompts on a typed command word such as
"help"), except `cancel` or `stop`, which leave it. A dialog begins with options
{ACTOR: the roster person's id, or None}, so it can say who gave what it saves without
knowing anything of the roster.
"""
from __future__ import annotations

from datetime import timedelta

ACTOR = "actor_id"  # begin_dialog options: the roster person's id (None: not on the roster)
# begin_dialog options: what followed the command's word, e.g. "sam patel" in "observe Sam Patel"
# (a button that starts a conversation about someone); absent when nothing followed.
ARGUMENT = "argument"

# Typed, after bot.teams_bot.command_text: leave the active dialog.
CANCEL_WORDS = ("cancel", "stop")
STOPPED = "Stopped: nothing was saved."
NOTHING_TO_STOP = "There is nothing to stop. Type help to see what I can do."

# A dialog left this long ends politely on the next message instead of carrying on.
EXPIRES_AFTER = timedelta(hours=1)
EXPIRED = ("You left that conversation for over an hour, so I have closed it: nothing was saved. "
           "Type help to see what I can do.")
