"""The audit cycle's sweep duties: which outbox rows each moment of December 2026 and January 2027
writes, for whom, when; missed moments; late allocations; the unreachable auditors' list."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from capabilities.audit_cycle.duties import (
    AuditCycleDuty,
    LateAllocationNoticeDuty,
    ids_hash,
    superseded_by,
)
from capabilities.catalogue import default_duties
from dialogs.digest import digest_activities
from qa.calendar import WorkingCalendar
from scheduler.sweep import sweep
from storage.models import Allocation, AuditMonth, Person, TrailEvent
from tests.support.audit_cycle import (
    DECEMBER,
    Case,
    add_roster,
    allocate,
    outbox_rows,
    send_allocation_notices,
    set_state,
    submit,
    utc,
)
from tests.support.card_validator import run_validator

DEC = "2026-12"
CAL = WorkingCalendar()  # Europe/London, England's bank holidays, 09:00 notices, 08:00-18:00 window
DEADLINE = "Thursday 24 December 2026"
# Each December case's holder gets a notice with the auditor's (Max's case too: only the auditor is unreachable).
DECEMBER_HOLDERS = (("CR-1001", "Pat"), ("CR-1002", "Pia"), ("CR-1003", "Pat"), ("CR-1004", "Pia"))


def duties():
    return [AuditCycleDuty(CAL), LateAllocationNoticeDuty(CAL)]


class Timeline:
    """Sweeps at hand-picked instants; each step returns only the rows it added."""

    def __init__(self, services, people: dict[str, int]) -> None:
        self.services, self.people, self.seen = services, people, set()

    async def at(self, now: datetime) -> dict:
        """The duties swept at `now`, then the allocation notices due sent (the QA unit hears then of
        auditors with no chat)."""
        result = await sweep(self.services, now, duties())
        assert result.failed == []
        await send_allocation_notices(self.services.db, now)
        rows = await outbox_rows(self.services.db)
        new = {key: row for key, row in rows.items() if key not in self.seen}
        self.seen |= set(new)
        return new

    def key(self, prefix: str, *names: str) -> str:
        return ":".join([prefix, *(str(self.people[n]) for n in names)])

    def holder_key(self, allocation_id: int, holder: str) -> str:
        """The case holder's notice of one allocation (capabilities/audit_cycle/case_holder.py)."""
        return f"case-holder-notice:{allocation_id}:{self.people[holder]}"

    def holder_keys(self, cases: dict[str, int], *pairs: tuple[str, str]) -> set[str]:
        """The case holders' notices of (case ref, case holder) pairs."""
        return {self.holder_key(cases[ref], holder) for ref, holder in pairs}


@pytest.fixture
async def december(services):
    people = await add_roster(services.db)
    cases = await allocate(services.db, people, DEC, DECEMBER)
    return Timeline(services, people), cases


async def notified_at(db) -> dict[str, datetime | None]:
    async with db.sessions() as session:
        return {a.case_ref: a.notified_at for a in (await session.execute(select(Allocation))).scalars()}


# -- allocation notices ---------------------------------------------------------------------

