"""Choosing the month's audit sample from the Annex A lists (framework 9.3): see registration.py."""
