"""The status capability's outbox kind: the message offering a status's workbook (its card, then the
file consent card, as reports offer theirs)."""
from __future__ import annotations

from capabilities.registry import OutboxKind
from dialogs import report_cards as rc


def _sample() -> dict:
    from dialogs import samples

    return samples.report_card_samples()["report_file_offer"]


STATUS_WORKBOOK = OutboxKind("status-workbook", rc.file_offer_card, _sample)
ALL = (STATUS_WORKBOOK,)
