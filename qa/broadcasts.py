"""Broadcasts' rules (framework 9.3's practice weeks): when a notice may be sent, what
a recipient's delivery status is, the counts the QA unit's report shows, and when the one chaser
goes. Pure: no database, no Teams; `now` and the working calendar are passed in.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from qa.calendar import WorkingCalendar

TITLE_MAX = 200
MESSAGE_MAX = 4000
LINK_MAX = 1000
CHASER_WORKING_DAYS = 3

# Statuses a recipient can be in, in the report's order.
QUEUED, SENT, FAILED, CANCELLED, WITHDRAWN = "queued", "sent", "failed", "cancelled", "withdrawn"
EXPIRED = "expired"  # its delivery record was purged with the outbox (past its retention period)
# Why a message did not reach someone.
BLOCKED, UNINSTALLED, NOT_FOUND, NOT_INSTALLED, LEFT, OTHER = (
    "blocked", "uninstalled", "not found", "not installed", "left", "other")
FAILURE_REASONS = (BLOCKED, UNINSTALLED, NOT_FOUND, NOT_INSTALLED, LEFT, OTHER)
CANCELLED_REASON = "broadcast cancelled"  # the outbox's undeliverable reason for rows a cancel stopped


class BroadcastRefused(ValueError):  # noqa: N818 - reads better at the raise site
    """What is wrong with a broadcast as composed; one sentence for the composer."""


def failure_reason(undeliverable_reason: str | None) -> str:
    """The outbox's undeliverable reason (bot/sender.py's words) as one of FAILURE_REASONS."""
    reason = (undeliverable_reason or "").lower()
    if reason.startswith("blocked or uninstalled"):
        # Teams' 403 sub-code says which when it gives one; without one, the user blocked the bot.
        return UNINSTALLED if ("roster" in reason or "uninstall" in reason.split("(")[-1]) else BLOCKED
    if "uninstall" in reason or "removed" in reason:
        return UNINSTALLED
    if "blocked" in reason:
        return BLOCKED
    if "404" in reason or "not found" in reason:
        return NOT_FOUND
    if "not installed" in reason:
        return NOT_INSTALLED
    if reason == "left":
        return LEFT
    return OTHER


def status_of(outbox_state: str | None, undeliverable_reason: str | None, *, failure: str | None,
              withdrawn: bool) -> tuple[str, str | None]:
    """(status, failure reason or None) of one recipient from its outbox row's state."""
    if withdrawn:
        return WITHDRAWN, None
    if failure:
        return FAILED, failure
    if outbox_state is None:
        return EXPIRED, None
    if outbox_state == "sent":
        return SENT, None
    if outbox_state == "undeliverable":
        if undeliverable_reason == CANCELLED_REASON:
            return CANCELLED, None
        return FAILED, failure_reason(undeliverable_reason)
    return QUEUED, None


def check_send_at(at: datetime, now: datetime, cal: WorkingCalendar) -> None:
    """A scheduled send must be in the future (or now) and inside working hours (a working day,
    within the send window, local time). Raises BroadcastRefused saying why."""
    if at.tzinfo is None:
        raise BroadcastRefused("give the time with its zone (e.g. 2027-01-11T09:00+00:00)")
    if at < now:
        raise BroadcastRefused("that time has passed; choose now or a later time")
    if not cal.within_send_window(at):
        raise BroadcastRefused(f"send times must be on a working day between {cal.window_start:%H:%M} and "
                               f"{cal.window_end:%H:%M}")


def chaser_due(sent_at: datetime, cal: WorkingCalendar, days: int = CHASER_WORKING_DAYS) -> datetime:
    """When the one chaser goes: `days` working days after the send's local day, at the send time
    (09:00 local), UTC. Raises ValueError for days < 1."""
    if days < 1:
        raise ValueError("the chaser goes at least 1 working day later")
    return cal.at_send_time(cal.add_working_days(cal.local_date(sent_at), days))


@dataclass
class Counts:
    recipients: int = 0
    queued: int = 0
    sent: int = 0
    cancelled: int = 0
    withdrawn: int = 0
    expired: int = 0
    failed: Counter = field(default_factory=Counter)  # reason -> recipients
    read: int = 0
    acknowledged: int = 0

    @property
    def failed_total(self) -> int:
        return sum(self.failed.values())

    def add(self, status: str, reason: str | None, read: bool, acknowledged: bool, n: int = 1) -> None:
        """Count `n` recipients in this status."""
        self.recipients += n
        if status == FAILED:
            self.failed[reason or OTHER] += n
        else:
            setattr(self, status, getattr(self, status) + n)
        self.read += n * (read or acknowledged)  # acknowledging a notice is reading it
        self.acknowledged += n * acknowledged


def percent(part: int, whole: int) -> str:
    """"37%" of a whole; "-" when there is nothing to count."""
    return f"{round(100 * part / whole)}%" if whole else "-"


@dataclass(frozen=True)
class RecipientStatus:
    area: str
    status: str
    reason: str | None
    read: bool
    acknowledged: bool


def summarise(rows: Iterable[RecipientStatus | tuple[RecipientStatus, int]]) -> tuple[Counts, dict[str, Counts]]:
    """Counts overall and by service area ("" for people with none: the report says "No area"),
    from one status per recipient or (status, how many recipients) pairs."""
    overall = Counts()
    by_area: dict[str, Counts] = {}
    for item in rows:
        row, n = item if isinstance(item, tuple) else (item, 1)
        overall.add(row.status, row.reason, row.read, row.acknowledged, n)
        by_area.setdefault(row.area, Counts()).add(row.status, row.reason, row.read, row.acknowledged, n)
    return overall, dict(sorted(by_area.items()))


def message_order(activity_id: str | None) -> tuple[str, int] | None:
    """A Teams message id as something to compare "at or before" by: personal-chat message ids are
    epoch milliseconds ("1735725600000" -> ("", 1735725600000)); an id with a numeric tail after a
    prefix ("activity-12", as test doubles give) compares within its prefix. None: not comparable."""
    if not activity_id:
        return None
    head = activity_id.rstrip("0123456789")
    tail = activity_id[len(head):]
    if not tail or len(tail) > 30:
        return None
    return head, int(tail)


def read_by(last_read: str, sent: str | None) -> bool:
    """Whether a message with id `sent` is read when the user has read up to `last_read` (the read
    receipt's lastReadMessageId): the same message, or an earlier one in the same chat."""
    if not sent:
        return False
    if sent == last_read:
        return True
    a, b = message_order(sent), message_order(last_read)
    return a is not None and b is not None and a[0] == b[0] and a[1] <= b[1]
