"""Try the bot without Teams: Microsoft 365 Agents Playground on a demo council (playground/run.py)."""
