"""The Teams edge of the QA bot: HTTP app, adapter, activity handler, sender and CLI."""
