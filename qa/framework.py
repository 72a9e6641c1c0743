"""The framework's own words (sections 8 and 9.3), in one place for rules, storage and cards."""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A roster role (section 8). A str, so it compares equal to the spelling stored in `people.role`."""

    PRACTITIONER = "practitioner"
    PRACTICE_MANAGER = "practice_manager"
    SERVICE_LEAD = "service_lead"
    HEAD_OF_SERVICE = "head_of_service"
    DEPUTY_DIRECTOR = "deputy_director"
    QA_UNIT = "qa_unit"
    PRINCIPAL_SOCIAL_WORKER = "principal_social_worker"
    IRO = "iro"  # independent reviewing officer (section 14: practice alerts)
    CP_CHAIR = "cp_chair"  # child protection conference chair (section 14)


ROLES = tuple(role.value for role in Role)
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
