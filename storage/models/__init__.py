"""SQLAlchemy 2 models, one module per owner. Times are stored timezone-aware, in UTC.

Privacy: nothing here holds a child's name, date of birth or address; cases appear by the
case-management system's reference only.

- base: the declarative base, the naming convention, UTC datetimes;
- people: staff, their chats with the bot, the teams and channels it is in;
- spine: the outbox, duty runs, follow-ups, leases and conversation state;
- audit_cycle: audit months, allocations, audits and the trail;
- audit_forms: every version of every audit form the bot has used;
- history: audits done before the bot, imported from the QA unit's past register;
- intake: files sent in chat, held for a preview until confirmed or cancelled;
- escalations, supervision, observations, qa_calendar, broadcasts, sampling: each capability's own records.

Every name is re-exported here: import models from `storage.models`. Which table is kept how long
is declared by the capability that owns it (`Capability.retention`, docs/privacy.md section 6).
"""
from qa.framework import GRADES, KEY_AREAS, ROLES  # re-exported: the columns hold these words
from storage.models.audit_cycle import ALLOCATION_STATES, Allocation, Audit, AuditMonth, TrailEvent
from storage.models.audit_forms import AuditFormVersion
from storage.models.base import NAMING, Base, UTCDateTime
from storage.models.broadcasts import BROADCAST_STATES, Broadcast, BroadcastRecipient
from storage.models.escalations import (
    MODERATION_STATES,
    Alert,
    AlertResponse,
    DipSample,
    DipSampleItem,
    Escalation,
    EscalationUpdate,
    Moderation,
    Reaudit,
    RemedialAction,
    RemedialPlan,
)
from storage.models.history import ImportedAudit
from storage.models.induction import InductionElement
from storage.models.intake import PREVIEW_STATES, FilePreview
from storage.models.observations import FeedbackEntry, FloorWalk, Observation
from storage.models.people import Channel, Conversation, Person, Team
from storage.models.qa_calendar import CalendarEvent, CalendarResponse
from storage.models.safeguarding import SafeguardingConcern
from storage.models.sampling import SamplePick, SampleProposal
from storage.models.spine import OUTBOX_STATES, BotState, DutyRun, FollowUp, Lease, OutboxMessage
from storage.models.supervision import (
    SUPERVISION_KINDS,
    SUPERVISION_STATES,
    AsyeSwitch,
    AwayPeriod,
    CaseExemption,
    CaseloadCase,
    SupervisionBooking,
    SupervisionSession,
)
from storage.models.training_needs import PdpPlan
from storage.models.workforce import WorkforceRecord

__all__ = [
    "ALLOCATION_STATES", "BROADCAST_STATES", "GRADES", "KEY_AREAS", "MODERATION_STATES", "NAMING", "OUTBOX_STATES",
    "PREVIEW_STATES", "ROLES", "SUPERVISION_KINDS", "SUPERVISION_STATES",
    "Alert", "AlertResponse", "Allocation", "AsyeSwitch", "Audit", "AuditFormVersion", "AuditMonth", "AwayPeriod", "Base", "BotState",
    "Broadcast", "BroadcastRecipient", "CalendarEvent", "CalendarResponse", "SafeguardingConcern", "CaseExemption", "CaseloadCase", "Channel", "Conversation",
    "DipSample", "DipSampleItem", "DutyRun", "Escalation", "EscalationUpdate", "FeedbackEntry", "FloorWalk",
    "FilePreview", "FollowUp", "ImportedAudit", "InductionElement", "Lease", "Moderation", "Observation", "OutboxMessage", "PdpPlan", "Person", "Reaudit", "RemedialAction",
    "RemedialPlan", "SamplePick", "SampleProposal", "SupervisionBooking", "SupervisionSession", "Team", "TrailEvent", "UTCDateTime",
    "WorkforceRecord",
]
