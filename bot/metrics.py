"""What the IT team watches: `GET /metrics` in Prometheus's text format (prometheus-client).

One `Metrics` per Services (its own CollectorRegistry, never the process-global one), so two apps
in one process, or two tests, never share counts. The rest of the bot reports through small
hooks (`metrics.of(services).send_answered(429)`); the outbox's depth is read from the database
when Prometheus scrapes (`refresh`), not kept in memory, so every instance reports the same rows.

Labels hold only words the code defines (an outcome, a duty's or a kind's name, a registered
verb, an HTTP status class), never a person, a case reference or free text:
tests/test_metrics.py scans every label value.

`/metrics` is off unless QA_METRICS_TOKEN is set; then it answers only a request bearing
`Authorization: Bearer <token>` (compared in constant time).
"""
from __future__ import annotations

import hmac
import re
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from storage.db import Database
from storage.gauges import OutboxGauges, outbox_gauges

if TYPE_CHECKING:
    from bot.graph import GraphInstaller

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Turn latency buckets in seconds: a turn's target is well under a second (docs/performance.md).
TURN_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
SWEEP_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0)
TURN_KINDS = frozenset({"message", "invoke", "event", "conversationUpdate", "installationUpdate",
                        "messageReaction", "typing"})
INVOKE_NAMES = frozenset({"adaptiveCard/action", "fileConsent/invoke", "composeExtension/query"})
LANES = ("urgent", "normal", "bulk")


def send_outcome(status: int | None) -> str:
    """The outcome label for one answer from Teams (None: no answer, a timeout or refused connection)."""
    if status is None:
        return "timeout"
    if 200 <= status < 300:
        return "sent"
    if status in (429, 412, 403, 404):
        return str(status)
    if status >= 500:
        return "5xx"
    return "4xx"


def reason_label(reason: str) -> str:
    """An undeliverable reason as a label: its words without the detail in brackets, with the
    status code kept ("blocked or uninstalled (403 MessageWritesBlocked)" -> "blocked or
    uninstalled 403"); bounded to 40 characters of letters, digits and spaces."""
    words, _, detail = reason.partition("(")
    code = re.match(r"\s*(\d{3})", detail)
    label = re.sub(r"[^a-z0-9 ]+", "", words.lower()).strip()
    return (f"{label} {code.group(1)}" if code else label)[:40] or "unknown"


class _OutboxCollector(Collector):
    """The outbox's depth as read by the last `Metrics.refresh` (rows by state and lane, the oldest
    due row's age, lapsed claims)."""

    def __init__(self) -> None:
        self.gauges: OutboxGauges | None = None
        self.lanes: dict[str, str] = {}

    def collect(self) -> Iterator[GaugeMetricFamily]:
        rows = GaugeMetricFamily("qa_outbox_rows", "Outbox rows by state and lane", labels=["state", "lane"])
        oldest = GaugeMetricFamily("qa_outbox_oldest_due_age_seconds",
                                   "Age of the oldest due row not yet sent or given up (0: none waiting)")
        lapsed = GaugeMetricFamily("qa_outbox_lapsed_claims",
                                   "Rows claimed by a sender whose claim ran out (it died): the next claim takes them over")
        if self.gauges is not None:
            totals: dict[tuple[str, str], int] = {}
            for (state, kind), count in self.gauges.by_state_and_kind.items():
                key = (state, self.lanes.get(kind, "normal"))
                totals[key] = totals.get(key, 0) + count
            for (state, lane), count in sorted(totals.items()):
                rows.add_metric([state, lane], count)
            oldest.add_metric([], self.gauges.oldest_due_age_seconds)
            lapsed.add_metric([], self.gauges.lapsed_claims)
        yield rows
        yield oldest
        yield lapsed

    def describe(self) -> Iterable[GaugeMetricFamily]:
        return []  # read at collect time only (the registry must not call collect when registering)


