"""Broadcasts: the QA unit's notices to many people, practice-week notices from the QA
calendar, delivery at Teams' limits, read receipts, acknowledgements, chasers and the report."""
