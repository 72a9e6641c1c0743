"""The audit sample's use cases (framework 9.3 "Selection and distribution"): propose the month's
sample from an Annex A extract, and confirm it into the month's allocations.

- `propose_sample`: the extract streamed (storage/files.py `stream_source`, qa/annex_a.py keeping only
  the columns it needs), the roster, the cases audited in the last months (register and imported
  history), the re-audits owed and the month's theme read, the rules run (qa/sampling.py) off the
  event loop, and the proposal kept in place of an unconfirmed one (one transaction, one trail row).
- `confirm_sample`: the proposal written as an allocation list and imported through the allocation
  list's own path (storage.allocations.import_allocations: its checks, its summary, the notices on the
  3rd, late notices after it), then marked confirmed.
"""
from __future__ import annotations

import csv
import io
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from capabilities.audit_forms import config as forms_config
from capabilities.context import Context
from capabilities.kit import Outcome, Status, already, invalid, look, not_found, refuse, use_case
from capabilities.sampling import access
from capabilities.settings import case_refs
from dialogs.card_kit import format_moment, format_month
from dialogs.sample_cards import CASES_LISTED, CHOICES, ProposalView, no_sample_card, proposal_card, sample_used_card
from qa.allocations import sampled_with
from qa.annex_a import WHAT, Extract, parse_extract
from qa.sampling import Case, Pick, Proposal, Rules, propose, still_unmet
from storage import files
from storage.allocations import AllocationImportReport, AllocationsRejected, import_allocations
from storage.sampling import (
    Roster,
    StoredPick,
    allocations_in,
    audited_since,
    latest_proposal,
    mark_confirmed,
    month_theme,
    owed_reaudits,
    proposal_of,
    roster,
    store_proposal,
)

MAX_SEED = 2**63 - 1


class SampleError(Exception):
    """Nothing proposed or confirmed; str() says why, for a person."""


@dataclass
class SampleReport:
    """What a proposal says: the proposal, the extract's summary, names for the counts, and the
    month's allocations already there (confirming replaces those not started)."""

    proposal: Proposal
    extract: Extract
    names: dict[int, str]
    existing_allocations: int = 0
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """The summary a person reads: counts per service area, list and auditor; what could not be
        satisfied; the extract's summary (ignored columns named). Case references and staff names only."""
        p = self.proposal
        reaudits = sum(1 for x in p.picks if x.reaudit)
        lines = [f"audit sample proposed for {p.month} (seed {p.seed}): {len(p.picks)} cases"
                 + (f", {reaudits} of them re-audits" if reaudits else "")
                 + (f"; theme {p.theme!r}" + (f", from {', '.join(p.lists_used)}" if p.lists_used else "") if p.theme else "")]
        lines.append("per service area: " + _counts(p.per_area()))
        lines.append("per list: " + _counts(p.per_list()))
        per_auditor = Counter({self.names.get(k, f"person {k}"): n for k, n in p.per_auditor().items()})
        lines.append("per auditor: " + _counts(per_auditor))
        if p.excluded:
            lines.append("left out: " + ", ".join(f"{n:,} {why}" for why, n in sorted(p.excluded.items())))
        if p.unmet:
            lines.append("could not be satisfied:")
            lines += [f"  {u}" for u in p.unmet]
        lines += self.extract.describe().splitlines()
        if self.existing_allocations:
            lines.append(f"{p.month} has {self.existing_allocations} allocations already: confirming the sample replaces "
                         "those not started, as a new allocation list would")
        lines += self.notes
        return "\n".join(lines)


def _counts(counter: Counter) -> str:
    return ", ".join(f"{k or '(none)'} {n}" for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))) or "none"


async def propose_sample(ctx: Context, source: files.Source, month: str, rules: Rules, *, seed: int | None = None,
                         theme: str | None = None, actor_id: int | None, via: str) -> SampleReport:
    """Propose `month`'s sample from the Annex A extract `source` (a path, or an upload's bytes and name)
    under `rules`, with `seed` (None: a new random one, recorded), `theme` (None: the QA calendar's
    thematic audit that month). Keeps the proposal in place of an unconfirmed one. Raises SampleError
    (nothing kept) for a month that is not YYYY-MM, an unreadable file, a file with no case reference
    column, or a month whose sample was confirmed."""
    from qa.allocations import check_month
    from qa.annex_a import ExtractRejected
    from qa.tabular import UnreadableTable
    from storage.sampling import SampleConfirmed

    try:
        month = check_month(month)
    except ValueError as exc:
        raise SampleError(str(exc)) from None
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise SampleError(f"the seed must be a whole number from 0 to {MAX_SEED}")
    seed = secrets.randbelow(MAX_SEED) if seed is None else seed
    now = ctx.clock()
    async with ctx.db.sessions() as session:
        people = await roster(session)
        audited = await audited_since(session, month, rules.lookback_months)
        owed = await owed_reaudits(session, month, people)
        theme = (await month_theme(session, month)) if theme is None else theme
        existing = await allocations_in(session, month)
    name = files.source_name(source)
    try:
        extract = await files.stream_source(
            source, WHAT, lambda rows: parse_extract(rows, people.holder_of, case_refs=case_refs()), ctx.files)
    except UnreadableTable as exc:
        raise SampleError(f"{name} was not read: {exc}") from None
    except ExtractRejected as exc:
        raise SampleError(f"{name}: {exc}") from None
    today = now.astimezone(ctx.calendar.tz).date()
    proposal = await files.off_loop(_propose, month, extract, people, seed, rules, audited, owed, theme, today)
    report = SampleReport(proposal, extract, people.names, existing)
    try:
        async with ctx.db.sessions.begin() as session:
            await store_proposal(session, proposal, source_name=name, now=now, actor_id=actor_id, via=via, summary={
                "unmet": proposal.unmet, "excluded": proposal.excluded, "extract": extract.describe().splitlines()})
    except SampleConfirmed as exc:
        raise SampleError(str(exc)) from None
    return report


