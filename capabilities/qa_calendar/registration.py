"""The QA calendar, registered: `calendar` in chat (anyone), `calendar import` on the command line."""
from __future__ import annotations

from capabilities.qa_calendar import cli, commands
from capabilities.registry import Capability, ChatCommand, RetentionRule
from qa.retention import CALENDAR
from storage import retention as past

CAPABILITY = Capability(
    name="qa-calendar",
    commands=(ChatCommand("calendar", "what's coming on the QA calendar in the next 8 weeks",
                          ("qa calendar", "whats coming"), commands.calendar, in_menu=False),),
    cli=(cli.CLI,),
    retention=(RetentionRule("calendar_events", CALENDAR, past.calendar_events),),
)
