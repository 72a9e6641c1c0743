"""storage/audit_flow.py on both databases: state changes, who may act, the audit trail, the
messages each action queues, and pressing an old copy again."""
from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from capabilities.audit_cycle import flow
from capabilities.context import Context
from capabilities.kit import Status
from dialogs import audit_cards as ac
from qa.calendar import WorkingCalendar
from storage.models import KEY_AREAS, Allocation, Audit, AuditMonth, OutboxMessage, Person, TrailEvent
from storage.outbox import sent_rows

CAL = WorkingCalendar(tz=ZoneInfo("Europe/London"))
NOW = datetime(2026, 12, 10, 10, 0, tzinfo=timezone.utc)  # a Thursday, inside the send window
SATURDAY = datetime(2026, 12, 12, 11, 0, tzinfo=timezone.utc)
MONDAY_0900 = datetime(2026, 12, 14, 9, 0, tzinfo=timezone.utc)
AREA = "Children in Need"

# name -> (role, team, service areas)
PEOPLE = {
    "ann": ("practice_manager", "Team Gamma", AREA),  # the auditor
    "pat": ("practitioner", "Team Alpha", AREA),  # the case holder
    "pam": ("practice_manager", "Team Alpha", AREA),  # manages the case's team
    "bea": ("practice_manager", "Team Beta", AREA),
    "sam": ("service_lead", "", AREA),
    "cal": ("service_lead", "", "Child Protection"),
    "hana": ("head_of_service", "", "children in need; Child Protection"),
    "hal": ("head_of_service", "", "Child Protection"),
    "dee": ("deputy_director", "", "Child Protection;Children in Need"),
    "quinn": ("qa_unit", "QA Unit", ""),
}


@pytest.fixture
async def world(db) -> dict[str, int]:
    """The people, and one December allocation ("case") audited by Ann, held by Pat."""
    async with db.sessions.begin() as session:
        people = {name: Person(email=f"{name}@council.gov.uk", display_name=name.title() + " Example", role=role,
                               team=team, service_area=areas, created_at=NOW, updated_at=NOW)
                  for name, (role, team, areas) in PEOPLE.items()}
        session.add_all(people.values())
        session.add(AuditMonth(month="2026-12", imported_at=NOW))
        await session.flush()
        allocation = Allocation(month="2026-12", case_ref="CR-1001", annex_a_list="List 6", service_area=AREA,
                                team="Team Alpha", theme="", auditor_id=people["ann"].id,
                                case_holder_id=people["pat"].id, state="allocated", created_at=NOW, updated_at=NOW)
        session.add(allocation)
        await session.flush()
        ids = {name: p.id for name, p in people.items()}
        ids["case"] = allocation.id
        return ids


def ctx(db) -> Context:
    return Context(db, CAL, lambda: NOW)


def kw(now: datetime = NOW, via: str = "card:test") -> dict:
    return {"now": now, "via": via}


def form(**changes) -> dict:
    """The form's inputs as Teams sends them: every answer given."""
    inputs = {ac.OVERALL_GRADE: "Good", **{ac.key_area_input_id(a): "Good" for a in KEY_AREAS},
              ac.STRENGTHS: "The plan was clear", ac.IMPROVEMENTS: "Visits could be timelier",
              ac.DISCUSSION_HELD: "true", ac.SEEK_FAMILY_VIEWS: "false", ac.SAFEGUARDING_CONCERN: "false",
              ac.SAFEGUARDING_DESCRIPTION: ""}
    inputs.update(changes)
    return {k: v for k, v in inputs.items() if v is not None}


async def allocation(db, allocation_id: int) -> Allocation:
    async with db.sessions() as session:
        return await session.get(Allocation, allocation_id)


async def audit_of(db, allocation_id: int) -> Audit | None:
    async with db.sessions() as session:
        return (await session.execute(select(Audit).where(Audit.allocation_id == allocation_id))).scalar_one_or_none()


