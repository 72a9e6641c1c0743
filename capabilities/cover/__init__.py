"""Cover for everyone who is away or has left (framework section 21): see capabilities/addressing.py."""
