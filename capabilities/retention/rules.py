"""The retention every capability declares for the tables it owns (`Capability.retention`),
collected for the purge: one declaration per table, and the order the rules are applied in."""
from __future__ import annotations

from collections.abc import Sequence

from capabilities.registry import Capability, Kept, RegistryError, RetentionRule
from qa.retention import KINDS
from storage.retention import Conditions, Purge


def declared(capabilities: Sequence[Capability]) -> dict[str, RetentionRule | Kept]:
    """Each table's declaration, by table name; a table declared twice is refused."""
    tables: dict[str, RetentionRule | Kept] = {}
    for capability in capabilities:
        for rule in capability.retention:
            if rule.table in tables:
                raise RegistryError(f"{capability.name}: the retention of {rule.table!r} is already declared")
            if isinstance(rule, RetentionRule) and rule.kind not in KINDS:
                raise RegistryError(f"{capability.name}: {rule.table!r} is kept for {rule.kind!r}, which is not "
                                    f"a retention kind ({', '.join(KINDS)})")
            tables[rule.table] = rule
    return tables


def purge_order(capabilities: Sequence[Capability]) -> list[RetentionRule]:
    """The rules the purge applies, in the order it applies them: the capabilities in reverse
    registration order (one registered later builds on the records of those before it, as
    escalations do on the audit cycle's allocations, so its rows go first and no foreign key is
    left pointing at a deleted row), each one's rules in the order it lists them. The retention
    capability, registered last, holds the spine's rules: they go first (follow-ups read the
    allocations and broadcasts being purged)."""
    declared(capabilities)
    return [rule for capability in reversed(capabilities) for rule in capability.retention
            if isinstance(rule, RetentionRule)]


def conditions(rules: Sequence[RetentionRule], past: Purge) -> Conditions:
    """(table, condition) for each rule, in the rules' order."""
    return [(rule.table, rule.past(past, rule.kind)) for rule in rules]