async def events(db) -> list[TrailEvent]:
    async with db.sessions() as session:
        return list((await session.execute(select(TrailEvent).order_by(TrailEvent.id))).scalars())


async def outbox(db, kind: str | None = None) -> list[OutboxMessage]:
    async with db.sessions() as session:
        stmt = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind:
            stmt = stmt.where(OutboxMessage.kind == kind)
        return list((await session.execute(stmt)).scalars())


async def submitted(db, w, now=NOW, **changes) -> flow.AuditOutcome:
    outcome = await flow.submit_audit(ctx(db), w["ann"], w["case"], form(**changes), **kw(now))
    assert outcome.status == Status.DONE, outcome
    return outcome


async def snapshot(db) -> tuple:
    """Everything an action could change, to show that a refusal changed nothing."""
    alloc = [(a.id, a.state, a.updated_at) for a in await _all(db, Allocation)]
    audits = [(a.id, a.updated_at, a.submitted_at) for a in await _all(db, Audit)]
    return alloc, audits, len(await events(db)), len(await outbox(db))


async def _all(db, model):
    async with db.sessions() as session:
        return list((await session.execute(select(model))).scalars())


# -- start, draft, submit ----------------------------------------------------------------------

async def test_start_marks_the_allocation_started_once(db, world):
    first = await flow.start_audit(ctx(db), world["ann"], world["case"], **kw(via="card:allocation_notice"))
    assert first.status == Status.DONE and first.state == "started"
    assert first.view.case_ref == "CR-1001" and first.view.started and first.view.case_holder_name == "Pat Example"
    row = await allocation(db, world["case"])
    assert row.state == "started" and row.started_at == NOW
    assert await audit_of(db, world["case"]) is not None
    [event] = await events(db)
    assert (event.action, event.actor_id, event.via, event.at) == (flow.STARTED, world["ann"],
                                                                   "card:allocation_notice", NOW)
    again = await flow.start_audit(ctx(db), world["ann"], world["case"], **kw())
    assert again.status == Status.UNCHANGED
    assert len(await events(db)) == 1


@pytest.mark.parametrize("who", ["pat", "pam", "sam", "dee"])
async def test_only_the_auditor_or_the_qa_unit_may_work_on_the_audit(db, world, who):
    before = await snapshot(db)
    for outcome in (
        await flow.start_audit(ctx(db), world[who], world["case"], **kw()),
        await flow.save_draft(ctx(db), world[who], world["case"], form(), **kw()),
        await flow.submit_audit(ctx(db), world[who], world["case"], form(), **kw()),
        await flow.decline_allocation(ctx(db), world[who], world["case"], "Conflict of interest", **kw()),
    ):
        assert outcome.status == Status.REFUSED
        assert "Only the auditor" in outcome.message and "Nothing was changed" in outcome.message
        assert (outcome.case_ref, outcome.state, outcome.allocation_id) == ("", "", None)
    assert await snapshot(db) == before
    assert await audit_of(db, world["case"]) is None


async def test_the_qa_unit_may_act_for_the_auditor(db, world):
    outcome = await flow.submit_audit(ctx(db), world["quinn"], world["case"], form(), **kw())
    assert outcome.status == Status.DONE
    assert (await audit_of(db, world["case"])).submitted_by_id == world["quinn"]


async def test_someone_who_left_or_an_unknown_allocation_is_refused(db, world):
    async with db.sessions.begin() as session:
        await session.execute(update(Person).where(Person.id == world["ann"]).values(left_at=NOW))
    left = await flow.start_audit(ctx(db), world["ann"], world["case"], **kw())
    assert left.status == Status.REFUSED and left.message == flow.NOT_ON_ROSTER
    gone = await flow.start_audit(ctx(db), world["quinn"], 999_999, **kw())
    assert gone.status == Status.NOT_FOUND and gone.message == flow.NOT_FOUND
    no_audit = await flow.confirm_oversight(ctx(db), world["sam"], 999_999, "", **kw())
    assert no_audit.status == Status.NOT_FOUND and no_audit.message == flow.NOT_FOUND
    assert await events(db) == []


