"""The audit form's values (framework 9.3, the audit tool): what a submission needs, what a draft
keeps, and what the trail may record of it (lengths and flags, never typed text). Pure."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dialogs import audit_cards as cards
from qa.identifiers import check_fields
from storage.models import GRADES, KEY_AREAS, Audit

_TEXT_LIMITS = {cards.STRENGTHS: cards.STRENGTHS_MAX, cards.IMPROVEMENTS: cards.IMPROVEMENTS_MAX,
                cards.SAFEGUARDING_DESCRIPTION: cards.SAFEGUARDING_MAX}


def read_form(inputs: Mapping[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """(the form's values, None), or (None, what could not be read) for inputs no card sends."""
    try:
        return cards.read_audit_form(inputs), None
    except ValueError:
        return None, "Some answers could not be read. Please check the form and try again."


# The form's free text, by input id, as the card names it (for the identifier check's message).
FREE_TEXT = ((cards.STRENGTHS, "Strengths"), (cards.IMPROVEMENTS, "Areas for improvement"),
             (cards.SAFEGUARDING_DESCRIPTION, "The safeguarding concern"))


def identifier_errors(form: Mapping[str, Any]) -> dict[str, str]:
    """Input id -> what to remove, for each free-text field holding a recognisable identifier
    (qa/identifiers.py): such a form is neither saved nor sent on."""
    return check_fields((key, name, form.get(key)) for key, name in FREE_TEXT)


def validate_form(form: Mapping[str, Any], inputs: Mapping[str, Any]) -> dict[str, str]:
    """What stops a submission, by input id: grade, every key area, the discussion answered
    (present in the inputs, not defaulted), a description when a concern is flagged, lengths."""
    errors: dict[str, str] = {}
    grade = form.get(cards.OVERALL_GRADE)
    if not grade:
        errors[cards.OVERALL_GRADE] = "Choose an overall grade."
    elif grade not in GRADES:
        errors[cards.OVERALL_GRADE] = "Choose one of the four grades."
    key_areas = form.get("key_areas") or {}
    for area in KEY_AREAS:
        value = key_areas.get(area)
        if not value:
            errors[cards.key_area_input_id(area)] = f"Grade {area}."
        elif value not in GRADES:
            errors[cards.key_area_input_id(area)] = f"Choose one of the four grades for {area}."
    if inputs.get(cards.DISCUSSION_HELD) not in ("true", "false", True, False):
        errors[cards.DISCUSSION_HELD] = "Say whether the discussion with the case holder took place."
    if form.get(cards.SAFEGUARDING_CONCERN) and not form.get(cards.SAFEGUARDING_DESCRIPTION):
        errors[cards.SAFEGUARDING_DESCRIPTION] = "Describe the safeguarding concern, so it can be escalated."
    for key, limit in _TEXT_LIMITS.items():
        if len(form.get(key) or "") > limit:
            errors[key] = f"Please keep this under {limit:,} characters."
    return errors


def clean_form(form: Mapping[str, Any]) -> dict[str, Any]:
    """What a draft keeps of the form: valid grades only, text within its limits."""
    grade = form.get(cards.OVERALL_GRADE)
    key_areas = form.get("key_areas") or {}
    return {
        cards.OVERALL_GRADE: grade if grade in GRADES else None,
        "key_areas": {a: g for a, g in key_areas.items() if a in KEY_AREAS and g in GRADES},
        **{key: str(form.get(key) or "")[:limit] for key, limit in _TEXT_LIMITS.items()},
        cards.DISCUSSION_HELD: bool(form.get(cards.DISCUSSION_HELD)),
        cards.SEEK_FAMILY_VIEWS: bool(form.get(cards.SEEK_FAMILY_VIEWS)),
        cards.SAFEGUARDING_CONCERN: bool(form.get(cards.SAFEGUARDING_CONCERN)),
    }


def draft_of(audit: Audit | None) -> dict[str, Any]:
    if audit is None:
        return {}
    return {
        cards.OVERALL_GRADE: audit.overall_grade,
        "key_areas": dict(audit.key_areas or {}),
        cards.STRENGTHS: audit.strengths,
        cards.IMPROVEMENTS: audit.improvements,
        cards.DISCUSSION_HELD: audit.discussion_held,
        cards.SEEK_FAMILY_VIEWS: audit.seek_family_views,
        cards.SAFEGUARDING_CONCERN: audit.safeguarding_concern,
        cards.SAFEGUARDING_DESCRIPTION: audit.safeguarding_description,
    }


def form_detail(values: Mapping[str, Any]) -> dict[str, Any]:
    """The trail's view of a form: the grade, counts and flags; of typed text, only its length."""
    return {
        "grade": values.get(cards.OVERALL_GRADE),
        "key_areas_graded": len(values.get("key_areas") or {}),
        "strengths_length": len(values.get(cards.STRENGTHS) or ""),
        "improvements_length": len(values.get(cards.IMPROVEMENTS) or ""),
        "discussion_held": bool(values.get(cards.DISCUSSION_HELD)),
        "seek_family_views": bool(values.get(cards.SEEK_FAMILY_VIEWS)),
        "safeguarding_concern": bool(values.get(cards.SAFEGUARDING_CONCERN)),
        "safeguarding_description_length": len(values.get(cards.SAFEGUARDING_DESCRIPTION) or ""),
    }
