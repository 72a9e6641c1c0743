"""`python -m bot forms list` (the forms in use: name, kind, service areas or themes, version; and the
older versions kept, from the database when there is one: audits started on them keep them) and
`python -m bot forms check FILE` (a definition checked without installing it: exit 0, or each
problem with its line, exit 1)."""
from __future__ import annotations

import argparse
from pathlib import Path

from capabilities.audit_forms import config
from capabilities.audit_forms.definitions import check_file
from capabilities.context import Context
from capabilities.registry import CliCommand, CommandError
from storage.audit_forms import kept_versions
from storage.db import sqlite_path
from storage.migrate import schema_state


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


def describe_kept(forms: tuple, kept: list[tuple] | None) -> str:
    """The kept versions not in use (name, version, title, when put in use, UTC), one a line; or why
    none can be listed (`kept` None: no database yet)."""
    if kept is None:
        return "older versions kept: none listed (no database yet: run `python -m bot migrate`)"
    in_use = {(f.name, f.version) for f in forms}
    older = [k for k in kept if (k[0], k[1]) not in in_use]
    if not older:
        return "older versions kept: none"
    return "\n".join([f"{len(older)} older version{'s' if len(older) != 1 else ''} kept (audits started on "
                      "them keep them):"] + [f"  {name} v{version}  ({title}, in use from {at:%Y-%m-%d %H:%M} UTC)"
                                              for name, version, title, at in older])


async def _kept(ctx: Context) -> list[tuple] | None:
    """Every kept version, or None when there is no database (nothing is created) or it is not migrated."""
    path = sqlite_path(ctx.db.url)
    if path is not None and not path.exists():
        return None
    try:
        if not (await schema_state(ctx.db.engine)).at_head:
            return None
    except Exception:  # noqa: BLE001 - the forms in use are listed all the same
        return None
    async with ctx.db.sessions() as session:
        return await kept_versions(session)


async def _run(args: argparse.Namespace, ctx: Context) -> int:
    if args.action == "list":
        forms = config.load()
        print(describe_forms(forms))
        print(describe_kept(forms, await _kept(ctx)))
        return 0
    checked = check_file(args.file)
    if checked.form is None:
        raise CommandError("\n".join(f"{args.file.name} {problem}" for problem in checked.problems))
    form = checked.form
    print(f"{args.file.name}: {form.name} v{form.version}, a {form.kind} audit form for {form.for_whom()}, "
          f"{len(form.sections)} sections, {len(form.questions())} questions: no problems (not installed)")
    return 0


CLI = CliCommand("forms", "the audit forms in use (list) and checking a definition (check FILE)", _add, _run)
