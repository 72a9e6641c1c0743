"""Files in chat (capabilities/intake): the one FileIntake (any file), the preview's buttons, the
duty that drops expired uploads, the retention of held uploads and import marks, and the QA unit's
help line."""
from __future__ import annotations

from collections.abc import Callable

from capabilities.intake import actions, take
from capabilities.intake.duties import ExpiredUploadsDuty
from capabilities.registry import Capability, CardVerb, FileIntake, Registry, RetentionRule
from dialogs import intake_cards as ic
from qa.framework import Role
from qa.retention import BOT_STATE
from storage import previews

HELP = ("Send me any file you keep, .xlsx or UTF-8 .csv: the staff roster, a month's allocations (put the month, "
        "YYYY-MM, in your message or the file name), the QA calendar, the caseload, supervision history, past "
        "audits or the month's Annex A extract. I recognise it from its columns and show a preview; nothing is imported until you press Confirm.")


def capability(registry_of: Callable[[], Registry]) -> Capability:
    confirm, cancel, choose = actions.handlers(registry_of)
    return Capability(
        name="intake",
        verbs=(CardVerb(ic.Verb.CONFIRM, confirm), CardVerb(ic.Verb.CANCEL, cancel), CardVerb(ic.Verb.KIND, choose)),
        intakes=(FileIntake("files in chat", take.intake(registry_of)),),
        help={Role.QA_UNIT: (HELP,)},
        # An upload waits an hour at most; its bytes are dropped when decided, or by the hourly duty
        # once expired. The rows (and the import marks) go with conversation state.
        duties=lambda cal: [ExpiredUploadsDuty(cal)],
        retention=(RetentionRule("file_previews", BOT_STATE, previews.past),),
    )
