"""An audit's answers to a form defined as data (framework 5, 9.3, 23), checked against that form. Pure.

The answers are a mapping from question id to a value, the shape kept in `audits.answers`:

- grade, one_of: the level or option's text; a grade that allows it may be `qa.forms.NOT_APPLICABLE`;
- yes_no: "yes" or "no";
- several_of: a list of the options chosen (in the form's order);
- number: an int or float within the question's bounds;
- date: an ISO date "YYYY-MM-DD" (a calendar date, no time zone);
- text: the text, within the question's max_length characters (screened for identifiers by the caller,
  qa/identifiers.py, as every free-text field is);
- recommendations: a list of at most `rows` mappings {"action": text within max_length characters, "owner":
  the email address of the person who owns it, "due": an ISO date}, each whole (the caller checks the owner
  is on the roster and the date not past; on submission each becomes a remedial action).

An unanswered question is absent (or None, or ""). Which answers feed the framework's figures: the
question `OVERALL_QUESTION` (if the form has it) is the audit's overall grade, which moderation and the
analysis read; every grade question naming a key area of 9.3 counts toward that area (several questions
may inform one area; "not applicable" is counted apart, not as a grade).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from qa.emails import is_email
from qa.forms import (
    DATE,
    GRADE,
    NOT_APPLICABLE,
    NUMBER,
    ONE_OF,
    RECOMMENDATIONS,
    SEVERAL_OF,
    TEXT,
    YES_NO,
    FormDefinition,
    Question,
)

OVERALL_QUESTION = "overall_grade"  # the question whose grade is the audit's overall grade (the default form's id)
YES, NO = "yes", "no"
ACTION, OWNER, DUE = "action", "owner", "due"  # the parts of one recommendation


def answered(value: Any) -> bool:
    """Whether a value counts as an answer (None, "" and [] do not)."""
    return value is not None and value != "" and value != []


def required(question: Question, answers: Mapping[str, Any]) -> bool:
    """Whether `question` must be answered, given the other answers: `required`, or `required_when`
    names a yes/no question answered yes."""
    if question.required:
        return True
    return question.required_when is not None and answers.get(question.required_when) == YES


def check_answers(form: FormDefinition, answers: Mapping[str, Any], *,
                  only: Iterable[str] | None = None, submitting: bool = True) -> dict[str, str]:
    """What is wrong, by question id, with `answers` to `form` (empty when nothing is).

    `only`: check just these question ids (one page of a paged card); `submitting`: False for a draft,
    where a missing required answer is not yet wrong but a value of the wrong shape still is. Each
    message names the question ("Grade Planning.") so a card can show it beside the input. Answers to
    ids the form does not have are wrong ("not on this form"): a card never sends them.
    """
    ids = set(only) if only is not None else None
    errors: dict[str, str] = {}
    known = {q.id for q in form.questions()}
    for qid in answers:
        if qid not in known and (ids is None or qid in ids) and answered(answers[qid]):
            errors[qid] = "This question is not on this form."
    for question in form.questions():
        if ids is not None and question.id not in ids:
            continue
        value = answers.get(question.id)
        if not answered(value):
            if submitting and required(question, answers):
                errors[question.id] = f"Answer \u201c{question.label}\u201d."
            continue
        problem = value_problem(form, question, value, submitting=submitting)
        if problem:
            errors[question.id] = problem
    return errors


def value_problem(form: FormDefinition, question: Question, value: Any, *, submitting: bool = True) -> str | None:
    """Why `value` cannot be the answer to `question` (None when it can); `value` is answered. In a draft
    (`submitting` False) a recommendation may be half written."""
    label = question.label
    if question.type == GRADE:
        levels = form.scales[question.scale].levels if question.scale in form.scales else ()
        if value == NOT_APPLICABLE:
            return None if question.not_applicable else f"\u201c{label}\u201d cannot be not applicable."
        return None if value in levels else f"Choose one of the grades for \u201c{label}\u201d."
    if question.type == YES_NO:
        return None if value in (YES, NO) else f"Answer yes or no to \u201c{label}\u201d."
    if question.type == ONE_OF:
        return None if value in question.options else f"Choose one of the options for \u201c{label}\u201d."
    if question.type == SEVERAL_OF:
        ok = isinstance(value, list) and all(v in question.options for v in value) and len(set(value)) == len(value)
        return None if ok else f"Choose from the options for \u201c{label}\u201d."
    if question.type == NUMBER:
        return _number_problem(question, value)
    if question.type == DATE:
        return None if _is_iso_date(value) else f"Give a date for \u201c{label}\u201d."
    if question.type == TEXT:
        if not isinstance(value, str):
            return f"Write \u201c{label}\u201d as text."
        limit = question.max_length
        return None if limit is None or len(value) <= limit else \
            f"Please keep \u201c{label}\u201d under {limit:,} characters."
    if question.type == RECOMMENDATIONS:
        return _recommendations_problem(question, value, whole=submitting)
    return f"\u201c{label}\u201d cannot be answered here."


def _recommendations_problem(question: Question, value: Any, *, whole: bool) -> str | None:
    """Why `value` is not a list of recommendations, each whole when `whole` (each named by its place:
    "Recommendation 2")."""
    if not isinstance(value, list) or not all(isinstance(r, Mapping) for r in value):
        return f"\u201c{question.label}\u201d could not be read."
    if question.rows is not None and len(value) > question.rows:
        return f"\u201c{question.label}\u201d takes at most {question.rows}."
    limit = question.max_length
    for place, row in enumerate(value, start=1):
        action, owner, due = row.get(ACTION), row.get(OWNER), row.get(DUE)
        if not whole:
            if isinstance(action, str) and limit is not None and len(action) > limit:
                return f"Recommendation {place}: please keep it under {limit:,} characters."
            continue
        if not isinstance(action, str) or not action.strip():
            return f"Recommendation {place}: say what is to be done."
        if limit is not None and len(action) > limit:
            return f"Recommendation {place}: please keep it under {limit:,} characters."
        if not is_email(owner if isinstance(owner, str) else None):
            return f"Recommendation {place}: give the work email of the person who owns it."
        if not _is_iso_date(due):
            return f"Recommendation {place}: give the date it is due by."
    return None


def recommendations(form: FormDefinition, answers: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(action, owner's email, due ISO date) of every recommendation answered, in the form's order:
    what becomes remedial actions on submission (answers already checked by `check_answers`)."""
    return [(row[ACTION].strip(), row[OWNER].strip(), row[DUE]) for q in form.questions()
            if q.type == RECOMMENDATIONS and isinstance(answers.get(q.id), list) for row in answers[q.id]]


