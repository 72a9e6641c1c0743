"""A small service for the supervision tests: a roster with a practice manager supervising two
practitioners (one in their ASYE year), the service lead above, a head of service, QA and the PSW."""
from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

ROSTER_COLUMNS = ["email", "display_name", "role", "team", "service_area", "supervisor_email",
                  "asye_start_date", "registered", "aad_object_id"]
AREA = "Children & Families"
TEAM = "North 1"
PM = "pm@example.gov.uk"
LEAD = "lead@example.gov.uk"
HOS = "hos@example.gov.uk"
ANA = "ana@example.gov.uk"
BEN = "ben@example.gov.uk"  # ASYE
QA = "qa@example.gov.uk"
PSW = "psw@example.gov.uk"


def roster_rows(asye_start: str = "2026-11-02") -> list[dict[str, str]]:
    def row(email, name, role, team, area, supervisor="", asye="", registered="yes"):
        return {"email": email, "display_name": name, "role": role, "team": team, "service_area": area,
                "supervisor_email": supervisor, "asye_start_date": asye, "registered": registered,
                "aad_object_id": aad(key_of(email))}
    return [
        row(HOS, "Hana Ode", "head_of_service", "Safeguarding", AREA),
        row(LEAD, "Lee Adams", "service_lead", "Locality North", AREA, HOS),
        row(PM, "Pia Marsh", "practice_manager", TEAM, AREA, LEAD),
        row(ANA, "Ana Diaz", "practitioner", TEAM, AREA, PM),
        row(BEN, "Ben Cole", "practitioner", TEAM, AREA, PM, asye_start),
        row(QA, "Quinn Avery", "qa_unit", "QA Unit", ""),
        row(PSW, "Priya Shah", "principal_social_worker", "Directorate", ""),
    ]


KEYS = ("hos", "lead", "pm", "ana", "ben", "qa", "psw")
NAMES = {"hos": "Hana Ode", "lead": "Lee Adams", "pm": "Pia Marsh", "ana": "Ana Diaz", "ben": "Ben Cole",
         "qa": "Quinn Avery", "psw": "Priya Shah"}


def key_of(email: str) -> str:
    return email.split("@")[0]


def aad(key: str) -> str:
    return f"00000000-0000-4000-8000-{KEYS.index(key) + 1:012d}"


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]] | list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for r in rows:
            writer.writerow([r.get(h, "") for h in header] if isinstance(r, dict) else r)
    return path


def write_roster(path: Path, start_date: str | None = None, **kw) -> Path:
    """The roster file; with `start_date`, a start_date column giving everyone that day (new starters)."""
    if start_date is None:
        return write_csv(path, ROSTER_COLUMNS, roster_rows(**kw))
    return write_csv(path, [*ROSTER_COLUMNS, "start_date"],
                     [{**r, "start_date": start_date} for r in roster_rows(**kw)])


SESSION_COLUMNS = ["supervisee_email", "supervisor_email", "kind", "held_on", "duration_minutes", "case_refs"]
CASELOAD_COLUMNS = ["case_ref", "case_holder_email", "last_case_supervision_on"]


def at(text: str) -> datetime:
    """An aware UTC instant from 'YYYY-MM-DDTHH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