class Metrics:
    """The bot's instruments on one registry. Hooks are plain method calls costing microseconds."""

    def __init__(self) -> None:
        r = self.registry = CollectorRegistry(auto_describe=False)
        self.sends = Counter("qa_outbox_sends", "Answers from Teams to outbox sends, by outcome "
                             "(sent, 429, 412, 403, 404, 5xx, 4xx, timeout)", ["outcome"], registry=r)
        self.undeliverable = Counter("qa_outbox_undeliverable_rows", "Outbox rows given up, by reason",
                                     ["reason"], registry=r)
        self.retries = Counter("qa_outbox_retries", "Failed sends scheduled to be tried again (rows)", registry=r)
        self.sweep_duration = Histogram("qa_sweep_duty_duration_seconds", "Time one sweep spent on a duty",
                                        ["duty"], buckets=SWEEP_BUCKETS, registry=r)
        self.sweep_failures = Counter("qa_sweep_duty_failures", "Duty occurrences that failed (rolled back, retried)",
                                      ["duty"], registry=r)
        self.sweep_last_success = Gauge("qa_sweep_last_success_timestamp_seconds",
                                        "When this instance last finished a sweep (Unix time; 0: never)", registry=r)
        self.turns = Counter("qa_turns", "Activities from Teams handled, by kind", ["kind"], registry=r)
        self.turn_seconds = Histogram("qa_turn_duration_seconds", "Time to handle one activity, by kind",
                                      ["kind"], buckets=TURN_BUCKETS, registry=r)
        self.presses = Counter("qa_card_presses", "Card buttons pressed, by registered verb", ["verb"], registry=r)
        self.dialogs_started = Counter("qa_dialogs_started", "Conversations begun, by dialog", ["dialog"], registry=r)
        self.dialogs_finished = Counter("qa_dialogs_finished", "Conversations ended, by how", ["how"], registry=r)
        self.imports = Counter("qa_imports", "Files imported (roster, allocations, calendar ...) by outcome",
                               ["kind", "outcome"], registry=r)
        self.graph_installs = Counter("qa_graph_installs", "App installs through Microsoft Graph, by outcome",
                                      ["outcome"], registry=r)
        self._outbox = _OutboxCollector()
        r.register(self._outbox)
        self._verbs: frozenset[str] | None = None

    # -- hooks ---------------------------------------------------------------------------------
    def send_answered(self, status: int | None) -> None:
        self.sends.labels(outcome=send_outcome(status)).inc()

    def delivered(self, report: Any) -> None:
        """What one round of delivery did (bot/sender.py DeliveryReport): retries scheduled and rows
        given up, by reason."""
        if report.retried:
            self.retries.inc(report.retried)
        for reason, count in report.undeliverable.items():
            if count:
                self.undeliverable.labels(reason=reason_label(reason)).inc(count)

    def swept(self, duty: str, seconds: float, *, failed: int = 0) -> None:
        self.sweep_duration.labels(duty=duty).observe(seconds)
        if failed:
            self.sweep_failures.labels(duty=duty).inc(failed)

    def sweep_finished(self, at: float | None = None) -> None:
        """A sweep ran to its end (or found another instance sweeping): `at` Unix seconds, now by default."""
        self.sweep_last_success.set(time.time() if at is None else at)

    def last_sweep(self) -> float:
        """Unix seconds of this instance's last finished sweep; 0.0 when none yet."""
        return self.sweep_last_success._value.get()

    def turn(self, kind: object, seconds: float) -> None:
        kind = kind if isinstance(kind, str) and (kind in TURN_KINDS or kind in INVOKE_NAMES) else "other"
        self.turns.labels(kind=kind).inc()
        self.turn_seconds.labels(kind=kind).observe(seconds)

    def pressed(self, verb: object) -> None:
        if self._verbs is None:
            from capabilities.catalogue import registry

            self._verbs = frozenset(registry().verbs)
        self.presses.labels(verb=verb if isinstance(verb, str) and verb in self._verbs else "unknown").inc()

    def dialog(self, what: str, dialog_id: str = "") -> None:
        """A conversation `started` (its dialog id, as registered) or ended: `completed`, `cancelled`
        (cancel or stop) or `expired` (an hour idle)."""
        if what == "started":
            self.dialogs_started.labels(dialog=dialog_id).inc()
        else:
            self.dialogs_finished.labels(how=what).inc()

    def graph_installed(self, installed: Any) -> None:
        """One install through Graph (bot/graph.py Installed): installed, throttled or failed."""
        outcome = "installed" if installed.chat_id else "throttled" if installed.retry_after else "failed"
        self.graph_installs.labels(outcome=outcome).inc()

    def imported(self, kind: str, outcome: str) -> None:
        self.imports.labels(kind=kind, outcome=outcome).inc()

    # -- scraping ------------------------------------------------------------------------------
    async def refresh(self, db: Database, now: datetime) -> None:
        """Read the outbox's depth for the next `exposition` (one grouped query)."""
        if not self._outbox.lanes:
            from capabilities.catalogue import registry

            self._outbox.lanes = {name: kind.lane for name, kind in registry().kinds.items()}
        self._outbox.gauges = await outbox_gauges(db, now)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


_FALLBACK = Metrics()


def of(holder: object) -> Metrics:
    """The Metrics of a Services (or anything carrying `metrics`); a shared spare for the
    stand-ins tests build, so a hook never needs an `if`."""
    return getattr(holder, "metrics", None) or _FALLBACK


def counted_installs(installer: "GraphInstaller", instruments: Metrics) -> "GraphInstaller":
    """`installer` with each install's outcome counted in `instruments`."""
    install = installer.install

    async def counted(aad_object_id: str, wall_now: Any) -> Any:
        installed = await install(aad_object_id, wall_now)
        instruments.graph_installed(installed)
        return installed

    installer.install = counted  # type: ignore[method-assign]
    return installer


def token_matches(header: str | None, token: str) -> bool:
    """`Authorization: Bearer <token>`, compared in constant time."""
    scheme, _, given = (header or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
