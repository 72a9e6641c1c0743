"""A month's audit allocation list: check the header and every row. Pure: no database.

The QA unit picks the month's cases from the Ofsted Annex A lists (framework 9.3) and sends
the bot one row per case. Rules decided here:

- Columns: exactly COLUMNS, in any order. Headings match ignoring case, surrounding spaces,
  and spaces/hyphens versus underscores ("Case Ref" is case_ref). Row numbers are as a
  spreadsheet shows them (header = row 1); wholly blank rows are skipped but counted. A
  title above the header is said in one line. In a workbook, the first visible sheet is
  read, or a visible one named for allocations; hidden sheets never (qa.tabular).
- Child-identifying columns refuse the file whole, before anything else is read: the bot
  holds case references only (the framework's privacy rule; Annex A exports carry names,
  dates of birth and addresses). See IDENTIFYING_COLUMNS for the list and why each is there;
  a heading's words are split at any punctuation ("Age (years)", "Surname/Forename").
- case_ref: the case-management system's id in the council's format (QA_CASE_REF_PATTERN; the one
  rule is qa.identifiers.case_ref_problem): a name ("Smith"), an email, a postcode, an NHS number,
  a date or anything with spaces is refused, so a name pasted into the wrong column never reaches
  the database.
- annex_a_list, team, theme: free text, screened like typed text (qa.identifiers.cell_problem):
  a date of birth, a postcode, a street address, an NHS number, a phone number, an email address
  or a date (none of these columns needs one) refuses the row, naming row and column.
- annex_a_list, service_area, team, auditor_email: required. case_holder_email, theme: may
  be empty.
- auditor_email must be an active person on the roster whose role audits: managers audit
  (9.3: "managers are required to complete a minimum of one audit ... working alongside the
  case holder"), and the QA unit and principal social worker lead themed audits. A
  practitioner is refused: they are the people audited. The auditor cannot be the case holder.
- case_holder_email, when given, must be an active person on the roster (any role).
- service_area must be a service area someone on the roster works in (matched ignoring case,
  stored as the roster spells it): oversight goes to that area's service lead, so a typo would
  leave an audit with nobody to confirm it.
- Each case_ref appears once in the file (both rows are named when it does not).
- Two optional columns choose the audit form (framework 5, 9.3, 23; qa/form_choice.py): `form` (a form
  in use, by name) and `audit_kind` (case, supervision, partnership or CRH audit; empty: a case audit).
  Headings such as "Form name", "Audit form", "Kind" or "Type of audit" are taken for them
  (HEADING_ALIASES). Without a named form, the form is the one for the row's theme, else its service
  area, else the default, and the import summary says which allocations fell back to the default. A
  form not in use, or not of the row's kind, refuses the row, naming the form column. A row naming a
  form but no kind takes the named form's kind.
- A supervision audit (audit_kind "supervision", framework 9.1 and 9.3; rules qa/supervision_audit.py): the
  case_holder_email column names the supervisee, whose supervision file is audited. case_ref is left
  empty (the bot names the file "SUP-<roster id>"; a child's case reference is refused), annex_a_list,
  service_area and team may be empty (the file's list, the supervisee's first service area and team on the
  roster). The supervisee must be active with an active supervisor; the auditor is neither of them.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from qa import emails
from qa import supervision_audit as sup
from qa.form_choice import FormChoice, UnknownFormError, choose_form
from qa.forms import DEFAULT_FORM_NAME, KINDS, FormDefinition
from qa.framework import Role
from qa.identifiers import DEFAULT_CASE_REFS, CaseRefFormat, case_ref_problem, cell_problem
from qa.tabular import (
    WHOLE_FILE,
    Problem,
    clean_cell,
    column_letter,
    header_problems,
    repeated_rows,
    separator_problem,
    title_problem,
)

# How a case came to be in the month's allocations (the register's "How chosen"): from an
# allocation list the QA unit sent, drawn by the bot's sample (framework 9.3 "Selection and
# distribution") with its seed, or a re-audit of an Inadequate grade. Rows from before the bot
# knew say UPLOADED.
UPLOADED = "uploaded"
REAUDIT = "re-audit"
SAMPLED = "sampled"


def sampled_with(seed: int | str) -> str:
    """The "How chosen" of a case drawn by the month's sample with `seed`: "sampled, seed 42"."""
    return f"{SAMPLED}, seed {seed}"


