"""Supervision records (framework 9.1): the history import, the caseload import, and the queries the
capability reads. Each import checks the whole file first, then writes in one transaction (a file
longer than QA_IMPORT_BATCH_ROWS in batches: storage/files.py write_in_batches, which says why a
stop part-way leaves only correct rows and how importing the same file again finishes it).

- `import_sessions`: adds the sessions not yet on record (the same supervisee, kind and day is the
  same session, so importing the same file twice adds nothing); a case supervision also moves each
  named case's last case supervision forward on the caseload.
- `import_caseload`: a full replace of the caseload, as the case-management system exports it; a
  case's last case supervision is the later of the file's and the one already on record (a session
  recorded in Teams after the export is not lost), and the day the case was first seen is kept.
"""
from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy import case as sql_case
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from qa import emails
from qa.allocations import PersonInfo
from qa.framework import Role
from qa.identifiers import DEFAULT_CASE_REFS, CaseRefFormat
from qa.supervision import AGREEMENT, CASE, GROUP, ONE_TO_ONE, Asye, Away, CaseFacts, SuperviseeFacts, add_months
from qa.supervision_files import (
    CaseloadEntry,
    SessionEntry,
    SupervisionFileProblems,
    parse_caseload,
    parse_sessions,
)
from qa.tabular import DEFAULT_LIMITS, WHOLE_FILE, Problem, ReadLimits, UnreadableTable, source_words
from storage import files
from storage.db import Database
from storage.models import (
    AsyeSwitch,
    AwayPeriod,
    CaseExemption,
    CaseloadCase,
    Person,
    SupervisionBooking,
    SupervisionSession,
    TrailEvent,
)

log = logging.getLogger(__name__)


class SupervisionRejected(Exception):  # noqa: N818 - the CLI's word
    """A file refused whole; str() is the message for a person, one problem a line."""

    def __init__(self, path: Path, problems: list[Problem], sheet: str | None = None) -> None:
        self.problems = problems
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        lines = [f"{source_words(Path(path).name, sheet)} was not imported ({count}; nothing was changed):"]
        lines += [f"  {p}" for p in problems]
        super().__init__("\n".join(lines))


def subject_for_person(person_id: int) -> str:
    return f"p{person_id}"


def subject_for_team(team: str) -> str:
    return f"t:{team}"


@dataclass
class SessionImportReport:
    source: str = ""
    added: int = 0
    unchanged: int = 0
    cases_moved: int = 0

    def describe(self) -> str:
        return (f"supervision history imported from {self.source}: {self.added} sessions added, "
                f"{self.unchanged} already on record; {self.cases_moved} cases' last case supervision moved forward")


@dataclass
class CaseloadImportReport:
    source: str = ""
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def describe(self) -> str:
        return (f"caseload imported from {self.source}: {self.added} cases added, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.removed} no longer on the caseload removed")


async def known_people(session: AsyncSession) -> dict[str, PersonInfo]:
    result = await session.execute(select(Person.id, Person.email, Person.role, Person.left_at))
    found = {}
    for row in result:
        email = emails.key(row.email) or row.email.lower()
        found[email] = PersonInfo(id=row.id, email=email, role=row.role, active=row.left_at is None)
    return found


async def _read(path: files.Source, what: str, limits: ReadLimits):
    try:
        return await files.read_source(path, what, ("supervision", "caseload"), limits)
    except UnreadableTable as exc:
        raise SupervisionRejected(Path(files.source_name(path)), exc.problems) from None


