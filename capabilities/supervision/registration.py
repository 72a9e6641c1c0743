"""Supervision (framework 9.1), registered: its CLI, duties, kinds, buttons, commands and help lines."""
from __future__ import annotations

from capabilities.registry import Capability
from capabilities.supervision import cli

CAPABILITY = Capability(name="supervision", cli=cli.COMMANDS)
