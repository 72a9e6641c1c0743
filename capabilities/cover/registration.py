"""Cover (framework section 21: someone always owns the work), registered: `who covers` and its button,
the morning duty, the outbox kinds and what the help card says. The routing itself is
capabilities/addressing.py, used wherever notices are addressed; the rule is qa/cover.py."""
from __future__ import annotations

from capabilities.cover import actions, commands, kinds
from capabilities.cover.duties import CoverMorningDuty
from capabilities.registry import Capability, CardVerb, ChatCommand
from dialogs.cover_cards import Verb
from qa.calendar import WorkingCalendar
from qa.framework import Role

MANAGERS = (Role.PRACTICE_MANAGER, Role.SERVICE_LEAD, Role.HEAD_OF_SERVICE, Role.DEPUTY_DIRECTOR)
COVERED = ("While you are away (the `away` card) or after you leave, send your work (oversight, urgent reviews, "
           "practice alerts, remedial plans, moderation, dip-sample items) to your cover, marked \"covering for\" "
           "you; your cover may act for you, and the trail says so. When you are back, open items come back "
           "with a one-card summary of what was done.")
WHO_COVERS = ("`who covers`: everyone away today, their cover and what went to them; change a cover. Each "
              "morning, one card listing the work of people the roster marked as left, moved to their manager.")


def duties(cal: WorkingCalendar):
    return [CoverMorningDuty(cal)]


CAPABILITY = Capability(
    name="cover",
    verbs=(CardVerb(Verb.CHANGE, actions.change),),
    commands=(
        ChatCommand("who covers", "everyone away today, their cover and what goes to them; change a cover",
                    ("cover", "covers"), commands.who_covers, (Role.QA_UNIT,), in_menu=False),
    ),
    duties=duties,
    outbox_kinds=kinds.ALL,
    samples=lambda: {},
    help={**{role: (COVERED,) for role in MANAGERS}, Role.QA_UNIT: (COVERED, WHO_COVERS)},
)
