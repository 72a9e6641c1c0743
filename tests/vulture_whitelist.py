"""Names `vulture` (make test, make lint; settings in pyproject.toml [tool.vulture]) finds no use of,
though something outside Python's sight uses them. Bare names, as vulture reads them: it matches by
name, so a move or rename elsewhere does not break this file. Never imported.

Add a name here only with the reason it is used; delete code nothing uses instead.
"""

# -- botbuilder calls these by name (ActivityHandler dispatch, BotAdapter and Dialog overrides) ----
on_message_activity  # ActivityHandler: a message (bot/teams_bot.py, bench/echo_bot.py, a test's bot)
on_conversation_update_activity  # ActivityHandler
on_installation_update_add  # TeamsActivityHandler
on_installation_update_remove  # TeamsActivityHandler
on_teams_file_consent_accept  # TeamsActivityHandler
on_teams_file_consent_decline  # TeamsActivityHandler
on_adaptive_card_invoke  # ActivityHandler: Action.Execute
on_teams_read_receipt_event  # TeamsActivityHandler
on_turn_error  # BotAdapter calls it when a turn raises
send_activities  # BotAdapter: every outgoing activity of a turn
resume_dialog  # Dialog: a child dialog ended
initial_dialog_id  # ComponentDialog: the dialog it starts with
endorsements  # botbuilder's JwtTokenExtractor reads a signing key's channel endorsements
APP_PASSWORD  # botbuilder's ConfigurationBotFrameworkAuthentication reads the settings by this name

# -- SQLAlchemy and the standard library read these ------------------------------------------------
impl  # TypeDecorator: the underlying column type
cache_ok  # TypeDecorator: safe to cache statements
process_bind_param  # TypeDecorator: a value on its way to the database
process_result_value  # TypeDecorator: a value on its way back
type_annotation_map  # DeclarativeBase: Python types to column types
isolation_level  # sqlite3 connection: None, so we issue BEGIN ourselves (storage/db.py)
compress_type  # zipfile.ZipInfo (manifest/package.py)
external_attr  # zipfile.ZipInfo: file mode in the archive

# -- columns: written to the database and read back by SQL, reports and the privacy notice ---------
cancelled_at  # Broadcast.cancelled_at
chased_at  # Broadcast.chased_at (written through update(...).values)
conversation_arranged_at  # Allocation.conversation_arranged_at (when the auditor arranged it; docs/privacy.md)

# -- the words a column holds, named beside it for the reader (storage/models.py) ------------------
OUTBOX_STATES
ALLOCATION_STATES
MODERATION_STATES
BROADCAST_STATES
SUPERVISION_KINDS
SUPERVISION_STATES

# -- dataclass fields filled by name ----------------------------------------------------------------
complete  # dialogs.audit_cards.StatusFigures, read through STATUS_FIGURES by name
# qa.supervision.Cadences: a setting (QA_SUPERVISION_DEFAULT_ONE_TO_ONE_MINUTES, in the README) that
# start-up parses and checks by field name; nothing reads its value yet.
default_one_to_one_minutes

# -- the roles: every member is a value rows may hold, whether or not code names it ---------------
Role.PRACTITIONER
Role.PRACTICE_MANAGER
Role.SERVICE_LEAD
Role.HEAD_OF_SERVICE
Role.DEPUTY_DIRECTOR
Role.QA_UNIT
Role.PRINCIPAL_SOCIAL_WORKER
Role.IRO
Role.CP_CHAIR

# -- tests: fixtures asked for their effect, and figures named so a test reads -------------------
e2e_ready  # tests/e2e: skips (or fails on CI) when Chromium or the Playground is missing
council  # tests/test_reports_teams.py: the roster and allocations the test reads reports of
WITH_CHAT  # tests/test_broadcast_http.py: the people who have a chat, beside BY_GRAPH and the rest
LIMIT  # tests/test_tenant_budget.py: Teams' figure, beside the GENEROUS one the test asserts

# -- to remove once the capability moves onto the kit -----------------------------------------------
_reason  # capabilities/audit_cycle/actions.py
NOTHING_SAVED  # capabilities/observations/common.py
write_register  # capabilities/reports/register.py
entry_id  # dialogs.observation_cards.FeedbackView: capabilities/observations/feedback.py sets it, no card reads it
booked_at  # storage.models.SupervisionBooking: when a booking was made, kept for the record (docs/privacy.md)
answered_at  # storage.models.CalendarResponse: when an answer was given, kept for the record (docs/privacy.md)
attendance_marked_at  # storage.models.CalendarResponse: when attendance was marked, kept for the record
_async_soft_close  # storage/db.py: SQLAlchemy's aiosqlite cursor calls these overrides, not our code
_execute_async  # storage/db.py: as above
_executemany_async  # storage/db.py: as above
_cursor  # storage/db.py: a field of SQLAlchemy's aiosqlite cursor that its methods read
_soft_closed_memoized  # storage/db.py: as above
formatException  # bot/logs.py: logging's Formatter calls it by name for a record's traceback
_str  # bot/logs.py: traceback.TracebackException's text of the exception, withheld before formatting
proposed_by_id  # storage.models.SampleProposal: who proposed the month's sample (None: the command line), kept for the record
installed_by_id  # storage.models.AuditFormVersion: who sent the form in chat (None: the folder at start), kept for the record