async def import_sessions(db: Database, path: files.Source, now: datetime, tz: tzinfo, *, actor_id: int | None = None,
                          via: str = "cli:supervision import",
                          case_refs: CaseRefFormat = DEFAULT_CASE_REFS,
                          limits: ReadLimits = DEFAULT_LIMITS, dry_run: bool = False) -> SessionImportReport:
    """Check `path` (a file, or an upload's (bytes, name)) whole (read and checked off the event loop,
    within `limits`), then add the sessions not yet recorded, move named cases' last case supervision forward, and write one trail row.
    SupervisionRejected: nothing written. files.ImportInterrupted: a long file stopped part-way (the
    sessions written are as the file says; importing the same file again adds the rest and moves
    the cases).
    `dry_run` (a preview in chat): the same checks and statements in one transaction rolled back,
    whatever the file's length: nothing written."""
    table = await _read(path, "a supervision history", limits)
    name = files.source_name(path)
    path = Path(name)
    today = now.astimezone(tz).date()
    report = SessionImportReport()

    async def plan(session: AsyncSession) -> files.Plan:
        entries = await files.off_loop(parse_sessions, table.rows, table.header, await known_people(session),
                                       today, case_refs)
        return await _plan_sessions(session, entries, now, actor_id, via, report)

    try:
        await files.write_in_batches(db, len(table.rows), plan, source=source_words(Path(path).name, table.sheet),
                                     limits=limits, dry_run=dry_run)
    except SupervisionFileProblems as exc:
        raise SupervisionRejected(path, exc.problems, table.sheet) from None
    except IntegrityError:
        raise SupervisionRejected(path, [Problem(WHOLE_FILE, None, (
            "someone recorded supervision at the same time; run the import again"))], table.sheet) from None
    report.source = source_words(Path(path).name, table.sheet)
    log.info("supervision %s added=%d unchanged=%d", "previewed" if dry_run else "imported", report.added,
             report.unchanged)
    return report


async def _plan_sessions(session: AsyncSession, entries: list[SessionEntry], now: datetime, actor_id: int | None,
                         via: str, report: SessionImportReport) -> files.Plan:
    """The sessions not on record (counted into `report`), then, last: every case supervision's cases
    moved forward and the trail row. The cases are moved from all the file's case supervisions, not
    only the new ones, so an import stopped before the end moves them when the file is imported again."""
    teams = {row.id: row.team for row in await session.execute(select(Person.id, Person.team))}
    on_record = {(row.subject, row.kind, row.held_on) for row in await session.execute(
        select(SupervisionSession.subject, SupervisionSession.kind, SupervisionSession.held_on))}
    rows: list[dict] = []
    latest_case: dict[str, date] = {}
    for e in entries:
        if e.kind == CASE:
            for ref in e.case_refs:
                latest_case[ref.upper()] = max(latest_case.get(ref.upper(), e.held_on), e.held_on)
        team = teams.get(e.supervisee_id, "")
        subject = subject_for_team(team) if e.kind == GROUP else subject_for_person(e.supervisee_id)
        key = (subject, e.kind, e.held_on)
        if key in on_record:
            report.unchanged += 1
            continue
        on_record.add(key)
        rows.append({"subject": subject, "supervisee_id": None if e.kind == GROUP else e.supervisee_id,
                     "team": team, "supervisor_id": e.supervisor_id, "kind": e.kind, "held_on": e.held_on,
                     "duration_minutes": e.duration_minutes, "case_refs": list(e.case_refs), "state": "recorded",
                     "reviewed_observation": False, "recorded_by_id": actor_id, "via": via, "recorded_at": now})
        report.added += 1

    async def finish(session: AsyncSession) -> None:
        report.cases_moved = await move_cases_forward(session, latest_case)
        session.add(TrailEvent(subject_type="supervision", actor_id=actor_id, action="supervision_imported",
                               via=via, detail={"rows": len(entries), "added": report.added,
                                                "unchanged": report.unchanged}, at=now))

    return files.Plan([files.Write(rows, lambda session, batch: session.execute(insert(SupervisionSession), batch))],
                      finish)


async def move_cases_forward(session: AsyncSession, latest: dict[str, date]) -> int:
    """Set each case's last case supervision to the day given (case refs upper-cased) when later."""
    if not latest:
        return 0
    moved = []
    for case in (await session.execute(select(CaseloadCase.id, CaseloadCase.case_ref,
                                              CaseloadCase.last_case_supervision_on))).all():
        day = latest.get(case.case_ref.upper())
        if day is not None and (case.last_case_supervision_on is None or day > case.last_case_supervision_on):
            moved.append({"id": case.id, "last_case_supervision_on": day})
    if moved:
        await session.execute(update(CaseloadCase), moved)
    return len(moved)


