"""The audit forms' setting, from the environment, read where the capability is built (at start: a
folder with a problem stops start-up, naming each problem and its line):

- QA_FORMS_DIR: the folder of audit form definitions in use (every *.json at its top), default
  `capabilities/audit_forms/definitions` in the repository, which holds the default form (the bot's
  case audit form, version 1). A relative path is from the working directory.
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

from capabilities.audit_forms.definitions import FormsError, InUse, read_folder
from capabilities.registry import ConfigurationError
from capabilities.settings import text
from qa.forms import DEFAULT_FORM_NAME, FormDefinition

FORMS_DIR_ENV = "QA_FORMS_DIR"
DEFAULT_DIR = Path(__file__).with_name("definitions")


def forms_dir(env: Mapping[str, str] | None = None) -> Path:
    """QA_FORMS_DIR, else the repository's folder of the default form."""
    value = text(env, FORMS_DIR_ENV)
    return Path(value) if value else DEFAULT_DIR


def load(env: Mapping[str, str] | None = None) -> tuple[FormDefinition, ...]:
    """The forms in use, from the folder `env` names. Raises ConfigurationError naming QA_FORMS_DIR and
    every problem with its file and line."""
    return tuple(f.form for f in files_in_use(env))


def files_in_use(env: Mapping[str, str] | None = None) -> tuple[InUse, ...]:
    """`load`, with each form's file and text (what is kept whole when a version is recorded)."""
    folder = forms_dir(env)
    try:
        return read_folder(folder)
    except FormsError as exc:
        raise ConfigurationError(f"{FORMS_DIR_ENV} ({folder}): the audit forms cannot be used:\n{exc}") from None


_TEXTS: dict[tuple[str, int], str] = {}  # (name, version) -> the definition's JSON text, as read with the forms


@cache
def forms_in_use() -> tuple[FormDefinition, ...]:
    """The process's forms, read once (at start, when the duties are built; again after `reload`), with
    each one's file text kept for `in_use`."""
    files = files_in_use()
    _TEXTS.clear()
    _TEXTS.update({(f.form.name, f.form.version): f.text for f in files})
    return tuple(f.form for f in files)


def in_use(name: str) -> tuple[FormDefinition, str] | None:
    """The form in use named `name` and its definition's JSON text (what storage.audit_forms.record_version
    keeps), or None when no form in use has that name."""
    form = next((f for f in forms_in_use() if f.name == name), None)
    if form is None or (form.name, form.version) not in _TEXTS:
        return None
    return form, _TEXTS[(form.name, form.version)]


def reload() -> tuple[FormDefinition, ...]:
    """Read the folder again (after a definition sent in chat is put in it): the process's forms from now.
    Raises ConfigurationError as `load` does."""
    forms_in_use.cache_clear()
    return forms_in_use()


def default_form() -> FormDefinition:
    """The form a case audit is started on when no other fits (its name is qa.forms.DEFAULT_FORM_NAME)."""
    return next(f for f in forms_in_use() if f.name == DEFAULT_FORM_NAME)

