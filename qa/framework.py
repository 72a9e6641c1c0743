"""The framework's own words (sections 8 and 9.3), in one place for rules, storage and cards."""
from __future__ import annotations

ROLES = (
    "practitioner",
    "practice_manager",
    "service_lead",
    "head_of_service",
    "deputy_director",
    "qa_unit",
    "principal_social_worker",
    "iro",  # independent reviewing officer (section 14: practice alerts)
    "cp_chair",  # child protection conference chair (section 14)
)
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