async def import_caseload(db: Database, path: files.Source, now: datetime, tz: tzinfo, *, actor_id: int | None = None,
                          via: str = "cli:caseload import",
                          case_refs: CaseRefFormat = DEFAULT_CASE_REFS,
                          limits: ReadLimits = DEFAULT_LIMITS, dry_run: bool = False) -> CaseloadImportReport:
    """Check `path` (a file, or an upload's (bytes, name)) whole (read and checked off the event loop,
    within `limits`), then replace the caseload with it (cases gone removed, then changed ones updated, new ones added; one trail row).
    SupervisionRejected: nothing written. files.ImportInterrupted: a long file stopped part-way (what
    was written is as the file says; importing the same file again finishes the replacement).
    `dry_run` (a preview in chat): the same checks and statements in one transaction rolled back,
    whatever the file's length: nothing written."""
    table = await _read(path, "a caseload", limits)
    name = files.source_name(path)
    path = Path(name)
    today = now.astimezone(tz).date()
    report = CaseloadImportReport()

    async def plan(session: AsyncSession) -> files.Plan:
        entries = await files.off_loop(parse_caseload, table.rows, table.header, await known_people(session),
                                       today, case_refs)
        return await _plan_caseload(session, entries, now, today, actor_id, via, report)

    try:
        await files.write_in_batches(db, len(table.rows), plan, source=source_words(Path(path).name, table.sheet),
                                     limits=limits, dry_run=dry_run)
    except SupervisionFileProblems as exc:
        raise SupervisionRejected(path, exc.problems, table.sheet) from None
    except IntegrityError:
        raise SupervisionRejected(path, [Problem(WHOLE_FILE, None, (
            "the caseload changed at the same time; run the import again"))], table.sheet) from None
    report.source = source_words(Path(path).name, table.sheet)
    log.info("caseload %s added=%d updated=%d removed=%d", "previewed" if dry_run else "imported",
             report.added, report.updated, report.removed)
    return report


async def _plan_caseload(session: AsyncSession, entries: list[CaseloadEntry], now: datetime, today: date,
                         actor_id: int | None, via: str, report: CaseloadImportReport) -> files.Plan:
    """The caseload's writes against the cases on record (counted into `report`): the cases no longer
    in the file removed first (so a case reference re-cased in the file never clashes), then the
    changed ones, then the new ones; the trail row last."""
    old = {row.case_ref.upper(): row for row in (await session.execute(
        select(CaseloadCase.id, CaseloadCase.case_ref, CaseloadCase.case_holder_id,
               CaseloadCase.last_case_supervision_on))).all()}
    inserts, updates = [], []
    for e in entries:
        was = old.pop(e.case_ref.upper(), None)
        if was is None:
            inserts.append({"case_ref": e.case_ref, "case_holder_id": e.case_holder_id,
                            "last_case_supervision_on": e.last_case_supervision_on, "first_seen_on": today,
                            "imported_at": now})
            report.added += 1
            continue
        last = max((d for d in (e.last_case_supervision_on, was.last_case_supervision_on) if d), default=None)
        if (was.case_ref, was.case_holder_id, was.last_case_supervision_on) == (e.case_ref, e.case_holder_id, last):
            report.unchanged += 1
            continue
        updates.append({"id": was.id, "case_ref": e.case_ref, "case_holder_id": e.case_holder_id,
                        "last_case_supervision_on": last, "imported_at": now})
        report.updated += 1
    gone = [row.id for row in old.values()]
    report.removed = len(gone)

    async def remove(session: AsyncSession, ids: list[int]) -> None:
        for start in range(0, len(ids), 500):  # keep IN lists well inside driver limits
            await session.execute(delete(CaseloadCase).where(CaseloadCase.id.in_(ids[start:start + 500])))

    async def finish(session: AsyncSession) -> None:
        session.add(TrailEvent(subject_type="caseload", actor_id=actor_id, action="caseload_imported", via=via,
                               detail={"cases": len(entries), "added": report.added, "removed": report.removed},
                               at=now))

    return files.Plan([
        files.Write(gone, remove),
        files.Write(updates, lambda session, rows: session.execute(update(CaseloadCase), rows)),
        files.Write(inserts, lambda session, rows: session.execute(insert(CaseloadCase), rows)),
    ], finish)


