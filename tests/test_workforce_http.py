"""ASYE review points through HTTP and `tick`, on both databases (framework 9.1's ASYE year, 9.2).

Ben Cole is an ASYE from Monday 2 November 2026 (the roster, imported that day); Pia Marsh supervises him and
Lee Adams supervises her; Priya Shah is the principal social worker. His three-month review is due Tuesday 2
February 2027; his six-month review on Tuesday 4 May 2027 (2 May is a Sunday, 3 May the early May bank
holiday)."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from capabilities.context import Context
from capabilities.workforce.cli import status_text
from dialogs import card_tree
from dialogs.workforce_cards import Verb
from qa.calendar import WorkingCalendar
from storage.models import TrailEvent, WorkforceRecord
from tests.support.cards import buttons, put_cards
from tests.support.supervision import at
from tests.support.workforce_http import Service, service  # noqa: F401, F811 - service is a fixture

CAL = WorkingCalendar()
THREE_MONTH = "ASYE three-month review: due Tuesday 2 February 2027"


async def test_asye_review_points_from_the_digest_to_the_cohort(service: Service):  # noqa: F811
    s = service
    # Friday 29 January: two working days before the three-month review, it joins Pia's supervision digest.
    seen = await s.tick(at("2027-01-29T09:00"))
    assert "Supervision due" in seen["pm"]
    digest = s.last_card("pm")
    assert THREE_MONTH in json.dumps(digest)
    line = f"y{s.ids['ben']}-asye_review_3"
    assert ("Held today", Verb.ASYE_HELD, {"line": line}) in buttons(digest)

    # Monday 1 February: the cohort to the principal social worker, the first working day of the month.
    seen = await s.tick(at("2027-02-01T09:00"))
    assert "ASYE cohort" in seen["psw"]
    cohort = json.dumps(s.last_card("psw"))  # with that morning's other messages, in one digest
    assert "Ben Cole" in cohort and "3-month due 2 Feb 2027" in cohort and "6-month due 4 May 2027" in cohort
    digest_id = await s.sent_id("supervision-digest", "pm")

    # Ben himself may not record it; Pia records it with one press, and the line says so in place.
    refused = await s.press("ben", {"line": line}, digest_id, at("2027-02-01T10:00"))
    assert "Only Ben Cole's supervisor" in json.dumps(refused)
    done = await s.press("pm", {"line": line}, digest_id, at("2027-02-01T11:00"))
    assert "ASYE three-month review held on Monday 1 February 2027: recorded." in json.dumps(done)
    assert put_cards(s.fake, digest_id)[-1] == done
    again = await s.press("pm", {"line": line}, digest_id, at("2027-02-01T11:05"))
    assert "already recorded as held on Monday 1 February 2027" in json.dumps(again)
    async with s.services.db.sessions() as session:
        rows = (await session.execute(select(WorkforceRecord))).scalars().all()
        trail = (await session.execute(select(TrailEvent).where(TrailEvent.action == "asye_review_held"))).scalars().all()
    assert [(r.person_id, r.kind, r.period, r.held_on, r.recorded_by_id) for r in rows] == [
        (s.ids["ben"], "asye_review_3", "2026-11-02", date(2027, 2, 1), s.ids["pm"])]
    assert [(t.actor_id, t.subject_id, t.detail) for t in trail] == [
        (s.ids["pm"], s.ids["ben"], {"point": "asye_review_3", "held_on": "2027-02-01"})]
    await s.tick(at("2027-02-02T09:00"))
    assert "ASYE three-month review" not in json.dumps(s.last_card("pm"))

    # The six-month review, not held: overdue in the digest, then to Lee five working days after (once).
    await s.tick(at("2027-05-05T09:00"))
    assert "ASYE six-month review: overdue since Tuesday 4 May 2027" in json.dumps(s.last_card("pm"))
    assert "ASYE review overdue: Ben Cole" not in (await s.tick(at("2027-05-10T09:00"))).get("lead", [])
    seen = await s.tick(at("2027-05-11T09:00"))
    assert "ASYE review overdue: Ben Cole" in seen["lead"]
    assert "ASYE six-month review for Ben Cole was due on Tuesday 4 May 2027" in json.dumps(s.last_card("lead"))
    assert "ASYE review overdue: Ben Cole" not in (await s.tick(at("2027-05-12T09:00"))).get("lead", [])

    ctx = Context(s.services.db, CAL, lambda: at("2027-05-12T12:00"))
    text = await status_text(ctx, team="North 1")
    assert "North 1 | 1 | 1 | 1 | 2 | 3 of 3 | 3 | 0 | 0" in text  # appraisals due November; no SWE numbers given
    assert "Ben Cole (North 1), started 2026-11-02: ASYE three-month review held 1 Feb 2027; " \
           "ASYE six-month review overdue since 4 May 2027" in text


async def test_an_annual_appraisal_from_the_digest_to_the_compliance_figures(service: Service):  # noqa: F811
    s = service
    # Everyone came on record on Monday 2 November 2026 with no start date: appraisals due Tuesday 2 November 2027.
    await s.tick(at("2027-10-29T09:00"))  # Friday: two working days before
    digest = s.last_card("pm")
    assert "Annual appraisal: due Tuesday 2 November 2027" in json.dumps(digest)
    ana_line = f"y{s.ids['ana']}-appraisal"
    assert ("Held today", "workforce.appraisal_held", {"line": ana_line}) in buttons(digest)
    digest_id = await s.sent_id("supervision-digest", "pm")
    refused = await s.press("ana", {"line": ana_line}, digest_id, at("2027-10-29T10:00"), verb="workforce.appraisal_held")
    assert "Only Ana Diaz's manager" in json.dumps(refused)
    done = await s.press("pm", {"line": ana_line}, digest_id, at("2027-10-29T11:00"), verb="workforce.appraisal_held")
    assert "Annual appraisal held on Friday 29 October 2027: recorded." in json.dumps(done)
    async with s.services.db.sessions() as session:
        [row] = (await session.execute(select(WorkforceRecord))).scalars().all()
        [trail] = (await session.execute(select(TrailEvent).where(TrailEvent.action == "appraisal_held"))).scalars().all()
    assert (row.person_id, row.kind, row.period, row.held_on) == (s.ids["ana"], "appraisal", "2027-11-02",
                                                                  date(2027, 10, 29))
    assert trail.detail == {"due": "2027-11-02", "held_on": "2027-10-29"}

    # Ben's is not held: overdue in Pia's digest; at the month's end only Ana's of North 1's three is in date.
    await s.tick(at("2027-11-03T09:00"))
    text = json.dumps(s.last_card("pm"))
    assert "Annual appraisal: overdue since Tuesday 2 November 2027" in text
    assert ana_line not in text
    seen = await s.tick(at("2027-12-01T09:00"))
    assert "Supervision compliance: November 2027" in seen["psw"]
    facts = [f for node in card_tree.nodes(s.last_card("psw")) if node.get("type") == "FactSet"
             for f in node["facts"] if f["title"] == "Appraisals in date"]
    assert {"title": "Appraisals in date", "value": "33% (1 of 3)"} in facts  # North 1: Pia, Ana, Ben


async def test_social_work_england_renewal_reminded_confirmed_and_chased(service: Service):  # noqa: F811
    s = service
    # Wednesday 1 September 2027: the renewal period opens; everyone on this roster is registered.
    seen = await s.tick(at("2027-09-01T09:00"))
    assert "Social Work England renewal 2027" in seen["ana"] and "Social Work England renewal 2027" in seen["ben"]
    card = s.last_card("ana")
    assert ("Renewed, CPD recorded", "workforce.swe_confirmed", {"line": "swe-2027"}) in buttons(card)
    reminder_id = await s.sent_id("swe-renewal-reminder", "ana")
    done = await s.press("ana", {"line": "swe-2027"}, reminder_id, at("2027-09-01T12:00"), verb="workforce.swe_confirmed")
    assert "Renewal 2027 and CPD confirmed on Wednesday 1 September 2027" in json.dumps(done)
    again = await s.press("ana", {"line": "swe-2027"}, reminder_id, at("2027-09-01T12:05"), verb="workforce.swe_confirmed")
    assert "already confirmed" in json.dumps(again)
    async with s.services.db.sessions() as session:
        [row] = (await session.execute(select(WorkforceRecord))).scalars().all()
        [trail] = (await session.execute(select(TrailEvent).where(
            TrailEvent.action == "swe_renewal_confirmed"))).scalars().all()
    assert (row.person_id, row.kind, row.period, row.held_on) == (s.ids["ana"], "swe_renewal", "2027", date(2027, 9, 1))
    assert (trail.actor_id, trail.detail) == (s.ids["ana"], {"year": 2027})

    # Tuesday 2 November (20 working days before Tuesday 30 November): Ben again, not Ana.
    seen = await s.tick(at("2027-11-02T09:00"))
    assert "Social Work England renewal 2027" in seen["ben"]
    assert "Social Work England renewal 2027" not in seen.get("ana", [])
    # Tuesday 16 November: Pia hears Ben has not confirmed; the principal social worker gets the teams.
    seen = await s.tick(at("2027-11-16T09:00"))
    assert "Social Work England renewal 2027: not yet confirmed" in seen["pm"]
    names = [n["text"] for n in card_tree.nodes(s.last_card("pm")) if str(n.get("text", "")).startswith("- ")]
    assert names == ["- Ben Cole"]  # with the morning's supervision digest, in one message
    assert "Social Work England renewal 2027: by team" in seen["psw"]
    assert "1 of 3 renewed, CPD recorded; 2 not yet" in json.dumps(s.last_card("psw"))  # North 1
