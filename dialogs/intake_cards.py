"""Cards for files sent in chat (capabilities/intake): the preview (the sheet read, what would
change, the first problems; Confirm / Cancel), the question which kind a file is when two fit, a
refusal (every problem the import found, row and column, up to a limit), and what became of it.

Pure: view data in, card JSON out. Buttons carry the preview's id only (`preview_id`, and
`choice_id`, the position of the kind chosen); the edge signs them.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dialogs.card_kit import action_set, card, choice_set, execute, facts, heading, subheading, text

Element = dict


class Verb:
    CONFIRM = "intake.confirm"
    CANCEL = "intake.cancel"
    KIND = "intake.kind"
    ALL = (CONFIRM, CANCEL, KIND)


SCOPE_INPUT = "scope"  # the preview card's choice of what the file is for (a month), sent with Confirm
MAX_PROBLEMS = 25  # problems listed on a card; the rest are counted
MAX_ITEMS = 60  # things listed per section (case references, areas); the rest are counted
MAX_CHARS = 300  # characters of one problem


@dataclass(frozen=True)
class PreviewView:
    """What a preview card shows: the file, the kind, what it was read as, what would change."""

    preview_id: int
    file_name: str
    kind_title: str  # "the staff roster"
    sheet: str | None
    scope_words: str  # e.g. "December 2026 (the month in your message)"; "" when none
    counts: Sequence[tuple[str, int]]
    sections: Sequence[tuple[str, Sequence[str]]]
    changes: int  # 0: importing it would change nothing
    expires_words: str  # "09:40"
    scope_choices: Sequence[tuple[str, str]] = ()  # (scope, words) offered on the card; () none
    scope: str | None = None  # the one chosen at first


def _read_line(file_name: str, sheet: str | None) -> str:
    return f"{file_name}, sheet \"{sheet}\"" if sheet else file_name


def _listed(items: Sequence[str]) -> str:
    shown = ", ".join(items[:MAX_ITEMS])
    more = len(items) - MAX_ITEMS
    return shown + (f" and {more} more" if more > 0 else "")


def preview_card(view: PreviewView) -> Element:
    """Nothing is written yet: what importing the file would change, with Confirm and Cancel."""
    body: list[Element] = [heading(f"Preview: {view.kind_title}"),
                           facts([("File read", _read_line(view.file_name, view.sheet))]
                                 + ([("For", view.scope_words)] if view.scope_words else []))]
    body.append(subheading("What would change"))
    body.append(facts([(label, f"{n:,}") for label, n in view.counts]))
    for label, items in view.sections:
        body += [text(label, weight="Bolder", spacing="Small"), text(_listed(list(items)), subtle=True)]
    if view.changes == 0:
        body.append(text("Importing it would change nothing: this is what is on record already."))
    if view.scope_choices:
        box = choice_set(SCOPE_INPUT, "For", [], value=None)
        box["choices"] = [{"title": words, "value": scope} for scope, words in view.scope_choices]
        box["value"] = view.scope if view.scope in {s for s, _ in view.scope_choices} else view.scope_choices[0][0]
        box["isRequired"], box["errorMessage"] = True, "Choose what the file is for."
        body.append(box)
    body.append(text(f"Nothing is written until you press Confirm. This preview holds until {view.expires_words}.",
                     subtle=True))
    return card(body, [execute("Confirm", Verb.CONFIRM, {"preview_id": view.preview_id}, style="positive",
                               inputs="auto" if view.scope_choices else "none"),
                       execute("Cancel", Verb.CANCEL, {"preview_id": view.preview_id})])


def choose_kind_card(preview_id: int, file_name: str, titles: Sequence[str]) -> Element:
    """Two or more kinds fit the file's columns: which is it? One button per kind."""
    body = [heading("Which file is this?"),
            text(f"The columns of {file_name} fit more than one kind of file. Which did you send? "
                 "I will show a preview; nothing is written until you confirm it.")]
    buttons = [execute(title[0].upper() + title[1:], Verb.KIND, {"preview_id": preview_id, "choice_id": n})
               for n, title in enumerate(titles, start=1)]
    return card(body + [action_set(buttons)], [execute("Cancel", Verb.CANCEL, {"preview_id": preview_id})])


