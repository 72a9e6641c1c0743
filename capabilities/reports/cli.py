"""`python -m bot report ...`: the register and the analysis workbooks from the command line.

    report register --from YYYY-MM --to YYYY-MM [--out FILE.xlsx]
    report monthly --month YYYY-MM [--out FILE.xlsx]
    report quarterly --quarter YYYY-Qn [--out FILE.xlsx]
    report annual --year YYYY [--out FILE.xlsx]
Without --out a workbook goes in the output folder (QA_OUTPUT_DIR, default var/out).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from capabilities.context import Context
from capabilities.registry import CliCommand, CommandError, output_file
from capabilities.reports import build
from qa.audit_calendar import parse_month_key


def _add(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    register = sub.add_parser("register", help="the audit register: one row per allocation of the months given")
    register.add_argument("--from", dest="first", required=True, help="the first month, YYYY-MM")
    register.add_argument("--to", dest="last", required=True, help="the last month, YYYY-MM")
    register.add_argument("--out", type=Path, help="the .xlsx file to write (default: in QA_OUTPUT_DIR)")
    for name, option, example in (("monthly", "--month", "2026-11"), ("quarterly", "--quarter", "2026-Q4"),
                                  ("annual", "--year", "2026")):
        p = sub.add_parser(name, help=f"the {name} audit analysis workbook, with charts")
        p.add_argument(option, dest="period", required=True, help=f"e.g. {example}")
        p.add_argument("--out", type=Path, help="the .xlsx file to write (default: the report's own file name in QA_OUTPUT_DIR)")


def _out(path: Path) -> Path:
    if path.suffix.lower() != ".xlsx":
        raise CommandError(f"--out {path}: the file name must end in .xlsx")
    if not path.parent.is_dir():
        raise CommandError(f"--out {path}: the folder {path.parent} does not exist")
    return path


async def _run(args: argparse.Namespace, ctx: Context) -> int:
    if args.action == "register":
        for option, value in (("--from", args.first), ("--to", args.last)):
            try:
                parse_month_key(value)
            except ValueError as exc:
                raise CommandError(f"{option}: {exc}") from None
        if args.last < args.first:
            raise CommandError(f"--to {args.last} is before --from {args.first}")
        out = _out(args.out or output_file(args, f"audit-register-{args.first}-to-{args.last}.xlsx"))
        count = await build.register_file(ctx, args.first, args.last, out)
        print(f"wrote {out}: {count} allocation(s), {args.first} to {args.last}")
        return 0
    try:
        request = build.Request.parse(args.action, str(args.period))
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    made = await build.analysis_file(ctx, request, area=None)
    out = _out(args.out or output_file(args, made.name))
    out.write_bytes(made.data)
    print(f"wrote {out}: {made.description}")
    return 0


COMMANDS = (CliCommand("report", "the audit register and the audit analysis workbooks", _add, _run),)
