"""`python -m bot forms list` (the forms in use: name, kind, service areas or themes, version) and
`python -m bot forms check FILE` (a definition checked without installing it: exit 0, or each
problem with its line, exit 1)."""
from __future__ import annotations

import argparse
from pathlib import Path

from capabilities.audit_forms import config
from capabilities.audit_forms.definitions import check_file
from capabilities.context import Context
from capabilities.registry import CliCommand, CommandError


def _add(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("list", help="the audit forms in use (QA_FORMS_DIR): name, kind, service areas or themes, version")
    check = sub.add_parser("check", help="check an audit form definition (.json) without installing it")
    check.add_argument("file", type=Path)


def describe_forms(forms: tuple) -> str:
    """One line per form: name, version, kind, for whom, title."""
    lines = [f"{len(forms)} audit form{'s' if len(forms) != 1 else ''} in use ({config.forms_dir()}):"]
    lines += [f"  {f.name} v{f.version}  {f.kind} audit  {f.for_whom()}  ({f.title}, "
              f"{len(f.questions())} questions)" for f in forms]
    return "\n".join(lines)


async def _run(args: argparse.Namespace, ctx: Context) -> int:
    if args.action == "list":
        print(describe_forms(config.load()))
        return 0
    checked = check_file(args.file)
    if checked.form is None:
        raise CommandError("\n".join(f"{args.file.name} {problem}" for problem in checked.problems))
    form = checked.form
    print(f"{args.file.name}: {form.name} v{form.version}, a {form.kind} audit form for {form.for_whom()}, "
          f"{len(form.sections)} sections, {len(form.questions())} questions: no problems (not installed)")
    return 0


CLI = CliCommand("forms", "the audit forms in use (list) and checking a definition (check FILE)", _add, _run)
