"""Status and exports in chat, registered: `escalations`, `supervision status`, `observations status`,
`delivery` and `close month` (each for the roles access.py names), the buttons sending a status's
workbook and confirming a month's close, the workbook offered through Teams' file consent card, its
outbox kind and what the help card says for each role."""
from __future__ import annotations

from capabilities.registry import Capability, CardVerb, ChatCommand, FileOffer
from capabilities.status import access, actions, commands, exports, kinds
from capabilities.status.flow import OFFER
from dialogs.status_cards import CLOSE_VERB, FEEDBACK_VERB, WORKBOOK_VERB
from qa.framework import Role

ESCALATIONS = "Show you the escalation figures by service area when you type \"escalations\": moderations pending, " \
              "escalations open, updates due and overdue"
SUPERVISION = "Show you last month's supervision compliance per team when you type \"supervision status\""
OBSERVATIONS = "Show you observation coverage (observed in the last twelve months) by service area and team when " \
               "you type \"observations status\""
YOURS = " (your service areas)."
WHOLE = " (the whole service)."
FEEDBACK = ("Send you a month's feedback entries as an Excel workbook when you type \"feedback export\" "
            "(framework 9.4).")
TOO_LONG = " Figures too long for a card come as an Excel workbook."

CAPABILITY = Capability(
    name="status",
    verbs=(CardVerb(WORKBOOK_VERB, actions.send_workbook), CardVerb(CLOSE_VERB, actions.close_month),
           CardVerb(FEEDBACK_VERB, actions.feedback_press)),
    commands=(
        ChatCommand("escalations", "moderations pending, escalations open, updates due and overdue, by service area",
                    ("escalation status", "escalations status"), commands.escalations,
                    access.RULES[access.ESCALATIONS].roles, in_menu=False),
        ChatCommand("supervision status", "last month's supervision compliance per team (framework 9.1)",
                    ("supervision compliance",), commands.supervision_status,
                    access.RULES[access.SUPERVISION].roles, in_menu=False),
        ChatCommand("observations status", "observation coverage by service area and team: observed in the last "
                    "twelve months", ("observation status", "observation coverage"), commands.observations_status,
                    access.RULES[access.OBSERVATIONS].roles, in_menu=False),
        ChatCommand("delivery", "how messages are getting to Teams: waiting, retrying, undeliverable by reason",
                    ("delivery status", "outbox", "outbox status"), commands.delivery,
                    access.RULES[access.DELIVERY].roles, in_menu=False),
        ChatCommand("close month", "close an audit month to further allocations, with a confirm",
                    ("close the month", "cycle close"), commands.close_month, access.CLOSERS, in_menu=False),
        ChatCommand("feedback export", "a month's feedback entries as an Excel workbook (framework 9.4)",
                    ("export feedback",), exports.feedback_export, exports.READERS, in_menu=False),
    ),
    outbox_kinds=kinds.ALL,
    files=(FileOffer(OFFER, actions.status_file), FileOffer(exports.OFFER, actions.feedback_file)),
    help={
        Role.QA_UNIT: (ESCALATIONS + WHOLE, SUPERVISION + WHOLE, OBSERVATIONS + WHOLE,
                       "Show you how messages are getting to Teams when you type \"delivery\": waiting, retrying, "
                       "undeliverable by reason." + TOO_LONG,
                       "Close an audit month to further allocations when you type \"close month\" and confirm.",
                       FEEDBACK),
        Role.PRINCIPAL_SOCIAL_WORKER: (ESCALATIONS + WHOLE, SUPERVISION + WHOLE, OBSERVATIONS + WHOLE + TOO_LONG,
                                       FEEDBACK),
        Role.DEPUTY_DIRECTOR: (ESCALATIONS + WHOLE + TOO_LONG,),
        Role.HEAD_OF_SERVICE: (ESCALATIONS + YOURS, OBSERVATIONS + YOURS + TOO_LONG),
        Role.SERVICE_LEAD: (ESCALATIONS + YOURS, SUPERVISION + YOURS, OBSERVATIONS + YOURS + TOO_LONG),
    },
)