def was_sampled(how_chosen: str) -> bool:
    """Whether a "How chosen" value (see UPLOADED) says the bot's sample drew the case."""
    return how_chosen.startswith(SAMPLED)


# In a workbook, a visible sheet whose name says this is read rather than the first visible one.
SHEET_WORDS = ("allocation",)
COLUMNS = ("case_ref", "annex_a_list", "service_area", "team", "auditor_email", "case_holder_email", "theme")
REQUIRED = ("case_ref", "annex_a_list", "service_area", "team", "auditor_email")
# Columns a list may have or not: which audit form, and what kind of audit (a case audit when empty).
OPTIONAL_COLUMNS = ("form", "audit_kind")
# Other spellings of the optional columns' headings (normalised), as people name them.
HEADING_ALIASES = {
    "form_name": "form", "audit_form": "form", "audit_form_name": "form", "audit_form_used": "form",
    "kind": "audit_kind", "kind_of_audit": "audit_kind", "audit_type": "audit_kind", "type_of_audit": "audit_kind",
    "type": "audit_kind",
}
# How an audit_kind cell may say each kind (lower case, "audit" dropped): qa.forms.KINDS.
KIND_WORDS = {
    "case": "case", "case file": "case", "casefile": "case", "themed": "case", "thematic": "case",
    "supervision": "supervision", "supervision file": "supervision",
    "partnership": "partnership", "multi-agency": "partnership", "multi agency": "partnership",
    "crh": "crh", "children's residential home": "crh", "childrens residential home": "crh",
    "children's home": "crh", "childrens home": "crh", "residential": "crh", "residential home": "crh",
}
# Free-text columns, screened for identifiers like typed text.
FREE_TEXT = ("annex_a_list", "team", "theme")
# Column widths in storage.models.Allocation: PostgreSQL enforces them, so check them here.
MAX_LENGTHS = {"case_ref": 50, "annex_a_list": 100, "service_area": 200, "team": 200, "theme": 200,
               "auditor_email": 320, "case_holder_email": 320, "form": 60, "audit_kind": 60}

# Roles that audit case files (framework 9.3 and section 8). Not practitioners: they hold cases.
AUDITOR_ROLES = frozenset({
    Role.PRACTICE_MANAGER, Role.SERVICE_LEAD, Role.HEAD_OF_SERVICE, Role.DEPUTY_DIRECTOR, Role.QA_UNIT,
    Role.PRINCIPAL_SOCIAL_WORKER,
})