# ---------------------------------------------------------------- what the rules read


@dataclass(frozen=True)
class Staff:
    """An active person on the roster, as supervision sees them."""

    id: int
    name: str
    email: str
    role: str
    team: str
    areas: tuple[str, ...]
    supervisor_id: int | None  # None: no supervisor on the roster (or theirs has left)
    joined: date | None  # the roster's start date; None: established (qa.supervision "Joining")
    on_record_from: date | None = None  # the local day the roster first brought them in (not a start date)


@dataclass
class Board:
    """Everything the supervision rules need as of one day, read in a handful of queries."""

    as_of: date
    staff: dict[int, Staff]
    facts: dict[int, SuperviseeFacts]  # supervisees (active, with an active supervisor), by person id
    away: dict[int, list[Away]]  # person id -> away periods not over by `as_of`
    group_held: dict[str, list[date]]  # team -> group sessions held this month and last
    booked: dict[tuple[str, str], tuple[date, date]] = field(default_factory=dict)  # (subject, kind) -> (due, day)

    def booked_for(self, subject: str, kind: str, due: date) -> date | None:
        """The day the line of `subject` and `kind`, due on `due`, is booked for (not before `as_of`), or None."""
        due_on, day = self.booked.get((subject, kind), (None, None))
        return day if due_on == due else None

    def supervisees_of(self, supervisor_id: int) -> list[Staff]:
        return sorted((s for s in self.staff.values() if s.supervisor_id == supervisor_id and s.id in self.facts),
                      key=lambda s: s.name.casefold())


