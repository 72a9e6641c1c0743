"""The framework's clocks (pure) and the sweep that turns "due now" into outbox rows."""
