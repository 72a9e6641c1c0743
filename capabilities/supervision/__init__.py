"""Supervision (framework 9.1): the register, the cadences, nudges, one-press recording, compliance."""
