"""No help card, command description or card tells a person to run a server command (`python -m bot
...`): the QA unit, service leads and the principal social worker have no shell on the server."""
from __future__ import annotations

import json

from bot.cards_dump import every_card
from capabilities.catalogue import registry
from qa.framework import ROLES


def test_no_help_line_or_description_names_a_server_command():
    lines = [line for role in (*ROLES, None) for line in registry().help_lines(role)]
    lines += [command.description for command in registry().commands.values()]
    assert lines and not [line for line in lines if "python -m bot" in line]


def test_no_card_names_a_server_command():
    assert not [name for name, card in every_card().items() if "python -m bot" in json.dumps(card)]
