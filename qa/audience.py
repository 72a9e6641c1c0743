"""Who a broadcast or a calendar event is for: the audience rules. Pure.

An audience is a list of terms; someone is in it when ANY term selects them (a mix of roles,
service areas and teams is their union, as the QA unit reads "practice managers and Family Help").

Terms (as typed on the command line, in a calendar row's `audience` cell separated by ';', or
chosen in the compose dialog):
- ``everyone``: every active person on the roster;
- ``role=<role>``: one of qa.framework.ROLES (case, spaces and hyphens forgiven);
- ``area=<service area>``: anyone working in that service area (people may hold several);
- ``team=<team>``: anyone in that team;
- ``channel=<channel id>``: a team channel where the bot is installed (one post, not people).

Names are compared trimmed and case-insensitively. An empty audience is everyone.
Errors: AudienceError (a ValueError) naming the term that is wrong.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from qa.framework import ROLES

EVERYONE = "everyone"
KINDS = ("role", "area", "team", "channel")


class AudienceError(ValueError):
    """A term that is not one of the forms above; the message names it."""


@dataclass(frozen=True)
class Term:
    kind: str  # "everyone", "role", "area", "team" or "channel"
    value: str = ""

    def __str__(self) -> str:
        return EVERYONE if self.kind == EVERYONE else f"{self.kind}={self.value}"


@dataclass(frozen=True)
class Audience:
    terms: tuple[Term, ...]

    @property
    def everyone(self) -> bool:
        return not self.terms or any(t.kind == EVERYONE for t in self.terms)

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(t.value for t in self.terms if t.kind == "channel")

    @property
    def people_terms(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.kind != "channel")

    def describe(self) -> str:
        return "everyone" if self.everyone else "; ".join(str(t) for t in self.terms)


def _role(value: str) -> str:
    return "_".join(value.strip().lower().replace("-", " ").split())


def _fold(value: str) -> str:
    return " ".join(value.split()).casefold()


def parse_term(raw: str) -> Term:
    """One term from its text ("role=Practice Manager", "area = Family Help", "everyone")."""
    text = " ".join((raw or "").split())
    if not text:
        raise AudienceError("an audience term is empty")
    if text.casefold() in (EVERYONE, "all"):
        return Term(EVERYONE)
    kind, sep, value = text.partition("=")
    kind, value = kind.strip().lower(), value.strip()
    if not sep or kind not in KINDS:
        raise AudienceError(f"{raw.strip()!r} is not an audience: use everyone, role=..., area=..., team=... "
                            "or channel=...")
    if not value:
        raise AudienceError(f"{raw.strip()!r} names no {kind}")
    if kind == "role":
        role = _role(value)
        if role not in ROLES:
            raise AudienceError(f"{value!r} is not a role; roles are {', '.join(ROLES)}")
        value = role
    return Term(kind, value)


def parse_audience(terms: Iterable[str]) -> Audience:
    """Terms (each as parse_term takes it; duplicates dropped, order kept) as an Audience."""
    seen: list[Term] = []
    for raw in terms:
        term = parse_term(raw)
        if term not in seen:
            seen.append(term)
    return Audience(tuple(seen))


def parse_audience_cell(cell: str) -> Audience:
    """A calendar row's audience cell: terms separated by ';' (empty: everyone)."""
    return parse_audience(part for part in (cell or "").split(";") if part.strip())


def selects(audience: Audience, *, role: str | None, areas: Sequence[str], team: str | None) -> bool:
    """Whether a person (their role, service areas and team) is in `audience`. Channel terms select
    nobody (they are posts to a channel, not people)."""
    if audience.everyone:
        return True
    folded_areas = {_fold(a) for a in areas}
    for term in audience.people_terms:
        if term.kind == "role" and role == term.value:
            return True
        if term.kind == "area" and _fold(term.value) in folded_areas:
            return True
        if term.kind == "team" and team is not None and _fold(term.value) == _fold(team):
            return True
    return False
