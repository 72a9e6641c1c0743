"""Which audit form an allocation is audited on (issue: the council's own audit forms, item 2;
framework section 23's nine service-area tools, 9.3's themed, supervision, partnership and CRH
audits). Pure: given the forms in use (qa/forms.py) and what an allocation says of itself.

The order, first that fits:
1. the form the allocation names (an allocation file's or sample's `form` column), which must be
   in use and of the allocation's kind;
2. a form of the allocation's kind naming its theme (a themed audit: 9.3's monthly theme);
3. a form of its kind naming its service area (the nine tools);
4. a form of its kind for every service area and theme (neither listed), other than the default;
5. the default form (qa.forms.DEFAULT_FORM_NAME), the fallback: the import summary says so
   (`fallback_summary`), unless the council has no form of the default's kind but the default (whatever
   forms of other kinds it has, such as the shipped supervision form), when nothing is missing.
Names, themes and service areas match ignoring case and surrounding spaces.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from qa.forms import DEFAULT_FORM_NAME, KINDS, FormDefinition


@dataclass(frozen=True)
class FormChoice:
    """The form chosen, and when it is the default for want of a mapping, what was missing (`missing`,
    e.g. "no case audit form for the theme Neglect"); `missing` is "" when the choice was made."""

    form: FormDefinition
    missing: str = ""

    @property
    def fell_back(self) -> bool:
        return bool(self.missing)


class UnknownFormError(ValueError):
    """The allocation names a form that is not in use, or not of its kind: the row is refused, naming it."""


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def choose_form(forms: Sequence[FormDefinition], *, kind: str = "case", service_area: str = "", theme: str = "",
                named: str = "") -> FormChoice:
    """The form for one allocation (the order in the module's docstring). `forms` must hold the default
    (qa.forms.in_use_problems). Raises UnknownFormError for a `named` form not in use or not of `kind`, and
    ValueError for a kind not in qa.forms.KINDS."""
    if kind not in KINDS:
        raise ValueError(f"{kind!r} is not a kind of audit: {', '.join(KINDS)}")
    if named.strip():
        form = next((f for f in forms if _same(f.name, named)), None)
        if form is None:
            raise UnknownFormError(f"no audit form named {named.strip()!r} is in use "
                              f"({', '.join(sorted(f.name for f in forms))})")
        if form.kind != kind:
            raise UnknownFormError(f"the form {form.name!r} is for {form.kind} audits, not {kind} audits")
        return FormChoice(form)
    of_kind = [f for f in forms if f.kind == kind]
    if theme.strip():
        form = next((f for f in of_kind if any(_same(t, theme) for t in f.themes)), None)
        if form is not None:
            return FormChoice(form)
    if service_area.strip():
        form = next((f for f in of_kind if any(_same(a, service_area) for a in f.service_areas)), None)
        if form is not None:
            return FormChoice(form)
    general = next((f for f in of_kind if not f.service_areas and not f.themes and f.name != DEFAULT_FORM_NAME), None)
    if general is not None:
        return FormChoice(general)
    default = next(f for f in forms if f.name == DEFAULT_FORM_NAME)
    if kind == default.kind and not any(f.kind == kind and f.name != DEFAULT_FORM_NAME for f in forms):
        # no form of the default's kind but the default (a shipped supervision form apart): nothing is mapped,
        # so nothing is missing
        return FormChoice(default)
    if theme.strip():
        missing = f"no {kind} audit form for the theme {theme.strip()}"
    elif kind != default.kind or not service_area.strip():
        missing = f"no {kind} audit form" + (f" for {service_area.strip()}" if service_area.strip() else "")
    else:
        missing = f"no {kind} audit form for the service area {service_area.strip()}"
    return FormChoice(default, missing)


def fallback_summary(choices: Iterable[FormChoice]) -> list[str]:
    """The import summary's lines for the allocations put on the default form for want of a mapping:
    one line per thing missing, most allocations first, e.g. "3 allocations on the default form:
    no case audit form for the service area Jigsaw". Empty when every allocation found its form."""
    missing = Counter(c.missing for c in choices if c.fell_back)
    return [f"{n} allocation{'s' if n != 1 else ''} on the {DEFAULT_FORM_NAME} form: {what}"
            for what, n in sorted(missing.items(), key=lambda item: (-item[1], item[0]))]
