"""What every conversation (a botbuilder dialog in dialogs/) shares with the Teams edge that runs it.

The edge (bot/teams_bot.py) gives an active dialog the turn first: while one is active, what
the person types goes to it (a ChoicePrompt re-prompts on a typed command word such as
"help"), except `cancel` or `stop`, which leave it. A dialog begins with options
{ACTOR: the roster person's id, or None}, so it can say who gave what it saves without
knowing anything of the roster.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import timedelta

ACTOR = "actor_id"  # begin_dialog options: the roster person's id (None: not on the roster)
# begin_dialog options: what followed the command's word, e.g. "sam patel" in "observe Sam Patel"
# (a button that starts a conversation about someone); absent when nothing followed.
ARGUMENT = "argument"

# Typed, as command_words gives it: leave the active dialog.
CANCEL_WORDS = ("cancel", "stop")
STOPPED = "Stopped: nothing was saved."


def mid_dialog(command: str) -> str:
    """A command word typed while a dialog (begun by `command`) waits for an answer: not taken as one."""
    return f"You are in the middle of {command}: answer the question below, or type cancel to leave it."
NOTHING_TO_STOP = "There is nothing to stop. Type help to see what I can do."

# A dialog left this long ends politely on the next message instead of carrying on.
EXPIRES_AFTER = timedelta(hours=1)
EXPIRED = ("You left that conversation for over an hour, so I have closed it: nothing was saved. "
           "Type help to see what I can do.")

# A dialog is the sender's own (keyed by conversation and sender); if the sender is no longer the
# roster person it was begun for (their roster entry changed), it ends.
ACTOR_CHANGED = ("Who I take you to be has changed since this conversation began, so I have closed it: "
                 "nothing was saved. Please start again.")

# Where others read the answers (a team channel): what the channel is told instead of a personal answer.
TOLD_IN_PERSONAL_CHAT = "I have answered you in our personal chat: that answer is yours, not the channel's."
STARTED_IN_PERSONAL_CHAT = ("I have started this in our personal chat: please answer me there, "
                            "so nobody else's answer is taken for yours.")
NO_PERSONAL_CHAT = ("I answer that only in our personal chat, and I cannot open one with you: "
                    "please open a chat with me in Teams and ask me there.")
BUTTON_IN_PERSONAL_CHAT = ("That button works only in our personal chat, so nothing was changed here. "
                           "Type help in our personal chat to see what I can do for you.")


# -- what people type, cleaned once ---------------------------------------------------------
# Teams sends a channel message as HTML with the bot's mention, `<p><at>QA Bot</at>&nbsp;everyone</p>`
# (textFormat "xml"), and rich text in a personal chat as HTML too. The edge (bot/teams_bot.py)
# puts every message's text through `plain_text` before any route, prompt or parser sees it, and
# commands compare `command_words` of that text.

_MENTION = re.compile(r"<at\b[^>]*>(.*?)</at\s*>", re.IGNORECASE | re.DOTALL)
# A tag is `<` then a letter (or `/` and a letter): "score <5" or "a < b" typed in a plain-text chat stay.
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_LINE_BREAK = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6]|tr|blockquote|pre)\s*>", re.IGNORECASE)
_SPACES = re.compile(r"[^\S\n]+")  # any whitespace but a newline (incl. the no-break space &nbsp; gives)


def plain_text(text: str | None, *, bot_mentions: Iterable[str] = (), bot_name: str | None = None) -> str:
    """What someone typed, as plain text: the bot's mention removed, HTML tags removed (a line
    break, paragraph or list item ends a line), character entities decoded (`&nbsp;`, `&amp;`,
    `&#39;`), runs of spaces made one and each line trimmed; empty lines dropped. Case and
    punctuation are kept (a prompt may want them).

    The bot's mention is every `<at>` element whose markup is one of `bot_mentions` (the `text`
    of the activity's mention entities that name the bot) or whose name is `bot_name`; when
    neither says, an `<at>` element the text begins with (how Teams puts the bot's mention in a
    channel). Anyone else's mention keeps the name it shows ("observe <at>Sam Patel</at>").
    Inputs: the activity's text (None is ""). Output: str. Raises nothing.
    """
    text = text or ""
    marks = {m.strip() for m in bot_mentions if isinstance(m, str) and m.strip()}
    name = " ".join(bot_name.split()).casefold() if isinstance(bot_name, str) and bot_name.strip() else None

    def mention(match: re.Match[str]) -> str:
        shown = " ".join(html.unescape(_TAG.sub(" ", match.group(1))).split())
        if match.group(0).strip() in marks or (name is not None and shown.casefold() == name):
            return " "
        if not marks and name is None and not _TAG.sub("", text[:match.start()]).strip():
            return " "  # nothing says which mention is the bot's: the leading one is
        return f" {shown} "

    text = _MENTION.sub(mention, text)
    text = _LINE_BREAK.sub("\n", text)
    text = html.unescape(_TAG.sub(" ", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def command_words(text: str | None) -> str:
    """Typed text compared as a command or a choice: lower case (casefold), every character that
    is not a letter, digit or underscore made a space, single spaces. `text` is what `plain_text`
    gave (None is ""). Output: str."""
    return " ".join(re.sub(r"[^\w\s]", " ", (text or "").casefold()).split())
