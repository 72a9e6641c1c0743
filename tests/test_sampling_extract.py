"""The month's audit sample from an Annex A extract (framework 9.3): the workbook as councils produce
it (one sheet per list, title rows, guidance and hidden lookup sheets, identifying columns) read for
the four columns the sample needs only, proposed, kept and confirmed into the month's allocations,
through the use cases and `python -m bot sample`, on both databases. No identifying value of the
file reaches a table, a log line, the summary or the workbook written."""
from __future__ import annotations

import csv
import io
import logging
from collections import Counter

import openpyxl
import pytest
from sqlalchemy import select

from capabilities.context import Context
from capabilities.sampling.flow import SampleError, confirm_sample, propose_sample
from qa.annex_a import list_name, parse_extract
from qa.calendar import WorkingCalendar
from qa.sampling import Rules
from qa.tabular import stream_rows
from storage.models import Allocation, ImportedAudit, SamplePick, SampleProposal, TrailEvent
from tests.support.cli import run_cli
from tests.support.sampling import MONTH, NOW, SECRETS, annex_a_workbook, assert_no_secret, everything_stored, roster


def test_only_the_columns_needed_are_read_and_the_rest_named():
    buf = io.BytesIO()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "List 7"
    sheet.append(["Annex A"])
    sheet.append(["Child Unique ID", "Date of Birth", "Allocated Team", "Allocated Worker", "Case closure date"])
    sheet.append(["CR-1001", SECRETS[2], "North CP", "Someone Unknown", "2026-11-30"])
    sheet.append(["Jane Smith", SECRETS[2], "North CP", "", ""])  # a name where the reference belongs
    sheet.append(["CR-1003", SECRETS[2], "SW1A 1AA", "", ""])  # a postcode in the team column
    book.save(buf)
    extract = parse_extract(stream_rows(buf.getvalue(), "annex.xlsx"), lambda text: None)
    assert [(c.case_ref, c.annex_a_list, c.team, c.closed_on.isoformat()) for c in extract.cases] == [
        ("CR-1001", "List 7", "North CP", "2026-11-30")]
    summary = extract.describe()
    assert "columns ignored (never read or kept): Date of Birth" in summary
    assert "'List 7' row 4: the case reference is not one in the council's format" in summary
    assert "'List 7' row 5: the team column holds something other than a team name" in summary
    assert extract.holders_unknown == 1
    assert_no_secret(summary, "Jane Smith")
    assert list_name("List 6 - Children in Need") == "List 6" and list_name("8") == "List 8"


def test_a_flat_csv_with_list_case_ref_team_and_case_holder():
    text = "list,case_ref,team,case_holder\nList 6,CR-1,North CIN,a@b.gov.uk\n8,CR-2,South LAC,\n"
    extract = parse_extract(stream_rows(text.encode(), "flat.csv"), lambda t: 5 if t == "a@b.gov.uk" else None)
    assert [(c.case_ref, c.annex_a_list, c.case_holder_id) for c in extract.cases] == [
        ("CR-1", "List 6", 5), ("CR-2", "List 8", None)]


def test_a_file_with_no_case_reference_column_is_refused():
    from qa.annex_a import ExtractRejected

    with pytest.raises(ExtractRejected, match="no sheet of the file has a case reference column"):
        parse_extract(stream_rows(b"Forename,Surname\nA,B\n", "x.csv"), lambda t: None)


