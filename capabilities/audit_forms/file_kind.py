"""An audit form definition (.json) as a kind of file the QA unit sends in chat (framework 5, 9.3, 23:
the council's own audit tools): capabilities/intake previews it and puts it in use only on Confirm.

The preview says what the form is (title, kind, for whom, version, sections and their questions) and
what it changes against the form of that name in use: a new form, a new version (questions added,
removed, changed), the same as in use (nothing to do), or refused: the schema's and the rules'
problems each at its line (definitions.check_text); this name and version kept already with other
content (an edited form needs version N+1, so an audit started on N is never changed); a version
older than the one in use; the folder's forms taken together (qa.forms.in_use_problems); a folder
the bot cannot write.

Confirm keeps the version whole (storage.audit_forms.record_version; the version it replaces too,
when not kept yet), writes the file into the QA_FORMS_DIR folder (a temporary file renamed over the
old one, so the folder never holds half a file) in the same transaction, then re-reads the folder
(config.reload) so the process uses it from then on.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.audit_forms import config
from capabilities.audit_forms.definitions import MAX_BYTES, InUse, check_text
from capabilities.context import Context
from capabilities.registry import ConfigurationError, FileKind, ImportRequest, KindRefused, KindReport
from qa.forms import FormDefinition, in_use_problems
from storage.audit_forms import FormVersionConflictError, kept_versions, record_version, stored_form
from storage.files import Source, source_name

SUFFIX = ".json"
TITLE = "an audit form definition"


@dataclass(frozen=True)
class Change:
    """What putting a definition in use changes: `label` for the preview's count ("New form", "New
    version", "Unchanged"), and the lines saying what changed."""

    label: str
    lines: tuple[str, ...]
    replaces: InUse | None  # the file of the same name in use, if any


def _text(source: Source) -> str:
    name = source_name(source)
    try:
        data = source[0] if isinstance(source, tuple) else Path(source).read_bytes()
    except OSError as exc:
        raise _refused(name, [f"{name} cannot be read: {exc.__class__.__name__}"]) from None
    if len(data) > MAX_BYTES:
        raise _refused(name, [f"{name} is over {MAX_BYTES // 1000:,} KB: not an audit form definition"])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refused(name, [f"{name} is not UTF-8 text: save it as UTF-8 from your editor"]) from None


def _refused(name: str, problems: list[str]) -> KindRefused:
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    return KindRefused("\n".join([f"{name} was not put in use ({count}; nothing was changed):",
                                  *(f"  {p}" for p in problems)]), problems)


def what_changes(form: FormDefinition, in_use: tuple[InUse, ...], kept: FormDefinition | None,
                 newest_kept: int) -> Change:
    """How `form` stands against the forms in use and the kept version of its name and version (`kept`;
    `newest_kept`: the highest version of its name kept, 0 for none). Raises ValueError saying why it
    cannot be put in use."""
    current = next((u for u in in_use if u.form.name == form.name), None)
    highest = max(newest_kept, current.form.version if current else 0)
    again = f"give it version {highest + 1} (\"version\": {highest + 1}) and send it again"
    if kept is not None and kept != form:
        raise ValueError(f"the form {form.name!r} version {form.version} is already kept with other questions "
                         f"(audits may have started on it, and must keep what they asked): {again}")
    if current is not None and current.form.version == form.version:
        if current.form != form:
            raise ValueError(f"the form {form.name!r} version {form.version} is in use with other questions: {again}")
        return Change("Unchanged", (f"{form.name} version {form.version} is in use already, as it is",), current)
    if current is not None and form.version < current.form.version:
        raise ValueError(f"the form {form.name!r} is in use at version {current.form.version}; version "
                         f"{form.version} is older: {again}")
    problems = in_use_problems([u.form for u in in_use if u.form.name != form.name] + [form])
    if problems:
        raise ValueError("; ".join(problems))
    if current is None:
        return Change("New form", (f"a new form: {form.name} version {form.version}",), None)
    return Change("New version", (f"version {form.version} of {form.name} in place of version "
                                  f"{current.form.version}; audits started on version {current.form.version} "
                                  "keep it", *_differences(current.form, form)), current)