def refused_card(file_name: str, kind_title: str | None, problems: Sequence[str], sheet: str | None = None) -> Element:
    """The file was refused whole (nothing written): the problems, row and column, what to do."""
    what = f" as {kind_title}" if kind_title else ""
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    body = [heading("Not imported"),
            text(f"I could not take {_read_line(file_name, sheet)}{what} ({count}; nothing was changed). "
                 "Correct the file and send it again:")]
    for problem in problems[:MAX_PROBLEMS]:
        body.append(text("• " + (problem if len(problem) <= MAX_CHARS else problem[:MAX_CHARS - 1] + "…"),
                         spacing="Small"))
    if len(problems) > MAX_PROBLEMS:
        body.append(text(f"and {len(problems) - MAX_PROBLEMS} more (the first {MAX_PROBLEMS} are shown).", subtle=True))
    return card(body)


def unknown_card(file_name: str, kinds: Sequence[tuple[str, Sequence[str]]]) -> Element:
    """No kind fits the file's columns: which columns tell each kind apart."""
    body = [heading("I don't know this file"),
            text(f"The columns of {file_name} match none of the files I import; nothing was changed. "
                 "Each kind needs at least these columns:")]
    body.append(facts([(title[0].upper() + title[1:], ", ".join(sorted(columns))) for title, columns in kinds]))
    return card(body)


def decided_card(title: str, message: str, counts: Sequence[tuple[str, int]] = ()) -> Element:
    """What became of a preview: imported (with what changed), cancelled, or why not."""
    body = [heading(title), text(message)]
    if counts:
        body.append(facts([(label, f"{n:,}") for label, n in counts]))
    return card(body)


def sample_preview() -> Element:
    """The largest realistic preview: a month's allocations for a big council."""
    refs = [f"CR-{n:06d}" for n in range(1, 130)]
    return preview_card(PreviewView(
        preview_id=41, file_name="allocations-2026-12.xlsx", kind_title="a month's allocation list",
        sheet="December allocations", scope_words="December 2026 (the month in the file name)",
        counts=[("Added", 120), ("Updated", 6), ("Withdrawn", 3), ("Unchanged", 0), ("Kept (already started)", 0)],
        sections=[("Allocations per service area", ["Children in Need: 60 cases", "Looked After Children: 69 cases"]),
                  ("Added", refs[:120]), ("Updated", refs[120:126]), ("Withdrawn (not in the file, not started)", refs[126:])],
        changes=129, expires_words="10:40"))


def sample_annex_a_preview() -> Element:
    """The month's Annex A extract previewed: what was read, the columns left alone, the month to choose."""
    ignored = ["Forename", "Surname", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
               "Does the Child have a Disability", "Placement postcode", "Placement address", "Immigration status"]
    return preview_card(PreviewView(
        preview_id=42, file_name="Annex A extract January 2027 (all lists).xlsx", kind_title="the month's Annex A extract",
        sheet=None, scope_words="January 2027 (the coming month)",
        counts=[("Cases read", 18_402), ("Rows skipped", 37), ("Case holders not on the roster", 112)],
        sections=[("Cases per Annex A list", [f"List {n}: {900 + n * 37:,}" for n in range(1, 12)]),
                  ("Sheets read", [f"List {n} - Children's services list {n}" for n in range(1, 12)]),
                  ("Sheets not read (no case reference column)", ["Guidance", "Notes for inspectors"]),
                  ("Columns ignored (never read or kept)", ignored),
                  ("Rows skipped", [f"'List 8 - Children in care' row {n}: the case reference is not one in the council's "
                                    "format" for n in range(3, 33)] + ["and 7 more"]),
                  ("On Confirm", ["I propose the sample for the month chosen below; nothing becomes an allocation until "
                                  "you press Use this sample"])],
        changes=18_402, expires_words="10:40",
        scope_choices=[("2026-12", "December 2026 (this month)"), ("2027-01", "January 2027 (the coming month)"),
                       ("2027-02", "February 2027")], scope="2027-01"))


def samples() -> dict[str, Element]:
    return {
        "intake_preview": sample_preview(),
        "intake_preview_annex_a": sample_annex_a_preview(),
        "intake_choose_kind": choose_kind_card(41, "people.csv", ["the staff roster", "the caseload"]),
        "intake_refused": refused_card("roster.csv", "the staff roster", [
            f"Row {n}, column B (display_name): the name is empty; type the person's name" for n in range(2, 40)],
            "Roster"),
        "intake_unknown": unknown_card("notes.csv", [("the staff roster", ["email", "display_name", "role"]),
                                                     ("a month's allocation list", ["case_ref", "annex_a_list",
                                                                                    "auditor_email"])]),
        "intake_done": decided_card("Imported: the staff roster", "people.csv was imported.",
                                    [("Added", 3), ("Updated", 1), ("Marked as left", 0)]),
    }