async def test_save_draft_keeps_what_is_there_and_resuming_shows_it(db, world):
    partial = {ac.OVERALL_GRADE: "Requires Improvement", ac.key_area_input_id("Planning"): "Good",
               ac.key_area_input_id("Outcomes"): "Brilliant",  # not a grade: a tampered card
               ac.STRENGTHS: "Strong relationships", ac.SEEK_FAMILY_VIEWS: "true"}
    saved = await flow.save_draft(ctx(db), world["ann"], world["case"], partial, **kw())
    assert saved.status == Status.DONE and saved.errors == {}
    assert (await allocation(db, world["case"])).state == "started"
    resumed = await flow.start_audit(ctx(db), world["ann"], world["case"], **kw())
    assert resumed.status == Status.UNCHANGED
    assert resumed.draft[ac.OVERALL_GRADE] == "Requires Improvement"
    assert resumed.draft["key_areas"] == {"Planning": "Good"}
    assert resumed.draft[ac.STRENGTHS] == "Strong relationships"
    assert resumed.draft[ac.SEEK_FAMILY_VIEWS] is True and resumed.draft[ac.DISCUSSION_HELD] is False
    [event] = await events(db)
    assert event.action == flow.DRAFT_SAVED
    assert "Strong relationships" not in json.dumps(event.detail)
    assert event.detail["strengths_length"] == len("Strong relationships")


async def test_submit_with_answers_missing_keeps_the_draft_and_says_what_is_wrong(db, world):
    inputs = form(**{ac.OVERALL_GRADE: "", ac.key_area_input_id("Supervision"): "", ac.DISCUSSION_HELD: None,
                     ac.SAFEGUARDING_CONCERN: "true", ac.SAFEGUARDING_DESCRIPTION: ""})
    outcome = await flow.submit_audit(ctx(db), world["ann"], world["case"], inputs, **kw())
    assert outcome.status == Status.INVALID
    assert set(outcome.errors) == {ac.OVERALL_GRADE, ac.key_area_input_id("Supervision"), ac.DISCUSSION_HELD,
                                   ac.SAFEGUARDING_DESCRIPTION}
    row = await allocation(db, world["case"])
    assert row.state == "started" and row.submitted_at is None
    audit = await audit_of(db, world["case"])
    assert audit.submitted_at is None and audit.strengths == "The plan was clear"
    assert outcome.draft[ac.STRENGTHS] == "The plan was clear"
    assert await outbox(db) == []  # no oversight request, and no alert without a description
    [event] = await events(db)
    assert event.action == flow.DRAFT_SAVED and event.detail["submit_errors"] == sorted(outcome.errors)


async def test_submit_sends_the_oversight_request_to_the_areas_service_lead(db, world):
    outcome = await submitted(db, world)
    assert outcome.state == "submitted" and outcome.grade == "Good" and outcome.notified == 1
    row = await allocation(db, world["case"])
    audit = await audit_of(db, world["case"])
    assert row.submitted_at == NOW and audit.submitted_by_id == world["ann"] and audit.submitted_at == NOW
    [request] = await outbox(db)
    assert (request.kind, request.person_id, request.idempotency_key) == (
        flow.OVERSIGHT_REQUEST, world["sam"], f"oversight-request:{world['case']}:{world['sam']}")
    assert request.due_at == NOW  # inside the send window: now
    card = json.dumps(request.payload["card"])
    assert "Oversight needed: case CR-1001" in card and f'"audit_id": {outcome.audit_id}' in card
    assert "Wednesday 6 January 2027" in card  # oversight due: the 6th of the next month
    event = (await events(db))[-1]
    assert event.action == flow.SUBMITTED and event.detail["oversight_requested"] == 1
    assert "The plan was clear" not in json.dumps(event.detail)


