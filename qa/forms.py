"""The council's own audit forms, as data (framework section 23: the nine service-area audit tools;
9.3: themed, supervision, partnership and CRH audits; section 5: "bespoke formats depending on the
issue or question(s), free-form narrative in audits"). Pure: a definition comes in as the plain
data of a JSON file already checked against the schema (capabilities/audit_forms/schema.json); this
module says what else is wrong with it (`problems`) and reads it into a `FormDefinition`.

A definition has a name (lower case, the key an audit records), a version (a whole number from 1:
an audit keeps the name and version it was started on, so editing a form never changes a started
or submitted audit), a kind, the service areas or themes it is for, its grading scales, and its
sections of questions. Every question names the key area of 9.3 it informs (`KEY_AREAS`) or none.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qa.framework import KEY_AREAS

# What an audit is (framework 9.3's schedule): a case audit (monthly, by service area or theme), a
# supervision audit (9.1), a partnership audit (with Health, Police, Education, Housing), a CRH audit.
KINDS = ("case", "supervision", "partnership", "crh")

# What a question asks for.
GRADE = "grade"            # a level of a scale the form names, with "not applicable" where allowed
YES_NO = "yes_no"
ONE_OF = "one_of"          # one of a list
SEVERAL_OF = "several_of"  # several of a list
NUMBER = "number"
DATE = "date"
TEXT = "text"              # free text, within max_length characters
# Up to `rows` recommendations, each an action (within max_length characters), the email of the person who
# owns it and the date it is due by: on submission each becomes a remedial action (framework 9.3, section 5).
RECOMMENDATIONS = "recommendations"
QUESTION_TYPES = (GRADE, YES_NO, ONE_OF, SEVERAL_OF, NUMBER, DATE, TEXT, RECOMMENDATIONS)
NARRATIVE_TYPES = (TEXT, RECOMMENDATIONS)  # what a narrative section may hold

DEFAULT_FORM_NAME = "default"  # the form every audit used before forms were data (its version 1)
DEFAULT_FORM_VERSION = 1
NOT_APPLICABLE = "Not applicable"  # counted apart from the grades (issue item 6)


@dataclass(frozen=True)
class FormRef:
    """What an audit records of its form: the name and the version it was started on."""

    name: str = DEFAULT_FORM_NAME
    version: int = DEFAULT_FORM_VERSION

    def describe(self) -> str:
        return f"{self.name} v{self.version}"


@dataclass(frozen=True)
class Scale:
    """A grading scale: its levels, best first (the default form's is Ofsted's four grades)."""

    id: str
    levels: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    """One question. `key_area` is one of KEY_AREAS or None; `scale` for a grade, `options` for
    one_of/several_of, `max_length` (characters) for text, `minimum`/`maximum` for a number;
    `not_applicable` lets a grade be answered "Not applicable"; `required_when` names a yes/no
    question of the same form that, answered yes, makes this one required."""

    id: str
    type: str
    label: str
    required: bool = False
    help: str = ""
    key_area: str | None = None
    scale: str | None = None
    not_applicable: bool = False
    options: tuple[str, ...] = ()
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    required_when: str | None = None
    rows: int | None = None


@dataclass(frozen=True)
class Section:
    """A titled group of questions; a narrative section (free text and recommendations only) comes after
    all others."""

    id: str
    title: str
    questions: tuple[Question, ...]
    help: str = ""
    narrative: bool = False


@dataclass(frozen=True)
class FormDefinition:
    name: str
    title: str
    version: int
    kind: str
    service_areas: tuple[str, ...]
    themes: tuple[str, ...]
    scales: Mapping[str, Scale]
    sections: tuple[Section, ...]

    @property
    def ref(self) -> FormRef:
        return FormRef(self.name, self.version)

    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.sections for q in s.questions)

    def for_whom(self) -> str:
        """"service areas: A, B", "themes: T", or "every service area" (the list's column)."""
        if self.service_areas:
            return "service areas: " + ", ".join(self.service_areas)
        if self.themes:
            return "themes: " + ", ".join(self.themes)
        return "every service area"


Path = tuple[str | int, ...]  # where in the file, as a JSON path: ("sections", 0, "questions", 2, "id")


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str


def problems(data: Mapping[str, Any], *, key_areas: Sequence[str] = KEY_AREAS) -> list[Problem]:
    """What is wrong with a schema-valid definition beyond its shape, each with where it is: question
    and section ids unique; key areas known; a grade's scale named in the form with two levels or
    more, all different; options all different; a number's minimum not above its maximum;
    `required_when` naming a yes/no question of the form; narrative sections after all others and
    holding free text and recommendations only; recommendations informing no key area. Empty when the
    definition is sound."""
    found: list[Problem] = []
    scales = data.get("scales") or {}
    for scale_id, levels in scales.items():
        if len(set(levels)) != len(levels):
            found.append(Problem(("scales", scale_id), f"scale {scale_id!r} names a level twice"))
        if NOT_APPLICABLE.casefold() in (lv.casefold() for lv in levels):
            found.append(Problem(("scales", scale_id), f"scale {scale_id!r} has {NOT_APPLICABLE!r} as a level: "
                                 "allow it on the question instead (\"not_applicable\": true)"))
    section_ids: set[str] = set()
    question_ids: dict[str, str] = {}
    yes_no_ids = {q["id"] for s in data["sections"] for q in s["questions"] if q["type"] == YES_NO}
    narrative_seen = False
    for si, section in enumerate(data["sections"]):
        where: Path = ("sections", si)
        if section["id"] in section_ids:
            found.append(Problem((*where, "id"), f"section id {section['id']!r} is used twice"))
        section_ids.add(section["id"])
        narrative = section.get("narrative", False)
        if narrative_seen and not narrative:
            found.append(Problem((*where, "narrative"), f"section {section['id']!r} comes after a narrative section: "
                                 "narrative sections go at the end of the form"))
        narrative_seen = narrative_seen or narrative
        for qi, q in enumerate(section["questions"]):
            at: Path = (*where, "questions", qi)
            found += _question_problems(q, at, scales, yes_no_ids, key_areas)
            if q["id"] in question_ids:
                found.append(Problem((*at, "id"), f"question id {q['id']!r} is used twice "
                                     f"(first in section {question_ids[q['id']]!r})"))
            question_ids.setdefault(q["id"], section["id"])
            if narrative and q["type"] not in NARRATIVE_TYPES:
                found.append(Problem((*at, "type"), f"question {q['id']!r} is in a narrative section, "
                                     "which holds free text and recommendations only"))
    return found


def _question_problems(q: Mapping[str, Any], at: Path, scales: Mapping[str, Sequence[str]],
                       yes_no_ids: set[str], key_areas: Sequence[str]) -> list[Problem]:
    found: list[Problem] = []
    qid = q["id"]
    area = q.get("key_area")
    if area is not None and area not in key_areas:
        found.append(Problem((*at, "key_area"), f"question {qid!r}: {area!r} is not a key area; "
                             f"use one of {', '.join(key_areas)}, or null"))
    if q["type"] == RECOMMENDATIONS and area is not None:
        found.append(Problem((*at, "key_area"), f"question {qid!r}: recommendations inform no key area; use null"))
    if q["type"] == GRADE:
        scale = q.get("scale")
        if scale not in scales:
            found.append(Problem((*at, "scale"), f"question {qid!r}: scale {scale!r} is not one of the form's "
                                 f"scales ({', '.join(scales) or 'none named'})"))
    if q["type"] in (ONE_OF, SEVERAL_OF):
        options = q.get("options") or []
        if len({o.casefold() for o in options}) != len(options):
            found.append(Problem((*at, "options"), f"question {qid!r} lists an option twice"))
    if q["type"] == NUMBER and q.get("minimum") is not None and q.get("maximum") is not None \
            and q["minimum"] > q["maximum"]:
        found.append(Problem((*at, "minimum"), f"question {qid!r}: the minimum is above the maximum"))
    when = q.get("required_when")
    if when is not None and (when not in yes_no_ids or when == qid):
        found.append(Problem((*at, "required_when"), f"question {qid!r}: required_when must name another "
                             f"yes/no question of this form, not {when!r}"))
    return found


def form_from_data(data: Mapping[str, Any]) -> FormDefinition:
    """The definition, from data that passed the schema and `problems` (raises KeyError otherwise)."""
    scales = {sid: Scale(sid, tuple(levels)) for sid, levels in (data.get("scales") or {}).items()}
    sections = tuple(
        Section(s["id"], s["title"], tuple(_question(q) for q in s["questions"]), s.get("help", ""),
                s.get("narrative", False))
        for s in data["sections"])
    return FormDefinition(data["name"], data["title"], data["version"], data["kind"],
                          tuple(data.get("service_areas") or ()), tuple(data.get("themes") or ()), scales, sections)


def _question(q: Mapping[str, Any]) -> Question:
    return Question(q["id"], q["type"], q["label"], q.get("required", False), q.get("help", ""),
                    q.get("key_area"), q.get("scale"), q.get("not_applicable", False), tuple(q.get("options") or ()),
                    q.get("max_length"), q.get("minimum"), q.get("maximum"), q.get("required_when"), q.get("rows"))


def in_use_problems(forms: Sequence[FormDefinition]) -> list[str]:
    """What is wrong with a folder's forms taken together: a name used twice (one version of a form
    is in use at a time), a service area or theme two forms of one kind name (which one would be
    used: qa/form_choice.py), and no form named DEFAULT_FORM_NAME of kind case (the fallback)."""
    found: list[str] = []
    seen: set[str] = set()
    for form in forms:
        if form.name in seen:
            found.append(f"the form {form.name!r} is defined twice: keep one version of it in the folder")
        seen.add(form.name)
    claimed: dict[tuple[str, str, str], str] = {}  # (kind, "service area" or "theme", what) -> the form
    for form in forms:
        for noun, names in (("service area", form.service_areas), ("theme", form.themes)):
            for name in names:
                key = (form.kind, noun, name.strip().casefold())
                if key in claimed and claimed[key] != form.name:
                    found.append(f"the {noun} {name!r} has two {form.kind} audit forms, {claimed[key]!r} and "
                                 f"{form.name!r}: name it in one only")
                claimed.setdefault(key, form.name)
    if not any(f.name == DEFAULT_FORM_NAME and f.kind == "case" for f in forms):
        found.append(f"no case audit form named {DEFAULT_FORM_NAME!r}: it is the one used when no other fits")
    return found

