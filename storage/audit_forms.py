"""Every version of every audit form the bot has used (framework 5, 9.3, 23), kept whole, so an audit
started on one version is shown and checked against it after the form is edited."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from qa.forms import FormDefinition, form_from_data
from storage.models import AuditFormVersion


class FormVersionConflictError(ValueError):
    """A name and version already kept with other content: an edited form needs a new version."""


async def record_version(session: AsyncSession, form: FormDefinition, definition: str, now: datetime,
                   by_id: int | None = None) -> bool:
    """Keep `form` (its checked JSON text `definition`) unless this name and version are kept already.

    Returns True when it was new. Raises FormVersionConflictError when the same name and version are kept
    with different content (compared as parsed JSON, so layout does not matter). `now`: UTC.
    """
    kept = await session.get(AuditFormVersion, (form.name, form.version))
    if kept is not None:
        if json.loads(kept.definition) != json.loads(definition):
            raise FormVersionConflictError(
                f"the form {form.name!r} version {form.version} is already in use with other questions: "
                f"give the edited form version {form.version + 1} or later")
        return False
    session.add(AuditFormVersion(name=form.name, version=form.version, kind=form.kind, title=form.title,
                                 definition=definition, installed_at=now, installed_by_id=by_id))
    return True


async def stored_form(session: AsyncSession, name: str, version: int) -> FormDefinition | None:
    """The kept definition of `name` at `version`, or None when it was never kept."""
    kept = await session.get(AuditFormVersion, (name, version))
    return None if kept is None else form_from_data(json.loads(kept.definition))


async def kept_versions(session: AsyncSession) -> list[tuple[str, int, str, datetime]]:
    """(name, version, title, installed at UTC) of every kept version, by name then version."""
    rows = await session.execute(select(AuditFormVersion.name, AuditFormVersion.version, AuditFormVersion.title,
                                  AuditFormVersion.installed_at)
                           .order_by(AuditFormVersion.name, AuditFormVersion.version))
    return [tuple(r) for r in rows]