async def load_board(session: AsyncSession, as_of: date, tz: tzinfo) -> Board:
    """The roster, each supervisee's last sessions held by `as_of`, their caseloads, ASYE switches and
    exemptions, away periods, and group sessions from the month before `as_of`'s on. Core statements on the
    session's connection (no ORM row handling): a morning reads every supervisee's history."""
    conn = await session.connection()
    rows = (await conn.execute(select(
        Person.id, Person.display_name, Person.email, Person.role, Person.team, Person.service_area,
        Person.supervisor_email, Person.created_at, Person.start_date, Person.asye_start_date)
        .where(Person.left_at.is_(None)).order_by(Person.id))).all()  # by id: a team's area is its first supervisee's
    by_email = {r.email.lower(): r.id for r in rows}
    staff: dict[int, Staff] = {}
    for r in rows:
        staff[r.id] = Staff(r.id, r.display_name, r.email, r.role, r.team,
                            tuple(a for a in (s.strip() for s in r.service_area.split(";")) if a),
                            by_email.get((r.supervisor_email or "").lower()), r.start_date,
                            r.created_at.astimezone(tz).date())
    last: dict[int, dict[str, date]] = {}
    for r in (await conn.execute(
            select(SupervisionSession.supervisee_id, SupervisionSession.kind, func.max(SupervisionSession.held_on))
            .where(SupervisionSession.supervisee_id.is_not(None), SupervisionSession.state == "recorded",
                   SupervisionSession.held_on <= as_of)
            .group_by(SupervisionSession.supervisee_id, SupervisionSession.kind))).all():
        last.setdefault(r[0], {})[r[1]] = r[2]
    # The last 1:1's duration (framework 9.1's one and a half hours): one session per supervisee, kind and day.
    latest = (select(SupervisionSession.supervisee_id, func.max(SupervisionSession.held_on).label("held_on"))
              .where(SupervisionSession.kind == ONE_TO_ONE, SupervisionSession.state == "recorded",
                     SupervisionSession.supervisee_id.is_not(None), SupervisionSession.held_on <= as_of)
              .group_by(SupervisionSession.supervisee_id).subquery())
    one_to_one_minutes = {r[0]: r[1] for r in (await conn.execute(
        select(SupervisionSession.supervisee_id, SupervisionSession.duration_minutes)
        .join(latest, and_(SupervisionSession.supervisee_id == latest.c.supervisee_id,
                           SupervisionSession.held_on == latest.c.held_on))
        .where(SupervisionSession.kind == ONE_TO_ONE, SupervisionSession.state == "recorded"))).all()}
    switches = {r.person_id: r.four_weekly_from for r in (await conn.execute(
        select(AsyeSwitch.person_id, AsyeSwitch.four_weekly_from))).all()}
    exempt = set((await conn.execute(select(CaseExemption.case_ref))).scalars().all())
    cases: dict[int, list[CaseFacts]] = {}
    for r in (await conn.execute(select(CaseloadCase.case_ref, CaseloadCase.case_holder_id,
                                        CaseloadCase.last_case_supervision_on, CaseloadCase.first_seen_on))).all():
        last_on = r.last_case_supervision_on if r.last_case_supervision_on and r.last_case_supervision_on <= as_of \
            else None
        cases.setdefault(r.case_holder_id, []).append(CaseFacts(r.case_ref, last_on, r.first_seen_on,
                                                                r.case_ref in exempt))
    asye_start = {r.id: r.asye_start_date for r in rows if r.asye_start_date}
    facts = {
        s.id: SuperviseeFacts(
            s.id, s.joined, last.get(s.id, {}),
            Asye(asye_start[s.id], switches.get(s.id)) if s.id in asye_start else None,
            tuple(sorted(cases.get(s.id, ()), key=lambda c: c.case_ref)), one_to_one_minutes.get(s.id),
            s.on_record_from)
        for s in staff.values() if s.supervisor_id is not None
    }
    away: dict[int, list[Away]] = {}
    for r in (await conn.execute(select(AwayPeriod.person_id, AwayPeriod.first_day, AwayPeriod.last_day)
                                 .where(AwayPeriod.last_day >= as_of))).all():
        away.setdefault(r.person_id, []).append(Away(r.first_day, r.last_day))
    month_before = add_months(as_of.replace(day=1), -1)
    group_held: dict[str, list[date]] = {}
    for r in (await conn.execute(select(SupervisionSession.team, SupervisionSession.held_on)
                                 .where(SupervisionSession.kind == GROUP, SupervisionSession.held_on >= month_before,
                                        SupervisionSession.held_on <= as_of))).all():
        group_held.setdefault(r.team, []).append(r.held_on)
    booked = {(r.subject, r.kind): (r.due_on, r.booked_for) for r in (await conn.execute(
        select(SupervisionBooking.subject, SupervisionBooking.kind, SupervisionBooking.due_on,
               SupervisionBooking.booked_for).where(SupervisionBooking.booked_for >= as_of))).all()}
    return Board(as_of, staff, facts, away, group_held, booked)


# ---------------------------------------------------------------- the month's compliance, grouped in SQL


@dataclass(frozen=True)
class FactsGroup:
    """`count` supervisees of `team` who share every fact the month-end compliance reads (`facts`, its
    person_id 0; its one case, if any, stands for their earliest-due case: see `compliance_groups`)."""

    team: str
    facts: SuperviseeFacts
    count: int
    first: int  # the lowest roster id among them
    service_area: str  # their service areas as the roster holds them ("North;South"): `first_area` names the team's


def _supervisees(as_of: date):
    """(person, their supervisor): the active people whose supervisor on the roster is active, started
    by `as_of` (or established), as `load_board`'s facts and `team_figures`' start-date rule have them.
    Emails are stored lower-case, so the supervisor is found by the unique email index."""
    supervisor = aliased(Person)
    return (select(Person.id).join(supervisor, and_(supervisor.email == func.lower(Person.supervisor_email),
                                                    supervisor.left_at.is_(None)))
            .where(Person.left_at.is_(None), or_(Person.start_date.is_(None), Person.start_date <= as_of)))


def first_area(service_area: str) -> str:
    """The first of a roster person's service areas (joined by ';'), "" for none: a team's area."""
    return next((a for a in (s.strip() for s in service_area.split(";")) if a), "")


