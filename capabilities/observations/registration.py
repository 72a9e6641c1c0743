"""Observations of practice, walking the floor and feedback entries, registered: the reflection and
"not possible" buttons, the commands and their conversations, the duties, the outbox kinds, the CLI,
the help lines and the retention of their records."""
from __future__ import annotations

from capabilities.observations import actions, cli, commands, config, duties, feedback, kinds, observe, walk
from capabilities.registry import Capability, CardVerb, ChatCommand, DialogEntry, RetentionRule
from dialogs import observation_cards as oc
from qa.calendar import WorkingCalendar
from qa.framework import ROLES, Role
from qa.observations import OBSERVER_ROLES, SENIOR_ROLES
from qa.retention import PRACTICE_RECORDS
from storage import retention as past

FEEDBACK_LINE = ("Record feedback from a child, a family, a professional or a colleague in under a minute "
                 "(type feedback); complaints and compliments reach the QA unit at once.")
OBSERVER_LINES = (
    "Record an observation of practice step by step (type observe), send it to your supervisee for their "
    "reflection, and carry its action plan into supervision.",
    "Show your supervisees' last observations, most overdue first (type observations).",
)
WALK_LINE = "Record walking the floor of a team, with its themes, for the QA unit (type walk)."
OVERSIGHT_LINE = "Bring you complaints and compliments as they are recorded."


def _help() -> dict[str, tuple[str, ...]]:
    lines: dict[str, tuple[str, ...]] = {role: (FEEDBACK_LINE,) for role in ROLES}
    for role in OBSERVER_ROLES:
        lines[role] = (*OBSERVER_LINES, FEEDBACK_LINE)
    for role in SENIOR_ROLES:
        lines[role] = (*lines[role], WALK_LINE)
    lines[Role.QA_UNIT] = (FEEDBACK_LINE, OVERSIGHT_LINE, "Send you the themes senior managers noted walking the "
                        "floor, by team, monthly; and observation coverage at the end of each practice week.")
    lines[Role.PRINCIPAL_SOCIAL_WORKER] = (FEEDBACK_LINE, "Send you the month's feedback digest.")
    return lines


def _duties(cal: WorkingCalendar) -> list:
    config.from_env()  # a retired setting still set stops the bot at start-up
    return duties.duties(cal)


CAPABILITY = Capability(
    name="observations",
    verbs=(CardVerb(oc.REFLECT, actions.reflect),
           CardVerb(oc.FAMILY_VIEW_NOT_POSSIBLE, actions.family_view_not_possible)),
    commands=(
        ChatCommand(feedback.COMMAND, "record feedback from a child, family, professional or colleague",
                    ("give feedback", "record feedback"), None, frozenset(ROLES)),
        ChatCommand(observe.COMMAND, "record an observation of practice, one step at a time",
                    ("observation", "record an observation"), None, OBSERVER_ROLES, in_menu=False),
        ChatCommand("observations", "your supervisees' last observations, most overdue first",
                    ("my observations",), commands.observations, OBSERVER_ROLES, in_menu=False),
        ChatCommand(walk.COMMAND, "record walking the floor of a team: themes and a short note",
                    ("walk the floor", "walked the floor"), None, SENIOR_ROLES, in_menu=False),
    ),
    dialogs=(DialogEntry(feedback.COMMAND, feedback.DIALOG, feedback.feedback_dialog),
             DialogEntry(observe.COMMAND, observe.DIALOG, observe.observe_dialog),
             DialogEntry(walk.COMMAND, walk.DIALOG, walk.walk_dialog)),
    duties=_duties,
    outbox_kinds=kinds.ALL,
    cli=cli.COMMANDS,
    help=_help(),
    retention=(RetentionRule("observations", PRACTICE_RECORDS, past.observations),
               RetentionRule("feedback_entries", PRACTICE_RECORDS, past.feedback_entries),
               RetentionRule("floor_walks", PRACTICE_RECORDS, past.floor_walks)),
)
