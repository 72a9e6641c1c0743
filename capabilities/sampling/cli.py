"""The audit sample's CLI (framework 9.3):

    sample propose FILE --month YYYY-MM [--seed N] [--theme THEME] [--out FILE.xlsx]
    sample confirm --month YYYY-MM

`propose` prints the summary (counts per service area, list and auditor; what could not be
satisfied; the columns of the file it ignored), keeps the proposal, and writes the list as a
workbook (without --out, sample-YYYY-MM.xlsx in the output folder, QA_OUTPUT_DIR). `confirm` turns the
month's proposal into its allocations, as `allocations import` would with the same list.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from capabilities.context import Context
from capabilities.registry import CliCommand, CommandError, output_file
from capabilities.sampling import config, workbook
from capabilities.sampling.flow import SampleError, confirm_sample, propose_sample
from storage.allocations import AllocationsRejected

MONTH_HELP = "the audit month, YYYY-MM (e.g. 2027-01)"
VIA_PROPOSE = "cli:sample propose"
VIA_CONFIRM = "cli:sample confirm"


def _add(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    prop = sub.add_parser("propose", help="propose the month's audit sample from an Annex A extract (.xlsx or .csv)")
    prop.add_argument("file", type=Path)
    prop.add_argument("--month", required=True, help=MONTH_HELP)
    prop.add_argument("--seed", type=int, help="the random draw's seed (default: a new one, printed and kept)")
    prop.add_argument("--theme", help="the month's theme (default: the QA calendar's thematic audit that month)")
    prop.add_argument("--out", type=Path, help="the .xlsx file to write (default: sample-YYYY-MM.xlsx in QA_OUTPUT_DIR)")
    conf = sub.add_parser("confirm", help="turn the month's proposed sample into its allocations")
    conf.add_argument("--month", required=True, help=MONTH_HELP)


def _out(path: Path) -> Path:
    if path.suffix.lower() != ".xlsx":
        raise CommandError(f"--out {path}: the file name must end in .xlsx")
    if not path.parent.is_dir():
        raise CommandError(f"--out {path}: the folder {path.parent} does not exist")
    return path


async def _run(args: argparse.Namespace, ctx: Context) -> int:
    if args.action == "confirm":
        try:
            report = await confirm_sample(ctx, args.month, actor_id=None, via=VIA_CONFIRM)
        except (SampleError, AllocationsRejected) as exc:
            raise CommandError(str(exc)) from None
        print(report.describe())
        return 0
    out = _out(args.out) if args.out else None
    try:
        report = await propose_sample(ctx, args.file, args.month, config.rules(), seed=args.seed, theme=args.theme,
                                      actor_id=None, via=VIA_PROPOSE)
    except SampleError as exc:
        raise CommandError(str(exc)) from None
    summary = report.describe()
    out = out or output_file(args, workbook.file_name(report.proposal.month))
    out.write_bytes(workbook.sample_workbook(report.proposal, report.names, summary.splitlines()))
    print(summary)
    print(f"wrote {out}; `python -m bot sample confirm --month {report.proposal.month}` makes it the month's allocations")
    return 0


CLI = CliCommand("sample", "the month's audit sample from the Annex A lists (propose FILE --month, confirm --month)",
                 _add, _run)
