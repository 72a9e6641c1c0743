"""Conversations and Adaptive Card builders (pure functions: data in, card JSON out)."""
