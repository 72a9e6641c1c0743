"""Fictional samples of the observation, walk and feedback cards (dialogs/observation_cards.py), at
their largest realistic size, for `cards dump` and the card checks (dialogs/samples.py collects
them). Staff names and case references only, never a child's details."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from dialogs import observation_cards as oc

LONDON = ZoneInfo("Europe/London")
AT = datetime(2027, 3, 3, 14, 5, tzinfo=timezone.utc)
_SENTENCE = ("The practitioner’s direct work was warm and purposeful – she explained the plan in plain words, "
             "checked what had changed since the last visit and agreed the next steps. ")
_NAMES = ("Oluwaseun Adebayo-Richardson", "Siobhán O’Donnell-McAllister", "Krzysztof Wiśniewski",
          "Priya Raghunathan", "Małgorzata Kowalczyk-Henderson", "Sam Lee")
_TEAMS = ("Children in Care and Care Leavers Team North", "Safeguarding and Family Support Team East",
          "Disabled Children’s Service – Short Breaks", "Multi-Agency Safeguarding Hub (MASH)")
_AREAS = ("Children in Care and Care Leavers", "Safeguarding and Family Support", "Disabled Children’s Service",
          "Front Door and Early Help")


def long_text(limit: int) -> str:
    return (_SENTENCE * (limit // len(_SENTENCE) + 1))[:limit]


def observation(reflected: bool = False) -> oc.ObservationView:
    return oc.ObservationView(
        observation_id=300_001, observer_name=_NAMES[0], supervisee_name=_NAMES[1], observed_on=date(2027, 3, 2),
        area="Interview with parents or carers", went_well=long_text(2000), to_develop=long_text(2000),
        actions=[long_text(2000)[:300] for _ in range(10)],
        reflection=long_text(oc.REFLECTION_MAX) if reflected else None, reflected_at=AT if reflected else None)


def due_rows(count: int) -> list[oc.DueRow]:
    return [oc.DueRow(f"{_NAMES[i % 6]} {i:02d}", _TEAMS[i % 4], None if i % 3 == 0 else date(2025, 12, 1 + i % 28))
            for i in range(count)]


def feedback(i: int = 0, how: str = "Complaint") -> oc.FeedbackView:
    return oc.FeedbackView(
        entry_id=400_000 + i, author_name=_NAMES[i % 6], source="Parent or carer", service_area=_AREAS[i % 4],
        team=_TEAMS[i % 4], case_ref=f"CD-{4_810_000 + 37 * i}", how_given=how, rating=1 + i % 5,
        said=long_text(2000), recorded_at=AT)


def observation_card_samples() -> dict[str, Any]:
    owed = oc.FamilyViewOwed(allocation_id=100_003, case_ref="CD-4810111", submitted_on=date(2026, 12, 22))
    digest = oc.FeedbackDigest(
        month="March 2027", by_source={"Child or young person": 12, "Parent or carer": 30,
                                       "Professional or partner agency": 9, "Staff member": 4},
        by_area={area: 10 + i for i, area in enumerate(_AREAS)},
        by_rating={"1 of 5": 3, "2 of 5": 5, "3 of 5": 11, "4 of 5": 20, "5 of 5": 12, "No rating": 4},
        complaints=6, compliments=14,
        entries=[feedback(i, ("Conversation", "Survey", "Letter or email", "Complaint", "Compliment")[i % 5])
                 for i in range(30)])
    coverage = [oc.CoverageRow(area, team, 7, 12) for area in _AREAS for team in _TEAMS]
    walks = [oc.WalkTeamRow(team, 4, {"Relationships": 3, "Workload": 4, "Supervision": 2, "Recording": 1,
                                      "Wellbeing": 2, "Practice framework": 1, "Other": 1},
                            [long_text(500)] * 4) for team in _TEAMS]
    return {
        "observation_notice": oc.observation_notice_card(observation()),
        "observation_notice_error": oc.observation_notice_card(
            observation(), "Your reflection looks like it contains a postcode. Please remove it."),
        "observation_record": oc.observation_record_card(observation(reflected=True), LONDON),
        "observations_list": oc.observations_card(_NAMES[3], due_rows(25), date(2027, 3, 1)),
        "observations_list_empty": oc.observations_card(_NAMES[3], [], date(2027, 3, 1)),
        "practice_week_list": oc.practice_week_card(_NAMES[3], date(2027, 3, 1), due_rows(25)),
        "observation_coverage": oc.coverage_card(date(2027, 3, 1), coverage),
        "feedback_alert": oc.feedback_alert_card(feedback(), LONDON),
        "feedback_digest": oc.feedback_digest_card(digest, LONDON),
        "family_view_reminder": oc.family_view_reminder_card(owed),
        "family_view_reminder_error": oc.family_view_reminder_card(owed, "Please say why."),
        "family_view_done": oc.family_view_done_card("CD-4810111", True),
        "observation_polite": oc.polite_message_card("Observation of practice", "This observation is not yours "
                                                     "to reflect on. Nothing was changed."),
        "walk_digest": oc.walk_digest_card("March 2027", walks),
    }
