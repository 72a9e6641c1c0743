"""The QA calendar's reminder and organiser cards from fictional data at their largest realistic size: a
Learning and Improvement Forum at 15:00-17:00 with the longest title and details, an organiser's eight weeks
of events with 80 answers each. Staff names only. dialogs/samples.py adds these to the catalogue."""
from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from dialogs import calendar_cards as cc

Card = dict[str, Any]
TODAY = date(2027, 1, 18)  # a Monday
_FIRST = ("Oluwaseun", "Siobhán", "Krzysztof", "Małgorzata", "Aoife", "Chiamaka", "Bartholomew", "Zeynep")
_LAST = ("Adebayo-Richardson", "O’Donnell-McAllister", "Wiśniewski", "Kowalczyk-Henderson", "Ní Bhriain",
         "Okonkwo-Bamidele", "Featherstonehaugh", "Çelik-Abernethy", "Sigurðardóttir", "Przybylski")
# Longer than the card shows (it cuts at cc.DETAILS_SHOWN characters), as a real invitation's notes are.
DETAILS = ("Learning from December's audits: management oversight and the child's voice in assessments. Join on "
           "Teams from the invitation in your calendar; the slides go round afterwards. Bring one case where the "
           "child's own words changed the plan, and one where they were missing: we will look at both in small "
           "groups, then agree two points of practice for your team's next group supervision. Practice managers: "
           "the Practice Development Team will follow up the points agreed at February's reflective group.")

SURVEY_DETAILS = ("Paper copies and the online link are with your team's business support. Children can answer "
                  "with their social worker, an advocate or on their own; families may answer anonymously.")


def forum(day: date = TODAY + timedelta(days=1)) -> cc.EventView:
    return cc.EventView("learning_forum", ("Learning and Improvement Forum: the child's lived experience in "
                                           "assessments, plans and reviews across the service")[:200],
                        day, day, DETAILS, time(15, 0), time(17, 0))


def answers(count: int = 80, marked: bool = False) -> tuple[cc.Answer, ...]:
    """`count` different people (at most 80), two in three coming; once `marked`, all who said they would come
    attended but every ninth, and one who said they couldn't came after all."""
    out = []
    for i in range(count):
        answer = "not_coming" if i % 3 == 2 else "coming"
        attended = ((answer == "coming" and i % 9 != 0) or i == 2) if marked else None
        out.append(cc.Answer(100 + i, f"{_FIRST[i % 8]} {_LAST[i // 8 % 10]}", answer, attended))
    return tuple(out)


def marked_words(people: tuple[cc.Answer, ...]) -> str:
    """What the organiser's card says once attendance is saved, from the answers themselves."""
    came = sum(bool(a.attended) for a in people)
    return f"Attendance marked: {came} attended, {len(people) - came} did not."


def samples() -> dict[str, Card]:
    clinic = cc.EventView("assurance_clinic", "CRH audit session", TODAY, TODAY, "", time(13, 30), time(16, 30))
    # Two weeks back (attendance saved), last week (to mark), then the weeks ahead.
    organised = tuple(cc.OrganisedEvent(500 + i, forum(TODAY + timedelta(days=7 * i - 14)), answers(marked=i == 0),
                                        markable=i < 2, marked=marked_words(answers(marked=True)) if i == 0 else "")
                      for i in range(cc.MAX_EVENTS))
    return {
        "calendar_reminder": cc.calendar_reminder_card(cc.ReminderView(501, forum(), organiser="Aoife Ní Bhriain")),
        "calendar_reminder_soon_answered": cc.calendar_reminder_card(cc.ReminderView(
            502, clinic, soon=True, answer="coming")),
        "survey_reminder": cc.survey_reminder_card(cc.SurveyView(cc.EventView(
            "survey", "Children and families survey 1", date(2027, 4, 1), date(2027, 4, 30), SURVEY_DETAILS))),
        "survey_reminder_closing": cc.survey_reminder_card(cc.SurveyView(cc.EventView(
            "survey", "Children and families survey 2", date(2027, 10, 1), date(2027, 10, 29)), closing=True)),
        "calendar_organiser": cc.organiser_card(cc.OrganiserView(TODAY, organised)),
        "calendar_organiser_none": cc.organiser_card(cc.OrganiserView(
            TODAY, problem="Only the organiser or the QA unit marks attendance. Nothing was changed.")),
    }
