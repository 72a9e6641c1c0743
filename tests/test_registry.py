"""The registry as a whole (capabilities/catalogue.py): every verb on every card has a handler,
every outbox kind a renderer and a sample, every duty is registered, every command is in the
help card of the roles it is for and in the manifest, and nothing is promised that is not."""
from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
from datetime import timedelta
from pathlib import Path

import pytest

from bot import cards_dump
from capabilities.basics import help_for
from capabilities.catalogue import default_duties, registry
from capabilities.registry import (
    MENU_LIMIT,
    Capability,
    CardVerb,
    ChatCommand,
    OutboxKind,
    Registry,
    RegistryError,
    verbs_on,
)
from qa.audit_calendar import cycle_moments
from qa.calendar import WorkingCalendar
from qa.framework import ROLES
from scheduler.sweep import sweep
from tests.support.audit_cycle import DECEMBER, add_roster, allocate, outbox_rows, submit

ROOT = Path(__file__).resolve().parents[1]
CAL = WorkingCalendar()


def test_every_verb_on_every_card_has_a_handler():
    cards = cards_dump.every_card()
    on_cards = {verb: name for name, card in cards.items() for verb in verbs_on(card)}
    assert on_cards, "the samples carry buttons"
    assert {verb: name for verb, name in on_cards.items() if verb not in registry().verbs} == {}


def test_every_outbox_kind_renders_its_sample_and_is_dumped():
    reg = registry()
    assert reg.kinds, "the audit cycle registers its kinds"
    dumped = cards_dump.every_card()
    for name, kind in reg.kinds.items():
        card = kind.sample()
        assert card["type"] == "AdaptiveCard" and card["body"], name
        assert callable(kind.render)
        assert dumped[f"kind_{name.replace('-', '_')}"] == card


def test_kinds_have_one_spelling():
    with pytest.raises(ValueError):
        OutboxKind("decline_notice", dict, dict)
    assert all(k == k.lower() and "_" not in k for k in registry().kinds)


async def test_every_kind_the_cycle_writes_is_registered(services):
    """A whole month of the cycle's duties and a submission: only registered kinds reach the outbox."""
    people = await add_roster(services.db)
    await allocate(services.db, people, "2026-12", DECEMBER)
    duties = default_duties(services.settings)
    for moment in cycle_moments(2026, 12, CAL):
        if moment.kind == "oversight-overdue":
            await submit(services.db, "CR-1003", moment.due_at - timedelta(days=10))
        result = await sweep(services, moment.due_at + timedelta(minutes=1), duties)
        assert result.failed == []
    kinds = {row.kind for row in (await outbox_rows(services.db)).values()}
    assert len(kinds) >= 6
    assert kinds - registry().kinds.keys() == set()


def test_every_duty_class_is_registered():
    """A concrete duty class in capabilities/ (one with `occurrences` and `run`, not the Protocol
    and not the follow-up base whose `settle` a subclass writes) is among the registered duties."""
    import capabilities
    from capabilities.duties import Duty
    from capabilities.follow_ups import FollowUpDuty

    found = set()
    for info in pkgutil.walk_packages(capabilities.__path__, "capabilities."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or cls in (Duty, FollowUpDuty):
                continue
            if callable(getattr(cls, "occurrences", None)) and callable(getattr(cls, "run", None)):
                found.add(cls)
    registered = {type(duty) for duty in registry().duties(CAL)}
    assert len(found) >= 2 and found <= registered, found - registered
    names = [duty.name for duty in registry().duties(CAL)]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("role", [*ROLES, None])
def test_help_lists_every_command_the_role_can_use_and_nothing_else(role):
    card = json.dumps(help_for(registry(), role).card)
    for command in registry().commands.values():
        listed = f'"title": "{command.name}"' in card
        assert listed == command.for_role(role), (command.name, role)


def test_help_promises_only_registered_lines():
    for role in ROLES:
        card = help_for(registry(), role).card
        bullets = [b["text"][2:] for b in card["body"] if b.get("text", "").startswith("• ")]
        assert bullets == registry().help_lines(role)


def test_the_manifest_lists_exactly_the_registered_commands():
    manifest = json.loads((ROOT / "manifest" / "manifest.json").read_text(encoding="utf-8"))
    [bot] = manifest["bots"]
    personal = next(c for c in bot["commandLists"] if c["scopes"] == ["personal"])
    assert [c["title"] for c in personal["commands"]] == [c.name for c in registry().menu()]


def test_the_menu_keeps_to_teams_limit():
    async def handle(_said):
        return None

    many = Capability("many", commands=tuple(ChatCommand(f"c{i}", "d", (), handle) for i in range(MENU_LIMIT + 1)))
    with pytest.raises(RegistryError, match="menu"):
        Registry([many])
    fewer = Capability("fewer", commands=tuple(ChatCommand(f"c{i}", "d", (), handle, in_menu=i < MENU_LIMIT)
                                               for i in range(MENU_LIMIT + 1)))
    assert len(Registry([fewer]).menu()) == MENU_LIMIT


# One spelling for verbs: the area, then what the button does, joined by dots, in lower case
# ("audit.start", "esc.moderation.agree", "supervision.record_open").
VERB_SPELLING = re.compile(r"[a-z]+(\.[a-z][a-z_-]*)+")


def test_every_registered_verb_is_spelled_the_one_way():
    assert sorted(v.verb for v in registry().verbs.values() if not VERB_SPELLING.fullmatch(v.verb)) == []


def test_a_former_spelling_on_a_card_already_sent_answers_as_the_verb_does():
    verbs = registry().verbs
    for former, verb in (("broadcast_ack", "broadcast.ack"), ("supervision_record_open", "supervision.record_open"),
                         ("whoami", "basics.whoami"), ("help", "basics.help")):
        assert verbs[former] is verbs[verb] and verbs[former].verb == verb


def test_the_spelling_rule_refuses_the_other_ways():
    assert [v for v in ("audit.start", "feedback.family-view-not-possible", "broadcast_ack", "Audit.Start",
                        "audit.", "audit") if VERB_SPELLING.fullmatch(v)] == ["audit.start",
                                                                              "feedback.family-view-not-possible"]


def test_two_capabilities_cannot_claim_one_verb():
    async def handle(_press):
        return None

    one = Capability("one", verbs=(CardVerb("x.do", handle),))
    two = Capability("two", verbs=(CardVerb("x.do", handle),))
    with pytest.raises(RegistryError):
        Registry([one, two])


def test_default_duties_come_from_the_registry(services):
    assert [d.name for d in default_duties(services.settings)] == [d.name for d in registry().duties(CAL)]
