"""Shared set-up for the observation, walk and feedback tests: a small roster with a line of
supervision, and a driver for a dialog through botbuilder's DialogTestClient on the SQL storage."""
from __future__ import annotations

from datetime import UTC, datetime

from botbuilder.core import ConversationState
from botbuilder.testing import DialogTestClient
from sqlalchemy import select

from capabilities.context import Context
from dialogs.conversation import ACTOR
from qa.calendar import WorkingCalendar
from storage.bot_state import SqlStorage
from storage.models import Person
from tests.support import activities as act

NOW = datetime(2027, 3, 3, 10, 30, tzinfo=UTC)  # a Wednesday

# email, name, role, team, service area, supervisor
ROSTER = (
    ("dee@council.gov.uk", "Dee Director", "deputy_director", "Directorate", "Children in Care;Front Door", None),
    ("hal@council.gov.uk", "Hal Head", "head_of_service", "Heads", "Children in Care", "dee@council.gov.uk"),
    ("sal@council.gov.uk", "Sal Lead", "service_lead", "Leads", "Children in Care", "hal@council.gov.uk"),
    ("pam@council.gov.uk", "Pam Manager", "practice_manager", "Team North", "Children in Care", "sal@council.gov.uk"),
    ("ann@council.gov.uk", "Ann Archer", "practitioner", "Team North", "Children in Care", "pam@council.gov.uk"),
    ("bob@council.gov.uk", "Bob Baker", "practitioner", "Team North", "Children in Care", "pam@council.gov.uk"),
    ("cat@council.gov.uk", "Cat Cole", "practitioner", "Team South", "Front Door", "pam@council.gov.uk"),
    ("zoe@council.gov.uk", "Zoe Other", "practitioner", "Team East", "Front Door", None),
    ("qaq@council.gov.uk", "Quinn QA", "qa_unit", "QA Unit", "Children in Care", None),
    ("psw@council.gov.uk", "Pat PSW", "principal_social_worker", "PSW", "Children in Care", None),
)


async def add_roster(db) -> dict[str, int]:
    """The roster above; first name (lower case) -> person id. Each person's aad is aad-<first name>."""
    people = [act.roster_person(email, name, role, aad=f"aad-{name.split()[0].lower()}", team=team,
                                service_area=area, supervisor_email=boss)
              for email, name, role, team, area, boss in ROSTER]
    await act.add_people(db, *people)
    async with db.sessions() as session:
        rows = (await session.execute(select(Person.display_name, Person.id))).all()
    return {name.split()[0].lower(): pid for name, pid in rows}


def context(db, now: datetime = NOW) -> Context:
    return Context(db=db, calendar=WorkingCalendar(), clock=lambda: now)


class Chat:
    """One person's conversation with a dialog, its state in the database (so a new Chat on the
    same database, as after a restart, carries on)."""

    def __init__(self, db, dialog, actor_id: int | None, argument: str | None = None) -> None:
        options = {ACTOR: actor_id}
        if argument is not None:
            options["argument"] = argument
        self.client = DialogTestClient("msteams", dialog, options,
                                       conversation_state=ConversationState(SqlStorage(db)))

    async def say(self, text: str):
        """The reply's text, and its buttons' values ([] for a plain message)."""
        reply = await self.client.send_activity(text)
        return text_and_buttons(reply)


def text_and_buttons(reply) -> tuple[str, list[str]]:
    if reply.attachments:
        content = reply.attachments[0].content
        buttons = content.buttons if hasattr(content, "buttons") else content.get("buttons", [])
        text = content.text if hasattr(content, "text") else content.get("text", "")
        return text, [b.value if hasattr(b, "value") else b["value"] for b in buttons or []]
    return reply.text or "", []
