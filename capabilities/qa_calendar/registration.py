"""The QA calendar, registered: `calendar` and `who's coming` in chat, the reminders with their buttons, the
organiser's attendance, `calendar import` and `calendar attended` on the command line."""
from __future__ import annotations

from capabilities.qa_calendar import actions, cli, commands, config, file_kind, kinds
from capabilities.qa_calendar.duties import CalendarReminderDuty
from capabilities.registry import Capability, CardVerb, ChatCommand, RetentionRule
from dialogs.calendar_cards import Verb
from qa.calendar import WorkingCalendar
from qa.framework import ROLES, Role
from qa.retention import CALENDAR
from storage import qa_calendar as stored
from storage import retention as past

REMINDERS = ("Remind you of the Learning and Improvement Forums, practice forums, reflective groups and assurance "
             "clinics for you the working day before and an hour before (unless you said you can't make it), with "
             "I'll be there / Can't make it; if "
             "you organise one, `who's coming` shows the answers and lets you mark who attended.")
SURVEYS = "Tell you when a children and families survey window opens, and a week before it closes."


def duties(cal: WorkingCalendar):
    return [CalendarReminderDuty(cal, config.reminders())]


CAPABILITY = Capability(
    file_kinds=(file_kind.KIND,),
    name="qa-calendar",
    verbs=(CardVerb(Verb.COMING, actions.coming), CardVerb(Verb.NOT_COMING, actions.not_coming),
           CardVerb(Verb.ATTENDANCE, actions.attendance)),
    commands=(ChatCommand("calendar", "what's coming on the QA calendar in the next 8 weeks, and what you attended",
                          ("qa calendar", "whats coming"), commands.calendar, in_menu=False),
              ChatCommand("who's coming", "the events you organise: who is coming, and who attended",
                          ("who s coming", "whos coming", "who is coming", "attendance"), commands.who_is_coming,
                          frozenset(ROLES), in_menu=False)),
    duties=duties,
    outbox_kinds=kinds.ALL,
    cli=(cli.CLI,),
    help={role: (REMINDERS, SURVEYS) if role in (Role.PRACTICE_MANAGER, Role.SERVICE_LEAD, Role.HEAD_OF_SERVICE,
                                                  Role.DEPUTY_DIRECTOR, Role.QA_UNIT,
                                                  Role.PRINCIPAL_SOCIAL_WORKER) else (REMINDERS,)
          for role in ROLES},
    # Answers and attendance go before their events (the purge's order is the order listed).
    retention=(RetentionRule("calendar_responses", CALENDAR, stored.past_responses),
               RetentionRule("calendar_events", CALENDAR, past.calendar_events)),
)
