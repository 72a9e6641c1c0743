"""The code keeps one way of doing each thing (devtools/shape.py reads the source): no outbox
payload built by hand outside dialogs/payload.py, no actor looked up by hand outside the kit, no
role spelled as a string outside qa.framework.Role, one card-tree walker, no ticket numbers in
production code, and a Press read only by a capability's actions.py."""
from __future__ import annotations

from pathlib import Path

import pytest

from devtools import shape

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("check", [shape.payload_dicts, shape.actor_preambles, shape.role_literals,
                                   shape.card_walkers, shape.issue_references, shape.press_readers],
                         ids=lambda c: c.__name__)
def test_one_way_to_do_it(check):
    found = check(ROOT)
    assert not found, "\n".join(map(str, found))


def test_the_checks_find_what_they_look_for(tmp_path):
    pkg = tmp_path / "capabilities"
    pkg.mkdir()
    (pkg / "x.py").write_text(
        'async def f(session, actor_id):\n'
        '    """Roles such as "qa_unit" may be named in a docstring."""\n'
        '    actor = await session.get(Person, actor_id)\n'
        '    payload = {"text": "a", "card": None, "summary": "a"}  # see issue 12\n'
        '    return actor.role == "qa_unit"\n'
        'def walk(card):\n'
        '    for item in card.get("items", []):\n'
        '        walk(item)\n')
    (pkg / "thing").mkdir()
    (pkg / "thing" / "flow.py").write_text("async def press_here(p: Press):\n    return p.data\n")
    (pkg / "thing" / "actions.py").write_text("async def press_here(p: Press):\n    return p.data\n")
    assert [len(c(tmp_path)) for c in (shape.payload_dicts, shape.actor_preambles, shape.role_literals,
                                       shape.card_walkers, shape.issue_references, shape.press_readers)] == [
        1, 1, 1, 1, 1, 1]