async def test_a_full_annex_a_workbook_leaves_nothing_identifying_anywhere(db, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    ids = await roster(db)
    async with db.sessions.begin() as session:  # audited in the last twelve months: not chosen
        session.add(ImportedAudit(month="2026-06", case_ref="CR-1001", service_area="North Area", team="North CIN",
                                  grade="Good", key_areas={}, imported_at=NOW))
    ctx = Context(db, WorkingCalendar(), lambda: NOW)
    path = annex_a_workbook(tmp_path / "annex-a.xlsx")
    report = await propose_sample(ctx, path, MONTH, Rules(), seed=42, theme="", actor_id=None, via="test")
    summary = report.describe()
    assert f"audit sample proposed for {MONTH} (seed 42): 4 cases" in summary
    assert "per auditor: PM North CIN 1, PM North CP 1, PM South CIN 1, PM South LAC 1" in summary
    assert "left out: 1 audited in the last 12 months" in summary
    assert ("columns ignored (never read or kept): Forename, Surname, Gender, Ethnicity, Date of Birth, "
            "Age of Child (Years), Does the Child have a Disability, Placement postcode, Placement address") in summary
    assert "sheets with no case reference column, not read: 'Guidance'" in summary
    assert "Lookups" not in summary  # hidden: never read
    for pick in report.proposal.picks:
        assert pick.case.case_ref != "CR-1001"
        auditor_team = next(e for e, i in ids.items() if i == pick.auditor_id).split("@")[0].removeprefix("pm.")
        assert auditor_team != pick.case.team.lower().replace(" ", ".")
        assert pick.auditor_id != ids[f"pm.{pick.case.team.lower().replace(' ', '.')}@council.gov.uk"]
    from capabilities.sampling.workbook import sample_workbook
    written = sample_workbook(report.proposal, report.names, summary.splitlines())
    cells = []
    for sheet in openpyxl.load_workbook(io.BytesIO(written)).worksheets:
        cells += [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    stored = await everything_stored(db)
    assert "sample_proposed" in stored and "CR-10" in stored
    assert_no_secret(summary, stored, caplog.text, "\n".join(cells))

    # The same file and seed propose the same sample again (kept in place of the first).
    again = await propose_sample(ctx, path, MONTH, Rules(), seed=42, theme="", actor_id=None, via="test")
    assert again.proposal.picks == report.proposal.picks
    async with db.sessions() as session:
        assert len((await session.execute(select(SampleProposal))).scalars().all()) == 1

    # Confirmed: the month's allocations, through the allocation list's own path.
    imported = await confirm_sample(ctx, MONTH, actor_id=None, via="test")
    assert imported.added == 4
    async with db.sessions() as session:
        allocations = (await session.execute(select(Allocation).where(Allocation.month == MONTH))).scalars().all()
        assert sorted(a.case_ref for a in allocations) == sorted(p.case.case_ref for p in report.proposal.picks)
        assert all(a.case_holder_id is not None for a in allocations)
        # The register's "How chosen": drawn by the sample, with its seed (an allocation list says "uploaded").
        assert {a.how_chosen for a in allocations} == {"sampled, seed 42"}
        proposal = await session.scalar(select(SampleProposal))
        assert proposal.confirmed_at is not None
        actions = set((await session.execute(select(TrailEvent.action))).scalars())
        assert {"sample_proposed", "sample_confirmed", "allocated"} <= actions
    with pytest.raises(SampleError, match="was confirmed on"):
        await propose_sample(ctx, path, MONTH, Rules(), seed=1, theme="", actor_id=None, via="test")
    with pytest.raises(SampleError, match="was confirmed on .*nothing was changed"):
        await confirm_sample(ctx, MONTH, actor_id=None, via="test")
    assert_no_secret(caplog.text, await everything_stored(db))


async def test_the_cli_proposes_writes_the_list_and_confirms(db, tmp_path):
    await roster(db)
    path = annex_a_workbook(tmp_path / "annex-a.xlsx")
    out = tmp_path / "proposal.xlsx"
    code, stdout, stderr = await run_cli(db, "sample", "propose", str(path), "--month", MONTH, "--seed", "7",
                                         "--out", str(out))
    assert code == 0, stderr
    assert f"audit sample proposed for {MONTH} (seed 7): 4 cases" in stdout
    assert "per service area: North Area 2, South Area 2" in stdout
    assert f"wrote {out}" in stdout
    book = openpyxl.load_workbook(out)
    rows = list(book[f"Sample {MONTH}"].iter_rows(values_only=True))
    assert rows[0][:2] == ("Case reference", "Annex A list") and len(rows) == 5
    assert_no_secret(stdout, stderr)
    code, stdout, stderr = await run_cli(db, "sample", "propose", str(path), "--month", "2027-1")
    assert code != 0 and "2026-12" in stderr + stdout
    code, stdout, stderr = await run_cli(db, "sample", "confirm", "--month", MONTH)
    assert code == 0, stderr
    assert f"allocations for {MONTH} imported from sample-{MONTH}.csv: 4 added" in stdout
    async with db.sessions() as session:
        states = Counter((await session.execute(select(SamplePick.state))).scalars())
    assert states["picked"] == 4 and states["spare"] > 0  # the eligible cases not drawn are kept for a swap


def test_a_csv_extract_reads_through_the_same_reader(tmp_path):
    path = tmp_path / "flat.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["Annex A extract, December"])
        writer.writerow(["Annex A List", "Child Unique ID", "Allocated Team", "Allocated Worker", "Date of Birth"])
        writer.writerow(["List 6", "CR-1", "North CIN", "", SECRETS[2]])
    extract = parse_extract(stream_rows(path.read_bytes(), path.name), lambda t: None)
    assert [(c.case_ref, c.annex_a_list) for c in extract.cases] == [("CR-1", "List 6")]
    assert extract.ignored_columns == ["Date of Birth"]


async def test_reaudits_owed_come_first_and_the_calendars_theme_picks_the_lists(db, tmp_path):
    """A re-audit an agreed Inadequate grade owes January (allocated by escalations) is in the sample
    first with its auditor, though audited in December; the QA calendar's thematic audit that month
    draws the rest from its lists (QA_SAMPLE_THEME_LISTS)."""
    from datetime import date

    from storage.models import Audit, AuditMonth, CalendarEvent, Moderation, Reaudit

    ids = await roster(db)
    pm, holder = ids["pm.south.cin@council.gov.uk"], ids["worker.north.cin@council.gov.uk"]
    async with db.sessions.begin() as session:
        session.add_all([AuditMonth(month="2026-12", imported_at=NOW), AuditMonth(month=MONTH, imported_at=NOW)])
        await session.flush()
        first = Allocation(month="2026-12", case_ref="CR-1002", annex_a_list="List 6", service_area="North Area",
                           team="North CIN", auditor_id=pm, case_holder_id=holder, created_at=NOW, updated_at=NOW)
        again = Allocation(month=MONTH, case_ref="CR-1002", annex_a_list="List 6", service_area="North Area",
                           team="North CIN", auditor_id=pm, case_holder_id=holder, created_at=NOW, updated_at=NOW)
        session.add_all([first, again])
        await session.flush()
        audit = Audit(allocation_id=first.id, key_areas={}, updated_at=NOW)
        session.add(audit)
        await session.flush()
        moderation = Moderation(audit_id=audit.id, allocation_id=first.id, state="agreed", original_grade="Inadequate",
                                created_at=NOW)
        session.add(moderation)
        await session.flush()
        session.add(Reaudit(moderation_id=moderation.id, original_allocation_id=first.id, month=MONTH,
                            allocation_id=again.id, created_at=NOW))
        session.add(CalendarEvent(kind="thematic_audit", starts_on=date(2027, 1, 1), ends_on=date(2027, 1, 31),
                                  title="Missing children", imported_at=NOW, updated_at=NOW))
    ctx = Context(db, WorkingCalendar(), lambda: NOW)
    rules = Rules(theme_lists={"missing children": ("List 8",)})
    report = await propose_sample(ctx, annex_a_workbook(tmp_path / "annex-a.xlsx"), MONTH, rules, seed=5,
                                  actor_id=None, via="test")
    picks = report.proposal.picks
    assert (picks[0].case.case_ref, picks[0].reaudit, picks[0].auditor_id) == ("CR-1002", True, pm)
    assert {p.case.annex_a_list for p in picks[1:]} == {"List 8"} and len(picks) == 4
    assert report.proposal.theme == "Missing children"
    assert "1 of them re-audits; theme 'Missing children', from List 8" in report.describe()
