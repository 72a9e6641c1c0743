"""Files in chat: the QA unit sends any file it keeps; the bot recognises its kind, previews what
importing it would change, and imports it only on Confirm (see flow.py)."""