async def test_submit_out_of_hours_queues_the_request_for_the_next_send_moment(db, world):
    await submitted(db, world, now=SATURDAY)
    [request] = await outbox(db)
    assert request.due_at == MONDAY_0900


async def test_submitting_twice_at_once_submits_once(db, world):
    first, second = await asyncio.gather(
        flow.submit_audit(ctx(db), world["ann"], world["case"], form(), **kw()),
        flow.submit_audit(ctx(db), world["ann"], world["case"], form(), **kw()))
    assert sorted([first.status, second.status]) == [Status.ALREADY, Status.DONE]
    assert len(await outbox(db, flow.OVERSIGHT_REQUEST)) == 1
    assert [e.action for e in await events(db)] == [flow.SUBMITTED]


async def test_acting_on_an_old_copy_again_changes_nothing(db, world):
    await submitted(db, world)
    before = await snapshot(db)
    for outcome in (
        await flow.submit_audit(ctx(db), world["ann"], world["case"], form(), **kw()),
        await flow.save_draft(ctx(db), world["ann"], world["case"], form(), **kw()),
        await flow.start_audit(ctx(db), world["ann"], world["case"], **kw()),
        await flow.decline_allocation(ctx(db), world["ann"], world["case"], "Too late", **kw()),
    ):
        assert outcome.status == Status.ALREADY
        assert outcome.message.startswith("This audit was already submitted by Ann Example on Thursday 10 December "
                                          "2026 at 10:00")
    assert await snapshot(db) == before


# -- safeguarding ------------------------------------------------------------------------------

async def test_a_safeguarding_concern_alerts_the_four_roles_at_once(db, world):
    outcome = await submitted(db, world, now=SATURDAY, **{ac.SAFEGUARDING_CONCERN: "true",
                                                          ac.SAFEGUARDING_DESCRIPTION: "Unexplained bruising seen"})
    assert outcome.urgent and outcome.safeguarding
    alerts = await outbox(db, flow.SAFEGUARDING_ALERT)
    assert {a.person_id for a in alerts} == {world["pam"], world["sam"], world["hana"], world["dee"]}
    assert all(a.due_at == SATURDAY and a.payload.get("alone") for a in alerts)  # at once, not Monday
    assert "Unexplained bruising seen" in json.dumps(alerts[0].payload["card"])
    [request] = await outbox(db, flow.OVERSIGHT_REQUEST)
    assert request.due_at == MONDAY_0900
    [alert_event] = [e for e in await events(db) if e.action == flow.SAFEGUARDING_ALERTED]
    assert alert_event.detail["alerted"] == 4
    assert alert_event.detail["roles"] == ["deputy_director", "head_of_service", "practice_manager", "service_lead"]
    assert "bruising" not in json.dumps(alert_event.detail)


async def test_a_concern_in_a_draft_is_escalated_once_and_needs_a_description(db, world):
    flagged = form(**{ac.SAFEGUARDING_CONCERN: "true", ac.SAFEGUARDING_DESCRIPTION: ""})
    first = await flow.save_draft(ctx(db), world["ann"], world["case"], flagged, **kw())
    assert first.status == Status.DONE and not first.urgent
    assert set(first.errors) == {ac.SAFEGUARDING_DESCRIPTION}
    assert await outbox(db) == []
    described = {**flagged, ac.SAFEGUARDING_DESCRIPTION: "Child left alone overnight"}
    second = await flow.save_draft(ctx(db), world["ann"], world["case"], described, **kw())
    assert second.urgent and second.errors == {}
    assert len(await outbox(db, flow.SAFEGUARDING_ALERT)) == 4
    third = await flow.submit_audit(ctx(db), world["ann"], world["case"], described, **kw())
    assert third.status == Status.DONE and not third.urgent
    assert len(await outbox(db, flow.SAFEGUARDING_ALERT)) == 4
    assert [e.action for e in await events(db)].count(flow.SAFEGUARDING_ALERTED) == 1


