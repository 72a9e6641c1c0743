"""Broadcasts' outbox kinds: the notice, the chaser, an update in place (acknowledged, corrected)
and a withdrawal (DeleteActivity). All "bulk": they share Teams' budget fairly with the others."""
from __future__ import annotations

import copy
from functools import cache

from capabilities.registry import OutboxKind
from dialogs import broadcast_cards as bc
from dialogs.broadcast_samples import notice_samples

_catalogue = cache(notice_samples)


def _sample(name: str):
    return lambda: copy.deepcopy(_catalogue()[name])


BROADCAST = OutboxKind("broadcast", bc.broadcast_card, _sample("broadcast"), lane="bulk")
BROADCAST_CHASER = OutboxKind("broadcast-chaser", bc.broadcast_chaser_card, _sample("broadcast_chaser"), lane="bulk")
BROADCAST_UPDATE = OutboxKind("broadcast-update", bc.corrected_card, _sample("broadcast_corrected"), lane="bulk")
BROADCAST_WITHDRAWAL = OutboxKind("broadcast-withdrawal", bc.withdrawn_card, _sample("broadcast_withdrawn"),
                                  lane="bulk")
ALL = (BROADCAST, BROADCAST_CHASER, BROADCAST_UPDATE, BROADCAST_WITHDRAWAL)
