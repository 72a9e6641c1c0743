"""Personal development plans and the training needs analysis (framework 9.2: "All staff have a Personal
Development Plan (PDP) as part of their annual appraisal. The content of the PDP is collated at team level and
provides the basis for individual, service and whole service-learning plans"; "The service training needs
analysis is reviewed annually"), as plain rules. Pure: no database, no Teams, no clock.

- The council's list of learning topics is data (a definition file, checked by
  capabilities/workforce/topics.py): each topic an id (the tag stored), a label, an optional group and the audit
  key areas (qa.framework.KEY_AREAS) it strengthens, so the analysis can set the key areas graded weakest beside
  the learning most asked for. `topic_problems` holds the rules a JSON schema cannot say.
- A PDP is the topics a manager picked at an appraisal and an optional short note of any other learning need
  (screened for identifiers, `note_problem`); it is tags and dates, never what the appraisal said.
- The analysis counts each person's CURRENT plan once: their latest PDP whose appraisal was held within
  CURRENT_MONTHS (12) before the day (an older one has been overtaken by the appraisal now due). It counts by
  team, by service area (a person in two areas counts in each) and for the whole service.
- Key areas graded weakest: the share of audits judging each key area Good or better over the period (the
  reports' figures, qa/reports.py), lowest first; a key area nobody judged is left out (nothing to rank).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from qa import identifiers
from qa.framework import KEY_AREAS
from qa.supervision import add_months

CURRENT_MONTHS = 12
NOTE_MAX = 300  # characters of the "other learning need" note
WHOLE_SERVICE = "Whole service"
NO_AREA = "No service area"


@dataclass(frozen=True)
class Topic:
    """One learning topic on the council's list: `id` is what a PDP stores."""

    id: str
    label: str
    group: str = ""
    key_areas: tuple[str, ...] = ()  # audit key areas (qa.framework.KEY_AREAS) this learning strengthens


@dataclass(frozen=True)
class TopicList:
    """The council's learning topics (a definition file), in the order the card shows them."""

    name: str
    version: int
    topics: tuple[Topic, ...]

    def by_id(self) -> dict[str, Topic]:
        return {t.id: t for t in self.topics}

    def label(self, topic_id: str) -> str:
        """A topic's label; a tag no longer on the list keeps its id (a plan made before the list changed)."""
        found = self.by_id().get(topic_id)
        return found.label if found else topic_id


def topics_from_data(data: Mapping) -> TopicList:
    """The TopicList of a definition already checked (schema and `topic_problems`)."""
    return TopicList(str(data.get("name", "learning topics")), int(data["version"]), tuple(
        Topic(t["id"], t["label"], t.get("group", ""), tuple(t.get("key_areas", ()))) for t in data["topics"]))


@dataclass(frozen=True)
class Problem:
    message: str
    path: tuple[str | int, ...]


def topic_problems(data: Mapping) -> list[Problem]:
    """What the schema cannot say about a topics definition: ids and labels used twice, a key area that is not
    one of the framework's (qa.framework.KEY_AREAS). Each with its JSON path, for the line it is on."""
    out: list[Problem] = []
    seen_ids: set[str] = set()
    seen_labels: set[str] = set()
    for i, topic in enumerate(data.get("topics", ())):
        if topic["id"] in seen_ids:
            out.append(Problem(f"the topic id {topic['id']!r} is used twice", ("topics", i, "id")))
        seen_ids.add(topic["id"])
        label = topic["label"].strip().casefold()
        if label in seen_labels:
            out.append(Problem(f"the label {topic['label']!r} is used twice", ("topics", i, "label")))
        seen_labels.add(label)
        for j, area in enumerate(topic.get("key_areas", ())):
            if area not in KEY_AREAS:
                out.append(Problem(f"{area!r} is not one of the audit key areas: {', '.join(KEY_AREAS)}",
                                   ("topics", i, "key_areas", j)))
    return out


# ---------------------------------------------------------------- one PDP


def chosen_topics(value: object, topics: TopicList) -> tuple[list[str], list[str]]:
    """A card's multi-select value ("a,b,c", Teams' shape) -> (topic ids on the list, in the list's order; the
    values that are not on it). Empty or missing: nothing chosen."""
    if value is None or value == "":
        return [], []
    if not isinstance(value, str):
        return [], [repr(value)]
    picked = {v.strip() for v in value.split(",") if v.strip()}
    known = [t.id for t in topics.topics if t.id in picked]
    return known, sorted(picked - set(known))