async def supervisee_team_areas(session: AsyncSession, as_of: date, among: Collection[str] | None = None
                                ) -> dict[str, str]:
    """Team -> its service area as the compliance figures name it (the first service area of the team's
    first supervisee by roster id; "" for none), in that supervisee's order, for every team with a
    supervisee as of `as_of`; with
    `among` (service areas), only the teams with someone active whose service areas' text contains one of
    them (a team whose area is one of `among` always has: its first supervisee), so a service lead's
    answer joins only their few teams' people, not the whole roster's."""
    people = _supervisees(as_of)
    if among is not None:
        named = select(Person.team).where(Person.left_at.is_(None),
                                          or_(*(Person.service_area.contains(area, autoescape=True) for area in among)))
        people = people.where(Person.team.in_(named))
    first = people.with_only_columns(Person.team, func.min(Person.id).label("first")).group_by(Person.team).subquery()
    conn = await session.connection()  # Core rows, no ORM row handling (a row per team, thousands)
    rows = (await conn.execute(select(first.c.team, Person.service_area)
                               .join(Person, Person.id == first.c.first).order_by(first.c.first))).all()
    return {team: first_area(area) for team, area in rows}


async def compliance_groups(session: AsyncSession, as_of: date, tz: tzinfo,
                            teams: Collection[str] | None = None) -> list[FactsGroup]:
    """The supervisees of `teams` (None: every team) as of `as_of`, grouped in one SQL statement by the
    facts the month-end figures read (team, service areas, start date, record date, ASYE start and switch, last 1:1 and
    its length, last agreement review, earliest case base): the same facts `load_board` gives each of
    them, without a row per person. A supervisee's case supervision is in date when their earliest-due
    non-exempt case is (`in_date`'s min of the dues), and as `case_due` is the working day on or before
    base + case_days, a non-decreasing function of the base (the last case supervision by `as_of`, else
    the day first seen), the earliest due is that of the earliest base: one CaseFacts stands for all."""
    recorded = and_(SupervisionSession.state == "recorded", SupervisionSession.supervisee_id.is_not(None),
                    SupervisionSession.held_on <= as_of)

    def last_of(kind: str):
        return (select(SupervisionSession.supervisee_id.label("pid"), func.max(SupervisionSession.held_on).label("on"))
                .where(recorded, SupervisionSession.kind == kind).group_by(SupervisionSession.supervisee_id)
                .subquery())

    one, agreement = last_of(ONE_TO_ONE), last_of(AGREEMENT)
    length = aliased(SupervisionSession)  # the last 1:1's own row (one session per supervisee, kind and day)
    base = func.coalesce(sql_case((CaseloadCase.last_case_supervision_on <= as_of,
                               CaseloadCase.last_case_supervision_on)), CaseloadCase.first_seen_on)
    cases = (select(CaseloadCase.case_holder_id.label("pid"), func.min(base).label("base"))
             .outerjoin(CaseExemption, CaseExemption.case_ref == CaseloadCase.case_ref)
             .where(CaseExemption.id.is_(None)).group_by(CaseloadCase.case_holder_id).subquery())
    people = _supervisees(as_of).with_only_columns(Person.id, Person.team, Person.service_area, Person.start_date,
                                                   Person.created_at, Person.asye_start_date)
    if teams is not None:
        people = people.where(Person.team.in_(list(teams)))
    people = people.subquery()
    keys = (people.c.team, people.c.service_area, people.c.start_date, people.c.created_at, people.c.asye_start_date,
            AsyeSwitch.four_weekly_from, one.c.on, length.duration_minutes, agreement.c.on, cases.c.base)
    query = (select(*keys, func.count(), func.min(people.c.id)).select_from(people)
             .outerjoin(AsyeSwitch, AsyeSwitch.person_id == people.c.id)
             .outerjoin(one, one.c.pid == people.c.id)
             .outerjoin(length, and_(length.supervisee_id == people.c.id, length.held_on == one.c.on,
                                     length.kind == ONE_TO_ONE, length.state == "recorded"))
             .outerjoin(agreement, agreement.c.pid == people.c.id)
             .outerjoin(cases, cases.c.pid == people.c.id)
             .group_by(*keys))
    groups = []
    days: dict[datetime, date] = {}  # record time -> local day: a roster import brings many people at once
    conn = await session.connection()  # Core rows, no ORM row handling (a row per alike group, thousands)
    for team, areas, joined, created, asye_start, switch, last_one, minutes, last_review, case_base, count, first in (
            await conn.execute(query)).all():
        last = {kind: day for kind, day in ((ONE_TO_ONE, last_one), (AGREEMENT, last_review)) if day is not None}
        if created not in days:
            days[created] = created.astimezone(tz).date()
        facts = SuperviseeFacts(0, joined, last, Asye(asye_start, switch) if asye_start else None,
                                (CaseFacts("", None, case_base),) if case_base is not None else (), minutes,
                                days[created])
        groups.append(FactsGroup(team, facts, count, first, areas))
    return groups


