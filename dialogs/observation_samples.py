"""Fictional samples of the observation, walk and feedback cards (dialogs/observation_cards.py), at
their largest realistic size, for `cards dump` and the card checks (dialogs/samples.py collects
them). Staff names and case references only, never a child's details."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from dialogs import observation_cards as oc

LONDON = ZoneInfo("Europe/London")
AT = datetime(2027, 3, 3, 14, 5, tzinfo=timezone.utc)  # a Wednesday
# When the digest's entries were recorded: working days of March 2027, in the afternoon.
_RECORDED = tuple(datetime(2027, 3, day, 14, 5, tzinfo=timezone.utc) for day in (1, 2, 3, 4, 5, 8, 9, 10, 11, 12))
_SENTENCE = ("The practitioner’s direct work was warm and purposeful – she explained the plan in plain words, "
             "checked what had changed since the last visit and agreed the next steps. ")
_NAMES = ("Oluwaseun Adebayo-Richardson", "Siobhán O’Donnell-McAllister", "Krzysztof Wiśniewski",
          "Priya Raghunathan", "Małgorzata Kowalczyk-Henderson", "Sam Lee")
_TEAMS = ("Children in Care and Care Leavers Team North", "Safeguarding and Family Support Team East",
          "Disabled Children’s Service – Short Breaks", "Multi-Agency Safeguarding Hub (MASH)")
_AREAS = ("Children in Care and Care Leavers", "Safeguarding and Family Support", "Disabled Children’s Service",
          "Front Door and Early Help")
# Each service area's own teams (_TEAMS[i] is in _AREAS[i]).
_TEAMS_OF_AREA = {
    _AREAS[0]: (_TEAMS[0], "Children in Care and Care Leavers Team South", "Care Leavers Team (18 to 25)"),
    _AREAS[1]: (_TEAMS[1], "Safeguarding and Family Support Team West", "Edge of Care and Adolescent Support Team"),
    _AREAS[2]: (_TEAMS[2], "Disabled Children’s Service – Transitions", "Children with Disabilities Social Work Team"),
    _AREAS[3]: (_TEAMS[3], "Early Help Hub", "Assessment and Intervention Team"),
}


def long_text(limit: int) -> str:
    return (_SENTENCE * (limit // len(_SENTENCE) + 1))[:limit]


def observation(reflected: bool = False) -> oc.ObservationView:
    return oc.ObservationView(
        observation_id=300_001, observer_name=_NAMES[0], supervisee_name=_NAMES[1], observed_on=date(2027, 3, 2),
        area="Interview with parents or carers", went_well=long_text(2000), to_develop=long_text(2000),
        actions=[long_text(2000)[:300] for _ in range(10)],
        reflection=long_text(oc.REFLECTION_MAX) if reflected else None, reflected_at=AT if reflected else None)


# When the supervisees were last observed: working days of December 2025 (none over Christmas).
_LAST_OBSERVED = tuple(date(2025, 12, d) for d in (1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 15, 16, 17, 18, 19, 22, 23, 24,
                                                     29, 30))


def due_rows(count: int) -> list[oc.DueRow]:
    return [oc.DueRow(_supervisee(i), _TEAMS[i % 4], None if i % 3 == 0 else _LAST_OBSERVED[i % 20])
            for i in range(count)]


_FIRST = ("Siobhán", "Krzysztof", "Małgorzata", "Sam", "Aoife", "Chiamaka", "Bartholomew", "Zeynep")
_LAST = ("O’Donnell-McAllister", "Wiśniewski", "Kowalczyk-Henderson", "Lee", "Ní Bhriain")


def _supervisee(i: int) -> str:
    """The i-th of 40 different supervisees' names (not the manager's own)."""
    return f"{_FIRST[i % 8]} {_LAST[i // 8 % 5]}"


_SOURCES = ("Child or young person", "Parent or carer", "Professional or partner agency", "Staff member")
_HOW = ("Conversation", "Phone call", "Letter or email", "Survey", "At a meeting or review")
_KINDS = ("Complaint", "Compliment", "Comment or suggestion")


# What was said, in the words of its kind: a complaint does not read as praise.
_SAID = {
    "Complaint": ("Visits were cancelled twice at short notice and nobody rang to say why; the family were not told "
                  "who their new social worker would be, and the plan was not explained in words they understood. "),
    "Compliment": _SENTENCE,
    "Comment or suggestion": ("It would help if the review reports came a few days before the meeting, so there is "
                              "time to read them with the young person and think about what they want to say. "),
}
# The rating (1 to 5) a child or family gives with each kind: low with a complaint, high with a compliment.
_RATINGS = {"Complaint": (1, 2), "Compliment": (4, 5), "Comment or suggestion": (2, 3, 4)}


def feedback(i: int = 0, kind: str = "Complaint", how: str = "Letter or email") -> oc.FeedbackView:
    """Entry `i`: its team in its own service area, a rating only from a child or family (as the dialog asks),
    in keeping with its kind, as is what was said."""
    source = _SOURCES[i % 7 % 4]
    ratings = _RATINGS[kind]
    said = _SAID[kind]
    return oc.FeedbackView(
        entry_id=400_000 + i, author_name=_NAMES[i % 6], source=source, service_area=_AREAS[i % 4],
        team=_TEAMS[i % 4], case_ref=f"CD-{4_810_000 + 37 * i}", how_given=how,
        rating=ratings[i % len(ratings)] if source in _SOURCES[:2] else None,
        said=(said * (2000 // len(said) + 1))[:2000], recorded_at=_RECORDED[i % len(_RECORDED)], kind=kind)


def feedback_digest() -> oc.FeedbackDigest:
    """Every count made from the 30 entries themselves, as the monthly duty makes them: each adds up to 30."""
    return oc.FeedbackDigest.of("March 2027", [feedback(i, _KINDS[i % 3], _HOW[i % 5]) for i in range(30)], _SOURCES)


def observation_card_samples() -> dict[str, Any]:
    owed = oc.FamilyViewOwed(allocation_id=100_003, case_ref="CD-4810111", submitted_on=date(2026, 12, 22))
    digest = feedback_digest()
    coverage = [oc.CoverageRow(area, team, 7 + i % 5, 12) for area in _AREAS
                for i, team in enumerate(_TEAMS_OF_AREA[area])]
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
