"""The month's Annex A extract as a kind of file (framework 9.3: "Cases for the monthly audit will be
selected by Quality Assurance Unit, using the Ofsted Annex A case list"): sent in chat by the QA unit
(capabilities/intake: recognised, previewed, and on Confirm the month's sample proposed), or named on
the command line (`python -m bot sample propose FILE --month`, cli.py). Both read it through
qa/annex_a.py, which keeps only the case reference, list, team, case holder and closure date.

Recognised by Ofsted's heading "Child Unique ID" on the first row, else (`recognise`) by a sheet
whose header, under a title row or two, names a case reference column and the list, the allocated
team or worker (qa.annex_a.looks_like_extract). The preview says what was read (cases per list,
sheets, rows skipped by sheet and row) and names the columns ignored, never a cell of them. The month
is the one in the message or the file name, else the coming month; the preview card offers this
month, the coming one and the one after, and Confirm proposes the sample for the month chosen there.
On Confirm the proposal's card (with its changes and **Use this sample**) takes the preview's place,
and the full list follows as a workbook through the file consent card.
"""
from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, tzinfo

from capabilities.context import Context
from capabilities.kit import unit
from capabilities.registry import FileKind, ImportRequest, KindRefused, KindReport
from capabilities.sampling import access, config
from capabilities.settings import case_refs
from dialogs.allocation_cards import month_words
from dialogs.sample_cards import proposal_card
from qa.annex_a import WHAT, ExtractRejected, looks_like_extract, parse_extract
from qa.tabular import ReadLimits, UnreadableTable, stream_rows
from storage import files
from storage.sampling import proposal_of, roster

VIA = "teams:annex a extract"
MONTH_IN_TEXT = re.compile(r"(?<!\d)(\d{4})-(0[1-9]|1[0-2])(?!\d)")  # as an allocation list's month is given
SIGNATURE = frozenset({"child_unique_id"})  # Ofsted's heading for the child's identifier
SHOWN = 30  # skipped rows named on the preview


def month_after(month: str, n: int = 1) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_choices(text: str | None, file_name: str, now: datetime, tz: tzinfo) -> tuple[str, tuple[tuple[str, str], ...]]:
    """(the month first chosen, the (month, words) the preview offers): this month, the coming month
    and the one after in `tz`, and a month the message or file name gives (chosen first), else the
    coming month chosen."""
    this = now.astimezone(tz).strftime("%Y-%m")
    offered = {this: f"{month_words(this)} (this month)", month_after(this): f"{month_words(month_after(this))} "
               "(the coming month)", month_after(this, 2): month_words(month_after(this, 2))}
    chosen = month_after(this)
    for where, value in (("message", text or ""), ("file name", file_name)):
        match = MONTH_IN_TEXT.search(value)
        if match and 2000 <= int(match.group(1)) <= 2100:
            chosen = match.group(0)
            offered.setdefault(chosen, f"{month_words(chosen)} (the month in your {where})")
            break
    return chosen, tuple(sorted(offered.items()))


def recognise(data: bytes, name: str, limits: ReadLimits) -> bool:
    """Whether an upload is an Annex A extract whose header is not its first row (see the module)."""
    try:
        return looks_like_extract(stream_rows(data, name, WHAT, limits))
    except UnreadableTable:
        return False


async def run(ctx: Context, source: files.Source, request: ImportRequest) -> KindReport:
    """Preview (request.dry_run: the extract read, nothing kept) or, on Confirm, propose the sample for
    the month chosen on the preview card (request.chosen, one of those offered), else request.scope,
    else the month the message, the file name or the calendar gives. Raises KindRefused (nothing kept)."""
    from capabilities.sampling.changes import list_workbook, queue_offer
    from capabilities.sampling.flow import SampleError, proposal_view, propose_sample

    name = files.source_name(source)
    month, offered = month_choices(request.text, name, request.now, ctx.calendar.tz)
    if request.chosen is not None:
        if request.chosen not in dict(offered):
            raise KindRefused("the month chosen is not one the preview offered", [
                "Choose one of the months the preview offers; nothing was proposed"])
        month = request.chosen
    elif request.scope is not None:
        month = request.scope
    words = dict(offered).get(month, month_words(month))
    if request.dry_run:
        return await _preview(ctx, source, name, month, words, offered)
    try:
        report = await propose_sample(ctx, source, month, config.rules(), actor_id=request.actor_id, via=VIA)
    except SampleError as exc:
        raise KindRefused(str(exc), [str(exc)]) from None
    async with ctx.db.sessions() as session:
        found = await proposal_of(session, month)
        people = await roster(session)
    assert found is not None
    row, picks = found
    size = len(await files.off_loop(list_workbook, row, picks, people, ctx.calendar.tz))
    async with unit(ctx, request.actor_id, now=request.now, via=VIA, not_on_roster=access.NOT_A_CHOOSER) as act:
        await queue_offer(act, month, len(picks), size, now=request.now)
    note = f"Proposed from {name}. The full list follows as a workbook: press Allow to save it."
    card = proposal_card(proposal_view(row, picks, people, ctx.calendar.tz, note=note))
    p = report.proposal
    return KindReport(summary=report.describe(), counts=(("Cases proposed", len(p.picks)),
                                                         ("Re-audits", sum(1 for x in p.picks if x.reaudit)),
                                                         ("Could not be satisfied", len(p.unmet))),
                      scope=month, scope_words=words, card=card, urgent=True)


async def _preview(ctx: Context, source: files.Source, name: str, month: str, words: str,
                   offered: tuple[tuple[str, str], ...]) -> KindReport:
    async with ctx.db.sessions() as session:
        people = await roster(session)
    try:
        extract = await files.stream_source(
            source, WHAT, lambda rows: parse_extract(rows, people.holder_of, case_refs=case_refs()), ctx.files)
    except UnreadableTable as exc:
        raise KindRefused(f"{name} was not read: {exc}", [str(p) for p in exc.problems]) from None
    except ExtractRejected as exc:
        raise KindRefused(f"{name}: {exc}", [str(exc)]) from None
    if not extract.cases:
        raise KindRefused(f"{name}: no row has a case the sample could take", extract.skipped[:SHOWN] or [
            "no row below the header has a case reference"])
    per_list = Counter(c.annex_a_list for c in extract.cases)
    sections: list[tuple[str, tuple[str, ...]]] = [
        ("Cases per Annex A list", tuple(f"{k}: {n:,}" for k, n in sorted(per_list.items()))),
        ("Sheets read", tuple(extract.sheets) if any(extract.sheets) else ("the file",))]
    if extract.sheets_skipped:
        sections.append(("Sheets not read (no case reference column)", tuple(extract.sheets_skipped)))
    if extract.ignored_columns:
        sections.append(("Columns ignored (never read or kept)", tuple(extract.ignored_columns)))
    if extract.skipped:
        sections.append(("Rows skipped", tuple(extract.skipped[:SHOWN])
                         + ((f"and {len(extract.skipped) - SHOWN:,} more",) if len(extract.skipped) > SHOWN else ())))
    sections.append(("On Confirm", ("I propose the sample for the month chosen below (counts per service area, list "
                                    "and auditor); nothing becomes an allocation until you press Use this sample",)))
    counts = (("Cases read", len(extract.cases)), ("Rows skipped", len(extract.skipped)),
              ("Case holders not on the roster", extract.holders_unknown))
    return KindReport(summary=extract.describe(), counts=counts, sections=tuple(sections), scope=month,
                      scope_words=words, scope_choices=offered)


KIND = FileKind("annex-a", "the month's Annex A extract", SIGNATURE, run, recognise=recognise)
