"""`python -m bot doctor`: a deployment checked as a whole, one line per thing to fix.

Each line starts `fix:` (the bot cannot do its work until it is done) or `ok:`/`note:` (what was
found, for the record). Checked, in order: the settings; the database answers and its schema is
at head; the roster (people by role, people with no Entra object id, service areas with no service
lead, no QA unit member); the Teams package (build/teams-app.zip) built for this MicrosoftAppId;
Microsoft Graph configured when people have no chat with the bot (broadcasts need it to reach
them); the time zone and the next five moments the sweep will act; each service lead and auditor
has a chat with the bot. The exit status is 0 only when no line says `fix:`.
"""
from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bot.settings import PROJECT_ROOT, Settings
from capabilities.catalogue import default_duties
from capabilities.duties import Duty
from qa.framework import Role
from storage.db import Database
from storage.deployment import roster_facts
from storage.migrate import schema_state

PACKAGE = PROJECT_ROOT / "build" / "teams-app.zip"
LOOK_AHEAD = timedelta(days=14)
STEP = timedelta(minutes=15)  # the finest cadence (qa/cadence.py SendWindowSlots)


@dataclass
class Findings:
    lines: list[str] = field(default_factory=list)

    def fix(self, text: str) -> None:
        self.lines.append(f"fix: {text}")

    def ok(self, text: str) -> None:
        self.lines.append(f"ok: {text}")

    def note(self, text: str) -> None:
        self.lines.append(f"note: {text}")

    @property
    def healthy(self) -> bool:
        return not any(line.startswith("fix:") for line in self.lines)


def next_moments(duties: list[Duty], now: datetime, count: int = 5) -> list[tuple[datetime, str]]:
    """The next moment after `now` (aware) of each of the first `count` duties to have a new
    occurrence due: (due at, duty name), earliest first, looking up to two weeks ahead in 15-minute
    steps (one line per duty, so a duty that looks every 15 minutes does not fill the list)."""
    seen = {(d.name, o.key) for d in duties for o in d.occurrences(now)}
    found: dict[str, datetime] = {}
    at = now
    while len(found) < count and at < now + LOOK_AHEAD:
        at += STEP
        for duty in duties:
            if duty.name in found:
                continue
            fresh = [o.due_at for o in duty.occurrences(at) if (duty.name, o.key) not in seen]
            if fresh:
                found[duty.name] = min(fresh)
    return sorted((due, name) for name, due in found.items())[:count]


def package_app_id(path: Path = PACKAGE) -> str | None:
    """The bot id the Teams package at `path` was built for; None when there is no readable package."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
        return str(manifest["bots"][0]["botId"])
    except (OSError, KeyError, IndexError, ValueError, zipfile.BadZipFile):
        return None


async def examine(settings: Settings, now: datetime, *, package: Path = PACKAGE) -> Findings:
    """Every check at `now` (aware), in the order of the module's docstring."""
    found = Findings()
    found.ok(f"settings read (database: {settings.database_url.split(':', 1)[0]}, time zone {settings.timezone})")
    if not settings.app_id:
        found.note("no MicrosoftAppId: local development (no authentication, no Teams)")
    db = Database(settings.database_url)
    try:
        try:
            state = await schema_state(db.engine)
        except Exception as exc:  # noqa: BLE001 - any driver error means it does not answer
            found.fix(f"the database does not answer ({type(exc).__name__}): check DATABASE_URL and the server")
            return found
        (found.ok if state.at_head else found.note if state.ahead else found.fix)(f"database answers; {state.describe()}")
        if state.behind:
            return found
        facts = await roster_facts(db)
    finally:
        await db.dispose()

    total = sum(facts.by_role.values())
    if not total:
        found.fix("the roster is empty: `python -m bot roster import staff.xlsx` (docs/roster.md)")
    else:
        found.ok(f"roster: {total} active people (" + ", ".join(f"{role} {n}" for role, n in sorted(facts.by_role.items())) + ")")
        if not facts.by_role.get(Role.QA_UNIT):
            found.fix("nobody on the roster has the role qa_unit: the QA unit's notices have no one to go to")
        for area in facts.areas_without_lead:
            found.fix(f"service area {area!r} has no service lead on the roster: its oversight requests go to no one")
        if facts.without_entra_id:
            found.note(f"{facts.without_entra_id} people have no aad_object_id: their chats are linked by email "
                       "only, and Graph cannot install the app for them")

    built_for = package_app_id(package)
    if not settings.app_id:
        pass
    elif built_for is None:
        found.fix(f"no Teams package at {package}: `MicrosoftAppId={settings.app_id} make package`, then upload it")
    elif built_for != settings.app_id:
        found.fix(f"the Teams package was built for app id {built_for}, not this MicrosoftAppId: rebuild it (make package)")
    else:
        found.ok("the Teams package is built for this MicrosoftAppId")

    if total and facts.no_chat_at_all:
        if settings.teams_catalog_app_id and settings.app_id:
            found.ok(f"{facts.no_chat_at_all} people have no chat yet; broadcasts install the app for them through Graph")
        else:
            found.note(f"{facts.no_chat_at_all} people have no chat with the bot: broadcasts report them \"not installed\" "
                       "unless QA_TEAMS_CATALOG_APP_ID is set (README, \"Broadcasts: reaching everyone\")")
    for what, emails in sorted(facts.without_chat.items()):
        shown = ", ".join(sorted(emails)[:5]) + (f" and {len(emails) - 5} more" if len(emails) > 5 else "")
        found.fix(f"{len(emails)} {what}(s) have no chat with the bot, so get none of their notices: {shown} "
                  "(install the app for them: a Teams setup policy)")

    moments = next_moments(list(default_duties(settings)), now)
    found.ok(f"time zone {settings.timezone}; next: " + "; ".join(
        f"{at.astimezone(settings.tz):%a %d %b %H:%M} {name}" for at, name in moments))
    return found
