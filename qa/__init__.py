"""The QA framework's rules in plain Python: no Teams, no SQL, no clock of their own."""