# Column names (normalised: lower case, words joined by "_") that would carry details about a
# child. A file holding any of them is refused whole, naming them. Why each is here:
IDENTIFYING_COLUMNS: dict[str, str] = {
    # names identify the child directly
    "name": "a name", "child_name": "a name", "childs_name": "a name", "young_person_name": "a name",
    "first_name": "a name", "firstname": "a name", "forename": "a name", "forenames": "a name",
    "given_name": "a name", "middle_name": "a name", "last_name": "a name", "lastname": "a name",
    "surname": "a name", "family_name": "a name", "full_name": "a name", "fullname": "a name",
    "preferred_name": "a name", "known_as": "a name", "alias": "a name",
    "mother_name": "a family member's name", "father_name": "a family member's name",
    "parent_name": "a family member's name", "carer_name": "a family member's name",
    # date of birth: with a team or area, it narrows a child down to one or two
    "dob": "a date of birth", "d_o_b": "a date of birth", "date_of_birth": "a date of birth",
    "birth_date": "a date of birth", "birthdate": "a date of birth", "birthday": "a date of birth",
    # age is less exact but, beside a team and a list, still points at few children
    "age": "an age", "aged": "an age", "years_old": "an age", "age_in_years": "an age",
    # where the child lives identifies them (and the family)
    "address": "an address", "home_address": "an address", "address_line_1": "an address",
    "address_1": "an address", "street": "an address", "town": "an address",
    "postcode": "a postcode", "post_code": "a postcode", "zip": "a postcode",
    # national identifiers link to health and education records
    "nhs_number": "an NHS number", "nhs_no": "an NHS number", "nhs": "an NHS number",
    "upn": "a unique pupil number", "unique_pupil_number": "a unique pupil number",
    "ni_number": "a National Insurance number", "national_insurance_number": "a National Insurance number",
    # special category data (UK GDPR article 9), and a strong identifier in a small team
    "ethnicity": "ethnicity", "ethnic_origin": "ethnicity", "religion": "religion",
    "disability": "health or disability details",
    # gender/sex: with an Annex A list and a team it narrows to very few children, and the
    # audit allocation does not need it
    "gender": "gender", "sex": "gender",
    # a school names where the child can be found every day
    "school": "a school", "school_name": "a school",
    # contact details reach the family directly
    "phone": "a phone number", "telephone": "a phone number", "mobile": "a phone number",
    "child_email": "a child's email",
}
# Words that mark a compound heading ("Child First Name", "Mother's DOB") as identifying too.
IDENTIFYING_WORDS: dict[str, str] = {
    "forename": "a name", "forenames": "a name", "surname": "a name", "firstname": "a name",
    "lastname": "a name", "fullname": "a name", "dob": "a date of birth", "birth": "a date of birth",
    "birthdate": "a date of birth", "address": "an address", "postcode": "a postcode", "nhs": "an NHS number",
    "ethnicity": "ethnicity", "ethnic": "ethnicity", "upn": "a unique pupil number",
    "age": "an age", "aged": "an age",
}
# "name" alone is identifying unless the heading says whose name it is and that is staff or a place
# of work ("Auditor Name", "Team Name"): those are not about the child (and not columns either).
STAFF_WORDS = frozenset({
    "auditor", "holder", "worker", "manager", "team", "service", "area", "list", "theme", "staff",
    "practitioner", "lead", "qa", "file", "sheet",
})

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class PersonInfo:
    """What the checks need to know about someone on the roster."""

    id: int
    email: str  # lower case
    role: str
    service_areas: tuple[str, ...] = ()
    active: bool = True
    team: str = ""
    supervisor_email: str = ""  # lower case; "" for none


@dataclass(frozen=True)
class AllocationEntry:
    """One checked row: the values an Allocation gets (people by roster id)."""

    row: int
    case_ref: str
    annex_a_list: str
    service_area: str
    team: str
    auditor_id: int
    case_holder_id: int | None
    theme: str
    form_name: str = DEFAULT_FORM_NAME
    # How the form was chosen (None when no forms were given): `missing` says a fallback to the default.
    form_choice: FormChoice | None = field(default=None, compare=False)
    kind: str = "case"  # qa.forms.KINDS: "supervision" for a supervisee's supervision file


