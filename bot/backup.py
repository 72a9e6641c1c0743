"""`python -m bot backup --out FILE`: a consistent copy of a SQLite database while the bot runs.

SQLite's online backup API copies the database page by page under its own read transaction, WAL
included, so the served app and the sweep go on writing meanwhile and the copy is one moment of
the database. It is written beside FILE and renamed, checked (`PRAGMA quick_check`, the schema's
revision) and never written over an existing file. Restoring is putting the file back where
DATABASE_URL points (the bot stopped), then `python -m bot doctor`.

PostgreSQL is backed up with its own tools (`pg_dump --format=custom`, `pg_restore`), which the
command prints; docs/operations.md has the whole procedure.
"""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from capabilities.registry import CommandError
from storage.db import sqlite_path

PAGES_PER_STEP = 1024  # pages copied between letting writers in (4 MB at SQLite's default page size)


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int  # bytes
    revision: str  # the schema's Alembic revision in the copy ("" when never migrated)

    def describe(self) -> str:
        return (f"backed up to {self.path} ({self.size / 1_000_000:.1f} MB, schema at "
                f"{self.revision or 'no revision'}); restore: stop the bot, put the file where DATABASE_URL "
                "points, then `python -m bot doctor`")


def postgres_commands(out: Path) -> str:
    """What to run for a PostgreSQL database (the address from DATABASE_URL, never printed here)."""
    return (f"PostgreSQL is backed up with its own tools: pg_dump --format=custom --file={out} \"$DATABASE_URL\"; "
            f"restore into an empty database with pg_restore --no-owner --dbname=\"$RESTORE_URL\" {out}, then "
            "`python -m bot doctor` with DATABASE_URL set to it checks the restored schema (docs/operations.md)")


def backup(database_url: str, out: Path) -> Backup:
    """Copy the SQLite database at `database_url` to `out` (which must not exist; its folder must).
    Raises CommandError for PostgreSQL (with the commands to use), a missing database or a bad `out`."""
    source = sqlite_path(database_url)
    if source is None:
        raise CommandError(postgres_commands(out))
    if not source.exists():
        raise CommandError(f"there is no database at {source}")
    if out.exists():
        raise CommandError(f"--out {out} exists already: choose a new name (a backup never writes over a file)")
    if not out.parent.is_dir():
        raise CommandError(f"--out {out}: the folder {out.parent} does not exist")
    partial = out.with_name(out.name + ".partial")
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30) as src, \
                sqlite3.connect(partial) as dst:
            src.backup(dst, pages=PAGES_PER_STEP)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise CommandError("the copy failed SQLite's check: nothing was written")
            revision = _revision(dst)
        src.close()
        dst.close()
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return Backup(out, out.stat().st_size, revision)


def _revision(conn: sqlite3.Connection) -> str:
    try:
        return ",".join(sorted(r[0] for r in conn.execute("SELECT version_num FROM alembic_version")))
    except sqlite3.OperationalError:  # never migrated
        return ""
