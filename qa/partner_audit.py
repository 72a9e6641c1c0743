"""Partnership audits (framework 9.3's schedule: audits with Health, Police, Education and Housing): the
council's audit form as a workbook a partner fills in without Teams, and the returned workbook read back
into the audit's answers. Pure: rows in as the table reader gives them (heading -> cell text).

The workbook is one table, a row per question, headed `HEADINGS`. Its first rows are `ABOUT`: the form,
its version, the month and the case reference (filled in by the bot), then the partner's name and
organisation (filled in by the partner). Then every question of the form, by its id, with the answers it
allows. Only the "Answer" column is read back from a partner: the rest tells the bot which question a row is.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from qa.audit_calendar import parse_month_key
from qa.form_answers import check_answers
from qa.forms import DATE, GRADE, NOT_APPLICABLE, NUMBER, ONE_OF, SEVERAL_OF, TEXT, YES_NO, FormDefinition, Question
from qa.identifiers import cell_problem

QUESTION_ID, SECTION, QUESTION, ANSWER, ALLOWED, REQUIRED = (
    "Question id", "Section", "Question", "Answer", "Allowed answers", "Required")
HEADINGS = (QUESTION_ID, SECTION, QUESTION, ANSWER, ALLOWED, REQUIRED)
ANSWER_COLUMN = "D"  # where HEADINGS puts the answer, for the messages that name a cell
SIGNATURE = frozenset({"question_id", "question", "answer"})  # the headings, as the file reader normalises them
SHEET = "Partner audit"

FORM, VERSION, MONTH, CASE_REF, PARTNER, ORGANISATION = (
    "about_form", "about_version", "about_month", "about_case_ref", "about_partner", "about_organisation")
ABOUT = ((FORM, "Audit form"), (VERSION, "Form version"), (MONTH, "Audit month"), (CASE_REF, "Case reference"),
         (PARTNER, "Your name"), (ORGANISATION, "Your organisation"))
ORGANISATIONS = ("Health", "Police", "Education", "Housing", "Probation", "Other")
PARTNER_MAX = 120  # characters of a name or an organisation
SEVERAL_SEPARATOR = "; "
_SPLIT = re.compile(r"\s*[;\n]\s*")


@dataclass(frozen=True)
class About:
    """What the returned workbook says it is: the form and version, the month ("YYYY-MM"), the case."""

    form: str
    version: int
    month: str
    case_ref: str


@dataclass(frozen=True)
class Returned:
    """A partner's audit, read back: what it is, who gave it, and the answers (qa/form_answers.py's shape)."""

    about: About
    partner: str
    organisation: str
    answers: dict[str, Any]

    @property
    def partner_words(self) -> str:
        """"Dr A Example (Health)": how the register and the oversight request name the partner."""
        return f"{self.partner} ({self.organisation})"


def allowed_words(form: FormDefinition, question: Question) -> str:
    """What a partner may write in the answer cell, in words (the workbook's "Allowed answers" column)."""
    if question.type == GRADE:
        levels = list(form.scales[question.scale].levels) if question.scale in form.scales else []
        return " / ".join(levels + ([NOT_APPLICABLE] if question.not_applicable else []))
    if question.type == YES_NO:
        return "yes / no"
    if question.type == ONE_OF:
        return " / ".join(question.options)
    if question.type == SEVERAL_OF:
        return "one or more of: " + SEVERAL_SEPARATOR.join(question.options) + " (separated by ;)"
    if question.type == NUMBER:
        bounds = [f"from {question.minimum:g}" if question.minimum is not None else "",
                  f"to {question.maximum:g}" if question.maximum is not None else ""]
        return " ".join(["a number", *filter(None, bounds)])
    if question.type == DATE:
        return "a date (YYYY-MM-DD)"
    limit = f", up to {question.max_length:,} characters" if question.max_length else ""
    return f"text{limit}: no names, dates of birth or addresses, the case reference only"


def template_rows(form: FormDefinition, month: str, case_ref: str) -> list[tuple[str, str, str, str, str, str]]:
    """The workbook's rows under HEADINGS: ABOUT (the bot's four filled in), then a row per question."""
    filled = {FORM: form.name, VERSION: str(form.version), MONTH: month, CASE_REF: case_ref}
    rows = [(key, "About this audit", label, filled.get(key, ""),
             " / ".join(ORGANISATIONS) if key == ORGANISATION else "" if key in filled else "text",
             "yes" if key in (PARTNER, ORGANISATION) else "") for key, label in ABOUT]
    for section in form.sections:
        for q in section.questions:
            rows.append((q.id, section.title, q.label, "", allowed_words(form, q),
                         "yes" if q.required else "if " + q.required_when if q.required_when else ""))
    return rows


def read_about(rows: Sequence[Mapping[str, str]]) -> tuple[About | None, list[str]]:
    """The form, version, month and case the returned rows say they are (None with the problems, each
    naming its row, when they cannot be told). Row numbers count the heading as row 1."""
    found = {key: (n, (row.get(ANSWER) or "").strip()) for n, row in enumerate(rows, start=2)
             if (key := (row.get(QUESTION_ID) or "").strip()) in (FORM, VERSION, MONTH, CASE_REF)}
    problems = [f"No {label.lower()} row: send back the workbook the bot made, with its rows as they were"
                for key, label in ABOUT[:4] if key not in found]
    if problems:
        return None, problems
    version_row, version = found[VERSION]
    month_row, month = found[MONTH]
    if not version.isdigit():
        problems.append(f"Row {version_row}, column {ANSWER_COLUMN}: the form version is a whole number; leave it as the bot wrote it")
    try:
        parse_month_key(month)
    except ValueError:
        problems.append(f"Row {month_row}, column {ANSWER_COLUMN}: the month is YYYY-MM; leave it as the bot wrote it")
    if not found[FORM][1] or not found[CASE_REF][1]:
        problems.append("The form or the case reference is empty: send back the workbook the bot made")
    if problems:
        return None, problems
    return About(found[FORM][1], int(version), month, found[CASE_REF][1]), []


def read_returned(form: FormDefinition, about: About, rows: Sequence[Mapping[str, str]]) -> tuple[Returned | None, list[str]]:
    """The partner's answers to `form`, read from the returned rows, checked as a submission is
    (qa/form_answers.check_answers) and screened for identifiers (qa/identifiers.cell_problem); or None
    and every problem, each naming its row and column. Rows the form does not know are problems."""
    problems: list[str] = []
    questions = {q.id: q for q in form.questions()}
    where: dict[str, int] = {}
    answers: dict[str, Any] = {}
    partner = organisation = ""
    for n, row in enumerate(rows, start=2):
        key = (row.get(QUESTION_ID) or "").strip()
        text = (row.get(ANSWER) or "").strip()
        cell = f"Row {n}, column {ANSWER_COLUMN}"
        if not key or key in (FORM, VERSION, MONTH, CASE_REF):
            continue
        if key in (PARTNER, ORGANISATION):
            if not text:
                problems.append(f"{cell}: fill in {dict(ABOUT)[key].lower()}")
            elif len(text) > PARTNER_MAX:
                problems.append(f"{cell}: keep {dict(ABOUT)[key].lower()} under {PARTNER_MAX} characters")
            elif key == PARTNER:
                partner = text
            else:
                organisation = text
            continue
        question = questions.get(key)
        if question is None:
            problems.append(f"Row {n}, column A: {key!r} is not a question of this form; leave the ids as the bot wrote them")
            continue
        if key in where:
            problems.append(f"Row {n}, column A: {key!r} is given twice (first on row {where[key]})")
            continue
        where[key] = n
        if not text:
            continue
        if question.type == TEXT and (found := cell_problem(text)):
            problems.append(f"{cell} ({question.label}): {found}")
            continue
        value, wrong = _value(form, question, text)
        if wrong:
            problems.append(f"{cell}: {wrong}")
        else:
            answers[key] = value
    if not problems:  # a value refused above would be named twice
        for key, message in check_answers(form, answers).items():
            row = where.get(key)
            problems.append(f"Row {row}, column {ANSWER_COLUMN}: {message}" if row else
                            f"{message} (its row is missing: send back the workbook the bot made)")
    if problems:
        return None, problems
    return Returned(about, partner, organisation, answers), []


def _value(form: FormDefinition, question: Question, text: str) -> tuple[Any, str | None]:
    """The cell's text as the answer's value, matched without regard to case; or a problem."""
    label = f"\u201c{question.label}\u201d"
    if question.type in (GRADE, ONE_OF, YES_NO):
        choices = {GRADE: (*(form.scales[question.scale].levels if question.scale in form.scales else ()),
                           *((NOT_APPLICABLE,) if question.not_applicable else ())),
                   ONE_OF: question.options, YES_NO: ("yes", "no")}[question.type]
        match = next((c for c in choices if c.casefold() == text.casefold()), None)
        return (match, None) if match else (None, f"{label} is one of: {' / '.join(choices)}")
    if question.type == SEVERAL_OF:
        chosen, unknown = [], []
        for part in filter(None, _SPLIT.split(text)):
            match = next((o for o in question.options if o.casefold() == part.casefold()), None)
            (chosen if match else unknown).append(match or part)
        if unknown:
            return None, f"{label}: {', '.join(repr(u) for u in unknown)} is not one of its options"
        return [o for o in question.options if o in chosen], None
    if question.type == NUMBER:
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            return None, f"{label} is a number"
        return (int(number) if number.is_integer() else number), None
    if question.type == DATE:
        try:
            return date.fromisoformat(text[:10]).isoformat(), None
        except ValueError:
            return None, f"{label} is a date, YYYY-MM-DD"
    return text, None