# -- oversight, disputes, upload ---------------------------------------------------------------

@pytest.mark.parametrize("who", ["cal", "hana", "ann", "quinn", "pam"])
async def test_only_a_service_lead_of_the_area_oversees(db, world, who):
    outcome = await submitted(db, world)
    audit_id = outcome.audit_id
    before = await snapshot(db)
    for result in (await flow.open_oversight(ctx(db), world[who], audit_id, **kw()),
                   await flow.confirm_oversight(ctx(db), world[who], audit_id, "", **kw()),
                   await flow.dispute_audit(ctx(db), world[who], audit_id, "Grade too high", **kw())):
        assert result.status == Status.REFUSED and "service lead for the audit's service area" in result.message
        # Issue 9: a refusal names nothing the person could not already see.
        assert AREA not in result.message and (result.case_ref, result.state, result.allocation_id) == ("", "", None)
    assert await snapshot(db) == before


async def test_open_oversight_gives_the_audit_for_the_request_card(db, world):
    audit_id = (await submitted(db, world)).audit_id
    opened = await flow.open_oversight(ctx(db), world["sam"], audit_id, **kw(via="card:service-lead-digest"))
    assert opened.status == Status.UNCHANGED
    assert opened.summary.audit_id == audit_id and opened.summary.grade == "Good"
    assert opened.summary.oversight_due.isoformat() == "2027-01-06"
    assert (await events(db))[-1].action == flow.OVERSIGHT_OPENED


async def test_confirm_oversight_asks_the_auditor_to_upload_then_uploaded_completes(db, world):
    audit_id = (await submitted(db, world)).audit_id
    early = await flow.confirm_uploaded(ctx(db), world["ann"], audit_id, **kw())
    assert early.status == Status.ALREADY and "once oversight is confirmed" in early.message
    confirmed = await flow.confirm_oversight(ctx(db), world["sam"], audit_id, "  Agree with the grade  ", **kw())
    assert confirmed.status == Status.DONE and confirmed.state == "oversight_confirmed"
    row = await allocation(db, world["case"])
    assert (row.oversight_by_id, row.oversight_at, row.oversight_comment) == (world["sam"], NOW,
                                                                              "Agree with the grade")
    [upload] = await outbox(db, flow.UPLOAD_REQUEST)
    assert upload.person_id == world["ann"] and upload.due_at == NOW
    assert "Agree with the grade" in json.dumps(upload.payload["card"])
    # The case holder (Pat) gets the findings in the same transaction, and the trail row says so.
    [findings] = await outbox(db, "audit-findings")
    assert findings.person_id == world["pat"] and findings.idempotency_key == f"audit-findings:{world['case']}:{world['pat']}"
    assert "CR-1001" in json.dumps(findings.payload["card"])
    assert (await events(db))[-1].detail == {"comment_length": len("Agree with the grade"), "upload_by": "2027-01-06",
                                             "case_holder_told": 1}

    before = await snapshot(db)
    again = await flow.confirm_oversight(ctx(db), world["sam"], audit_id, "", **kw())
    assert again.status == Status.ALREADY
    assert again.message.startswith("Oversight was already confirmed by Sam Example on Thursday 10 December 2026")
    assert await snapshot(db) == before

    refused = await flow.confirm_uploaded(ctx(db), world["pat"], audit_id, **kw())
    assert refused.status == Status.REFUSED
    done = await flow.confirm_uploaded(ctx(db), world["ann"], audit_id, **kw())
    assert done.status == Status.DONE and done.state == "complete"
    assert (await allocation(db, world["case"])).uploaded_at == NOW
    twice = await flow.confirm_uploaded(ctx(db), world["ann"], audit_id, **kw())
    assert twice.status == Status.ALREADY and twice.message.startswith("This audit is complete: Ann Example")