def _is_iso_date(value: Any) -> bool:
    try:
        return isinstance(value, str) and len(value) == 10 and bool(date.fromisoformat(value))
    except ValueError:
        return False


def _number_problem(question: Question, value: Any) -> str | None:
    label = question.label
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"Give a number for \u201c{label}\u201d."
    if question.minimum is not None and value < question.minimum:
        return f"\u201c{label}\u201d is at least {question.minimum:g}."
    if question.maximum is not None and value > question.maximum:
        return f"\u201c{label}\u201d is at most {question.maximum:g}."
    return None


def overall_grade(form: FormDefinition, answers: Mapping[str, Any]) -> str | None:
    """The audit's overall grade: the answer to OVERALL_QUESTION when the form has it and it is a
    grade (not "not applicable"), else None (a form with no overall grade: nothing to moderate)."""
    value = answers.get(OVERALL_QUESTION)
    has = any(q.id == OVERALL_QUESTION and q.type == GRADE for q in form.questions())
    return value if has and answered(value) and value != NOT_APPLICABLE else None


def key_area_answers(form: FormDefinition, answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key area, grade or NOT_APPLICABLE) for every answered grade question that informs a key area
    of 9.3, in the form's order: what the analysis counts under each area."""
    return [(q.key_area, answers[q.id]) for q in form.questions()
            if q.type == GRADE and q.key_area and answered(answers.get(q.id))]


# The default form's questions whose answers the audit also holds in its own columns (the card every audit used
# before forms were data, the oversight request, the findings and the safeguarding alert read them there).
# An immediate safeguarding concern (framework 9.3: escalated at once): any form with questions of these ids has
# its answers escalated as the default form's are.
SAFEGUARDING_FLAG, SAFEGUARDING_TEXT = "safeguarding_concern", "safeguarding_description"
DEFAULT_FORM_TEXTS = ("strengths", "improvements", SAFEGUARDING_TEXT)
DEFAULT_FORM_FLAGS = ("discussion_held", "seek_family_views", SAFEGUARDING_FLAG)


def default_form_values(form: FormDefinition, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The default form's checked `answers` (by question id) as the audit's columns take them: the overall grade,
    "key_areas" {key area: grade} from each graded question that informs one (a key area not applicable is left
    out), the texts ("" when blank) and the yes/no flags as booleans. For an audit recorded on the default form
    other than through its card (a partner's returned workbook, framework 9.3's partnership audits)."""
    grades = {q.id: q.key_area for q in form.questions() if q.type == GRADE and q.key_area}
    return {
        OVERALL_QUESTION: answers.get(OVERALL_QUESTION) or None,
        "key_areas": {area: answers[qid] for qid, area in grades.items()
                      if isinstance(answers.get(qid), str) and answers[qid] != NOT_APPLICABLE},
        **{key: str(answers.get(key) or "") for key in DEFAULT_FORM_TEXTS},
        **{key: answers.get(key) == YES for key in DEFAULT_FORM_FLAGS},
    }
