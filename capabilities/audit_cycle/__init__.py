"""The monthly audit cycle (framework 9.3): allocations on the 3rd, reminders before the 28th, the audit
form, oversight by the 6th, disputes, upload, safeguarding alerts. Registered in registration.py."""
