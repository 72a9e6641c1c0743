"""Every form the process uses is kept whole (storage.audit_forms), once each time the forms in use
change: at the sweep after start-up, and after a definition is put in use in chat (which keeps its
own version at once too). An audit started on a version can then always be read against it
(framework 5, 9.3, 23: editing a form never changes a submitted audit)."""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.audit_forms import config
from capabilities.audit_forms.file_kind import record_in_use
from capabilities.duties import Occurrence

log = logging.getLogger(__name__)


def forms_key() -> str:
    """The forms in use, as a short key: a new key whenever a form or a version changes."""
    refs = ",".join(sorted(f"{f.name}@{f.version}" for f in config.forms_in_use()))
    return "forms " + hashlib.sha256(refs.encode("utf-8")).hexdigest()[:32]


class KeepFormVersionsDuty:
    """Keeps each version in use, once per set of forms in use (idempotent: record_version keeps a
    version once). A file edited without a new version is logged, not kept over the older content."""

    name = "audit-form-versions"

    def occurrences(self, now: datetime) -> Iterable[Occurrence]:
        yield Occurrence(forms_key(), now)

    async def run(self, session: AsyncSession, occurrence: Occurrence, now: datetime) -> None:
        for problem in await record_in_use(session, now):
            log.warning("audit form version not kept: %s", problem)