async def test_nothing_before_the_3rd_then_one_notice_per_auditor_and_the_qa_unit_list(december):
    t, cases = december
    assert await t.at(utc(2026, 12, 2, 12)) == {}
    assert await t.at(utc(2026, 12, 3, 8, 59)) == {}
    assert set((await notified_at(t.services.db)).values()) == {None}

    rows = await t.at(utc(2026, 12, 3, 9, 0))
    assert set(rows) == {t.key("allocation-notice:2026-12", "Mo"), t.key("allocation-notice:2026-12", "Meg"),
                         t.key("allocation-notice:2026-12", "Max"),  # sent anyway; the sender records why not
                         t.key("unreachable-auditors:2026-12", "Quinn", "Max")} | t.holder_keys(cases, *DECEMBER_HOLDERS)
    assert {r.due_at for r in rows.values()} == {utc(2026, 12, 3, 9)}  # Thursday 3 December, 09:00 GMT
    assert {r.person_id for r in rows.values()} == {t.people[n] for n in ("Mo", "Meg", "Max", "Quinn", "Pat", "Pia")}

    mo = rows[t.key("allocation-notice:2026-12", "Mo")]
    assert mo.kind == "allocation-notice"
    for words in ("CR-1001", "CR-1002", "List 8", "List 6", "North Team 1", "Neglect", "Pat Example",
                  "Pia Example", DEADLINE, "December 2026", "Mo Example"):
        assert words in mo.card_text, words
    assert "CR-1003" not in mo.card_text and "CR-1004" not in mo.card_text
    assert "CR-1002" in mo.payload["text"] and mo.payload["summary"]
    meg = rows[t.key("allocation-notice:2026-12", "Meg")]
    assert "CR-1003" in meg.card_text and "CR-1001" not in meg.card_text

    qa = rows[t.key("unreachable-auditors:2026-12", "Quinn", "Max")]
    assert qa.kind == "unreachable-auditors"
    assert "Max Example" in qa.card_text and "max@council.gov.uk" in qa.card_text and "uninstalled" in qa.card_text
    assert "Mo Example" not in qa.card_text and "Meg Example" not in qa.card_text

    # Each case holder hears of their own case, its auditor and the deadline, and of no other case.
    pat = rows[t.holder_key(cases["CR-1001"], "Pat")]
    assert pat.kind == "case-holder-notice" and pat.person_id == t.people["Pat"]
    for words in ("CR-1001", "Mo Example", "Pat Example", DEADLINE, "December 2026"):
        assert words in pat.card_text, words
    assert "CR-1003" not in pat.card_text and "Meg Example" not in pat.card_text
    pia = rows[t.holder_key(cases["CR-1004"], "Pia")]
    assert pia.person_id == t.people["Pia"] and "CR-1004" in pia.card_text and "Max Example" in pia.card_text
    assert "CR-1002" not in pia.card_text

    assert set((await notified_at(t.services.db)).values()) == {utc(2026, 12, 3, 9)}
    # The same instant again, and the minutes after: nothing new.
    assert await t.at(utc(2026, 12, 3, 9, 0)) == {}
    assert await t.at(utc(2026, 12, 3, 9, 5)) == {}
    assert await t.at(utc(2026, 12, 3, 14, 30)) == {}


async def test_an_auditor_who_never_installed_the_bot_is_listed_too(services):
    people = await add_roster(services.db)
    await allocate(services.db, people, DEC, [Case("CR-2001", "Pia", "Pat")])  # Pia never installed it
    t = Timeline(services, people)
    rows = await t.at(utc(2026, 12, 3, 9, 1))
    qa = rows[t.key("unreachable-auditors:2026-12", "Quinn", "Pia")]
    assert "Pia Example" in qa.card_text and "has not installed the bot" in qa.card_text
    assert rows[t.key("allocation-notice:2026-12", "Pia")].due_at == utc(2026, 12, 3, 9)


async def test_everyone_reachable_means_no_list_for_the_qa_unit(services):
    people = await add_roster(services.db)
    cases = await allocate(services.db, people, DEC, [Case("CR-3001", "Mo", "Pat")])
    t = Timeline(services, people)
    assert set(await t.at(utc(2026, 12, 3, 9))) == {t.key("allocation-notice:2026-12", "Mo"),
                                                    t.holder_key(cases["CR-3001"], "Pat")}


# -- the December cycle, moment by moment ----------------------------------------------------

