"""The audit sample (framework 9.3 "Selection and distribution"): the QA unit's month's cases chosen
from the Annex A lists by the rules in qa/sampling.py, read by qa/annex_a.py, kept by storage/sampling.py
until confirmed into the month's allocations: `python -m bot sample propose|confirm`, and in chat
`sample` with **Use this sample**; the QA unit asked for the coming month's Annex A extract a few
working days before the 3rd while the month has no allocations (duties.py)."""
from __future__ import annotations

from capabilities.registry import Capability, CardVerb, ChatCommand, RetentionRule
from capabilities.sampling import access, actions, commands, config, kinds
from capabilities.sampling.cli import CLI
from capabilities.sampling.duties import ExtractReminderDuty
from dialogs.sample_cards import USE_VERB
from qa.calendar import WorkingCalendar
from qa.framework import Role
from qa.retention import AUDIT_RECORDS
from storage.sampling import past_picks, past_proposals

REMINDER = ("Ask you for the coming month's Annex A extract a few working days before the 3rd when that month has "
            "no allocations and no audit sample has been used.")


def duties(cal: WorkingCalendar):
    return [ExtractReminderDuty(cal, config.reminder_days())]


CAPABILITY = Capability(
    name="sampling",
    verbs=(CardVerb(USE_VERB, actions.use),),
    commands=(ChatCommand("sample", "the month's proposed audit sample from the Annex A lists, with Use this sample",
                          ("audit sample", "the sample"), commands.sample, access.CHOOSERS, in_menu=False),),
    cli=(CLI,),
    duties=duties,
    outbox_kinds=kinds.ALL,
    help={Role.QA_UNIT: ("Show you the month's audit sample proposed from the Annex A extract when you type "
                         "\"sample\" (counts per service area, list and auditor, and what the rules could not "
                         "satisfy), and make it the month's allocations when you press Use this sample.", REMINDER)},
    retention=(RetentionRule("sample_picks", AUDIT_RECORDS, past_picks),
               RetentionRule("sample_proposals", AUDIT_RECORDS, past_proposals)),
)
