"""`python -m bot broadcast send|list|report|cancel|correct`: the QA unit's broadcasts from the
command line (the operator acts for the QA unit)."""
from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from capabilities.broadcasts import config, flow, views
from capabilities.context import Context
from capabilities.kit import Outcome
from capabilities.registry import CliCommand, CommandError
from qa.broadcasts import percent


def _add(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    send = sub.add_parser("send", help="queue a broadcast to an audience")
    send.add_argument("--title", required=True)
    send.add_argument("--message-file", required=True, type=Path, help="the message, Markdown as Teams shows it")
    send.add_argument("--audience", action="append", required=True,
                      help="everyone, role=ROLE, area=SERVICE AREA, team=TEAM or channel=ID (repeat to mix)")
    send.add_argument("--ack", action="store_true", help="ask for an acknowledgement (\"I've read this\")")
    send.add_argument("--at", help="when to send, ISO 8601 with its zone, inside working hours (default: now)")
    send.add_argument("--link", help="an https:// link to show as a button")
    send.add_argument("--link-title", help="the link button's words")
    sub.add_parser("list", help="the recent broadcasts")
    report = sub.add_parser("report", help="one broadcast's counts; --out FILE.xlsx for every recipient's status")
    report.add_argument("id", type=int)
    report.add_argument("--out", type=Path)
    cancel = sub.add_parser("cancel", help="send nothing more; withdraw the messages already sent")
    cancel.add_argument("id", type=int)
    cancel.add_argument("--keep-sent", action="store_true", help="do not withdraw the messages already sent")
    correct = sub.add_parser("correct", help="correct the message; sent cards are updated in place")
    correct.add_argument("id", type=int)
    correct.add_argument("--message-file", required=True, type=Path)
    correct.add_argument("--title")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: cannot be read as UTF-8 text ({type(exc).__name__})") from None


def _at(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--at {value!r} is not an ISO 8601 date and time (e.g. 2027-01-11T09:00+00:00)") from None
    if at.tzinfo is None:
        raise CommandError("--at needs its time zone (e.g. 2027-01-11T09:00+00:00 or ...Z)")
    return at


O = TypeVar("O", bound=Outcome)  # noqa: E741 - the use case's Outcome type


def _done(outcome: O) -> O:
    if not outcome.changed:
        raise CommandError(outcome.message)
    return outcome


async def _run(args: argparse.Namespace, ctx: Context) -> int:
    if args.action == "send":
        draft = flow.Draft(args.title, _read(args.message_file), args.audience, args.ack, _at(args.at),
                           args.link, args.link_title)
        sent = _done(await flow.send(ctx, None, draft, now=ctx.clock(), via="cli:broadcast send",
                                     chaser_days=config.from_env().chaser_days))
        print(f"broadcast {sent.broadcast_id} queued to {sent.recipients} recipient"
              f"{'s' if sent.recipients != 1 else ''}, from {sent.send_at:%Y-%m-%d %H:%M} UTC")
    elif args.action == "list":
        for line in await views.recent_lines(ctx, 50):
            print(f"{line.broadcast_id}\t{line.send_at:%Y-%m-%d %H:%M}\t{line.state}\t{line.recipients}\t"
                  f"{line.title}")
    elif args.action == "report":
        view = await views.report_view(ctx, args.id, ctx.clock())
        if view is None:
            raise CommandError(f"there is no broadcast {args.id}")
        c = view.overall
        print(f"broadcast {view.broadcast_id} ({view.state}): {c.recipients} recipients, {c.sent} sent, "
              f"{c.queued} queued, {c.failed_total} failed, {c.read} read ({percent(c.read, c.sent)}), "
              f"{c.acknowledged} acknowledged ({percent(c.acknowledged, c.sent)})")
        for reason, count in sorted(c.failed.items()):
            print(f"  failed, {reason}: {count}")
        if args.out is not None:
            if args.out.suffix.lower() != ".xlsx":
                raise CommandError("--out must name a .xlsx file")
            written = await views.export_xlsx(ctx, args.id, args.out)
            print(f"{written} recipient(s) written to {args.out}")
    elif args.action == "cancel":
        done = _done(await flow.cancel(ctx, None, args.id, now=ctx.clock(), via="cli:broadcast cancel",
                                       withdraw=not args.keep_sent))
        print(f"broadcast {args.id} cancelled: {done.stopped} not sent, {done.withdrawn} sent message(s) "
              "to withdraw")
    elif args.action == "correct":
        done = _done(await flow.correct(ctx, None, args.id, _read(args.message_file), args.title, now=ctx.clock(),
                                        via="cli:broadcast correct"))
        print(f"broadcast {args.id} corrected: {done.updated} sent card(s) to update in place, "
              f"{done.queued} queued message(s) will go corrected")
    return 0


CLI = CliCommand("broadcast", "the QA unit's broadcasts: send, list, report, cancel, correct", _add, _run)