async def test_the_december_cycle_and_the_january_notice(december):
    t, _ = december
    await t.at(utc(2026, 12, 3, 9))
    await submit(t.services.db, "CR-1003", utc(2026, 12, 15, 14))  # Meg is done early

    assert await t.at(utc(2026, 12, 16, 9)) == {}
    for day, label in ((17, "7-days"), (22, "2-working-days"), (24, "deadline-day")):
        rows = await t.at(utc(2026, 12, day, 9, 0, 30))
        reminders = {k: r for k, r in rows.items() if r.kind == "auditor-reminder"}
        # Only the audits not yet submitted: Mo (two cases) and Max, never Meg.
        assert set(reminders) == {t.key(f"auditor-reminder:2026-12:{label}", "Mo"),
                                  t.key(f"auditor-reminder:2026-12:{label}", "Max")}, day
        assert {r.due_at for r in rows.values()} == {utc(2026, 12, day, 9)}
        mo = reminders[t.key(f"auditor-reminder:2026-12:{label}", "Mo")]
        assert "CR-1001" in mo.card_text and "CR-1002" in mo.card_text and DEADLINE in mo.card_text
        assert "CR-1003" not in mo.card_text
        if day == 24:
            # The hand-over to service leads: Sam gets one digest of what awaits him.
            assert set(rows) - set(reminders) == {t.key("service-lead-digest:2026-12", "Sam")}
            digest = rows[t.key("service-lead-digest:2026-12", "Sam")]
            assert "CR-1003" in digest.card_text and "Meg Example" in digest.card_text
            assert "Wednesday 6 January 2027" in digest.card_text and "CR-1001" not in digest.card_text
        else:
            assert set(rows) == set(reminders)
        assert await t.at(utc(2026, 12, day, 12)) == {}  # later the same day: nothing new

    await submit(t.services.db, "CR-1001", utc(2026, 12, 24, 15))  # Mo submits one of two on the day
    assert await t.at(utc(2026, 12, 28, 9, 30)) == {}  # the bank holiday substitute: no overdue yet

    rows = await t.at(utc(2026, 12, 29, 9, 0))  # Tuesday: the next working day after the deadline
    assert set(rows) == {t.key("audit-overdue:2026-12", "Mo"), t.key("audit-overdue:2026-12", "Max"),
                         t.key("supervisor-overdue:2026-12", "Sam", "Mo"),
                         t.key("supervisor-overdue:2026-12", "Sam", "Max")}
    assert {r.due_at for r in rows.values()} == {utc(2026, 12, 29, 9)}  # Sam's two rows go as one message
    overdue_mo = rows[t.key("audit-overdue:2026-12", "Mo")]
    assert "CR-1002" in overdue_mo.card_text and "CR-1001" not in overdue_mo.card_text
    to_sam = rows[t.key("supervisor-overdue:2026-12", "Sam", "Max")]
    assert to_sam.person_id == t.people["Sam"]
    assert "CR-1004" in to_sam.card_text and "Max Example" in to_sam.card_text and "Sam Example" in to_sam.card_text

    rows = await t.at(utc(2026, 12, 31, 9, 2))  # 3 working days before Wednesday 6 January
    assert set(rows) == {t.key("oversight-reminder:2026-12:3-working-days", "Sam")}
    reminder = rows[t.key("oversight-reminder:2026-12:3-working-days", "Sam")]
    assert "CR-1001" in reminder.card_text and "CR-1003" in reminder.card_text
    assert reminder.due_at == utc(2026, 12, 31, 9)

    await set_state(t.services.db, "CR-1003", "oversight_confirmed")
    assert await t.at(utc(2027, 1, 1, 9)) == {}  # New Year's Day
    # January's allocations arrive; the 3rd is a Sunday, so the notice waits for Monday 4th.
    january = await allocate(t.services.db, t.people, "2027-01", [Case("CR-5001", "Meg", "Pat")], at=utc(2026, 12, 30))
    assert await t.at(utc(2027, 1, 3, 9)) == {}
    rows = await t.at(utc(2027, 1, 4, 9))
    assert set(rows) == {t.key("allocation-notice:2027-01", "Meg"), t.holder_key(january["CR-5001"], "Pat")}
    assert {r.due_at for r in rows.values()} == {utc(2027, 1, 4, 9)}
    assert "Thursday 28 January 2027" in rows[t.key("allocation-notice:2027-01", "Meg")].card_text

    rows = await t.at(utc(2027, 1, 6, 9))
    assert set(rows) == {t.key("oversight-reminder:2026-12:deadline-day", "Sam")}
    reminder = rows[t.key("oversight-reminder:2026-12:deadline-day", "Sam")]
    assert "CR-1001" in reminder.card_text and "CR-1003" not in reminder.card_text  # confirmed since

    rows = await t.at(utc(2027, 1, 7, 9))
    assert set(rows) == {t.key("oversight-overdue:2026-12", "Sam"),
                         t.key("hos-oversight-overdue:2026-12", "Hana", "Sam")}
    to_hana = rows[t.key("hos-oversight-overdue:2026-12", "Hana", "Sam")]
    assert to_hana.person_id == t.people["Hana"] and to_hana.kind == "hos-oversight-overdue"
    assert "Sam Example" in to_hana.card_text and "CR-1001" in to_hana.card_text
    assert await t.at(utc(2027, 1, 7, 9)) == {}


