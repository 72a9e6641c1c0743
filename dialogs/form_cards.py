"""The audit form of a form defined as data (framework 5, 9.3, 23), as Adaptive Cards: pure, the form's
definition and the answers so far in, one page's card out (1.5, Action.Execute).

A form comes in pages, one section a page, a section split further where its page could pass
PAGE_BUDGET bytes with every text box full (so a page stays within Teams' 28 KB however much is typed).
Each page has Back and Next (the page's answers kept as the draft on the way), Save draft, and on the
last page Submit; each button carries the allocation id and the page shown (`page_id`, from 1), nothing
else: the server reads the form from the version the audit was started on.

Each question is an input whose id is `input_id(question id)`: a grade or one of a list, a compact choice
(a grade allowing it offers `qa.forms.NOT_APPLICABLE`); yes/no, two choices; several of a list, a
multi-select whose values are the options' places (Teams joins them with commas, so an option may hold
one); a number, Input.Number within its bounds; a date, Input.Date; text, a multi-line box within its
length; recommendations, `rows` groups of what (a box), who owns it (their email) and by when (a date).
A required question says so in its label; the server checks it (Back and Save draft must work on a page
half done, so no input is marked required for the client to enforce). `read_page` turns what a page
sent back into the answers shape qa/form_answers.py documents.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dialogs.audit_cards import PRIVACY_HINT, AllocationView
from dialogs.card_kit import (
    Element,
    attention,
    card,
    container,
    execute,
    facts,
    format_day,
    heading,
    subheading,
    text,
    text_input,
)
from qa.form_answers import ACTION, DUE, NO, OWNER, YES, answered
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
    Section,
)


class Verb:
    """The form's buttons: allocation_id + page_id (the page shown) + the page's inputs."""

    FORM_BACK = "audit.form_back"      # keep the page as the draft, show the page before
    FORM_NEXT = "audit.form_next"      # keep the page as the draft (checked), show the page after
    FORM_SAVE = "audit.form_save"      # keep the page as the draft, show it again
    FORM_SUBMIT = "audit.form_submit"  # keep the page, check the whole form, submit it

    ALL = frozenset({FORM_BACK, FORM_NEXT, FORM_SAVE, FORM_SUBMIT})


PAGE_BUDGET = 24 * 1024  # bytes of a page's JSON with every box full: under 28 KB with the activity around it
EMAIL_MAX = 254
INPUT_PREFIX = "answer_"  # input ids apart from the buttons' data (allocation_id, page_id) and the date toggle
_ROW_PARTS = (ACTION, OWNER, DUE)


def input_id(question_id: str) -> str:
    return INPUT_PREFIX + question_id


def row_input_id(question_id: str, row: int, part: str) -> str:
    """One part (ACTION, OWNER, DUE) of recommendation `row` (from 1) of a recommendations question."""
    return f"{INPUT_PREFIX}{question_id}_{row}_{part}"


@dataclass(frozen=True)
class Page:
    """One page: the section it shows and which of its questions (a long section takes several pages)."""

    number: int
    section: Section
    questions: tuple[Question, ...]
    part: int = 1  # of the section, from 1
    parts: int = 1

    @property
    def title(self) -> str:
        return self.section.title + (f" ({self.part} of {self.parts})" if self.parts > 1 else "")

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)


def _size(element: Any) -> int:
    return len(json.dumps(element, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _worst_case(form: FormDefinition, question: Question) -> int:
    """A question's bytes on a page with its boxes full (typed text counted at 3 bytes a character at most
    for the first 2,000, as Welsh or pasted quotation marks may take, then a byte each)."""
    typed = 0
    if question.type == TEXT:
        typed = question.max_length or 0
    elif question.type == RECOMMENDATIONS:
        typed = (question.rows or 1) * ((question.max_length or 0) + EMAIL_MAX + 10)
    typed_bytes = min(typed, 2_000) * 3 + max(typed - 2_000, 0)
    return sum(_size(e) for e in _question_elements(form, question, {}, None)) + typed_bytes + 200


def pages(form: FormDefinition) -> tuple[Page, ...]:
    """The form's pages, in order: a section a page, split where its questions together could pass
    PAGE_BUDGET (less the header's share). Fixed by the definition alone, so page numbers never move."""
    budget = PAGE_BUDGET - 4_000  # the heading, facts, notes, errors and buttons
    out: list[Page] = []
    for section in form.sections:
        groups: list[list[Question]] = [[]]
        used = 0
        for question in section.questions:
            cost = _worst_case(form, question)
            if groups[-1] and used + cost > budget:
                groups.append([])
                used = 0
            groups[-1].append(question)
            used += cost
        for part, group in enumerate(groups, start=1):
            out.append(Page(len(out) + 1, section, tuple(group), part, len(groups)))
    return tuple(out)


def page_of(form: FormDefinition, question_id: str) -> int:
    """The page (from 1) a question is on; 1 for an id the form does not have."""
    return next((p.number for p in pages(form) if question_id in p.question_ids), 1)


# -- the card ----------------------------------------------------------------------------------

def _label(question: Question, form: FormDefinition) -> str:
    if question.required:
        return f"{question.label} (required)"
    if question.required_when:
        other = next((q.label for q in form.questions() if q.id == question.required_when), question.required_when)
        return f"{question.label} (required if \u201c{other}\u201d is yes)"
    return question.label


def _choices(titles_values: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"title": title, "value": value} for title, value in titles_values]


