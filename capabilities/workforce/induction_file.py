"""Reading the council's induction plan (framework 9.2) from its definition file: JSON checked against
`induction_schema.json` with jsonschema and by qa/induction.py's `plan_problems`, each problem at its line
(qa/definition_files.py, shared with the audit forms). The file in use is QA_INDUCTION_PLAN_FILE, default
`induction_plan.json` beside this module (config.induction_plan)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

from qa.definition_files import check_json, unreadable
from qa.induction import PlanDefinition, plan_from_data, plan_problems

SCHEMA_FILE = Path(__file__).with_name("induction_schema.json")
DEFAULT_FILE = Path(__file__).with_name("induction_plan.json")
MAX_BYTES = 200_000  # a plan is a few kilobytes


@dataclass(frozen=True)
class CheckedPlan:
    """The plan when it is sound, else None, and its problems ("line N: what is wrong (at its.path)")."""

    plan: PlanDefinition | None
    problems: tuple[str, ...]


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def check_text(text: str) -> CheckedPlan:
    """Check a plan's text. Never raises for a bad plan: the problems say what is wrong."""
    data, found = check_json(text, _validator(), plan_problems)
    return CheckedPlan(None, found) if found else CheckedPlan(plan_from_data(data), ())


def check_file(path: Path) -> CheckedPlan:
    """Check the plan in `path` (UTF-8 JSON). A file that cannot be read, or is far too large, is one problem."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return CheckedPlan(None, (f"is over {MAX_BYTES // 1000:,} KB: not an induction plan",))
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return CheckedPlan(None, (unreadable(exc),))
    return check_text(text)