async def test_a_head_of_service_hears_only_of_their_own_areas(services):
    people = await add_roster(services.db)  # Hana covers North and East, not South
    await allocate(services.db, people, DEC, [Case("CR-6001", "Mo", "Pat", area="South")])
    async with services.db.sessions.begin() as session:
        await session.execute(update(Person).where(Person.id == people["Sam"]).values(service_area="North;South"))
    await submit(services.db, "CR-6001", utc(2026, 12, 20, 10))
    t = Timeline(services, people)
    await t.at(utc(2027, 1, 6, 17))
    rows = await t.at(utc(2027, 1, 7, 9))
    assert set(rows) == {t.key("oversight-overdue:2026-12", "Sam")}


# -- the bot was down -------------------------------------------------------------------------

async def test_down_for_two_weeks_each_missed_moment_once_and_stale_reminders_superseded(december):
    t, _ = december
    await t.at(utc(2026, 12, 3, 9))
    await submit(t.services.db, "CR-1003", utc(2026, 12, 10, 11))
    assert await t.at(utc(2026, 12, 16, 17)) == {}
    # Down from the 16th to Wednesday 30 December 10:00: three reminders, the digest and the overdue missed.
    back = utc(2026, 12, 30, 10)
    rows = await t.at(back)
    assert set(rows) == {t.key("audit-overdue:2026-12", "Mo"), t.key("audit-overdue:2026-12", "Max"),
                         t.key("supervisor-overdue:2026-12", "Sam", "Mo"),
                         t.key("supervisor-overdue:2026-12", "Sam", "Max"),
                         t.key("service-lead-digest:2026-12", "Sam")}
    assert {r.due_at for r in rows.values()} == {back}  # one message per person, now
    to_sam = [r.payload for r in rows.values() if r.person_id == t.people["Sam"]]
    assert len(to_sam) == 3 and len(digest_activities(to_sam)) == 1  # what the sender makes of them
    async with t.services.db.sessions() as session:
        events = (await session.execute(select(TrailEvent).where(TrailEvent.action == "reminder_superseded"))).scalars()
        superseded = sorted((e.detail["moment"], e.detail["superseded_by"]) for e in events)
    assert superseded == [("auditor-reminder:2-working-days", "audit-overdue:overdue"),
                          ("auditor-reminder:7-days", "audit-overdue:overdue"),
                          ("auditor-reminder:deadline-day", "audit-overdue:overdue")]
    assert await t.at(back + timedelta(minutes=1)) == {}

    # Down again over the oversight reminder of the 31st: it is not stale until the 6th is due.
    rows = await t.at(utc(2027, 1, 5, 11))
    assert set(rows) == {t.key("oversight-reminder:2026-12:3-working-days", "Sam")}
    assert rows[t.key("oversight-reminder:2026-12:3-working-days", "Sam")].due_at == utc(2027, 1, 5, 11)


async def test_a_moment_missed_until_the_weekend_goes_on_monday_morning(december):
    t, _ = december
    await t.at(utc(2026, 12, 3, 9))
    await submit(t.services.db, "CR-1003", utc(2026, 12, 10, 11))
    rows = await t.at(utc(2026, 12, 19, 12))  # Saturday: the 7-days reminder of Thursday 17th was missed
    assert set(rows) == {t.key("auditor-reminder:2026-12:7-days", "Mo"),
                         t.key("auditor-reminder:2026-12:7-days", "Max")}
    assert {r.due_at for r in rows.values()} == {utc(2026, 12, 21, 9)}  # Monday 09:00
    assert await t.at(utc(2026, 12, 21, 9)) == {}


async def test_an_evening_run_of_the_days_moment_goes_next_morning(december):
    t, _ = december
    rows = await t.at(utc(2026, 12, 3, 18, 30))
    assert {r.due_at for r in rows.values()} == {utc(2026, 12, 4, 9)}


# -- allocations imported late ------------------------------------------------------------------