def _choice(qid: str, label: str, pairs: Sequence[tuple[str, str]], value: Any, *, expanded: bool = False,
            multi: bool = False, placeholder: str | None = None) -> Element:
    box: Element = {"type": "Input.ChoiceSet", "id": input_id(qid), "label": label,
                    "style": "expanded" if expanded else "compact", "choices": _choices(pairs), "wrap": True}
    if multi:
        box["isMultiSelect"] = True
    if placeholder and not expanded:
        box["placeholder"] = placeholder
    values = [v for _, v in pairs]
    if multi and isinstance(value, str) and value and all(v in values for v in value.split(",")):
        box["value"] = value
    elif not multi and value in values:
        box["value"] = value
    return box


def _question_elements(form: FormDefinition, question: Question, answers: Mapping[str, Any],
                       error: str | None) -> list[Element]:
    qid, label, value = question.id, _label(question, form), answers.get(question.id)
    elements: list[Element]
    if question.type == GRADE:
        levels = form.scales[question.scale].levels if question.scale in form.scales else ()
        levels = (*levels, NOT_APPLICABLE) if question.not_applicable else levels
        elements = [_choice(qid, label, [(lv, lv) for lv in levels], value, placeholder="Choose a grade")]
    elif question.type == YES_NO:
        elements = [_choice(qid, label, [("Yes", YES), ("No", NO)], value, expanded=True)]
    elif question.type == ONE_OF:
        elements = [_choice(qid, label, [(o, o) for o in question.options], value, placeholder="Choose one")]
    elif question.type == SEVERAL_OF:
        chosen = ",".join(str(question.options.index(v)) for v in value if v in question.options) \
            if isinstance(value, list) else None
        elements = [_choice(qid, label, [(o, str(i)) for i, o in enumerate(question.options)], chosen,
                            expanded=True, multi=True)]
    elif question.type == NUMBER:
        box: Element = {"type": "Input.Number", "id": input_id(qid), "label": label}
        if question.minimum is not None:
            box["min"] = question.minimum
        if question.maximum is not None:
            box["max"] = question.maximum
        if isinstance(value, int | float) and not isinstance(value, bool):
            box["value"] = value
        elements = [box]
    elif question.type == DATE:
        box = {"type": "Input.Date", "id": input_id(qid), "label": label}
        if isinstance(value, str) and value:
            box["value"] = value
        elements = [box]
    elif question.type == RECOMMENDATIONS:
        elements = [text(label, weight="Bolder")]
        rows = value if isinstance(value, list) else []
        for row in range(1, (question.rows or 1) + 1):
            said = rows[row - 1] if row <= len(rows) and isinstance(rows[row - 1], Mapping) else {}
            elements.append(container([
                text_input(row_input_id(qid, row, ACTION), f"Recommendation {row}: what is to be done",
                           max_length=question.max_length or 500, multiline=True, value=_str(said.get(ACTION)),
                           placeholder="No names, dates of birth or addresses."),
                {**text_input(row_input_id(qid, row, OWNER), "Who owns it (their work email)", max_length=EMAIL_MAX,
                              value=_str(said.get(OWNER)), placeholder="name@council.gov.uk"), "style": "Email"},
                {"type": "Input.Date", "id": row_input_id(qid, row, DUE), "label": "Due by",
                 **({"value": said[DUE]} if isinstance(said.get(DUE), str) and said.get(DUE) else {})},
            ], separator=row > 1, spacing="Small"))
    else:  # TEXT
        elements = [text_input(input_id(qid), label, max_length=question.max_length or 4000, multiline=True,
                               value=_str(value), placeholder="No names, dates of birth or addresses.")]
    if question.help:
        elements.append(text(question.help, subtle=True, spacing="Small"))
    if error:
        elements.append(attention(error))
    return elements


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def form_page_card(view: AllocationView, form: FormDefinition, page: int, answers: Mapping[str, Any] | None = None,
                   errors: Mapping[str, str] | None = None, *, note: str | None = None,
                   elsewhere: Sequence[int] = ()) -> Element:
    """Page `page` (from 1; past the end, the last) of the form for the allocation in `view`, filled from
    `answers` (by question id), each of `errors` (question id -> what is wrong) under its question and any
    not on this page at the top, `note` (e.g. "Draft saved ...") under the heading, and `elsewhere`: other
    pages with something to put right."""
    all_pages = pages(form)
    shown = all_pages[min(max(page, 1), len(all_pages)) - 1]
    answers, errors = answers or {}, dict(errors or {})
    holder = "Supervisee" if view.supervision else "Case holder"
    body: list[Element] = [
        heading(f"Audit: {view.subject}"),
        facts([("Form", f"{form.title} (version {form.version})"), ("Team", view.team),
               *((("Theme", view.theme),) if view.theme else ()), (holder, view.case_holder_name),
               ("Deadline", format_day(view.deadline))]),
        text(PRIVACY_HINT, color="Warning", weight="Bolder"),
    ]
    if view.facts and shown.number == 1:  # the register's facts, beside the first page (a supervision file)
        body[2:2] = [subheading("The supervision register today"), facts(list(view.facts)),
                     text("What the bot holds: check it against the supervision file itself.", subtle=True,
                          spacing="Small")]
    if note:
        body.append(text(note, subtle=True, spacing="Small"))
    top = len(body)
    body.append(subheading(f"Page {shown.number} of {len(all_pages)}: {shown.title}"))
    if shown.section.help and shown.part == 1:
        body.append(text(shown.section.help, subtle=True, spacing="None"))
    marked = 0
    for question in shown.questions:
        error = errors.pop(question.id, None)
        marked += bool(error)
        body += _question_elements(form, question, answers, error)
    problems: list[Element] = []
    if marked:
        problems.append(attention(f"Please put right the {marked} {'thing' if marked == 1 else 'things'} "
                                  "marked below."))
    problems += [attention(message) for message in errors.values() if message]
    others = sorted(set(elsewhere) - {shown.number})
    if others:
        problems.append(attention("Also to put right: " + ", ".join(
            f"page {n} ({all_pages[n - 1].title})" for n in others) + "."))
    body[top:top] = problems
    ids = {"allocation_id": view.allocation_id, "page_id": shown.number}
    actions: list[Element] = []
    if shown.number > 1:
        actions.append(execute("Back", Verb.FORM_BACK, ids, inputs="auto"))
    if shown.number < len(all_pages):
        actions.append(execute("Next", Verb.FORM_NEXT, ids, inputs="auto", style="positive"))
    actions.append(execute("Save draft", Verb.FORM_SAVE, ids, inputs="auto"))
    if shown.number == len(all_pages):
        actions.append(execute("Submit audit", Verb.FORM_SUBMIT, ids, inputs="auto", style="positive"))
    return card(body, actions)


