"""Cards every user sees: welcome, help and whoami. Pure functions: data in, card JSON out.

What the help card tells each role the bot does, and the commands it lists, come from what the
capabilities register (capabilities/registry.py): the card promises only what is built.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from qa.framework import Role

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"

ROLE_WORDS = {
    Role.PRACTITIONER: "practitioner",
    Role.PRACTICE_MANAGER: "practice manager",
    Role.SERVICE_LEAD: "service lead",
    Role.HEAD_OF_SERVICE: "head of service",
    Role.DEPUTY_DIRECTOR: "deputy director",
    Role.QA_UNIT: "member of the Quality Assurance Unit",
    Role.PRINCIPAL_SOCIAL_WORKER: "principal social worker",
    Role.IRO: "independent reviewing officer",
    Role.CP_CHAIR: "child protection conference chair",
}

@dataclass(frozen=True)
class Profile:
    """Who the bot takes someone to be, from the roster."""

    name: str
    role: str
    team: str = ""
    service_areas: list[str] = field(default_factory=list)
    supervisor_name: str | None = None

    @property
    def role_words(self) -> str:
        return role_words(self.role)


def role_words(role: str | None) -> str:
    return ROLE_WORDS.get(role or "", (role or "").replace("_", " "))


def _with_article(words: str) -> str:
    return ("an " if words[:1].lower() in "aeiou" else "a ") + words


def _ask_qa(qa_contact: str | None) -> str:
    return f"{qa_contact} in the QA unit" if qa_contact else "the Quality Assurance Unit"


def _if_wrong(profile: Profile, qa_contact: str | None, words: str) -> str:
    """`words` ("If this is wrong") and whom to tell: the QA unit's contact, unless that is the person
    themself (the only QA unit member), who corrects the roster or asks their IT team."""
    if qa_contact and qa_contact == profile.name:
        return f"{words}, please correct your entry in the roster (or ask your IT team)."
    return f"{words}, please tell {_ask_qa(qa_contact)}."


def _where(profile: Profile) -> str:
    """" in <team>", unless there is none or the role already names it ("member of the Quality
    Assurance Unit", team "Quality Assurance Unit")."""
    team = profile.team.strip()
    if not team or team.casefold() in profile.role_words.casefold():
        return ""
    return f" in {team}"


def _card(body: list[dict[str, Any]], fallback: str, actions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": "1.5",
        "fallbackText": fallback,
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def _title(text: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "size": "Medium", "weight": "Bolder", "wrap": True}


def _text(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def _bullets(lines: list[str]) -> list[dict[str, Any]]:
    return [_text("• " + line, spacing="Small") for line in lines]


def _facts(profile: Profile) -> dict[str, Any]:
    facts = [
        {"title": "Name", "value": profile.name},
        {"title": "Role", "value": profile.role_words},
        {"title": "Team", "value": profile.team or "not recorded"},
        {"title": "Service area" + ("s" if len(profile.service_areas) > 1 else ""),
         "value": ", ".join(profile.service_areas) or "not recorded"},
        {"title": "Supervisor", "value": profile.supervisor_name or "not recorded"},
    ]
    return {"type": "FactSet", "facts": facts}


def _say(command: str) -> dict[str, Any]:
    # imBack posts the command as if the user typed it, so buttons and typing take one path.
    titles = {"help": "What can you do?", "whoami": "Who am I?"}
    return {"type": "Action.Submit", "title": titles.get(command, command),
            "data": {"msteams": {"type": "imBack", "value": command}}}


# -- welcome ------------------------------------------------------------------------------

def welcome_summary(profile: Profile | None, *, qa_contact: str | None = None) -> str:
    if profile is None:
        return (f"Welcome to the QA bot. You are not on the QA roster yet: please ask {_ask_qa(qa_contact)} "
                "to add you.")
    where = _where(profile)
    return f"Welcome to the QA bot, {profile.name}. I have you as {_with_article(profile.role_words)}{where}."


def welcome_card(profile: Profile | None, *, qa_contact: str | None = None) -> dict[str, Any]:
    body = [
        _title("Welcome to the QA bot"),
        _text("I help run the Quality Assurance Framework: audit allocations, reminders, service-lead "
              "oversight, escalations, supervision and observations of practice."),
    ]
    if profile is None:
        body += [
            _text("You are not on the QA roster yet, so I cannot send you allocations or reminders.",
                  weight="Bolder"),
            _text(f"Please ask {_ask_qa(qa_contact)} to add you. Once you are on the roster I will recognise you."),
        ]
    else:
        body += [
            _text(f"I have you as {_with_article(profile.role_words)}:"),
            _facts(profile),
            _text(_if_wrong(profile, qa_contact, "If this is wrong")),
        ]
    body.append(_text("Type **help** to see what I can do, or **whoami** to check these details.", isSubtle=True))
    return _card(body, welcome_summary(profile, qa_contact=qa_contact), [_say("help"), _say("whoami")])


# -- help ---------------------------------------------------------------------------------

def help_summary(role: str | None, *, not_understood: bool = False) -> str:
    lead = "Sorry, I did not understand that. " if not_understood else ""
    if role is None:
        return lead + "Here is what I can do. You are not on the QA roster yet."
    return lead + f"Here is what I can do for you as {_with_article(role_words(role))}."


def help_card(role: str | None, *, lines: Sequence[str] = (), commands: Sequence[tuple[str, str]] = (),
              not_understood: bool = False, qa_contact: str | None = None) -> dict[str, Any]:
    """What the bot does for `role` (`lines`) and the commands they can type (name, what it does)."""
    body: list[dict[str, Any]] = []
    if not_understood:
        body.append(_text("Sorry, I did not understand that.", color="Attention"))
    body.append(_title("What I can do"))
    if role is None or role not in ROLE_WORDS:
        body += [
            _text("I help run the Quality Assurance Framework: audit allocations around the 3rd, reminders "
                  "before the month's audit deadline (around the 28th) and service-lead oversight after it "
                  "(around the 6th of the next month): each card gives its own date."),
            _text(f"You are not on the QA roster yet, so I do not know your role. Please ask "
                  f"{_ask_qa(qa_contact)} to add you." if role is None else
                  f"I do not know the role {role_words(role)!r}; please ask {_ask_qa(qa_contact)} to check the roster."),
        ]
    elif lines:
        body.append(_text(f"For you as {_with_article(role_words(role))}, I will:"))
        body += _bullets(list(lines))
    else:
        body.append(_text(f"Nothing is set up for {role_words(role)}s yet. I will tell you when there is."))
    if commands:
        body.append(_text("You can type:", weight="Bolder", spacing="Medium"))
        body.append({"type": "FactSet", "facts": [{"title": name, "value": what} for name, what in commands]})
    return _card(body, help_summary(role, not_understood=not_understood), [_say("whoami")])


# -- whoami -------------------------------------------------------------------------------

def whoami_summary(profile: Profile | None, *, teams_name: str | None = None) -> str:
    if profile is None:
        who = f", {teams_name}" if teams_name else ""
        return f"Sorry{who}: you are not on the QA roster yet."
    where = _where(profile)
    return f"You are {profile.name}, {_with_article(profile.role_words)}{where}."


def whoami_card(profile: Profile | None, *, teams_name: str | None = None,
                qa_contact: str | None = None) -> dict[str, Any]:
    body = [_title("Who I take you to be")]
    if profile is None:
        body += [
            _text(f"I cannot find {'you (' + teams_name + ')' if teams_name else 'you'} on the QA roster yet."),
            _text(f"Please ask {_ask_qa(qa_contact)} to add you."),
        ]
    else:
        body += [_facts(profile), _text(_if_wrong(profile, qa_contact, "If any of this is wrong"), isSubtle=True)]
    return _card(body, whoami_summary(profile, teams_name=teams_name), [_say("help")])
