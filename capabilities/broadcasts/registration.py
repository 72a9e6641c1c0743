"""Broadcasts, registered: the notice's buttons, `broadcast report`, the practice-week
notices and the chaser, the outbox kinds, the CLI and the QA unit's help line."""
from __future__ import annotations

from capabilities.broadcasts import actions, cli, commands, config, exports, kinds, receipts
from capabilities.broadcasts.compose import compose_dialog
from capabilities.broadcasts.duties import BroadcastChaserDuty, BroadcastCorrectionDuty, PracticeWeekNoticeDuty
from capabilities.broadcasts.reach import InstallForBroadcasts
from capabilities.registry import Capability, CardVerb, ChatCommand, DialogEntry, FileOffer, RetentionRule
from dialogs.broadcast_cards import Verb
from dialogs.broadcast_compose import BROADCAST_DIALOG
from qa.calendar import WorkingCalendar
from qa.framework import Role
from qa.retention import BROADCASTS
from storage import retention as past

QA_UNIT = frozenset({Role.QA_UNIT})


def duties(cal: WorkingCalendar):
    settings = config.from_env()
    return [PracticeWeekNoticeDuty(cal, settings.notice_days), BroadcastChaserDuty(cal), BroadcastCorrectionDuty(cal)]


CAPABILITY = Capability(
    name="broadcasts",
    # `former`: the spellings broadcasts already sent carry (before verbs were dotted).
    verbs=(CardVerb(Verb.ACK, actions.acknowledge_press, former=("broadcast_ack",)),
           CardVerb(Verb.REPORT, actions.show_report, former=("broadcast_report",)),
           CardVerb(Verb.REFRESH, actions.refresh_report, former=("broadcast_refresh",)),
           CardVerb(Verb.CANCEL, actions.cancel_press, former=("broadcast_cancel",)),
           CardVerb(Verb.RECIPIENTS, actions.recipients_press), CardVerb(Verb.CORRECT, actions.correct_press)),
    commands=(ChatCommand("broadcast", "compose a notice to everyone, or to roles, service areas, teams or a channel",
                          ("new broadcast", "compose broadcast"), None, QA_UNIT, in_menu=False),
              ChatCommand("broadcast report", "your recent broadcasts: who received, read and acknowledged them",
                          ("broadcasts",), commands.broadcast_report, QA_UNIT, in_menu=False),),
    dialogs=(DialogEntry("broadcast", BROADCAST_DIALOG, compose_dialog),),
    duties=duties,
    outbox_kinds=(*kinds.ALL, exports.RECIPIENTS_OFFER),
    files=(FileOffer(exports.OFFER, actions.recipients_file),),
    cli=(cli.CLI,),
    events=(receipts.EVENT,),
    help={Role.QA_UNIT: (
        "Send a notice to everyone, or to roles, service areas and teams, at Teams' pace; practice-week notices "
        "go from the QA calendar by themselves; see who received, read and acknowledged each, correct or cancel one "
        "from its report, and get its recipients as an Excel workbook.",)},
    # The recipients before their broadcast (foreign key).
    retention=(RetentionRule("broadcast_recipients", BROADCASTS, past.broadcast_recipients),
               RetentionRule("broadcasts", BROADCASTS, past.broadcasts)),
    reach=InstallForBroadcasts,
)
