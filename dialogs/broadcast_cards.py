"""Broadcasts' cards: the notice itself (with "I've read this" when an
acknowledgement is asked), its acknowledged and corrected forms, the chaser, the composer's
preview, and the QA unit's list and report. Pure: data in, card JSON out."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from dialogs.card_kit import (
    card,
    container,
    execute,
    facts,
    format_moment,
    heading,
    show_card,
    subheading,
    text,
    text_input,
)
from qa.broadcasts import FAILURE_REASONS, MESSAGE_MAX, TITLE_MAX, Counts, percent


class Verb:
    ACK = "broadcast.ack"
    REPORT = "broadcast.report"  # open one broadcast's report from the list (a new message)
    REFRESH = "broadcast.refresh"  # the report card, counted again, in place
    CANCEL = "broadcast.cancel"
    RECIPIENTS = "broadcast.recipients"  # every recipient's status as a workbook (file consent card)
    CORRECT = "broadcast.correct"  # the corrected message (and title) from the report card's form


CORRECT_MESSAGE, CORRECT_TITLE = "correct_message", "correct_title"


@dataclass(frozen=True)
class NoticeView:
    broadcast_id: int
    title: str
    message: str  # Markdown, as Teams renders it in a TextBlock
    link_url: str | None = None
    link_title: str | None = None
    ask_ack: bool = False
    from_name: str = "The QA unit"


def _link(view: NoticeView) -> list[dict]:
    if not view.link_url:
        return []
    return [{"type": "Action.OpenUrl", "title": view.link_title or "Open the link", "url": view.link_url}]


def _body(view: NoticeView, *, chaser: bool = False) -> list[dict]:
    body = [heading(view.title)]
    if chaser:
        body.append(text("A reminder: please read this notice and let us know you have.", weight="Bolder"))
    body += [text(view.message), text(f"From {view.from_name}", subtle=True, spacing="Small")]
    return body


def broadcast_card(view: NoticeView) -> dict:
    """The notice as it arrives, with "I've read this" when an acknowledgement is asked."""
    actions = _link(view)
    if view.ask_ack:
        actions.append(execute("I've read this", Verb.ACK, {"broadcast_id": view.broadcast_id}, style="positive"))
    return card(_body(view), actions)


def broadcast_chaser_card(view: NoticeView) -> dict:
    """The one reminder to someone who has neither read nor acknowledged the notice."""
    actions = _link(view) + [execute("I've read this", Verb.ACK, {"broadcast_id": view.broadcast_id},
                                     style="positive")]
    return card(_body(view, chaser=True), actions)


def acknowledged_card(view: NoticeView, at: datetime, tz: tzinfo) -> dict:
    """The notice after "I've read this": the button gives way to when it was acknowledged."""
    return card(_body(view) + [text(f"Acknowledged on {format_moment(at, tz)}", color="Good", weight="Bolder")],
                _link(view))


def corrected_card(view: NoticeView, at: datetime, tz: tzinfo, *, acknowledged_at: datetime | None = None) -> dict:
    """The notice as corrected by the QA unit (sent cards are updated in place)."""
    body = _body(view) + [text(f"Corrected on {format_moment(at, tz)}", subtle=True)]
    actions = _link(view)
    if acknowledged_at is not None:
        body.append(text(f"Acknowledged on {format_moment(acknowledged_at, tz)}", color="Good", weight="Bolder"))
    elif view.ask_ack:
        actions.append(execute("I've read this", Verb.ACK, {"broadcast_id": view.broadcast_id}, style="positive"))
    return card(body, actions)


def preview_card(view: NoticeView, *, audience: str, recipients: int, when: str) -> dict:
    """What the composer sees before confirming: the notice as people will see it, and to whom."""
    body = [text("Preview: this is how your notice will look.", subtle=True),
            container(_body(view), style="emphasis"),
            facts([("To", audience), ("Recipients", f"{recipients:,}"), ("When", when),
                   ("Acknowledgement", "asked" if view.ask_ack else "not asked")])]
    return card(body, _link(view))


@dataclass(frozen=True)
class BroadcastLine:
    broadcast_id: int
    title: str
    send_at: datetime
    state: str  # "scheduled", "sending", "cancelled"
    recipients: int


def broadcast_list_card(lines: Sequence[BroadcastLine], tz: tzinfo) -> dict:
    """The QA unit's recent broadcasts, newest first, each with its report."""
    body = [heading("Recent broadcasts")]
    if not lines:
        body.append(text("No broadcasts yet. Type broadcast to compose one."))
    for line in lines:
        state = {"cancelled": " (cancelled)"}.get(line.state, "")
        body.append(container([
            subheading(f"{line.title}{state}"),
            text(f"{format_moment(line.send_at, tz)} to {line.recipients:,} recipient"
                 f"{'s' if line.recipients != 1 else ''}", subtle=True),
            {"type": "ActionSet", "actions": [execute("Report", Verb.REPORT, {"broadcast_id": line.broadcast_id})]},
        ]))
    return card(body)