async def test_a_dispute_goes_to_the_auditor_and_qa_unit_and_its_resolution_back_to_oversight(db, world):
    audit_id = (await submitted(db, world)).audit_id
    blank = await flow.dispute_audit(ctx(db), world["sam"], audit_id, "   ", **kw())
    assert blank.status == Status.INVALID and (await allocation(db, world["case"])).state == "submitted"

    disputed = await flow.dispute_audit(ctx(db), world["sam"], audit_id, "Planning graded too high", **kw())
    assert disputed.status == Status.DONE and disputed.state == "disputed" and disputed.notified == 2
    row = await allocation(db, world["case"])
    assert (row.disputed_by_id, row.disputed_at, row.dispute_reason) == (world["sam"], NOW,
                                                                         "Planning graded too high")
    assert {r.person_id for r in await outbox(db, flow.DISPUTE)} == {world["ann"], world["quinn"]}
    assert (await events(db))[-1].detail == {"reason_length": len("Planning graded too high"), "notified": 2}
    again = await flow.confirm_oversight(ctx(db), world["sam"], audit_id, "", **kw())
    assert again.status == Status.ALREADY and "disputed by Sam Example" in again.message

    for who in ("pat", "sam"):
        refused = await flow.resolve_dispute(ctx(db), world[who], audit_id, "Agreed", **kw())
        assert refused.status == Status.REFUSED and "auditor or the QA unit" in refused.message
    later = datetime(2026, 12, 11, 14, 30, tzinfo=timezone.utc)
    resolved = await flow.resolve_dispute(ctx(db), world["quinn"], audit_id, "Regraded Planning to RI", **kw(later))
    assert resolved.status == Status.DONE and resolved.state == "submitted"  # awaiting oversight again
    row = await allocation(db, world["case"])
    assert (row.resolved_by_id, row.resolved_at, row.resolution) == (world["quinn"], later, "Regraded Planning to RI")
    requests = await outbox(db, flow.OVERSIGHT_REQUEST)
    assert [r.person_id for r in requests] == [world["sam"], world["sam"]] and requests[1].due_at == later
    assert (await events(db))[-1].detail == {"resolution_length": len("Regraded Planning to RI"),
                                             "oversight_requested": 1}
    twice = await flow.resolve_dispute(ctx(db), world["ann"], audit_id, "Again", **kw(later))
    assert twice.status == Status.ALREADY and "resolved by Quinn Example" in twice.message
    confirmed = await flow.confirm_oversight(ctx(db), world["sam"], audit_id, "", **kw(later))
    assert confirmed.status == Status.DONE


# -- decline -----------------------------------------------------------------------------------

async def test_decline_tells_the_qa_unit_and_waits_for_reallocation(db, world):
    blank = await flow.decline_allocation(ctx(db), world["ann"], world["case"], "", **kw())
    assert blank.status == Status.INVALID and blank.message == "Please say why you can't do this audit."
    long = await flow.decline_allocation(ctx(db), world["ann"], world["case"], "x" * 1001, **kw())
    assert long.status == Status.INVALID
    assert await events(db) == []

    declined = await flow.decline_allocation(ctx(db), world["ann"], world["case"], " I know the family ", **kw())
    assert declined.status == Status.DONE and declined.state == "declined" and declined.notified == 1
    row = await allocation(db, world["case"])
    assert row.decline_reason == "I know the family"
    [notice] = await outbox(db, flow.DECLINE_NOTICE)
    assert notice.person_id == world["quinn"] and "I know the family" in json.dumps(notice.payload["card"])
    [event] = await events(db)
    assert event.action == flow.DECLINED and event.detail == {"reason_length": 17, "was": "allocated", "notified": 1}

    start = await flow.start_audit(ctx(db), world["ann"], world["case"], **kw())
    assert start.status == Status.ALREADY and "declined by Ann Example" in start.message


