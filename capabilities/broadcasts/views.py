"""What the QA unit reads about broadcasts: the recent list, one broadcast's report (counts and
percentages overall and by service area) and the per-recipient export (.xlsx)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from capabilities.context import Context
from dialogs.broadcast_cards import BroadcastLine, ReportView
from qa.broadcasts import summarise
from storage import broadcasts as store
from storage.models import Broadcast


async def recent_lines(ctx: Context, limit: int = 10) -> list[BroadcastLine]:
    async with ctx.db.sessions() as session:
        return [BroadcastLine(b.id, b.title, b.send_at, b.state, n) for b, n in await store.recent(session, limit)]


async def report_view(ctx: Context, broadcast_id: int, now: datetime) -> ReportView | None:
    """One broadcast's counts (qa.broadcasts.summarise) as of `now`; None for an unknown id."""
    async with ctx.db.sessions() as session:
        broadcast = await session.get(Broadcast, broadcast_id)
        if broadcast is None:
            return None
        counts = await store.status_counts(session, broadcast_id)
    overall, by_area = summarise(counts)
    return ReportView(broadcast.id, broadcast.title, broadcast.send_at, broadcast.state, broadcast.ask_ack, overall,
                      by_area, now, finished=overall.queued == 0)


COLUMNS = ("name", "email", "channel", "service_area", "status", "failure_reason", "teams_message_id", "sent_at",
           "read_at", "acknowledged_at")


async def export_xlsx(ctx: Context, broadcast_id: int, path: Path) -> int:
    """Every recipient's status, one row each, into a new workbook at `path`; the rows written.
    Raises LookupError for an unknown broadcast."""
    data, rows = await recipients_workbook(ctx, broadcast_id)
    path.write_bytes(data)
    return rows


async def recipients_workbook(ctx: Context, broadcast_id: int) -> tuple[bytes, int]:
    """Every recipient's status, one row each, as .xlsx bytes (the CLI's --out and the chat's export
    write the same), and the rows. Raises LookupError for an unknown broadcast."""
    import io

    from dialogs import workbooks  # only the export needs openpyxl

    async with ctx.db.sessions() as session:
        broadcast = await session.get(Broadcast, broadcast_id)
        if broadcast is None:
            raise LookupError(f"there is no broadcast {broadcast_id}")
        rows = await store.recipient_rows(session, broadcast_id)
    book = workbooks.openpyxl_workbook(write_only=True)
    sheet = book.create_sheet("Recipients")
    workbooks.append(sheet, COLUMNS)

    def when(value: datetime | None) -> str:
        return value.astimezone(ctx.calendar.tz).strftime("%Y-%m-%d %H:%M") if value else ""

    for r in rows:
        # A name or an area is text, never a formula (a staff name "=HYPERLINK(...)").
        workbooks.append(sheet, [r.name, r.email, r.channel_id or "", r.area, r.status, r.reason or "", r.activity_id or "",
                      when(r.sent_at), when(r.read_at), when(r.acknowledged_at)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), len(rows)
