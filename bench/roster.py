"""A fictional roster of N staff for benchmarks and demos (no real people)."""
from __future__ import annotations

import csv
from pathlib import Path

AREAS = ["Children's Resource Hub", "Protection & Court", "Children Looked After", "Early Help", "Pathways & Leaving Care"]
FIRST = ["Alex", "Sam", "Jo", "Priya", "Tomás", "Zoë", "Kwame", "Siân", "Aoife", "Mehmet", "Ines", "Ravi"]
LAST = ["Okafor", "Smith", "Nowak", "Patel", "O'Brien", "García", "Jones", "Khan", "Evans", "Müller"]
HEADER = ["email", "display_name", "role", "team", "service_area", "supervisor_email",
          "asye_start_date", "registered", "aad_object_id"]


def person_rows(n: int) -> list[dict[str, str]]:
    """QA unit, one head of service and service lead per area, a manager per 8 staff."""
    rows: list[dict[str, str]] = []

    def add(i: int, role: str, team: str, area: str, supervisor: str = "") -> str:
        email = f"staff{i:05d}@council.example.gov.uk"
        rows.append({
            "email": email, "display_name": f"{FIRST[i % len(FIRST)]} {LAST[(i // 7) % len(LAST)]} {i}",
            "role": role, "team": team, "service_area": area, "supervisor_email": supervisor,
            "asye_start_date": "2026-09-01" if role == "practitioner" and i % 23 == 0 else "",
            "registered": "yes" if role != "qa_unit" else "no",
            "aad_object_id": f"00000000-0000-4000-8000-{i:012d}",
        })
        return email

    i = 0
    add(i, "qa_unit", "Quality Assurance Unit", "")
    i += 1
    deputy = add(i, "deputy_director", "Directorate", ";".join(AREAS))
    i += 1
    while len(rows) < n:
        for area in AREAS:
            if len(rows) >= n:
                break
            head = add(i, "head_of_service", f"{area} leadership", area, deputy)
            i += 1
            lead = add(i, "service_lead", f"{area} leadership", area, head)
            i += 1
            for t in range(4):
                team = f"{area} team {len(rows)}-{t}"
                manager = add(i, "practice_manager", team, area, lead)
                i += 1
                for _ in range(8):
                    if len(rows) >= n:
                        break
                    add(i, "practitioner", team, area, manager)
                    i += 1
    return rows[:n]


def write_roster(path: Path, n: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(person_rows(n))
    return path
