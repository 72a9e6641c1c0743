"""The use cases of the QA framework, one package or module per capability.

A capability is what happens when someone presses a button, types a command or a duty falls
due: the permission check, the state change, the trail entry and the outbox rows, all in one
transaction. Each capability declares what it offers in one `Capability` (capabilities/registry.py),
and capabilities/catalogue.py collects them for the Teams edge (bot/), the sweep (scheduler/) and
the CLI. Layers (checked by import-linter, pyproject.toml): this package may import dialogs/
(card builders), storage/ and qa/, never bot/ or scheduler/.
"""