class AllocationProblems(Exception):  # noqa: N818 - a list of problems, not an error of ours
    """The list cannot be imported; `problems` says every reason, in row order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=_problem_order)
        super().__init__("\n".join(str(p) for p in self.problems))


def _problem_order(p: Problem) -> tuple[int, int]:
    order = COLUMNS + OPTIONAL_COLUMNS
    return p.row, order.index(p.column) if p.column in order else -1


def check_month(text: str) -> str:
    """"2026-12" as given, or ValueError saying what a month looks like."""
    text = (text or "").strip()
    match = MONTH.match(text)
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise ValueError(f"{text!r} is not a month in the form YYYY-MM (e.g. 2026-12)")
    return text


def normalise_heading(heading: str) -> str:
    """"Date of Birth " -> "date_of_birth"; "Child's Name" -> "childs_name"."""
    text = unicodedata.normalize("NFKC", heading).strip().lower().replace("'", "").replace("\u2019", "")
    return re.sub(r"[\s_\-.]+", "_", text).strip("_")


def column_name(heading: str) -> str:
    """The column a heading names: normalised (normalise_heading), other spellings of the optional
    columns taken as theirs ("Form name" -> "form", "Type of audit" -> "audit_kind")."""
    name = normalise_heading(heading)
    return HEADING_ALIASES.get(name, name)


def audit_kind(text: str) -> str | None:
    """The kind of audit (qa.forms.KINDS) an audit_kind cell says ("Supervision audit" -> "supervision";
    empty -> "case"), or None when it says none of them."""
    words = " ".join(text.replace("\u2019", "'").casefold().split())
    words = re.sub(r"\s*audits?$", "", words).strip()
    if not words:
        return "case"
    return words if words in KINDS else KIND_WORDS.get(words)


def identifying_columns(header: list[str]) -> list[tuple[int, str, str]]:
    """(index, heading, what it would carry) for every heading that would identify a child."""
    found = []
    for index, heading in enumerate(header):
        what = _identifying(normalise_heading(heading))
        if what:
            found.append((index, heading, what))
    return found


def _identifying(name: str) -> str | None:
    if name in COLUMNS or HEADING_ALIASES.get(name, name) in OPTIONAL_COLUMNS:
        return None
    if name in IDENTIFYING_COLUMNS:
        return IDENTIFYING_COLUMNS[name]
    # Words split at any punctuation: "Age (years)", "Surname/Forename", "Child(DOB)".
    words = re.findall(r"[^\W_]+", name)
    if "_".join(words) in IDENTIFYING_COLUMNS:
        return IDENTIFYING_COLUMNS["_".join(words)]
    for word in words:
        if word in IDENTIFYING_WORDS:
            return IDENTIFYING_WORDS[word]
    if "name" in words and not STAFF_WORDS.intersection(words):
        return "a name"
    return None


def parse_allocations(header: list[str], rows: Iterable[dict[str, str]],
                      known_people: Mapping[str, PersonInfo], month: str,
                      case_refs: CaseRefFormat = DEFAULT_CASE_REFS,
                      forms: Sequence[FormDefinition] = ()) -> list[AllocationEntry]:
    """Check the whole list for `month`, case references against the council's format `case_refs`;
    return the entries or raise AllocationProblems. `forms`: the audit forms in use (holding the
    default, qa.forms.in_use_problems), each entry's form chosen among them (qa.form_choice); none
    given: every entry is on the default form, and a row naming another form is refused."""
    try:
        check_month(month)
    except ValueError as exc:
        raise AllocationProblems([Problem(WHOLE_FILE, None, str(exc))]) from None
    if not header:
        raise AllocationProblems([Problem(WHOLE_FILE, None, "the file is empty; the first row must hold the column names")])
    _check_header(header)
    columns = {h: column_name(h) for h in header if h}  # heading as written -> canonical name
    areas = _known_areas(known_people)

    problems: list[Problem] = []
    entries: list[AllocationEntry] = []
    case_rows: dict[str, list[int]] = {}
    for row_number, raw in enumerate(rows, start=2):
        cells = {columns[h]: clean_cell(v) for h, v in raw.items() if h in columns}
        if not any(cells.values()):
            continue  # a blank line
        if cells["case_ref"]:
            case_rows.setdefault(cells["case_ref"].upper(), []).append(row_number)
        entry = _parse_row(row_number, cells, known_people, areas, problems, case_refs, forms)
        if entry is not None:
            entries.append(entry)
            if not cells["case_ref"]:  # a supervision file: its reference is the bot's, once per supervisee
                case_rows.setdefault(entry.case_ref.upper(), []).append(row_number)
    if not case_rows and not problems:
        problems.append(Problem(WHOLE_FILE, None, "the file has column names but no cases; nothing to import"))
    for rows_of_case in case_rows.values():
        problems.extend(repeated_rows(rows_of_case, "case_ref", "the same case is allocated more than once"))
    if problems:
        raise AllocationProblems(problems)
    return entries


def _check_header(header: list[str]) -> None:
    separator = separator_problem(header)
    if separator:
        raise AllocationProblems([separator])
    identifying = identifying_columns(header)
    if identifying:
        # Refused whole and first: nothing else about such a file matters until it is cleaned.
        problems = [Problem(1, None, f"column {column_letter(i)} {heading!r} would hold {what} about a child")
                    for i, heading, what in identifying]
        problems.append(Problem(1, None, (
            "the bot holds case references only, never a child's name, date of birth, address or other "
            "identifying details: delete those columns and send the file again (nothing was imported)")))
        raise AllocationProblems(problems)
    title = title_problem(header, COLUMNS, column_name)
    if title:
        raise AllocationProblems([title])
    given = {column_name(h) for h in header if h}
    problems = header_problems(header, COLUMNS + tuple(c for c in OPTIONAL_COLUMNS if c in given), column_name,
                               "an allocation")
    if problems:  # say the optional ones too, so "Form" or "Audit kind" is not thought a mistake
        problems.append(Problem(1, None, f"and may have: {', '.join(OPTIONAL_COLUMNS)}"))
    if problems:
        raise AllocationProblems(problems)



def _known_areas(known_people: Mapping[str, PersonInfo]) -> dict[str, str]:
    """Service areas of active people, lower case -> as the roster spells it."""
    areas: dict[str, str] = {}
    for person in known_people.values():
        if person.active:
            for area in person.service_areas:
                areas.setdefault(area.casefold(), area)
    return areas


@dataclass
class _RowCheck:
    row: int
    problems: list[Problem]
    before: int = field(init=False)

    def __post_init__(self) -> None:
        self.before = len(self.problems)

    def bad(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.row, column, message))

    @property
    def ok(self) -> bool:
        return len(self.problems) == self.before


def _parse_row(row: int, cells: dict[str, str], known: Mapping[str, PersonInfo], areas: dict[str, str],
               problems: list[Problem], case_refs: CaseRefFormat,
               forms: Sequence[FormDefinition]) -> AllocationEntry | None:
    check = _RowCheck(row, problems)
    if _kind(cells, forms) == "supervision":
        return _parse_supervision_row(check, cells, known, areas, forms)
    for column in REQUIRED:
        if not cells[column]:
            check.bad(column, "is empty; every allocation needs one")
    for column, limit in MAX_LENGTHS.items():
        if column != "case_ref" and len(cells.get(column, "")) > limit:
            check.bad(column, f"is {len(cells[column])} characters long; at most {limit} fit")

    case_ref = cells["case_ref"]
    if case_ref:
        reason = case_ref_problem(case_ref, case_refs)
        if reason:
            check.bad("case_ref", reason)
    for column in FREE_TEXT:
        if reason := cell_problem(cells[column]):
            check.bad(column, reason)

    auditor = _person(check, "auditor_email", cells["auditor_email"], known)
    if auditor is not None and auditor.role not in AUDITOR_ROLES:
        check.bad("auditor_email", (
            f"{auditor.email} is a {auditor.role.replace('_', ' ')} on the roster; audits are carried out by "
            "managers, the QA unit or the principal social worker, not practitioners"))
    holder = _person(check, "case_holder_email", cells["case_holder_email"], known)
    if auditor is not None and holder is not None and auditor.id == holder.id:
        check.bad("case_holder_email", "is the auditor; an auditor audits alongside the case holder, not their own case")

    area = areas.get(cells["service_area"].casefold())
    if cells["service_area"] and area is None and len(cells["service_area"]) <= MAX_LENGTHS["service_area"]:
        check.bad("service_area", (
            f"{cells['service_area']!r} is not a service area anyone on the roster works in"
            + (f" (known: {', '.join(sorted(areas.values()))})" if 0 < len(areas) <= 20 else "")))

    choice = _form(check, cells, area or cells["service_area"], forms)
    if not check.ok or auditor is None or area is None:
        return None
    return AllocationEntry(
        row=row, case_ref=case_ref, annex_a_list=cells["annex_a_list"], service_area=area, team=cells["team"],
        auditor_id=auditor.id, case_holder_id=holder.id if holder else None, theme=cells["theme"],
        form_name=choice.form.name if choice else DEFAULT_FORM_NAME, form_choice=choice,
    )


def _kind(cells: dict[str, str], forms: Sequence[FormDefinition]) -> str | None:
    """The row's kind of audit: its audit_kind cell, else the kind of the form it names, else a case audit."""
    if not cells.get("audit_kind", "").strip() and cells.get("form", "").strip():
        named = next((f for f in forms if f.name.casefold() == cells["form"].strip().casefold()), None)
        if named is not None:
            return named.kind
    return audit_kind(cells.get("audit_kind", ""))