async def teams_with_group_supervision(session: AsyncSession, first: date, last: date) -> set[str]:
    """The teams with a group supervision held from `first` to `last` (inclusive)."""
    return set((await session.execute(select(SupervisionSession.team).distinct().where(
        SupervisionSession.kind == GROUP, SupervisionSession.held_on >= first,
        SupervisionSession.held_on <= last))).scalars())


class ExemptionError(Exception):
    """An exemption that cannot be recorded; str() says why, for a person."""


EXEMPTED = "case_exempted"  # TrailEvent.action, subject the caseload row
EXEMPTION_LIFTED = "case_exemption_removed"


@dataclass(frozen=True)
class ExemptionChange:
    """What `change_exemption` did: `changed` False when it was already so; the case and its holder."""

    changed: bool
    case_ref: str
    case_holder_id: int


async def set_exemption(db: Database, case_ref: str, by_email: str, now: datetime, *, remove: bool = False,
                        via: str = "cli:supervision exempt", reason: str | None = None) -> bool:
    """The command line's way in: the service lead `by_email` exempts a case from eight-weekly case
    supervision (or lifts it), through `change_exemption`; True when changed. Raises ExemptionError."""
    async with db.sessions.begin() as session:
        lead = (await session.execute(select(Person).where(Person.email == by_email.strip().lower(),
                                                           Person.left_at.is_(None)))).scalar_one_or_none()
        if lead is None or lead.role != Role.SERVICE_LEAD:
            raise ExemptionError(f"{by_email} is not an active service lead on the roster; only a service lead "
                                 "records an exemption from case supervision")
        return (await change_exemption(session, lead, case_ref, now, remove=remove, via=via, reason=reason)).changed


async def change_exemption(session: AsyncSession, lead: Person, case_ref: str, now: datetime, *, remove: bool,
                           via: str, reason: str | None) -> ExemptionChange:
    """Framework 9.1: "case-level supervision should take place every eight weeks unless an exemption has been
    agreed by a Service Lead". `lead` (an active service lead, checked by the caller) exempts the caseload's
    case `case_ref` (case-insensitive), with `reason` (checked by the caller), or lifts its exemption, in the
    caller's transaction, writing one trail row when something changed. Raises ExemptionError (nothing
    written) for a case not on the caseload or whose holder is not in the lead's service areas."""
    case = (await session.execute(select(CaseloadCase).where(
        func.upper(CaseloadCase.case_ref) == case_ref.strip().upper()))).scalar_one_or_none()
    if case is None:
        raise ExemptionError(f"{case_ref} is not on the caseload; import the caseload first")
    holder = await session.get(Person, case.case_holder_id)
    if holder is None or not set(lead.service_areas) & set(holder.service_areas):
        raise ExemptionError(f"{case.case_ref}'s case holder is not in {lead.display_name}'s service areas")
    existing = (await session.execute(select(CaseExemption).where(
        CaseExemption.case_ref == case.case_ref))).scalar_one_or_none()
    if remove:
        if existing is None:
            return ExemptionChange(False, case.case_ref, case.case_holder_id)
        await session.delete(existing)
    else:
        if existing is not None:
            return ExemptionChange(False, case.case_ref, case.case_holder_id)
        session.add(CaseExemption(case_ref=case.case_ref, recorded_by_id=lead.id, recorded_at=now, reason=reason))
    session.add(TrailEvent(subject_type="caseload", subject_id=case.id, actor_id=lead.id,
                           action=EXEMPTION_LIFTED if remove else EXEMPTED, via=via, at=now,
                           detail={"reason_length": len(reason or "")}))
    await session.flush()
    return ExemptionChange(True, case.case_ref, case.case_holder_id)


