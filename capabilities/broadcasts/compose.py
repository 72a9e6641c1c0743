"""The `broadcast` conversation's use-case side (dialogs/broadcast_compose.py asks the questions):
who may compose (the QA unit, re-checked on every step that matters), the checks on the typed
audience and time, the preview card with the number of recipients, and queueing it (flow.send)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from capabilities.broadcasts import access, config, flow
from capabilities.context import Context
from dialogs.broadcast_cards import NoticeView, preview_card
from dialogs.broadcast_compose import BroadcastDialog, ComposeHooks, Preview
from dialogs.card_kit import format_moment
from qa.audience import AudienceError, parse_audience
from qa.broadcasts import BroadcastRefused, check_send_at
from storage.people import active_person


def audience_terms(text: str) -> list[str]:
    return [t for t in (p.strip() for p in (text or "").split(";")) if t]


def parse_when(text: str, ctx: Context, now: datetime) -> datetime | None:
    """None for "now"; else the local date and time typed (YYYY-MM-DD HH:MM, council time zone).
    Raises BroadcastRefused."""
    words = " ".join((text or "").split())
    if words.lower() in ("now", "straight away", "immediately"):
        return None
    try:
        at = datetime.fromisoformat(words.replace(" ", "T", 1) if " " in words else words)
    except ValueError:
        raise BroadcastRefused(f"{words!r} is not now or a date and time such as 2027-01-11 09:00") from None
    at = at.replace(tzinfo=ctx.calendar.tz) if at.tzinfo is None else at
    check_send_at(at, now, ctx.calendar)
    return at


def _draft(values: dict[str, Any], ctx: Context, now: datetime) -> flow.Draft:
    return flow.Draft(values.get("title") or "", values.get("message") or "", audience_terms(values.get("audience")),
                      bool(values.get("ack")), parse_when(values.get("when") or "", ctx, now), values.get("link"))


def compose_dialog(ctx: Context) -> BroadcastDialog:
    chaser_days = config.from_env().chaser_days  # read once, where the conversation is built

    async def allowed(actor_id: int | None) -> bool:
        async with ctx.db.sessions() as session:
            return access.may_broadcast(await active_person(session, actor_id))

    async def check_audience(text: str) -> str | None:
        try:
            audience = parse_audience(audience_terms(text))
        except AudienceError as exc:
            return str(exc)
        if not audience.terms:
            return "type everyone, or who it is for"
        if await flow.count_recipients(ctx, audience) == 0:
            return "nobody on the roster (or no channel with the bot) is in that audience"
        return None

    def check_when(text: str) -> str | None:
        try:
            parse_when(text, ctx, ctx.clock())
        except BroadcastRefused as exc:
            return str(exc)
        return None

    async def preview(actor_id: int | None, values: dict[str, Any]) -> Preview:
        if not await allowed(actor_id):
            return Preview(None, 0, "Broadcasts are for the QA unit")
        now = ctx.clock()
        try:
            checked = flow.check(_draft(values, ctx, now), now, ctx)
        except BroadcastRefused as exc:
            return Preview(None, 0, str(exc)[:1].upper() + str(exc)[1:])
        count = await flow.count_recipients(ctx, checked.audience)
        d = checked.draft
        view = NoticeView(0, d.title, d.message, d.link_url, d.link_title, d.ask_ack)
        when = "now" if d.at is None else format_moment(d.at, ctx.calendar.tz)
        return Preview(preview_card(view, audience=checked.audience.describe(), recipients=count, when=when), count)

    async def send(actor_id: int | None, values: dict[str, Any]) -> str:
        if not await allowed(actor_id):
            return "Broadcasts are for the QA unit; nothing was sent."
        now = ctx.clock()
        try:
            draft = _draft(values, ctx, now)
        except BroadcastRefused as exc:
            return f"Nothing was sent: {exc}."
        sent = await flow.send(ctx, actor_id, draft, now=now, via="dialog:broadcast", chaser_days=chaser_days)
        if not sent.changed:
            return f"Nothing was sent: {sent.message}."
        return (f"Broadcast {sent.broadcast_id} is on its way to {sent.recipients:,} recipient"
                f"{'s' if sent.recipients != 1 else ''}. Type broadcast report to see who received, read and "
                "acknowledged it.")

    return BroadcastDialog(ComposeHooks(allowed, check_audience, check_when, preview, send))