def _parse_supervision_row(check: _RowCheck, cells: dict[str, str], known: Mapping[str, PersonInfo],
                           areas: dict[str, str], forms: Sequence[FormDefinition]) -> AllocationEntry | None:
    """A row allocating a supervisee's supervision file (the module's docstring; qa/supervision_audit.py)."""
    if not cells["auditor_email"]:
        check.bad("auditor_email", "is empty; every allocation needs one")
    for column, limit in MAX_LENGTHS.items():
        if column != "case_ref" and len(cells.get(column, "")) > limit:
            check.bad(column, f"is {len(cells[column])} characters long; at most {limit} fit")
    for column in FREE_TEXT:
        if reason := cell_problem(cells[column]):
            check.bad(column, reason)
    auditor = _person(check, "auditor_email", cells["auditor_email"], known)
    if auditor is not None and auditor.role not in AUDITOR_ROLES:
        check.bad("auditor_email", (
            f"{auditor.email} is a {auditor.role.replace('_', ' ')} on the roster; audits are carried out by "
            "managers, the QA unit or the principal social worker, not practitioners"))
    supervisee = _person(check, "case_holder_email", cells["case_holder_email"], known)
    supervisor = known.get(supervisee.supervisor_email) if supervisee and supervisee.supervisor_email else None
    if supervisee is not None or not cells["case_holder_email"]:
        if reason := sup.subject_problem(
                supervisee_email=supervisee.email if supervisee else None,
                supervisor_email=supervisee.supervisor_email if supervisee else "",
                supervisor_active=supervisor is not None and supervisor.active):
            check.bad("case_holder_email", reason)
    if auditor is not None and supervisee is not None and (reason := sup.auditor_problem(
            auditor_email=auditor.email, supervisee_email=supervisee.email,
            supervisor_email=supervisee.supervisor_email)):
        check.bad("auditor_email" if auditor.email != supervisee.email else "case_holder_email", reason)
    if reason := sup.case_ref_problem(cells["case_ref"], supervisee.id if supervisee else None):
        check.bad("case_ref", reason)
    area = areas.get(cells["service_area"].casefold()) if cells["service_area"] else \
        next(iter(supervisee.service_areas), None) if supervisee else None
    if cells["service_area"] and area is None and len(cells["service_area"]) <= MAX_LENGTHS["service_area"]:
        check.bad("service_area", f"{cells['service_area']!r} is not a service area anyone on the roster works in")
    elif supervisee is not None and area is None:
        check.bad("service_area", f"is empty and {supervisee.email} has no service area on the roster; give one")
    choice = _form(check, {**cells, "audit_kind": "supervision"}, area or "", forms)
    if not check.ok or auditor is None or supervisee is None or area is None:
        return None
    return AllocationEntry(
        row=check.row, case_ref=sup.file_ref(supervisee.id), annex_a_list=cells["annex_a_list"] or sup.FILE_LIST,
        service_area=area, team=cells["team"] or supervisee.team, auditor_id=auditor.id,
        case_holder_id=supervisee.id, theme=cells["theme"],
        form_name=choice.form.name if choice else DEFAULT_FORM_NAME, form_choice=choice, kind="supervision")


