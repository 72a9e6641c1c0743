"""`python -m bot ...` (from the repository root, with the project's virtual environment): the spine's
commands (serve, migrate, outbox status, tick, cards dump) and every capability's
registered subcommands (capabilities/catalogue.py), e.g. roster import, allocations import, cycle status and cycle close.

Every command reads settings once; a wrong setting or input ends with one clear line on
stderr and a non-zero exit, never a traceback. A command that reads or writes the database first
checks its schema and, when it is missing or behind, says in one line to run `migrate` (creating
nothing). A command prints its summary once; only `serve` logs at INFO (QA_LOG_FORMAT, bot/logs.py),
the others log warnings and errors only. Workbooks go under QA_OUTPUT_DIR unless --out names a file:
a capability's command finds the folder as `args.output_dir`.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from bot.settings import Settings, SettingsError
from capabilities.catalogue import registry
from capabilities.registry import CommandError, ConfigurationError

__all__ = ["CommandError", "main"]


def _parse_now(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date-time such as 2026-12-03T09:05:00+00:00") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no UTC offset; add one, e.g. +00:00")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="The children's services QA Teams bot.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="migrate, then serve the bot at http://localhost:$PORT/api/messages")
    serve.add_argument("--no-migrate", action="store_true",
                       help="do not migrate (a release step ran `migrate`); refuse to serve if the schema is behind")
    sub.add_parser("migrate", help="bring the database up to date (Alembic)")

    for command in registry().cli.values():  # each capability's own subcommands
        command.add(sub.add_parser(command.name, help=command.help))

    outbox = sub.add_parser("outbox", help="proactive messages").add_subparsers(dest="action", required=True)
    outbox.add_parser("status", help="counts by state and the oldest pending message's age")

    cards = sub.add_parser("cards", help="the Adaptive Cards the bot sends").add_subparsers(dest="action", required=True)
    cards_dump = cards.add_parser("dump", help="write every card, filled with sample data, as DIR/<name>.json")
    cards_dump.add_argument("dir", type=Path)

    sub.add_parser("doctor", help="check the deployment as a whole: one line per thing to fix; exit 0 only when none")
    backup = sub.add_parser("backup", help="copy the SQLite database while the bot runs (PostgreSQL: the commands to use)")
    backup.add_argument("--out", type=Path, required=True, help="the file to write (never an existing one)")

    tick = sub.add_parser("tick", help="run every duty due at --now, deliver the outbox, exit")
    tick.add_argument("--now", type=_parse_now, required=True, help="e.g. 2026-12-03T09:05:00+00:00")
    tick.add_argument("--wait-retries", type=float, default=30.0,
                      help="seconds to keep retrying throttled messages before exiting (default 30)")
    return parser


async def _with_services(settings: Settings, work: Callable[..., Awaitable[int]]) -> int:
    from bot.services import Services

    services = Services.create(settings)
    try:
        return await work(services)
    finally:
        await services.close()


async def _migrate(services) -> int:
    from storage.migrate import upgrade

    await upgrade(services.db.engine)
    print("database is up to date")
    return 0


async def _outbox_status(services) -> int:
    from storage.outbox import outbox_status

    print((await outbox_status(services.db, services.clock())).describe())
    return 0


async def _tick(services, now: datetime, wait_retries: float) -> int:
    from bot.server import freeze_start_up
    from bot.tick import tick

    # As `serve` does: a full collection mid-delivery no longer walks what start-up built (it
    # stalled the sender for 0.1-0.5 s, every turn late meanwhile).
    await freeze_start_up()
    report = await tick(services, now, wait_retries=wait_retries, signals=True)
    print(report.describe())
    return 0


# Commands that need no schema: they make it, check it themselves, or touch no database.
NO_SCHEMA_NEEDED = frozenset({"serve", "migrate", "cards", "doctor", "backup", "forms", "induction"})


async def _schema_ready(settings: Settings) -> None:
    """CommandError, in one line, when the database is missing or its schema behind this version's
    (nothing is created: a SQLite file that is not there stays not there)."""
    from storage.db import Database, sqlite_path
    from storage.migrate import schema_state

    path = sqlite_path(settings.database_url)
    if path is not None and not path.exists():
        raise CommandError(f"there is no database at {path} yet: run `python -m bot migrate` first")
    db = Database(settings.database_url)
    try:
        state = await schema_state(db.engine)
    except Exception as exc:  # noqa: BLE001 - whatever the driver raises: one line, no address
        raise CommandError(f"the database does not answer ({type(exc).__name__})") from None
    finally:
        await db.dispose()
    if state.behind:
        raise CommandError(f"the database's {state.describe()} first")


def _doctor(settings: Settings) -> int:
    from bot.clock import system_clock
    from bot.doctor import examine

    found = asyncio.run(examine(settings, system_clock()))
    print("\n".join(found.lines))
    return 0 if found.healthy else 1


def main(argv: list[str] | None = None) -> int:
    from bot import logs

    args = _parser().parse_args(argv)
    logs.configure("text", logging.WARNING)
    try:
        if args.command == "cards":  # needs no settings or database
            from bot.cards_dump import DumpError, run

            try:
                return run(args.dir)
            except DumpError as exc:
                raise CommandError(str(exc)) from None
        try:
            settings = Settings.from_env()
        except SettingsError as exc:
            if args.command == "doctor":  # the first thing to fix, in doctor's words
                print(f"fix: settings: {exc}")
                return 1
            raise
        logs.configure(settings.log_format, logging.INFO if args.command == "serve" else logging.WARNING)
        args.output_dir = settings.output_dir
        if args.command == "serve":
            from bot.server import serve

            serve(settings, migrate=not args.no_migrate)
            return 0
        if args.command == "doctor":
            return _doctor(settings)
        if args.command == "backup":
            from bot.backup import backup

            print(backup(settings.database_url, args.out).describe())
            return 0
        if args.command not in NO_SCHEMA_NEEDED:
            asyncio.run(_schema_ready(settings))
        if args.command == "migrate":
            work = _migrate
        elif args.command in registry().cli:
            run = registry().cli[args.command].run
            work = lambda s: run(args, s.context)  # noqa: E731
        elif args.command == "outbox":
            work = _outbox_status
        elif args.command == "tick":
            work = lambda s: _tick(s, args.now, args.wait_retries)  # noqa: E731
        else:  # pragma: no cover - argparse refuses unknown commands
            raise CommandError(f"unknown command {args.command}")
        return asyncio.run(_with_services(settings, work))
    except (SettingsError, ConfigurationError) as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except CommandError as exc:
        print(str(exc), file=sys.stderr)
        return 1
