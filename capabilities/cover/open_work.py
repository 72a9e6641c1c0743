"""Whether the work a covered notice asks for is still to do (framework section 21): the one place
that decides which notices are handed to a cover when someone goes, and which come back to them on
return (capabilities/cover/handover.py).

Judged by each work item's own state, as its kind declares (`OutboxKind(..., open_while=...)`,
`capabilities.registry.OpenWhile`, queries in storage/open_work.py): an oversight not yet confirmed,
an update not yet received, an alert not yet resolved. Not by whether the card still has a button:
a card keeps its refresh and view buttons after the work is done. The items are the ids the card's
buttons carry (a digest carries several: open while any of them is); a notice of a kind that declares
nothing, or whose card names no item, has nothing left to do.
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.registry import OpenWhile, covered_kind
from dialogs.card_tree import actions
from storage.models import OutboxMessage

BUTTONS = ("Action.Execute", "Action.Submit")


def _ids(card: object, field: str) -> set[int]:
    """The `field` ids the buttons of `card` carry."""
    found: set[int] = set()
    for kind in BUTTONS:
        for action in actions(card, kind):
            value = (action.get("data") or {}).get(field)
            if isinstance(value, int) and not isinstance(value, bool):
                found.add(value)
            elif isinstance(value, str) and value.isdigit():
                found.add(int(value))
    return found


async def still_open(session: AsyncSession, rows: Sequence[OutboxMessage]) -> set[int]:
    """The ids of those `rows` (covered notices, as their outbox rows show them now) whose work is
    still to do. One query per kind of item, whatever the number of rows."""
    wanted: dict[OpenWhile, dict[int, set[int]]] = {}  # check -> row id -> item ids
    for row in rows:
        kind = covered_kind(row.kind)
        card = (row.payload or {}).get("card")
        for check in kind.open_while if kind is not None and card else ():
            ids = _ids(card, check.field)
            if ids:
                wanted.setdefault(check, {})[row.id] = ids
    open_rows: set[int] = set()
    for check, by_row in wanted.items():
        still = set(await check.still_open(session, frozenset().union(*by_row.values())))
        open_rows |= {row_id for row_id, ids in by_row.items() if ids & still}
    return open_rows
