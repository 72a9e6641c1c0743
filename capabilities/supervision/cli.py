"""Supervision's CLI: `supervision import FILE`, `supervision exempt CASE_REF --by EMAIL`, `supervision status
[--team T] [--area A]` and `caseload import FILE`."""
from __future__ import annotations

import argparse
from pathlib import Path

from capabilities.context import Context
from capabilities.file_import import cli_import
from capabilities.registry import CliCommand, CommandError
from capabilities.supervision import compliance, file_kinds
from qa.identifiers import first_refusal
from storage.supervision import (
    ExemptionError,
    set_exemption,
)


def _add_supervision(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    imp = sub.add_parser("import", help="import supervision history from a .csv or .xlsx file (supervisee_email, "
                                        "supervisor_email, kind, held_on, duration_minutes, case_refs)")
    imp.add_argument("file", type=Path)
    exempt = sub.add_parser("exempt", help="a service lead exempts a case from eight-weekly case supervision")
    exempt.add_argument("case_ref")
    exempt.add_argument("--by", required=True, metavar="EMAIL", help="the service lead recording it")
    exempt.add_argument("--remove", action="store_true", help="lift the exemption instead")
    exempt.add_argument("--reason", default=None, help="why (no names, dates of birth or addresses)")
    status = sub.add_parser("status", help="supervision compliance per team at the end of last month")
    status.add_argument("--team", default=None, help="only this team")
    status.add_argument("--area", default=None, help="only this service area")
    status.add_argument("--group", action="store_true",
                        help="group supervision held alone (what the Practice Development Team gets)")


async def _supervision(args: argparse.Namespace, ctx: Context) -> int:
    if args.action == "status":
        print(await compliance.status_text(ctx, team=args.team, area=args.area, group_only=args.group))
        return 0
    if args.action == "exempt":
        try:
            reason = (args.reason or "").strip() or None
            if reason and (refused := first_refusal({"The reason": reason})):
                raise CommandError(refused)
            changed = await set_exemption(ctx.db, args.case_ref, args.by, ctx.clock(), remove=args.remove,
                                          reason=reason)
        except ExemptionError as exc:
            raise CommandError(str(exc)) from None
        what = "exemption lifted" if args.remove else "exempt from case supervision"
        print(f"{args.case_ref}: {what}" if changed else f"{args.case_ref}: already so; nothing changed")
        return 0
    await cli_import(ctx, file_kinds.SESSIONS, args.file, via="cli:supervision import")
    return 0


def _add_caseload(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    imp = sub.add_parser("import", help="replace the caseload with a .csv or .xlsx export (case_ref, "
                                        "case_holder_email, last_case_supervision_on)")
    imp.add_argument("file", type=Path)


async def _caseload(args: argparse.Namespace, ctx: Context) -> int:
    await cli_import(ctx, file_kinds.CASELOAD, args.file, via="cli:caseload import")
    return 0


COMMANDS = (
    CliCommand("supervision", "supervision records (framework 9.1): import history, compliance status",
               _add_supervision, _supervision),
    CliCommand("caseload", "the practitioners' caseloads, for case supervision", _add_caseload, _caseload),
)