# -- pure helpers ------------------------------------------------------------------------------

def test_validate_form_needs_an_explicit_discussion_answer():
    inputs = form()
    assert flow.validate_form(ac.read_audit_form(inputs), inputs) == {}
    no_answer = form(**{ac.DISCUSSION_HELD: None})
    assert set(flow.validate_form(ac.read_audit_form(no_answer), no_answer)) == {ac.DISCUSSION_HELD}
    said_no = form(**{ac.DISCUSSION_HELD: "false"})
    assert flow.validate_form(ac.read_audit_form(said_no), said_no) == {}
    too_long = form(**{ac.STRENGTHS: "x" * (ac.STRENGTHS_MAX + 1), ac.OVERALL_GRADE: "Superb"})
    assert set(flow.validate_form(ac.read_audit_form(too_long), too_long)) == {ac.STRENGTHS, ac.OVERALL_GRADE}


async def test_sent_rows_finds_a_digests_notices_in_order(db, world):
    async with db.sessions.begin() as session:
        for i, (activity, person) in enumerate([("act-1", "ann"), ("act-1", "ann"), ("act-2", "ann"),
                                                ("act-1", "sam")]):
            session.add(OutboxMessage(idempotency_key=f"k{i}", kind="test", person_id=world[person],
                                      payload={"text": str(i)}, due_at=NOW, next_attempt_at=NOW, state="sent",
                                      activity_id=activity, created_at=NOW))
    rows = await sent_rows(db, "act-1", "a:chat-ann", world["ann"])
    assert [r.idempotency_key for r in rows] == ["k0", "k1"]
    assert await sent_rows(db, "act-9", "a:chat-ann", world["ann"]) == []


# -- identifiers typed into free text (qa/identifiers.py) -----------------------------------------

async def test_a_form_holding_an_identifier_is_neither_saved_nor_sent_on(db, world):
    await flow.save_draft(ctx(db), world["ann"], world["case"], form(**{ac.STRENGTHS: "Good plan"}), **kw())
    before = await snapshot(db)
    for save in (flow.save_draft, flow.submit_audit):
        refused = await save(ctx(db), world["ann"], world["case"], form(**{
            ac.STRENGTHS: "Good plan; mum on 07700 900123", ac.SAFEGUARDING_CONCERN: "true",
            ac.SAFEGUARDING_DESCRIPTION: "Bruising seen; the child was born 03/07/2015"}), **kw())
        assert refused.status == Status.INVALID
        assert set(refused.errors) == {ac.STRENGTHS, ac.SAFEGUARDING_DESCRIPTION}
        assert "a phone number" in refused.errors[ac.STRENGTHS] and "07700" not in refused.errors[ac.STRENGTHS]
        assert "a date of birth" in refused.errors[ac.SAFEGUARDING_DESCRIPTION]
        assert refused.draft[ac.STRENGTHS] == "Good plan; mum on 07700 900123"  # back on the form to put right
    assert await snapshot(db) == before  # no draft, no alert, no trail row, nothing queued
    assert (await audit_of(db, world["case"])).strengths == "Good plan"


async def test_typed_reasons_holding_an_identifier_are_refused(db, world):
    refused = await flow.decline_allocation(ctx(db), world["ann"], world["case"], "I know them: SW1A 1AA", **kw())
    assert refused.status == Status.INVALID and refused.message.startswith("The reason looks like it contains a postcode")
    audit_id = (await submitted(db, world)).audit_id
    before = await snapshot(db)
    for outcome in (
        await flow.dispute_audit(ctx(db), world["sam"], audit_id, "See jo@example.com", **kw()),
        await flow.confirm_oversight(ctx(db), world["sam"], audit_id, "NHS 943 476 5919 checked", **kw()),
    ):
        assert outcome.status == Status.INVALID and "looks like it contains" in outcome.message
    assert await snapshot(db) == before
