"""Cover's outbox kinds: the absent person's own copy updated in place, the welcome-back summary, and the QA
unit's list of a leaver's work moved (samples from dialogs/cover_samples.py). A copy handed to a cover
keeps the kind of the notice it copies."""
from __future__ import annotations

import copy
from functools import cache

from capabilities.registry import OutboxKind
from dialogs import cover_cards as cc
from dialogs import cover_samples

_catalogue = cache(cover_samples.samples)


def _sample(name: str):
    return lambda: copy.deepcopy(_catalogue()[name])


HANDED_OVER = OutboxKind("cover-handed-over", cc.handed_over, _sample("cover_handed_over"))
RETURN_SUMMARY = OutboxKind("cover-return-summary", cc.return_summary_card, _sample("cover_return_summary"))
GIVEN_BACK = OutboxKind("cover-given-back", cc.given_back, _sample("cover_handed_over"))
LEAVER_WORK = OutboxKind("leaver-work-moved", cc.leaver_work_card, _sample("leaver_work_moved"))

ALL = (HANDED_OVER, RETURN_SUMMARY, GIVEN_BACK, LEAVER_WORK)