@dataclass(frozen=True)
class ReportView:
    broadcast_id: int
    title: str
    send_at: datetime
    state: str
    ask_ack: bool
    overall: Counts
    by_area: dict[str, Counts]
    as_of: datetime
    finished: bool  # nothing is queued any more


def _count_facts(counts: Counts, ask_ack: bool) -> dict:
    whole = counts.recipients
    pairs = [("Recipients", f"{whole:,}"),
             ("Sent", f"{counts.sent:,} ({percent(counts.sent, whole)})")]
    if counts.queued:
        pairs.append(("Queued", f"{counts.queued:,} ({percent(counts.queued, whole)})"))
    for reason in FAILURE_REASONS:
        if counts.failed.get(reason):
            pairs.append((f"Failed: {reason}", f"{counts.failed[reason]:,} ({percent(counts.failed[reason], whole)})"))
    for name, value in (("Cancelled", counts.cancelled), ("Withdrawn", counts.withdrawn),
                        ("Delivery record expired", counts.expired)):
        if value:
            pairs.append((name, f"{value:,} ({percent(value, whole)})"))
    pairs.append(("Read", f"{counts.read:,} ({percent(counts.read, counts.sent)} of sent)"))
    if ask_ack:
        pairs.append(("Acknowledged", f"{counts.acknowledged:,} ({percent(counts.acknowledged, counts.sent)} of sent)"))
    return facts(pairs)


def broadcast_report_card(view: ReportView, tz: tzinfo) -> dict:
    """Counts and percentages overall and by service area, with Refresh (and Cancel while unfinished)."""
    state = " (cancelled)" if view.state == "cancelled" else ""
    body = [heading(f"Broadcast: {view.title}{state}"),
            text(f"Sent from {format_moment(view.send_at, tz)}; as of {format_moment(view.as_of, tz)}", subtle=True),
            _count_facts(view.overall, view.ask_ack)]
    for area, counts in view.by_area.items():
        body += [subheading(area or "No service area"), _count_facts(counts, view.ask_ack)]
    ids = {"broadcast_id": view.broadcast_id}
    actions = [execute("Refresh", Verb.REFRESH, ids), execute("Recipients (Excel)", Verb.RECIPIENTS, ids)]
    if view.state != "cancelled":
        actions.append(show_card("Correct", [
            text("The corrected message replaces the sent cards in place, at Teams' pace; messages not yet sent "
                 "go corrected.", subtle=True),
            text_input(CORRECT_TITLE, "Title (leave empty to keep it)", max_length=TITLE_MAX),
            text_input(CORRECT_MESSAGE, "Corrected message", max_length=MESSAGE_MAX, multiline=True, required=True),
        ], [execute("Send the correction", Verb.CORRECT, ids, inputs="auto")]))
    if not view.finished and view.state != "cancelled":
        actions.append(execute("Cancel the rest", Verb.CANCEL, ids, style="destructive"))
    return card(body, actions)


def withdrawn_card(title: str) -> dict:
    """What a withdrawn notice's delete carries (the message itself is deleted; clients that keep a
    copy show this text)."""
    return card([text(f"The notice \"{title}\" was withdrawn by the QA unit.", subtle=True)])


def qa_unit_only_card() -> dict:
    """The answer to someone not on the QA unit who asks for broadcasts."""
    return card([heading("Broadcasts"), text("Broadcasts are for the QA unit.")])
