"""The buttons on a file's preview: **Confirm**, **Cancel**, and the kind chosen when two fit. The
only place the intake reads a Press: ids in, a use case of flow.py, its card in place of the pressed one."""
from __future__ import annotations

from collections.abc import Callable

from capabilities.intake import flow
from capabilities.press import UNREADABLE, Press, Reply, positive_id
from capabilities.registry import Registry
from dialogs import intake_cards as ic


def _reply(outcome: flow.IntakeOutcome) -> Reply:
    card = outcome.card or ic.decided_card(outcome.title or flow.TITLE, outcome.message)
    return Reply(card=card, update=True, deliver_now=outcome.urgent)


def handlers(registry_of: Callable[[], Registry]):
    """(confirm, cancel, choose) press handlers, reading the kinds from the whole registry."""

    async def confirm(p: Press) -> Reply:
        preview_id = positive_id(p.data.get("preview_id"))
        if preview_id is None:
            return Reply(text=UNREADABLE)
        return _reply(await flow.confirm(p.ctx, registry_of().file_kinds, p.actor.id if p.actor else None,
                                         preview_id, now=p.now, chosen=p.data.get(ic.SCOPE_INPUT)))

    async def cancel(p: Press) -> Reply:
        preview_id = positive_id(p.data.get("preview_id"))
        if preview_id is None:
            return Reply(text=UNREADABLE)
        return _reply(await flow.cancel(p.ctx, p.actor.id if p.actor else None, preview_id, now=p.now))

    async def choose(p: Press) -> Reply:
        preview_id, choice = positive_id(p.data.get("preview_id")), positive_id(p.data.get("choice_id"))
        if preview_id is None or choice is None:
            return Reply(text=UNREADABLE)
        return _reply(await flow.choose(p.ctx, registry_of().file_kinds, p.actor.id if p.actor else None,
                                        preview_id, choice, now=p.now))

    return confirm, cancel, choose