def _propose(month, extract, people, seed, rules, audited, owed, theme, today: date) -> Proposal:  # noqa: ANN001
    # The extract's cases become the rules' Cases here, off the loop too (tens of thousands of them).
    area_of_team, manager_of = people.area_of_team, people.manager_of
    cases = [Case(c.case_ref, c.annex_a_list, c.team, area_of_team.get(c.team.casefold(), ""),
                  c.case_holder_id, manager_of.get(c.case_holder_id) if c.case_holder_id else None, c.closed_on)
             for c in extract.cases]
    return propose(month, cases, people.auditors, seed=seed, rules=rules, audited=audited, owed=owed, theme=theme,
                   today=today)


ALLOCATION_COLUMNS = ("case_ref", "annex_a_list", "service_area", "team", "auditor_email", "case_holder_email", "theme")


def allocation_list(picks: list[StoredPick], emails: dict[int, str], theme: str) -> bytes:
    """The picks with an auditor as an allocation list (qa/allocations.py's columns), UTF-8 CSV."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ALLOCATION_COLUMNS)
    for p in picks:
        if p.auditor_id is None:
            continue
        writer.writerow((p.case_ref, p.annex_a_list, p.service_area, p.team, emails.get(p.auditor_id, ""),
                         emails.get(p.case_holder_id, "") if p.case_holder_id else "", theme))
    return out.getvalue().encode("utf-8")


async def confirm_sample(ctx: Context, month: str, *, actor_id: int | None, via: str) -> AllocationImportReport:
    """Turn `month`'s proposal into its allocations through the allocation list's path (its checks,
    summary, notices; late notices after the 3rd), then mark it confirmed. Raises SampleError when
    there is no proposal or it was confirmed already, and AllocationsRejected when the list's checks refuse it (nothing changed)."""
    from qa.allocations import check_month

    try:
        month = check_month(month)
    except ValueError as exc:
        raise SampleError(str(exc)) from None
    async with ctx.db.sessions() as session:
        found = await proposal_of(session, month)
        people = await roster(session)
    if found is None:
        raise SampleError(f"there is no proposed sample for {month}: propose one first (sample propose FILE --month {month})")
    row, picks = found
    if row.confirmed_at is not None:
        # Confirming again would put back auditors the QA unit has since reallocated.
        raise SampleError(f"the sample for {month} was confirmed on {row.confirmed_at:%Y-%m-%d}; nothing was changed "
                          "(its allocations are changed by an allocation list or Reallocate now)")
    if not any(p.auditor_id for p in picks):
        raise SampleError(f"the sample for {month} has no case with an auditor; propose it again")
    data = allocation_list(picks, people.emails, row.theme)
    report = await import_allocations(ctx.db, (data, f"sample-{month}.csv"), month, ctx.clock(), actor_id=actor_id,
                                      via=via, calendar=ctx.calendar, case_refs=case_refs(), limits=ctx.files,
                                      forms=forms_config.forms_in_use(),
                                      how_chosen=sampled_with(row.seed))
    async with ctx.db.sessions.begin() as session:
        await mark_confirmed(session, month, actor_id=actor_id, now=ctx.clock(), via=via,
                             allocated=sum(1 for p in picks if p.auditor_id))
    return report


# ---------------------------------------------------------------- in chat


def qa_picks(picks: list[StoredPick], people: Roster) -> list[Pick]:
    """The stored picks as the rules see them (the case holder's line manager from the roster now)."""
    return [Pick(qa_case(p, people), p.auditor_id, p.reaudit) for p in picks]


def qa_case(p: StoredPick, people: Roster) -> Case:
    return Case(p.case_ref, p.annex_a_list, p.team, p.service_area, p.case_holder_id,
                people.manager_of.get(p.case_holder_id) if p.case_holder_id else None)