async def test_late_allocations_get_their_notice_once(december):
    t, _ = december
    await t.at(utc(2026, 12, 3, 9))
    late = await allocate(t.services.db, t.people, DEC, [Case("CR-1005", "Mo", "Pat"), Case("CR-1006", "Mo", None)],
                          at=utc(2026, 12, 10, 11, 2))
    rows = await t.at(utc(2026, 12, 10, 11, 5))
    key = t.key("allocation-notice:2026-12", "Mo") + ":" + ids_hash(late.values())
    assert set(rows) == {key, t.holder_key(late["CR-1005"], "Pat")}  # CR-1006 has no case holder to tell
    assert {r.due_at for r in rows.values()} == {utc(2026, 12, 10, 11)}  # this slot of the send window: at once
    assert "CR-1005" in rows[t.holder_key(late["CR-1005"], "Pat")].card_text
    assert "CR-1005" in rows[key].card_text and "CR-1006" in rows[key].card_text
    assert "CR-1001" not in rows[key].card_text and DEADLINE in rows[key].card_text
    assert (await notified_at(t.services.db))["CR-1005"] == utc(2026, 12, 10, 11, 5)
    assert await t.at(utc(2026, 12, 10, 11, 10)) == {}
    assert await t.at(utc(2026, 12, 10, 11, 20)) == {}

    # Imported in the evening, to an auditor the bot cannot reach: tomorrow 09:00; the QA unit's list
    # when the notice is sent and still finds no chat, not when it is queued.
    evening = await allocate(t.services.db, t.people, DEC, [Case("CR-1007", "Max", "Pat")], at=utc(2026, 12, 10, 19))
    rows = await t.at(utc(2026, 12, 10, 19, 30))
    suffix = ids_hash(evening.values())
    assert set(rows) == {t.key("allocation-notice:2026-12", "Max") + ":" + suffix,
                         t.holder_key(evening["CR-1007"], "Pat")}
    assert {r.due_at for r in rows.values()} == {utc(2026, 12, 11, 9)}
    assert "CR-1007" in rows[t.key("allocation-notice:2026-12", "Max") + ":" + suffix].card_text
    rows = await t.at(utc(2026, 12, 11, 9, 1))
    assert set(rows) == {t.key("unreachable-auditors:2026-12", "Quinn", "Max") + ":" + suffix}
    assert rows[t.key("unreachable-auditors:2026-12", "Quinn", "Max") + ":" + suffix].due_at == utc(2026, 12, 11, 9, 1)
    assert await t.at(utc(2026, 12, 11, 9, 5)) == {}


async def test_declined_started_and_closed_months_get_no_late_notice(december):
    t, _ = december
    await t.at(utc(2026, 12, 3, 9))
    await allocate(t.services.db, t.people, DEC, [Case("CR-1008", "Mo", "Pat")], state="declined")
    await allocate(t.services.db, t.people, DEC, [Case("CR-1009", "Meg", "Pat")], state="started")
    assert await t.at(utc(2026, 12, 10, 10)) == {}
    await allocate(t.services.db, t.people, DEC, [Case("CR-1010", "Meg", "Pat")])
    async with t.services.db.sessions.begin() as session:
        await session.execute(update(AuditMonth).where(AuditMonth.month == DEC).values(closed_at=utc(2026, 12, 10)))
    assert await t.at(utc(2026, 12, 10, 10, 20)) == {}
    assert (await notified_at(t.services.db))["CR-1010"] is None


async def test_allocations_imported_before_the_3rd_wait_for_the_notice(december):
    t, cases = december
    # Before the month's notice moment the late rule leaves December alone.
    assert await t.at(utc(2026, 12, 1, 10)) == {}
    assert await t.at(utc(2026, 12, 2, 17, 50)) == {}
    assert set(await t.at(utc(2026, 12, 3, 9, 10))) == {
        *(t.key("allocation-notice:2026-12", n) for n in ("Mo", "Meg", "Max")),
        t.key("unreachable-auditors:2026-12", "Quinn", "Max")} | t.holder_keys(cases, *DECEMBER_HOLDERS)


async def test_default_duties_run_the_cycle(services):
    from bot.settings import Settings

    people = await add_roster(services.db)
    cases = await allocate(services.db, people, DEC, DECEMBER)
    names = [d.name for d in default_duties(Settings())]
    # The cover duty hands work over first, so that morning's notices reach whoever covers.
    assert names[0] == "cover-morning"
    cycle = names.index("audit-cycle")
    assert names[cycle:cycle + 2] == ["audit-cycle", "allocation-notices-late"]
    await sweep(services, utc(2026, 12, 3, 9), default_duties(Settings()))
    t = Timeline(services, people)
    assert set(await outbox_rows(services.db)) == {  # the QA unit hears of Max when his notice is sent
        *(t.key("allocation-notice:2026-12", n) for n in ("Mo", "Meg", "Max"))} | t.holder_keys(cases, *DECEMBER_HOLDERS)