# -- what a page sends back --------------------------------------------------------------------

def read_page(form: FormDefinition, page: int, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The answers page `page` sent, by question id, in qa/form_answers.py's shape: an empty input is
    None; several_of a list in the form's order; a number an int or float (text that is no number is
    kept as sent, for the check to name); recommendations the rows with anything typed. Never raises."""
    all_pages = pages(form)
    shown = all_pages[min(max(page, 1), len(all_pages)) - 1]
    return {q.id: _read(q, inputs) for q in shown.questions}


def _read(question: Question, inputs: Mapping[str, Any]) -> Any:
    if question.type == RECOMMENDATIONS:
        rows = []
        for row in range(1, (question.rows or 1) + 1):
            parts = {part: _text(inputs.get(row_input_id(question.id, row, part))) for part in _ROW_PARTS}
            if any(parts.values()):
                rows.append({part: value or "" for part, value in parts.items()})
        return rows or None
    raw = inputs.get(input_id(question.id))
    if question.type == NUMBER:
        return _number(raw)
    value = _text(raw)
    if value is None:
        return None
    if question.type == SEVERAL_OF:
        places = {p.strip() for p in value.split(",")}
        return [o for i, o in enumerate(question.options) if str(i) in places] or None
    if question.type == YES_NO:
        return value.lower()
    return value


def _text(raw: Any) -> str | None:
    if isinstance(raw, bool) or raw is None:
        return None
    value = str(raw).strip() if isinstance(raw, str | int | float) else None
    return value or None


def _number(raw: Any) -> Any:
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int | float):
        return raw
    value = str(raw).strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number


def answer_lines(form: FormDefinition, answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(question, the answer as shown) of every answered question but recommendations, in the form's order:
    what the service lead reads at oversight."""
    lines: list[tuple[str, str]] = []
    for question in form.questions():
        value = answers.get(question.id)
        if question.type == RECOMMENDATIONS or not answered(value):
            continue
        if isinstance(value, list):
            shown = ", ".join(str(v) for v in value)
        elif question.type == YES_NO:
            shown = "Yes" if value == YES else "No"
        elif isinstance(value, float):
            shown = f"{value:g}"
        else:
            shown = str(value)
        lines.append((question.label, shown))
    return lines