async def register_started(session: AsyncSession) -> bool:
    """Whether any supervision is on record (imported or recorded). Until then the bot knows nothing of what
    was held, and nudging would call every supervisee overdue on the first morning."""
    return (await session.execute(select(SupervisionSession.id).limit(1))).first() is not None


# ---------------------------------------------------------------- one supervisee's file, for a supervision audit


@dataclass(frozen=True)
class SupervisionFile:
    """What the register holds of one supervisee as of a day (framework 9.1; read for a supervision audit):
    the facts the cadence rules read, the 1:1s held since a day (oldest first) and their supervisor's name."""

    facts: SuperviseeFacts
    one_to_ones: tuple[date, ...]
    supervisor_name: str


async def supervision_file(session: AsyncSession, person_id: int, as_of: date, since: date,
                           tz: tzinfo) -> SupervisionFile | None:
    """The register's facts for supervisee `person_id` as of `as_of` (sessions recorded by then), with the 1:1s
    held from `since` to `as_of` (local days in `tz`, as load_board reads them); None when they are not on the roster or have no supervisor on it. A handful
    of small queries on one person's rows."""
    person = await session.get(Person, person_id)
    if person is None or not person.supervisor_email:
        return None
    supervisor = (await session.execute(select(Person.display_name).where(
        func.lower(Person.email) == person.supervisor_email.lower()))).scalar_one_or_none()
    if supervisor is None:
        return None
    recorded = (SupervisionSession.supervisee_id == person_id, SupervisionSession.state == "recorded",
                SupervisionSession.held_on <= as_of)
    last = {kind: held for kind, held in (await session.execute(
        select(SupervisionSession.kind, func.max(SupervisionSession.held_on)).where(*recorded)
        .group_by(SupervisionSession.kind))).all()}
    one_to_ones = [(held, minutes) for held, minutes in (await session.execute(
        select(SupervisionSession.held_on, SupervisionSession.duration_minutes)
        .where(*recorded, SupervisionSession.kind == ONE_TO_ONE).order_by(SupervisionSession.held_on.desc())
        .limit(50))).all()]
    switch = (await session.execute(select(AsyeSwitch.four_weekly_from)
                                    .where(AsyeSwitch.person_id == person_id))).scalar_one_or_none()
    exempt = set((await session.execute(select(CaseExemption.case_ref).join(
        CaseloadCase, CaseloadCase.case_ref == CaseExemption.case_ref)
        .where(CaseloadCase.case_holder_id == person_id))).scalars())
    cases = tuple(sorted((CaseFacts(r.case_ref, r.last_case_supervision_on if r.last_case_supervision_on
                                    and r.last_case_supervision_on <= as_of else None, r.first_seen_on,
                                    r.case_ref in exempt)
                          for r in (await session.execute(
                              select(CaseloadCase.case_ref, CaseloadCase.last_case_supervision_on,
                                     CaseloadCase.first_seen_on).where(CaseloadCase.case_holder_id == person_id)))),
                         key=lambda c: c.case_ref))
    created = person.created_at
    facts = SuperviseeFacts(
        person.id, person.start_date, last,
        Asye(person.asye_start_date, switch) if person.asye_start_date else None, cases,
        one_to_ones[0][1] if one_to_ones else None, created.astimezone(tz).date() if created else None)
    return SupervisionFile(facts, tuple(sorted(held for held, _ in one_to_ones if held >= since)), supervisor)
