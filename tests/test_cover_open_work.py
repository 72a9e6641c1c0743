"""Whether a covered notice's work is still to do (capabilities/cover/open_work.py, framework section 21):
judged by the work item's own state, as each covered kind declares, never by whether its card still has a
button. On both databases: an audit confirmed, an alert resolved, an urgent review with every update in
and a remedial action done are not open though their cards keep a button; the same items still to do are."""
from __future__ import annotations

from datetime import date, datetime, timezone

from capabilities.audit_cycle import kinds as audit_kinds
from capabilities.catalogue import registry
from capabilities.cover.open_work import still_open
from capabilities.escalations import kinds as esc_kinds
from dialogs.card_tree import actions
from storage.models import (
    KEY_AREAS,
    Alert,
    Allocation,
    Audit,
    AuditMonth,
    Escalation,
    EscalationUpdate,
    Moderation,
    OutboxMessage,
    Person,
    RemedialAction,
    RemedialPlan,
)

NOW = datetime(2026, 12, 18, 9, tzinfo=timezone.utc)


def card(verb: str, **data: int) -> dict:
    """A card whose only button is a refresh-style view: it stays whether or not the work is done."""
    return {"type": "AdaptiveCard", "version": "1.5", "body": [],
            "actions": [{"type": "Action.Execute", "title": "View", "verb": verb, "data": data}]}


def notice(row_id: int, kind: str, content: dict) -> OutboxMessage:
    return OutboxMessage(id=row_id, kind=kind, payload={"summary": "x", "card": content})


def test_every_covered_kind_with_buttons_says_when_its_item_is_open():
    for kind in registry().kinds.values():
        if not kind.covered:
            continue
        sample = kind.sample()
        fields = {k for t in ("Action.Execute", "Action.Submit") for a in actions(sample, t) for k in (a.get("data") or {})}
        if fields:  # its buttons name its item: the kind says how that item tells it is still to do
            assert {check.field for check in kind.open_while} & fields, kind


async def test_open_is_the_items_own_state_not_the_cards_buttons(db):
    async with db.sessions.begin() as session:
        people = [Person(email=f"p{i}@council.gov.uk", display_name=f"P{i} Example", role="service_lead", team="",
                         service_area="North", created_at=NOW, updated_at=NOW) for i in range(2)]
        session.add_all(people)
        session.add(AuditMonth(month="2026-12", imported_at=NOW))
        await session.flush()
        audits = []
        for ref, state in (("CR-1", "submitted"), ("CR-2", "oversight_confirmed")):
            allocation = Allocation(month="2026-12", case_ref=ref, annex_a_list="List 6", service_area="North",
                                    team="Team A", theme="", auditor_id=people[0].id, state=state, submitted_at=NOW,
                                    created_at=NOW, updated_at=NOW)
            session.add(allocation)
            await session.flush()
            audit = Audit(allocation_id=allocation.id, overall_grade="Inadequate", key_areas={a: "Good" for a in KEY_AREAS},
                          strengths="", improvements="", submitted_at=NOW, submitted_by_id=people[0].id, updated_at=NOW)
            session.add(audit)
            await session.flush()
            audits.append(audit)
        moderations = [Moderation(audit_id=a.id, allocation_id=a.allocation_id, state=state, original_grade="Inadequate",
                                  created_at=NOW) for a, state in zip(audits, ("agreed", "agreed"), strict=True)]
        session.add_all(moderations)
        await session.flush()
        reviews = [Escalation(moderation_id=m.id, allocation_id=m.allocation_id, state="open", opened_at=NOW)
                   for m in moderations]
        session.add_all(reviews)
        await session.flush()
        session.add_all([EscalationUpdate(escalation_id=reviews[0].id, number=1, due_on=date(2026, 12, 21), due_at=NOW,
                                          state="owed", created_at=NOW),
                         EscalationUpdate(escalation_id=reviews[1].id, number=1, due_on=date(2026, 12, 21), due_at=NOW,
                                          state="sent", created_at=NOW)])
        alerts = [Alert(case_ref=f"CR-9{i}", team="Team A", service_area="North", category="Drift or delay",
                        description="No review", raised_by_id=people[1].id, raised_at=NOW, state=state)
                  for i, state in enumerate(("open", "resolved"))]
        session.add_all(alerts)
        plans = [RemedialPlan(allocation_id=a.allocation_id, grade="Inadequate", created_at=NOW) for a in audits]
        session.add_all(plans)
        await session.flush()
        done = RemedialAction(plan_id=plans[1].id, text="Review the plan", target_on=date(2027, 1, 8),
                              created_by_id=people[0].id, created_at=NOW, done_at=NOW)
        session.add(done)
        await session.flush()
        ids = {"moderation": moderations[0].id, "audits": [a.id for a in audits], "reviews": [r.id for r in reviews], "alerts": [a.id for a in alerts],
               "plans": [p.id for p in plans], "done": done.id}

    a, r, al, pl = ids["audits"], ids["reviews"], ids["alerts"], ids["plans"]
    rows = [
        notice(1, audit_kinds.OVERSIGHT_REQUEST, card("audit.read", audit_id=a[0])),  # awaits oversight
        notice(2, audit_kinds.OVERSIGHT_REQUEST, card("audit.read", audit_id=a[1])),  # confirmed
        notice(3, audit_kinds.SERVICE_LEAD_DIGEST, {**card("audit.read", audit_id=a[1]), "body": [  # one line of two open
            {"type": "ActionSet", "actions": [{"type": "Action.Execute", "verb": "oversight.open", "data": {"audit_id": a[0]}}]}]}),
        notice(4, esc_kinds.ESCALATION_NOTICE, card("esc.escalation.view", escalation_id=r[0])),  # update owed
        notice(5, esc_kinds.ESCALATION_NOTICE, card("esc.escalation.view", escalation_id=r[1])),  # update received
        notice(6, esc_kinds.UPDATE_RECEIVED, card("esc.qa.view", escalation_id=r[1])),  # not closed by the QA unit
        notice(7, esc_kinds.ALERT_NOTICE, card("alert.view", alert_id=al[0])),  # open
        notice(8, esc_kinds.ALERT_NOTICE, card("alert.view", alert_id=al[1])),  # resolved
        notice(9, esc_kinds.REMEDIAL_REQUEST, card("remedial.view", plan_id=pl[0])),  # no actions yet
        notice(10, esc_kinds.REMEDIAL_REQUEST, card("remedial.view", plan_id=pl[1])),  # every action done
        notice(11, esc_kinds.REMEDIAL_NAMED, card("remedial.done", action_id=ids["done"])),  # done
        notice(12, esc_kinds.MODERATION_REQUEST, card("esc.moderation.view", moderation_id=ids["moderation"])),  # decided
        notice(13, esc_kinds.ALERT_NOTICE, {"type": "AdaptiveCard", "version": "1.5", "body": []}),  # names no item
        notice(14, "allocation-notice", card("audit.read", audit_id=a[0])),  # not a covered kind
    ]
    async with db.sessions() as session:
        assert await still_open(session, rows) == {1, 3, 4, 6, 7, 9}
        assert await still_open(session, []) == set()