def note_problem(note: str | None) -> str | None:
    """Why the "other learning need" note cannot be kept as written (too long; an identifier or a date:
    qa/identifiers.py), or None. The note names learning, never a child or a family."""
    if note is None or not note.strip():
        return None
    if len(note) > NOTE_MAX:
        return f"The other learning need is {len(note)} characters long; please keep it to {NOTE_MAX}."
    found = identifiers.screen("The other learning need", note, keep=identifiers.KEEP_WITHOUT_YEAR)
    return found.message if found else None


# ---------------------------------------------------------------- the analysis


@dataclass(frozen=True)
class Plan:
    """One person's PDP as the analysis reads it."""

    person_id: int
    team: str
    areas: tuple[str, ...]
    appraisal_on: date
    topics: tuple[str, ...]
    note: str | None = None


def current_plans(plans: Iterable[Plan], today: date) -> list[Plan]:
    """Each person's latest plan whose appraisal was held within CURRENT_MONTHS before `today` (and not after
    it), one per person."""
    since = add_months(today, -CURRENT_MONTHS)
    latest: dict[int, Plan] = {}
    for p in plans:
        if since < p.appraisal_on <= today and (p.person_id not in latest
                                                 or p.appraisal_on > latest[p.person_id].appraisal_on):
            latest[p.person_id] = p
    return sorted(latest.values(), key=lambda p: p.person_id)


@dataclass(frozen=True)
class ScopeNeeds:
    """One scope's needs: the plans counted and how many asked for each topic."""

    level: str  # "Whole service", "Service area", "Team"
    name: str
    plans: int
    counts: Mapping[str, int] = field(default_factory=dict)  # topic id -> plans asking for it

    def ranked(self, topics: TopicList) -> list[tuple[str, int]]:
        """(topic id, count) most asked first, then in the list's order; topics nobody asked for left out."""
        order = {t.id: i for i, t in enumerate(topics.topics)}
        return sorted(((t, n) for t, n in self.counts.items() if n),
                      key=lambda tn: (-tn[1], order.get(tn[0], len(order)), tn[0]))


WHOLE, AREA, TEAM = "Whole service", "Service area", "Team"


def collate(plans: Sequence[Plan]) -> list[ScopeNeeds]:
    """The needs of the whole service, then each service area, then each team (names in order, without case)."""
    def needs(level: str, name: str, ours: list[Plan]) -> ScopeNeeds:
        return ScopeNeeds(level, name, len(ours), dict(Counter(t for p in ours for t in p.topics)))

    areas: dict[str, list[Plan]] = {}
    teams: dict[str, list[Plan]] = {}
    for p in plans:
        for area in p.areas or (NO_AREA,):
            areas.setdefault(area, []).append(p)
        teams.setdefault(p.team, []).append(p)
    return ([needs(WHOLE, WHOLE_SERVICE, list(plans))]
            + [needs(AREA, a, areas[a]) for a in sorted(areas, key=str.casefold)]
            + [needs(TEAM, t, teams[t]) for t in sorted(teams, key=str.casefold)])


@dataclass(frozen=True)
class KeyAreaGrade:
    """One audit key area over the period: audits judging it, and those judging it Good or better."""

    area: str
    judged: int
    good_or_better: int

    @property
    def rate(self) -> float | None:
        return self.good_or_better / self.judged if self.judged else None


def weakest(grades: Iterable[KeyAreaGrade]) -> list[KeyAreaGrade]:
    """The key areas judged at least once, weakest first (lowest share Good or better; then more judged, then the
    framework's order)."""
    order = {a: i for i, a in enumerate(KEY_AREAS)}
    return sorted((g for g in grades if g.judged),
                  key=lambda g: (g.good_or_better / g.judged, -g.judged, order.get(g.area, len(order))))


@dataclass(frozen=True)
class Beside:
    """One row of the sheet setting them side by side: the n-th weakest key area, and the n-th most asked topic
    (either may be absent when one list is shorter), with the learning on the list for that key area and how
    many plans asked for it."""

    rank: int
    grade: KeyAreaGrade | None
    topic: tuple[str, int] | None  # (topic id, plans asking)
    for_area: tuple[tuple[str, int], ...] = ()  # topics naming this key area: (topic id, plans asking)


def set_beside(grades: Iterable[KeyAreaGrade], whole: ScopeNeeds, topics: TopicList) -> list[Beside]:
    """The key areas graded weakest beside the learning most asked for (whole service), rank by rank."""
    ranked_areas = weakest(grades)
    asked = whole.ranked(topics)
    out = []
    for i in range(max(len(ranked_areas), len(asked))):
        grade = ranked_areas[i] if i < len(ranked_areas) else None
        for_area: tuple[tuple[str, int], ...] = ()
        if grade is not None:
            for_area = tuple((t.id, whole.counts.get(t.id, 0)) for t in topics.topics if grade.area in t.key_areas)
        out.append(Beside(i + 1, grade, asked[i] if i < len(asked) else None, for_area))
    return out
