"""A file sent in the bot's personal chat (the FileIntake taking any file): who sent it, whether it
is a spreadsheet the bot can read, and which registered kind its columns fit (or, for a kind told by
its name, such as an audit form definition's .json, which kind its name says); then flow.receive.

Only someone whose roster role may import some kind (the QA unit) is read: anyone else is told so
and nothing is downloaded. A name that is not .csv or .xlsx is refused before anything is
downloaded too. The upload-link checks stay those of bot/file_download.py (https only, MAX_BYTES,
a time limit) and qa.tabular.not_the_file (a sign-in page instead of the file).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from functools import partial

from capabilities.intake import flow
from capabilities.registry import CommandReply, FetchError, FileKind, FileUpload, Registry, TooLargeError
from dialogs import intake_cards as ic
from qa.allocations import normalise_heading
from qa.tabular import UnreadableTable, check_suffix, not_the_file, read_table_bytes

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024  # the largest file the bot downloads (a 20,000-person roster is about 3 MB)
SEND_AGAIN = ("Nothing was imported. Send the file again from Teams on a computer or on the web "
              "(teams.microsoft.com); Teams on a phone sometimes sends a link to a sign-in page instead of the file.")
NOT_QA_UNIT = ("Only the QA unit can send me files to import (the roster, allocations, the QA calendar, the "
               "caseload, supervision history, past audits, audit form definitions, the Annex A extract). If you meant to share this file with someone, send "
               "it to them directly; I have not opened it.")
NO_LINK = "I could not find a link to the file in your message; send it again."


def _why_not_fetched(exc: FetchError) -> str:
    if isinstance(exc, TooLargeError):
        return f"{exc}, more than any file I import"
    return str(exc)


def intake(registry_of: Callable[[], Registry]):
    """The FileIntake handler, reading the kinds from the whole registry (`registry_of()`)."""

    async def take(upload: FileUpload) -> CommandReply | str:
        kinds = registry_of().file_kinds
        person = upload.person
        allowed = [k for k in kinds.values() if flow.may_import(person, k)]
        if not allowed:
            log.info("file upload refused: sender may import no kind (person %s)", person.id if person else None)
            return NOT_QA_UNIT
        if not upload.files:
            return NO_LINK
        sent = upload.files[0]
        named = [k for k in allowed if k.named_by(sent.name)]
        try:
            if not named:
                check_suffix(sent.name, "the file")  # before downloading anything
        except UnreadableTable as exc:
            return _refused(sent.name, None, [str(p) for p in exc.problems])
        try:
            got = await sent.fetch(MAX_BYTES)
        except FetchError as exc:
            log.info("file upload by person %s not downloaded: %s", person.id, exc)
            return f"I could not fetch {sent.name}: {_why_not_fetched(exc)}. {SEND_AGAIN}"
        instead = not_the_file(sent.name, got.data, got.content_type)
        if named and instead and "JSON" in instead:
            instead = None  # a definition is JSON: its own checks say what is wrong with it
        if instead:  # not the workbook's fault: do not say it is damaged or password-protected
            return f"I could not use {sent.name}: what its link gave me is {instead}. {SEND_AGAIN}"
        if named:
            outcome = await flow.receive(upload.ctx, kinds, person.id, sent.name, got.data, named, upload.text,
                                         now=upload.now)
            return CommandReply(outcome.card, outcome.message)
        words = tuple(dict.fromkeys(w for k in allowed for w in k.sheet_words))
        try:
            # The header only: the kind's own import reads the whole file once, for the preview.
            table = await asyncio.to_thread(partial(read_table_bytes, header_only=True), got.data, sent.name,
                                            "the file", words, upload.ctx.files)
        except UnreadableTable as exc:
            return _refused(sent.name, None, [str(p) for p in exc.problems])
        headings = {normalise_heading(h) for h in table.header if h}
        fitting = [k for k in allowed if k.fits(headings)]
        if not fitting:  # a workbook whose header sits below title rows, on one sheet of several
            for k in allowed:
                if k.recognise is not None and await asyncio.to_thread(k.recognise, got.data, sent.name,
                                                                       upload.ctx.files):
                    fitting.append(k)
        if not fitting:
            card = ic.unknown_card(sent.name, [(k.title, sorted(k.signature)) for k in allowed if not k.suffix])
            return CommandReply(card, f"I don't know what {sent.name} is: its columns match none of the files I import.")
        outcome = await flow.receive(upload.ctx, kinds, person.id, sent.name, got.data, fitting, upload.text,
                                     now=upload.now)
        extra = f" (I read {sent.name} only; send other files one at a time)" if len(upload.files) > 1 else ""
        return CommandReply(outcome.card, outcome.message + extra)

    return take


def _refused(name: str, kind: FileKind | None, problems: list[str]) -> CommandReply:
    return CommandReply(ic.refused_card(name, kind.title if kind else None, problems),
                        f"{name} was not imported: " + "; ".join(problems[:3]))
