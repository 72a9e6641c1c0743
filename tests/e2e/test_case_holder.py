"""The case holder's step in Microsoft 365 Agents Playground (framework 9.3: audits are done "working
alongside the case holder"): Aisha Rahman is told on allocation day that her case CP-204817 is in the
month's audit; once the service lead confirms oversight of Daniel Kowalski's audit (graded Good) she gets
the findings, opening with a thank-you, and adds her reflection from the card, which changes in place.

Screenshots: build/e2e/. The audit's submission is written straight to the demo database and oversight is
confirmed through the use case the service lead's button calls (the auditor's form and the service lead's
press are the audit cycle's e2e step, tests/e2e/test_audit_cycle.py).
"""
from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from capabilities.audit_cycle import flow
from capabilities.context import Context
from capabilities.kit import Status
from playground import run as demo
from qa.framework import KEY_AREAS
from storage.db import Database
from storage.models import Allocation, Audit, Person
from tests.e2e.chat import Chat

pytestmark = pytest.mark.e2e

CASE = "CP-204817"  # Riverside Team: Aisha Rahman holds it, Daniel Kowalski audits it, Sunita Rao leads the area
DEMO_NOW = datetime(2099, 12, 1, 9, 0, tzinfo=UTC)  # as tests/e2e/conftest.py: a month far ahead
VIEWPORT = {"width": 1400, "height": 1000}
REFLECTION = "Talking it through helped: I will record the child's wishes at every visit, not only at reviews."


@pytest.fixture(scope="module")
def case_holder_stack(e2e_ready, shots, request, tmp_path_factory) -> Iterator[tuple]:
    cal = demo.WorkingCalendar()
    month = demo.demo_month(DEMO_NOW, cal)
    folder = tmp_path_factory.mktemp("playground-case-holder")
    url = demo.prepare_database(folder / "demo.sqlite3", month)
    holder = demo.Instance(demo.CASE_HOLDER.folder, demo.free_port(), demo.CASE_HOLDER.who)
    stack = demo.Stack(url, folder / "logs", bot_port=demo.free_port(), instances=[holder])
    with stack:
        yield stack, month, cal, holder
        for log in (folder / "logs").glob("*.log"):
            shutil.copy(log, shots / f"test_case_holder-{log.name}")


def submit_and_confirm(database_url: str, cal: demo.WorkingCalendar, at: datetime) -> None:
    """Daniel Kowalski's audit of CASE submitted graded Good at `at`, and Sunita Rao's oversight confirmed
    a minute later (the use case her Confirm oversight button calls: it sends Aisha the findings)."""
    async def run() -> None:
        db = Database(database_url)
        try:
            async with db.sessions.begin() as session:
                allocation = (await session.execute(select(Allocation).where(Allocation.case_ref == CASE))).scalar_one()
                allocation.state, allocation.started_at, allocation.submitted_at = "submitted", at, at
                audit = Audit(allocation_id=allocation.id, overall_grade="Good",
                              key_areas={area: "Good" for area in KEY_AREAS},
                              strengths="The child's wishes were recorded and shaped the plan.",
                              improvements="The chronology needs bringing up to date.", discussion_held=True,
                              submitted_by_id=allocation.auditor_id, submitted_at=at, updated_at=at)
                session.add(audit)
                await session.flush()
                audit_id = audit.id
                lead = (await session.execute(select(Person).where(Person.display_name == "Sunita Rao"))).scalar_one()
            ctx = Context(db=db, calendar=cal, clock=lambda: at)
            outcome = await flow.confirm_oversight(ctx, lead.id, audit_id, "", now=at + timedelta(minutes=1),
                                                   via="e2e:oversight")
            assert outcome.status == Status.DONE, outcome.message
        finally:
            await db.dispose()

    # Playwright's sync API keeps an event loop on this thread: the write runs on its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, run()).result()


def test_the_case_holder_is_told_gets_the_findings_and_reflects(case_holder_stack, browser, shots):
    stack, month, cal, instance = case_holder_stack
    holder = Chat(browser.new_page(viewport=VIEWPORT), "case-holder", instance.url, shots)
    holder.open()
    holder.expect_card("Welcome to the QA bot", "Aisha Rahman")

    # Allocation day: told with the auditor's notice.
    moment = demo.allocation_moment(month, cal)
    report = demo.tick(moment, stack.database_url)
    assert "allocation-notice" in report, report
    told = holder.expect_card(f"Your case {CASE} is in the", "Daniel Kowalski", "seven key areas",
                              "talk with you about the case before they submit")
    holder.shot("told", told)

    # Submitted and oversight confirmed: the findings, with a thank-you for Good.
    submit_and_confirm(stack.database_url, cal, moment + timedelta(minutes=5))
    demo.tick(moment + timedelta(minutes=10), stack.database_url)
    findings = holder.expect_card(f"The audit of your case {CASE}", "Thank you", "Good",
                                  "The child's wishes were recorded and shaped the plan.",
                                  "The chronology needs bringing up to date.", "Sunita Rao", "Add my reflection")
    holder.shot("findings", findings)

    # Add my reflection: the box opens on the card; sent, the card changes in place to show it.
    cards_before = holder.cards().count()
    holder.press(findings, "Add my reflection")
    box = findings.get_by_role("textbox").first
    box.fill(REFLECTION)
    holder.shot("reflection-written", box)
    findings.get_by_role("button", name="Send my reflection").click()
    reflected = holder.expect_card(f"The audit of your case {CASE}", "Your reflection", REFLECTION,
                                   "next 1:1 supervision")
    assert holder.cards().count() == cards_before, "the findings card was not updated in place"
    holder.shot("reflection-sent", reflected)

    holder.assert_no_render_errors()
    assert not stack.exited()