def _differences(old: FormDefinition, new: FormDefinition) -> tuple[str, ...]:
    before = {q.id: q for q in old.questions()}
    after = {q.id: q for q in new.questions()}
    lines = []
    for label, ids in (("questions added", [i for i in after if i not in before]),
                       ("questions removed", [i for i in before if i not in after]),
                       ("questions changed", [i for i in after if i in before and after[i] != before[i]])):
        if ids:
            lines.append(f"{label}: {', '.join(ids)}")
    if (old.title, old.kind, old.service_areas, old.themes) != (new.title, new.kind, new.service_areas, new.themes):
        lines.append(f"was: {old.title}, {old.kind} audit, {old.for_whom()}")
    return tuple(lines)


def _target(folder: Path, form: FormDefinition, change: Change, in_use: tuple[InUse, ...]) -> Path:
    """The file the definition goes in: the one its name is in now, else `<name>.json`."""
    if change.replaces is not None:
        return change.replaces.path
    path = folder / f"{form.name}{SUFFIX}"
    holder = next((u for u in in_use if u.path == path), None)
    if holder is not None:
        raise ValueError(f"{path.name} in the forms folder holds the form {holder.form.name!r}: "
                         f"name this form differently")
    return path


def write_atomically(path: Path, text: str) -> None:
    """`text` into `path` whole or not at all: a temporary file in the same folder, renamed over it.
    Raises OSError when the folder cannot be written."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _not_writable(folder: Path) -> str:
    return (f"the forms folder ({config.FORMS_DIR_ENV}: {folder}) cannot be written by the bot, so the form "
            "cannot be put in use from chat: ask whoever runs the bot to make the folder writable, or to "
            "put the file in it")


async def run(ctx: Context, source: Source, request: ImportRequest) -> KindReport:
    """Preview (request.dry_run) or put in use the definition in `source`. Raises KindRefused naming
    every problem (each with its line), nothing written."""
    name = source_name(source)
    text = _text(source)
    checked = check_text(text)
    if checked.form is None:
        raise _refused(name, list(checked.problems))
    form = checked.form
    folder = config.forms_dir()
    try:
        in_use = config.files_in_use()
    except ConfigurationError as exc:
        raise _refused(name, [str(exc)]) from None
    async with ctx.db.sessions() as session:
        kept = await stored_form(session, form.name, form.version)
        newest = max((v for n, v, _, _ in await kept_versions(session) if n == form.name), default=0)
    try:
        change = what_changes(form, in_use, kept, newest)
        target = _target(folder, form, change, in_use)
    except ValueError as exc:
        raise _refused(name, [str(exc)]) from None
    if change.label != "Unchanged" and not os.access(folder, os.W_OK | os.X_OK):
        raise _refused(name, [_not_writable(folder)])
    sections = tuple(f"{s.title}: {len(s.questions)} question{'s' if len(s.questions) != 1 else ''}"
                     for s in form.sections)
    report = KindReport(
        summary="\n".join([f"{name}: {form.name} v{form.version}, {form.title}", *change.lines]),
        counts=((change.label, 1),),
        sections=(("What changes", change.lines), ("Sections", sections)),
        scope_words=f"{form.title}: a {form.kind} audit form for {form.for_whom()}, version {form.version} "
                    f"({len(form.questions())} questions)")
    if request.dry_run or change.label == "Unchanged":
        return report
    try:
        async with ctx.db.sessions.begin() as session:
            if change.replaces is not None:  # the version audits may have started on, kept before it goes
                await record_version(session, change.replaces.form, change.replaces.text, request.now)
            await record_version(session, form, text, request.now, by_id=request.actor_id)
            write_atomically(target, text)
    except FormVersionConflictError as exc:
        raise _refused(name, [str(exc)]) from None
    except OSError:
        raise _refused(name, [_not_writable(folder)]) from None
    config.reload()
    return report


async def record_in_use(session: AsyncSession, now: datetime) -> list[str]:
    """Keep every form the process uses (storage.audit_forms.record_version) in `session`, so each
    version an audit may start on is kept whole. `now`: UTC. Returns a line per version that could not
    be kept (kept already with other content: its file was edited without a new version); empty when
    all are kept."""
    problems: list[str] = []
    in_use = config.forms_in_use()
    for used in config.files_in_use():
        if used.form not in in_use:
            continue  # edited on disk since the process read it: what the process uses is what is kept
        try:
            await record_version(session, used.form, used.text, now)
        except FormVersionConflictError as exc:
            problems.append(f"{used.path.name}: {exc}")
    return problems


KIND = FileKind("audit-form", TITLE, frozenset(), run, suffix=SUFFIX)