def proposal_view(row, picks: list[StoredPick], people: Roster, tz, rules: Rules | None = None,  # noqa: ANN001
                  note: str = "") -> ProposalView:
    """The card's view of a stored proposal (`row`, a SampleProposal) and its picks: what the rules
    (`rules`, default the process's) cannot satisfy worked out again (qa.sampling.still_unmet); the
    cases listed and the drop-downs when few enough for a card; `note`, what the last change did."""
    from capabilities.sampling import config

    def ordered(counter: Counter) -> list[tuple[str, int]]:
        return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))

    names = people.names
    rules = rules or config.rules()
    used = ""
    if row.confirmed_at is not None:
        who = names.get(row.confirmed_by_id, "the command line") if row.confirmed_by_id else "the command line"
        used = f"used by {who}, {format_moment(row.confirmed_at, tz)}"
    nobody = "(nobody eligible)"
    unmet = still_unmet([str(u) for u in (row.summary or {}).get("unmet", ())], qa_picks(picks, people),
                        people.auditors, rules)
    listed = [(p.case_ref, f"{p.annex_a_list}, {p.service_area or '(no service area)'}: "
               + (names.get(p.auditor_id, nobody) if p.auditor_id else nobody) + (" (re-audit)" if p.reaudit else ""))
              for p in picks] if len(picks) <= CASES_LISTED else []
    auditors = [(a.person_id, a.name) for a in sorted(people.auditors, key=lambda a: (a.name.casefold(), a.person_id))
                if a.active and a.role in rules.auditor_roles]
    return ProposalView(
        proposal_id=row.id, month=row.month, seed=str(row.seed), source_name=row.source_name, cases=len(picks),
        reaudits=sum(1 for p in picks if p.reaudit),
        per_area=ordered(Counter(p.service_area for p in picks)), per_list=ordered(Counter(p.annex_a_list for p in picks)),
        per_auditor=ordered(Counter(names.get(p.auditor_id, nobody) if p.auditor_id else nobody for p in picks)),
        unmet=tuple(unmet), used=used, cases_listed=listed,
        case_refs=[p.case_ref for p in picks] if len(picks) <= CHOICES else [],
        auditors=auditors if len(auditors) <= CHOICES else [], note=note)


@use_case(Outcome)
async def show_latest(ctx: Context, actor_id: int | None, *, now: datetime, via: str) -> Outcome:
    """The proposal made last, as its card (the QA unit only); a card saying how to propose one if none."""
    async with look(ctx, actor_id, now=now, via=via, not_on_roster=access.NOT_A_CHOOSER) as act:
        if not access.may_choose(act.actor):
            refuse(access.NOT_A_CHOOSER)
        found = await latest_proposal(act.session)
        if found is None:
            return Outcome(Status.UNCHANGED, NOTHING_PROPOSED, card=no_sample_card(NOTHING_PROPOSED))
        people = await roster(act.session)
        view = proposal_view(found[0], found[1], people, ctx.calendar.tz)
    return Outcome(Status.DONE, f"Audit sample for {format_month(view.month)}: {view.cases} cases",
                   card=proposal_card(view))


NOTHING_PROPOSED = ("No audit sample has been proposed yet. Send me the month's Annex A extract here (or run "
                    "`python -m bot sample propose FILE --month YYYY-MM`); then type \"sample\" here to see it, "
                    "change it and use it.")


@use_case(Outcome)
async def use_sample(ctx: Context, actor_id: int | None, month: object, proposal_id: object, *, now: datetime,
                     via: str) -> Outcome:
    """**Use this sample**: `month`'s proposal (`proposal_id`, the one the card showed) becomes
    the month's allocations (confirm_sample). The QA unit only; a card for a proposal drawn again since,
    or already used, changes nothing and says so."""
    async with look(ctx, actor_id, now=now, via=via, not_on_roster=access.NOT_A_CHOOSER) as act:
        if not access.may_choose(act.actor):
            refuse(access.NOT_A_CHOOSER)
        if not isinstance(month, str) or not isinstance(proposal_id, int):
            invalid("I couldn't tell which sample this was. Type \"sample\" to see it again.")
        found = await proposal_of(act.session, month)
        if found is None:
            not_found(f"The sample for {month} is no longer there. Nothing was changed.")
        row, _ = found
        if row.id != proposal_id:
            already(f"The sample for {format_month(month)} was proposed again since this card (seed {row.seed}). "
                    "Type \"sample\" to see it. Nothing was changed.")
        if row.confirmed_at is not None:
            people = await roster(act.session)
            view = proposal_view(row, found[1], people, ctx.calendar.tz)
            already(f"This sample was already {view.used}. Nothing was changed.",
                    card=sample_used_card(month, f"This sample was already {view.used}."))
        name = act.actor.display_name
    try:
        report = await confirm_sample(ctx, month, actor_id=actor_id, via=via)
    except (SampleError, AllocationsRejected) as exc:
        return Outcome(Status.INVALID, f"{exc}")
    message = (f"Used by {name}, {format_moment(now, ctx.calendar.tz)}: {report.added} allocated, "
               f"{report.updated} updated, {report.withdrawn} withdrawn. The auditors are told on the 3rd "
               "(at once when it has passed).")
    if report.forms_worth_saying():
        message += " Audit forms: " + ", ".join(report.form_lines()) + "."
    if report.form_fallbacks:
        message += " " + "; ".join(report.form_fallbacks) + "."
    return Outcome(Status.DONE, message, card=sample_used_card(month, message))