def _form(check: _RowCheck, cells: dict[str, str], area: str, forms: Sequence[FormDefinition]) -> FormChoice | None:
    """The row's audit form among `forms` (None when none are given), or None with the row's problem."""
    kind = _kind(cells, forms)
    if kind is None:
        check.bad("audit_kind", f"{cells['audit_kind']!r} is not a kind of audit: case, supervision, partnership "
                  "or CRH (or leave it empty for a case audit)")
        return None
    named = cells.get("form", "")
    if not forms:
        if named and named.casefold() != DEFAULT_FORM_NAME:
            check.bad("form", f"no audit form named {named!r} is in use ({DEFAULT_FORM_NAME})")
        return None
    try:
        return choose_form(forms, kind=kind, service_area=area, theme=cells["theme"], named=named)
    except UnknownFormError as exc:
        check.bad("form" if named else "audit_kind", str(exc))
        return None


def _person(check: _RowCheck, column: str, text: str, known: Mapping[str, PersonInfo]) -> PersonInfo | None:
    if not text:
        return None
    email = emails.key(text)
    if email is None:
        check.bad(column, f"{text!r} is not an email address")
        return None
    person = known.get(email)
    if person is None:
        check.bad(column, f"{email} is not on the roster; import the roster first, or correct the email")
        return None
    if not person.active:
        check.bad(column, f"{email} has left (not on the latest roster); allocate the case to someone else")
        return None
    return person
