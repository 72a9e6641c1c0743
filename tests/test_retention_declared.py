"""Every table says how long it is kept: the capability that owns it declares a RetentionRule (the
monthly purge applies it) or Kept with the reason it is not purged (docs/privacy.md section 6). A
new table without either fails here, as does a purge order that would break a foreign key."""
from __future__ import annotations

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table

from capabilities.catalogue import registry
from capabilities.registry import Capability, Kept, RegistryError, RetentionRule
from capabilities.retention.rules import declared, purge_order
from qa.retention import KINDS
from storage import retention as past
from storage.models import Base


def undeclared(metadata: MetaData, capabilities) -> list[str]:
    """The tables in `metadata` no capability says anything about."""
    return sorted(set(metadata.tables) - declared(capabilities).keys())


def deleted_before_referenced(metadata: MetaData, rules: list[RetentionRule]) -> list[str]:
    """Each purged table referring to another purged table by a foreign key that does not clear
    itself (ON DELETE SET NULL / CASCADE), yet purged after it."""
    position = {rule.table: n for n, rule in enumerate(rules)}
    wrong = []
    for table in metadata.tables.values():
        for key in table.foreign_keys:
            referred = key.column.table.name
            if key.ondelete is None and table.name in position and referred in position \
                    and position[table.name] > position[referred]:
                wrong.append(f"{table.name} after {referred}")
    return wrong


def test_every_table_has_a_retention_rule_or_a_reason_for_none():
    capabilities = registry().capabilities
    assert undeclared(Base.metadata, capabilities) == []
    tables = declared(capabilities)
    assert sorted(tables.keys() - Base.metadata.tables.keys()) == []  # no rule for a table that is not there
    assert all(rule.reason.strip() for rule in tables.values() if isinstance(rule, Kept))


def test_a_new_table_without_a_declaration_is_found():
    metadata = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    Table("bookings", metadata, Column("id", Integer, primary_key=True))
    assert undeclared(metadata, registry().capabilities) == ["bookings"]


def test_every_kind_of_qa_retention_governs_some_table():
    kinds = {rule.kind for rule in purge_order(registry().capabilities)}
    assert kinds == set(KINDS)


def test_the_purge_order_deletes_what_refers_before_what_is_referred_to():
    assert deleted_before_referenced(Base.metadata, purge_order(registry().capabilities)) == []
    # the check can fail: a capability registered after the audit cycle purges its rows first
    metadata = MetaData()
    Table("parents", metadata, Column("id", Integer, primary_key=True))
    Table("children", metadata, Column("id", Integer, primary_key=True), Column("parent_id", ForeignKey("parents.id")))
    first = Capability("first", retention=(RetentionRule("parents", KINDS[0], past.duty_runs),))
    then = Capability("then", retention=(RetentionRule("children", KINDS[0], past.duty_runs),))
    assert deleted_before_referenced(metadata, purge_order([first, then])) == []
    assert deleted_before_referenced(metadata, purge_order([then, first])) == ["children after parents"]


def test_the_spine_goes_first_and_each_capability_purges_in_the_order_it_lists():
    order = [rule.table for rule in purge_order(registry().capabilities)]
    assert order[:4] == ["outbox", "duty_runs", "bot_state", "follow_ups"]  # follow-ups read allocations, broadcasts
    assert order.index("follow_ups") < order.index("allocations") and order.index("follow_ups") < order.index("broadcasts")
    assert order.index("moderations") < order.index("audits") < order.index("allocations") < order.index("audit_months")


@pytest.mark.parametrize("second, message", [
    (Kept("outbox", "twice"), "b: the retention of 'outbox' is already declared"),
    (RetentionRule("bookings", "emails", past.duty_runs), "b: 'bookings' is kept for 'emails', which is not a retention kind"),
])
def test_a_table_declared_twice_or_an_unknown_kind_is_refused(second, message):
    a = Capability("a", retention=(RetentionRule("outbox", KINDS[0], past.outbox),))
    b = Capability("b", retention=(second,))
    with pytest.raises(RegistryError) as raised:
        purge_order([a, b])
    assert str(raised.value).startswith(message)
