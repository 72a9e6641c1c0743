"""The audit sample (framework 9.3 "Selection and distribution"): the QA unit's month's cases chosen
from the Annex A lists by the rules in qa/sampling.py, read by qa/annex_a.py, kept by storage/sampling.py
until confirmed into the month's allocations: `python -m bot sample propose|confirm`, and in chat
the Annex A extract sent as a file (file_kind.py), `sample` with its changes (changes.py) and **Use this
sample**; the QA unit asked for the coming month's Annex A extract a few working days before the 3rd while
the month has no allocations (duties.py)."""
from __future__ import annotations

from capabilities.registry import Capability, CardVerb, ChatCommand, FileOffer, RetentionRule
from capabilities.sampling import access, actions, changes, commands, config, file_kind, kinds
from capabilities.sampling.cli import CLI
from capabilities.sampling.duties import ExtractReminderDuty
from dialogs import sample_cards as sc
from qa.calendar import WorkingCalendar
from qa.framework import Role
from qa.retention import AUDIT_RECORDS
from storage.sampling import past_picks, past_proposals

HELP_SEND = ("Propose the month's audit sample when you send me the month's Annex A extract (.xlsx as the council "
             "produces it, or .csv): I preview what I read and the columns I leave alone; on Confirm you get the "
             "proposal (counts per service area, list and auditor, and what the rules could not satisfy) and the "
             "full list as a workbook.")
HELP_SHOW = ("Show you the proposed sample when you type \"sample\": swap a case for another eligible one, move it to "
             "another auditor, remove it or draw again (a change the rules do not allow says which rule), and make it "
             "the month's allocations when you press Use this sample.")
REMINDER = ("Ask you for the coming month's Annex A extract a few working days before the 3rd when that month has "
            "no allocations and no audit sample has been used.")


def duties(cal: WorkingCalendar):
    return [ExtractReminderDuty(cal, config.reminder_days())]


CAPABILITY = Capability(
    name="sampling",
    verbs=(CardVerb(sc.USE_VERB, actions.use), CardVerb(sc.SWAP_VERB, actions.swap), CardVerb(sc.MOVE_VERB, actions.move),
           CardVerb(sc.REMOVE_VERB, actions.remove), CardVerb(sc.REDRAW_VERB, actions.redraw),
           CardVerb(sc.WORKBOOK_VERB, actions.workbook)),
    file_kinds=(file_kind.KIND,),
    files=(FileOffer(changes.OFFER, actions.sample_file),),
    outbox_kinds=(changes.WORKBOOK_KIND, *kinds.ALL),
    commands=(ChatCommand("sample", "the month's proposed audit sample from the Annex A lists, with Use this sample",
                          ("audit sample", "the sample"), commands.sample, access.CHOOSERS, in_menu=False),),
    cli=(CLI,),
    duties=duties,
    help={Role.QA_UNIT: (HELP_SEND, HELP_SHOW, REMINDER)},
    retention=(RetentionRule("sample_picks", AUDIT_RECORDS, past_picks),
               RetentionRule("sample_proposals", AUDIT_RECORDS, past_proposals)),
)
