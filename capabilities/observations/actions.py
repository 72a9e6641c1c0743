"""The observations' buttons: read the card's data, call the use case (flow.py), answer with its
Outcome: the record as it now is, a polite card saying why nothing changed, or what to retype."""
from __future__ import annotations

from capabilities.kit import Outcome, Status
from capabilities.observations import flow
from capabilities.press import UNREADABLE, Press, Reply, positive_id
from dialogs import observation_cards as oc

OBSERVATION_TITLE = "Observation of practice"
FAMILY_VIEW_TITLE = "The family's view"


def _text(p: Press, name: str) -> str:
    value = p.data.get(name)
    return value.strip() if isinstance(value, str) else ""


def _reply(outcome: Outcome, title: str) -> Reply:
    if outcome.status == Status.INVALID:
        return Reply(text=outcome.message)  # the box keeps what was typed: they correct it
    if outcome.changed and outcome.card is not None:
        return Reply(card=outcome.card, update=True)
    return Reply(card=oc.polite_message_card(title, outcome.message))


async def reflect(p: Press) -> Reply:
    """`observation.reflect`: the supervisee adds their reflection (once)."""
    observation_id = positive_id(p.data.get("observation_id"))
    if observation_id is None:
        return Reply(card=oc.polite_message_card(OBSERVATION_TITLE, UNREADABLE))
    outcome = await flow.reflect(p.ctx, p.actor.id if p.actor else None, observation_id, _text(p, oc.REFLECTION),
                                 now=p.now, via=f"card:{oc.REFLECT}")
    return _reply(outcome, OBSERVATION_TITLE)


async def family_view_not_possible(p: Press) -> Reply:
    """The "Not possible" button: the auditor says why the family's view could not be sought."""
    allocation_id = positive_id(p.data.get("allocation_id"))
    if allocation_id is None:
        return Reply(card=oc.polite_message_card(FAMILY_VIEW_TITLE, UNREADABLE))
    outcome = await flow.family_view_not_possible(p.ctx, p.actor.id if p.actor else None, allocation_id,
                                                  _text(p, oc.REASON), now=p.now,
                                                  via=f"card:{oc.FAMILY_VIEW_NOT_POSSIBLE}")
    return _reply(outcome, FAMILY_VIEW_TITLE)
