"""Observations of practice, walking the floor and feedback entries (framework sections
11, 9.4, 14 and 6): conversations (botbuilder dialogs built from dialogs/steps.py), the cards they
send, the practice-week and monthly duties, and `python -m bot observations|feedback ...`."""
