"""The framework's own words (sections 8 and 9.3), in one place for rules, storage and cards."""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A person's role on the roster. The values are what rows store and cards carry, so they never change."""

    PRACTITIONER = "practitioner"
    PRACTICE_MANAGER = "practice_manager"
    SERVICE_LEAD = "service_lead"
    HEAD_OF_SERVICE = "head_of_service"
    DEPUTY_DIRECTOR = "deputy_director"
    QA_UNIT = "qa_unit"
    PRINCIPAL_SOCIAL_WORKER = "principal_social_worker"
    IRO = "iro"  # independent reviewing officer (section 14: practice alerts)
    CP_CHAIR = "cp_chair"  # child protection conference chair (section 14)


ROLES: tuple[Role, ...] = tuple(Role)
GRADES = ("Outstanding", "Good", "Requires Improvement", "Inadequate")
KEY_AREAS = (
    "Narrative/History",
    "Assessment and Analysis",
    "Planning",
    "Relationship",
    "Outcomes",
    "Supervision",
    "Management oversight",
)
