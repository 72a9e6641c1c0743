"""Which audit form each allocation takes, at import: the optional `form` and `audit_kind` columns,
else the allocation's theme, else its service area, else the default, which the summary names
(qa/form_choice.py through qa/allocations.py and storage/allocations.py)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from capabilities.audit_forms import config
from capabilities.context import Context
from capabilities.sampling.flow import confirm_sample, propose_sample
from qa.allocations import COLUMNS, audit_kind, column_name
from qa.calendar import WorkingCalendar
from qa.forms import form_from_data
from qa.sampling import Rules
from storage.allocations import AllocationsRejected, import_allocations
from storage.models import Allocation, AuditMonth, Person, TrailEvent
from tests.support import sampling
from tests.support.allocation_files import csv_bytes, row

NOW = datetime(2026, 12, 1, 9, tzinfo=timezone.utc)
MONTH = "2026-12"
STAFF = [
    ("pm.cin@council.gov.uk", "practice_manager", "Children in Need"),
    ("pm.lac@council.gov.uk", "practice_manager", "Looked After Children"),
    ("sw1@council.gov.uk", "practitioner", "Children in Need"),
    ("sw2@council.gov.uk", "practitioner", "Looked After Children"),
]
SUPERVISORS = {"sw1@council.gov.uk": "pm.lac@council.gov.uk"}
DEFAULT = json.loads((config.DEFAULT_DIR / "default.json").read_text(encoding="utf-8"))


def form(name: str, kind: str = "case", **extra) -> object:
    return form_from_data({**DEFAULT, "name": name, "title": name.replace("-", " ").title(), "kind": kind, **extra})


FORMS = (form_from_data(DEFAULT), form("cin-case", service_areas=["Children in Need"]),
         form("stability-themed", themes=["Stability"]), form("supervision-file", kind="supervision"))
HEADER = [*COLUMNS, "Form name", "Type of audit"]


def listed(case_ref: str, *, auditor: str = "pm.cin@council.gov.uk", holder: str = "sw1@council.gov.uk",
           area: str = "Children in Need", theme: str = "", form_name: str = "", kind: str = "") -> dict:
    return {**row(case_ref, auditor, holder, area=area, theme=theme), "Form name": form_name, "Type of audit": kind}


LIST = [
    listed("CR-1001"),  # its service area's form
    listed("CR-1002", auditor="pm.lac@council.gov.uk", holder="sw2@council.gov.uk", area="Looked After Children",
           theme="Stability"),  # a themed audit: the theme's form
    listed("", kind="Supervision audit"),  # by kind: sw1's supervision file, SUP-3 (qa/supervision_audit.py)
    listed("CR-1004", auditor="pm.lac@council.gov.uk", holder="sw2@council.gov.uk",
           area="Looked After Children"),  # nothing fits: the default, said in the summary
    listed("CR-1005", form_name="Stability-Themed"),  # named (any case)
]


async def add_staff(db) -> None:
    async with db.sessions.begin() as s:
        for email, role, area in STAFF:
            s.add(Person(email=email, display_name=email.split("@")[0], role=role, team="T", service_area=area,
                         supervisor_email=SUPERVISORS.get(email), created_at=NOW, updated_at=NOW))


async def forms_of(db) -> dict[str, str]:
    async with db.sessions() as s:
        return {a.case_ref: a.form_name for a in (await s.execute(select(Allocation))).scalars()}


async def counts(db) -> tuple[int, ...]:
    async with db.sessions() as s:
        return tuple([(await s.execute(select(func.count()).select_from(t))).scalar_one()
                      for t in (Allocation, TrailEvent, AuditMonth)])


def test_the_optional_columns_headings_and_kinds_are_read_as_people_write_them():
    assert [column_name(h) for h in ("Form", "Form name", "Audit form", "Audit kind", "Kind", "Type of audit")] == [
        "form", "form", "form", "audit_kind", "audit_kind", "audit_kind"]
    assert [audit_kind(t) for t in ("", "Case audit", "SUPERVISION", "partnership audits", "CRH",
                                    "Children's home audit", "peer review")] == [
        "case", "case", "supervision", "partnership", "crh", "crh", None]


async def test_each_allocation_takes_its_form_and_the_summary_names_the_fallbacks(db):
    await add_staff(db)
    report = await import_allocations(db, (csv_bytes(LIST, HEADER), "list.csv"), MONTH, NOW, actor_id=None,
                                      via="test", forms=FORMS)
    assert await forms_of(db) == {"CR-1001": "cin-case", "CR-1002": "stability-themed",
                                  "SUP-3": "supervision-file", "CR-1004": "default", "CR-1005": "stability-themed"}
    lines = report.describe().splitlines()
    assert "audit forms: cin-case: 1 case, default: 1 case, stability-themed: 2 cases, supervision-file: 1 case" in lines
    assert lines[-1] == "1 allocation on the default form: no case audit form for the service area Looked After Children"

    # A not-started allocation whose form changes takes the new one (updated); the rest are unchanged.
    again = [dict(LIST[0], **{"Form name": "default"}), *LIST[1:]]
    report = await import_allocations(db, (csv_bytes(again, HEADER), "list.csv"), MONTH, NOW + timedelta(hours=1),
                                      actor_id=None, via="test", forms=FORMS)
    assert (report.updated_cases, report.unchanged) == (["CR-1001"], 4)
    assert (await forms_of(db))["CR-1001"] == "default"


async def test_without_the_columns_or_other_forms_every_allocation_is_on_the_default_and_nothing_is_said(db):
    await add_staff(db)
    report = await import_allocations(db, (csv_bytes(LIST[:2]), "list.csv"), MONTH, NOW, actor_id=None, via="test",
                                      forms=FORMS[:1])
    assert set((await forms_of(db)).values()) == {"default"}
    assert report.form_fallbacks == [] and "audit forms" not in report.describe()


@pytest.mark.parametrize("changed, expected", [
    ({"Form name": "nonesuch"}, "row 3, column form: no audit form named 'nonesuch' is in use "
                                "(cin-case, default, stability-themed, supervision-file)"),
    ({"Form name": "cin-case", "Type of audit": "supervision"},
     "row 3, column form: the form 'cin-case' is for case audits, not supervision audits"),
    ({"Type of audit": "peer review", "case_ref": "CR-1003"}, "row 3, column audit_kind: 'peer review' is not a kind of audit"),
])
async def test_an_unknown_form_or_kind_refuses_the_list_naming_row_and_column_and_writes_nothing(db, changed, expected):
    await add_staff(db)
    rows = [LIST[0], dict(LIST[2], **changed), *LIST[3:]]
    before = await counts(db)
    with pytest.raises(AllocationsRejected) as caught:
        await import_allocations(db, (csv_bytes(rows, HEADER), "list.csv"), MONTH, NOW, actor_id=None, via="test",
                                 forms=FORMS)
    assert await counts(db) == before
    assert f"  {expected}" in str(caught.value).splitlines()[1]


async def test_a_named_form_with_no_forms_given_is_refused(db):
    await add_staff(db)
    with pytest.raises(AllocationsRejected) as caught:
        await import_allocations(db, (csv_bytes([listed("CR-1001", form_name="cin-case")], HEADER), "list.csv"),
                                 MONTH, NOW, actor_id=None, via="test")
    assert "row 2, column form: no audit form named 'cin-case' is in use (default)" in str(caught.value)
    assert await forms_of(db) == {}


async def test_a_confirmed_sample_takes_the_form_of_its_theme_or_service_area(db, tmp_path, monkeypatch):
    folder = tmp_path / "forms"
    folder.mkdir()
    for made in (DEFAULT, {**DEFAULT, "name": "north", "service_areas": ["North Area"]},
                 {**DEFAULT, "name": "missing", "themes": ["Missing children"]}):
        (folder / f"{made['name']}.json").write_text(json.dumps(made), encoding="utf-8")
    monkeypatch.setenv("QA_FORMS_DIR", str(folder))
    config.forms_in_use.cache_clear()
    try:
        await sampling.roster(db)
        ctx = Context(db, WorkingCalendar(), lambda: sampling.NOW)
        extract = sampling.annex_a_workbook(tmp_path / "annex-a.xlsx")
        await propose_sample(ctx, extract, sampling.MONTH, Rules(), seed=3, theme="", actor_id=None, via="test")
        report = await confirm_sample(ctx, sampling.MONTH, actor_id=None, via="test")
        async with db.sessions() as s:
            chosen = {(a.service_area, a.form_name) for a in (await s.execute(select(Allocation))).scalars()}
        assert chosen == {("North Area", "north"), ("South Area", "default")}
        assert report.form_fallbacks[0].endswith("on the default form: no case audit form for the service area South Area")

        await propose_sample(ctx, extract, "2027-02", Rules(), seed=3, theme="Missing children", actor_id=None,
                             via="test")
        report = await confirm_sample(ctx, "2027-02", actor_id=None, via="test")
        async with db.sessions() as s:
            themed = {a.form_name for a in (await s.execute(select(Allocation).where(Allocation.month == "2027-02")))
                      .scalars()}
        assert themed == {"missing"} and report.form_fallbacks == []
    finally:
        monkeypatch.delenv("QA_FORMS_DIR")
        config.forms_in_use.cache_clear()
