"""Reports (framework 9.3), registered: the `report` CLI."""
from __future__ import annotations

from capabilities.registry import Capability
from capabilities.reports import cli

CAPABILITY = Capability(name="reports", cli=cli.COMMANDS)