# -- the pure parts -------------------------------------------------------------------------------

def test_slots_of_the_send_window():
    duty = LateAllocationNoticeDuty(CAL)
    assert duty.latest_slot(utc(2026, 12, 10, 11, 14)) == utc(2026, 12, 10, 11)
    assert duty.latest_slot(utc(2026, 12, 10, 11, 15)) == utc(2026, 12, 10, 11, 15)
    assert duty.latest_slot(utc(2026, 12, 10, 8, 30)) == utc(2026, 12, 9, 17, 45)  # before 09:00: yesterday's last
    assert duty.latest_slot(utc(2026, 12, 12, 10)) == utc(2026, 12, 11, 17, 45)  # Saturday
    assert duty.latest_slot(utc(2026, 7, 10, 8, 20)) == utc(2026, 7, 10, 8, 15)  # BST: 09:15 local
    assert duty.months_open_at(utc(2026, 12, 3, 9)) == ["2026-11"]  # December's own notice covers the 3rd
    assert duty.months_open_at(utc(2026, 12, 3, 9, 15)) == ["2026-11", "2026-12"]
    assert duty.months_open_at(utc(2027, 1, 7, 9)) == ["2026-12", "2027-01"]
    assert duty.months_open_at(utc(2027, 1, 7, 9, 15)) == ["2027-01"]  # December's cycle has ended
    with pytest.raises(ValueError):
        LateAllocationNoticeDuty(CAL, slot=timedelta(0))


def test_superseded_only_by_a_later_moment_of_the_same_track_already_due():
    from qa.audit_calendar import cycle_moments

    moments = cycle_moments(2026, 12, CAL)
    by_key = {m.key: m for m in moments}
    seven = by_key["auditor-reminder:7-days"]
    assert superseded_by(moments, seven, utc(2026, 12, 21, 17)) is None
    assert superseded_by(moments, seven, utc(2026, 12, 22, 9)).key == "auditor-reminder:2-working-days"
    digest = by_key["service-lead-digest:digest"]
    assert superseded_by(moments, digest, utc(2026, 12, 30, 9)) is None  # the audit overdue is another track
    assert superseded_by(moments, digest, utc(2026, 12, 31, 9)).key == "oversight-reminder:3-working-days"
    for always in ("allocation-notice:allocation", "audit-overdue:overdue", "oversight-overdue:overdue"):
        assert superseded_by(moments, by_key[always], utc(2027, 3, 1)) is None


def test_a_moments_rows_go_at_its_time_on_its_day_in_the_window_else_at_the_next_send_moment():
    moment = utc(2026, 12, 17, 9)
    assert CAL.send_time_for(moment, utc(2026, 12, 17, 9, 3)) == moment
    assert CAL.send_time_for(moment, utc(2026, 12, 17, 18, 1)) == utc(2026, 12, 18, 9)
    assert CAL.send_time_for(moment, utc(2026, 12, 18, 10, 30)) == utc(2026, 12, 18, 10, 30)
    assert CAL.send_time_for(moment, utc(2026, 12, 18, 7)) == utc(2026, 12, 18, 9)


async def test_every_card_the_cycle_writes_passes_microsofts_parser(december):
    t, _ = december
    await t.at(utc(2026, 12, 3, 9))
    await submit(t.services.db, "CR-1003", utc(2026, 12, 15, 14), safeguarding=True)
    for now in (utc(2026, 12, 17, 9), utc(2026, 12, 22, 9), utc(2026, 12, 24, 9), utc(2026, 12, 29, 9),
                utc(2026, 12, 31, 9), utc(2027, 1, 6, 9), utc(2027, 1, 7, 9)):
        await t.at(now)
    rows = await outbox_rows(t.services.db)
    kinds = {r.kind for r in rows.values()}
    assert kinds == {"allocation-notice", "case-holder-notice", "unreachable-auditors", "auditor-reminder",
                     "service-lead-digest",
                     "audit-overdue", "supervisor-overdue", "oversight-reminder", "oversight-overdue",
                     "hos-oversight-overdue"}
    rc, report, stderr = run_validator([{"name": key, "card": r.payload["card"]} for key, r in rows.items()])
    assert report is not None, stderr
    assert {c["name"]: c["problems"] for c in report["cards"] if c["problems"]} == {}
    assert rc == 0
