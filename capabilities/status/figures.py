"""The status figures for one person's scope, from the very queries the command line prints
(`escalations status`, `supervision status`, `observations status`, `outbox status`), as a card (or,
past Teams' 28 KB, the card saying so) and as rows for the workbook.

`figures(ctx, name, scope, now)` -> `Figures`; reads only (no transaction held open while it reads).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from capabilities.context import Context
from capabilities.escalations.status import escalation_status
from capabilities.observations.duties import coverage_in, coverage_rows
from capabilities.status.access import DELIVERY, ESCALATIONS, OBSERVATIONS, SUPERVISION, Scope
from capabilities.supervision import compliance
from capabilities.supervision import config as supervision_config
from dialogs import status_cards as sc
from dialogs.card_kit import format_moment
from dialogs.supervision_cards import ComplianceView, compliance_pairs, supervision_compliance_card
from storage.outbox.status import outbox_status

TITLES = {ESCALATIONS: "Escalations", SUPERVISION: "Supervision compliance",
          OBSERVATIONS: "Observation coverage", DELIVERY: "Delivery to Teams"}


@dataclass(frozen=True)
class Figures:
    """One status for one scope: `view` (the table and notes, for the workbook) and `card` (what the chat
    shows: the figures, or past 28 KB the card offering the workbook; `too_long` says which)."""

    view: sc.StatusView
    card: dict
    too_long: bool = False

    @property
    def summary(self) -> str:
        return f"{self.view.title}, {self.view.scope}" + (": too long for Teams, the workbook is offered"
                                                          if self.too_long else "")


# A card only grows with its rows: when the first PROBE_ROWS rows alone pass 28 KB, so do all of them, and the
# card for thousands (the whole service's teams) is never built just to be measured. 120 teams, or 120 table
# rows of five cells, pass 28 KB; when the probe does not, the whole card is built and measured.
PROBE_ROWS = 120


def _fit(view: sc.StatusView, make: Callable[[int | None], dict]) -> Figures:
    """`view`'s card as `make(None)` builds it, or the card offering the workbook when it would pass 28 KB
    (`make(n)`: the same card with only the first n rows)."""
    if len(view.rows) > PROBE_ROWS and sc.card_bytes(make(PROBE_ROWS)) >= sc.MAX_CARD_BYTES:
        return Figures(view, sc.too_long_card(view), too_long=True)
    card = make(None)
    if sc.card_bytes(card) < sc.MAX_CARD_BYTES:
        return Figures(view, card)
    return Figures(view, sc.too_long_card(view), too_long=True)


def _table(view: sc.StatusView) -> Callable[[int | None], dict]:
    return lambda n: sc.status_card(view if n is None else replace(view, rows=view.rows[:n]))


async def figures(ctx: Context, name: str, scope: Scope, now: datetime, *, card_only: bool = False) -> Figures:
    """Status `name`'s figures for `scope` at `now` (ValueError for an unknown name). `card_only`: for the chat's
    card alone, not a workbook: when the card would pass 28 KB, its view may then hold only the rows that
    showed it (the card offering the workbook still counts them all)."""
    at = format_moment(now, ctx.calendar.tz)
    if name == ESCALATIONS:
        return await _escalations(ctx, scope, now, at)
    if name == SUPERVISION:
        return await _supervision(ctx, scope, now, at, card_only)
    if name == OBSERVATIONS:
        return await _observations(ctx, scope, now, at)
    if name == DELIVERY:
        return await _delivery(ctx, now, at)
    raise ValueError(f"not a status: {name!r}")


async def _escalations(ctx: Context, scope: Scope, now: datetime, at: str) -> Figures:
    status = await escalation_status(ctx.db, now)
    names = sorted(status.areas) if scope.areas is None else sorted(scope.areas)
    rows, total = [], [0, 0, 0, 0]
    for area in names:
        c = status.areas.get(area)
        figures_ = (c.moderation_pending, c.open, c.updates_due, c.updates_overdue) if c else (0, 0, 0, 0)
        rows.append((area, *figures_))
        total = [a + b for a, b in zip(total, figures_, strict=True)]
    notes: list[str] = []
    if scope.areas is None:  # the dip samples and re-audits are the whole service's (the QA unit's panel)
        notes += [f"Dip sample {month}: {drawn} of {population} audits drawn, {moderated} moderated, {differed} "
                  "graded differently" for month, drawn, population, moderated, differed in status.dip_samples]
        notes += [f"Re-audit of {ref}: {month} {original} \u2192 {again} {grade or 'not yet submitted'}"
                  for ref, month, original, again, grade in status.reaudits]
    view = sc.StatusView(ESCALATIONS, TITLES[ESCALATIONS], scope.words(), at,
                         ("Service area", "Moderations pending", "Escalations open", "Updates due",
                          "Updates overdue"), tuple(rows), ("Total", *total) if rows else None, tuple(notes),
                         "No moderation is pending and no escalation is open.")
    return _fit(view, _table(view))


async def _supervision(ctx: Context, scope: Scope, now: datetime, at: str, card_only: bool) -> Figures:
    """Last month's compliance per team, as `supervision status` and the monthly message give it. For the card
    alone, with more than PROBE_ROWS teams, the figures of the first PROBE_ROWS teams are read first: when
    their card alone passes 28 KB, the whole one would (a card of some teams is part of the card of all),
    and the rest are not read."""
    cadences = supervision_config.cadences()
    today = ctx.calendar.local_date(now)
    previous = today.replace(day=1) - timedelta(days=1)
    year, month = previous.year, previous.month
    wanted = None if scope.areas is None else (lambda _team, area: scope.covers(area))

    def fit(teams: list) -> tuple[sc.StatusView, ComplianceView]:
        shown = compliance.view_for(teams, year, month, scope.words(), cadences)
        pairs = [compliance_pairs(t, cadences.one_to_one_minutes) for t in teams]
        headers = ("Team", "Service area", *(title for title, _ in pairs[0])) if pairs else ("Team", "Service area")
        rows = tuple((t.team, t.area or "No service area", *(value for _, value in p))
                     for t, p in zip(teams, pairs, strict=True))
        view = sc.StatusView(SUPERVISION, f"{TITLES[SUPERVISION]}: {shown.month_words}", scope.words(), at, headers,
                             rows, empty="No team has supervisees on the roster.")
        return view, shown

    async with ctx.db.sessions() as session:  # only the teams of the areas asked about (all for the whole service)
        areas = None
        if card_only:
            areas = await compliance.team_areas_at(session, year, month, wanted=wanted, among=scope.areas)
            if len(areas) > PROBE_ROWS:
                first = dict(sorted(areas.items(), key=lambda kv: (kv[1].casefold(), kv[0].casefold()))[:PROBE_ROWS])
                probe = await compliance.teams_at(session, year, month, ctx.calendar, cadences, areas=first)
                view, shown = fit(await compliance.with_appraisals(session, probe, compliance.month_end(year, month),
                                                                   ctx.calendar))
                if sc.card_bytes(supervision_compliance_card(shown)) >= sc.MAX_CARD_BYTES:
                    return Figures(view, sc.too_long_card(view, rows=len(areas)), too_long=True)
        teams = await compliance.teams_at(session, year, month, ctx.calendar, cadences, wanted=wanted,
                                          among=scope.areas, areas=areas)
        teams = await compliance.with_appraisals(session, teams, compliance.month_end(year, month), ctx.calendar)
    view, shown = fit(teams)
    return _fit(view, lambda n: supervision_compliance_card(shown if n is None
                                                            else replace(shown, teams=shown.teams[:n])))


async def _observations(ctx: Context, scope: Scope, now: datetime, at: str) -> Figures:
    """Observed in the twelve months to today, per service area and team (people with a supervisor)."""
    today = ctx.calendar.local_date(now)
    async with ctx.db.sessions() as session:
        if scope.areas is None:
            found = await coverage_rows(session, today)
        else:
            found = await coverage_in(session, today, sorted(scope.areas))
    rows = tuple((r.service_area or "No service area", r.team or "No team", r.observed, r.people,
                  f"{r.observed * 100 // r.people if r.people else 0}%") for r in found)
    people, seen = sum(r.people for r in found), sum(r.observed for r in found)
    view = sc.StatusView(OBSERVATIONS, TITLES[OBSERVATIONS], scope.words(), at,
                         ("Service area", "Team", "Observed", "People", "Share"), rows,
                         ("Total", "", seen, people, f"{seen * 100 // people if people else 0}%") if rows else None,
                         (f"Observed in the twelve months to {today.isoformat()}, of the people with a supervisor "
                          "on the roster.",), "Nobody on the roster in these service areas has a supervisor.")
    return _fit(view, _table(view))


def _age(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds())) // 60
    if minutes < 120:
        return f"{minutes} minutes"
    return f"{minutes // 60} hours {minutes % 60} minutes" if minutes < 2880 else f"{minutes // 1440} days"


async def _delivery(ctx: Context, now: datetime, at: str) -> Figures:
    """The outbox as `outbox status` counts it: waiting, retrying, sent, undeliverable by reason."""
    s = await outbox_status(ctx.db, now)
    rows = [("Waiting to go (due)", s.pending - s.not_yet_due), ("Not yet due", s.not_yet_due),
            ("Being sent now", s.sending), ("Retrying", s.retrying), ("Sent (kept until purged)", s.sent),
            ("Undeliverable", s.undeliverable_total)]
    rows += [(f"Undeliverable: {reason}", count)
             for reason, count in sorted(s.undeliverable.items(), key=lambda kv: (-kv[1], kv[0]))]
    note = (f"The oldest waiting message was due {format_moment(s.oldest_pending_due, ctx.calendar.tz)}, "
            f"{_age(s.oldest_pending_age)} ago." if s.oldest_pending_due is not None and s.oldest_pending_age
            is not None else "Nothing is waiting.")
    view = sc.StatusView(DELIVERY, TITLES[DELIVERY], "the whole service", at, ("Messages", "Count"), tuple(rows),
                         notes=(note, "Failed sends are retried for a day from their first attempt; undeliverable "
                                      "ones are not retried."))
    return _fit(view, _table(view))
