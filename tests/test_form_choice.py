"""Which form an allocation is audited on (qa/form_choice.py): the form it names, its theme, its
service area, a general form of its kind, else the default, with the import summary saying what was
missing (framework 9.3 and section 23)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from capabilities.audit_forms import config
from capabilities.audit_forms.definitions import check_file
from qa.form_choice import FormChoice, UnknownFormError, choose_form, fallback_summary
from qa.forms import in_use_problems
from tests.support.subprocesses import ROOT

DEFAULT = check_file(config.DEFAULT_DIR / "default.json").form
FOSTERING, ADOPTION, INCLUSION = (check_file(ROOT / "docs" / "forms" / f"{n}.json").form
                                  for n in ("fostering", "adoption", "inclusion"))
NEGLECT = replace(FOSTERING, name="neglect", title="Neglect themed audit", service_areas=(), themes=("Neglect",))
SUPERVISION = replace(DEFAULT, name="supervision", title="Supervision audit", kind="supervision")
FORMS = (DEFAULT, FOSTERING, ADOPTION, INCLUSION, NEGLECT, SUPERVISION)


def test_the_forms_used_here_are_a_sound_folder():
    assert in_use_problems(FORMS) == []


@pytest.mark.parametrize(("asked", "chosen"), [
    ({"service_area": "Fostering"}, "fostering"),
    ({"service_area": "  inclusion team "}, "inclusion"),
    ({"service_area": "Fostering", "theme": "neglect"}, "neglect"),  # the theme before the service area
    ({"service_area": "Adoption", "theme": "Missing children"}, "adoption"),  # no themed form: the area's
    ({"service_area": "Fostering", "named": "Adoption"}, "adoption"),  # named, before everything
    ({"kind": "supervision", "service_area": "Fostering"}, "supervision"),  # a general form of its kind
])
def test_the_form_is_chosen_in_order(asked, chosen):
    choice = choose_form(FORMS, **asked)
    assert choice.form.name == chosen and not choice.fell_back


@pytest.mark.parametrize(("asked", "missing"), [
    ({"service_area": "Jigsaw"}, "no case audit form for the service area Jigsaw"),
    ({"service_area": "Jigsaw", "theme": "Radicalisation"}, "no case audit form for the theme Radicalisation"),
    ({"kind": "partnership", "service_area": "Fostering"}, "no partnership audit form for Fostering"),
    ({"kind": "crh"}, "no crh audit form"),
])
def test_a_missing_mapping_falls_back_to_the_default_and_says_what_was_missing(asked, missing):
    choice = choose_form(FORMS, **asked)
    assert choice == FormChoice(DEFAULT, missing) and choice.fell_back


def test_with_only_the_default_in_use_nothing_is_missing():
    assert choose_form((DEFAULT,), service_area="Jigsaw", theme="Neglect") == FormChoice(DEFAULT)


def test_a_named_form_must_be_in_use_and_of_the_kind():
    with pytest.raises(UnknownFormError, match="no audit form named 'fostering-2019' is in use"):
        choose_form(FORMS, named="fostering-2019")
    with pytest.raises(UnknownFormError, match="the form 'supervision' is for supervision audits, not case audits"):
        choose_form(FORMS, named="supervision")
    with pytest.raises(ValueError, match="'themed' is not a kind of audit"):
        choose_form(FORMS, kind="themed")


def test_the_import_summary_counts_each_missing_mapping():
    choices = [choose_form(FORMS, service_area=area) for area in ("Jigsaw", "YPS", "Jigsaw", "Fostering")]
    assert fallback_summary(choices) == [
        "2 allocations on the default form: no case audit form for the service area Jigsaw",
        "1 allocation on the default form: no case audit form for the service area YPS"]
    assert fallback_summary([choose_form(FORMS, service_area="Adoption")]) == []


def test_two_forms_of_one_kind_may_not_claim_one_service_area_or_theme():
    other = replace(ADOPTION, name="fostering-short", service_areas=("fostering",))
    themed = replace(NEGLECT, name="neglect-2")
    assert in_use_problems((*FORMS, other, themed)) == [
        "the service area 'fostering' has two case audit forms, 'fostering' and 'fostering-short': name it in one only",
        "the theme 'Neglect' has two case audit forms, 'neglect' and 'neglect-2': name it in one only"]
    # Different kinds may share one: a partnership audit of fostering beside the case audit tool.
    assert in_use_problems((*FORMS, replace(other, kind="partnership"))) == []
