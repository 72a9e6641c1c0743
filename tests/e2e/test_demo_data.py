"""The demo council (playground/) holds together, without a browser: the Playground's mock users
are roster people with the same object id, the two instances are two different people in two
different chats, and the demo month's allocation notice is always still ahead."""
from __future__ import annotations

import csv
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from playground import run as demo
from qa.calendar import WorkingCalendar


def roster() -> dict[str, dict[str, str]]:
    with demo.DEMO_ROSTER.open(encoding="utf-8") as f:
        return {row["aad_object_id"]: row for row in csv.DictReader(f)}


def mock_users(config: Path) -> list[dict[str, str]]:
    """currentUser and users of a .m365agentsplayground.yml (one `key: value` a line; no YAML library)."""
    people, person = [], None
    for line in config.read_text(encoding="utf-8").splitlines():
        if re.match(r"^(currentUser:|  - id:)", line):
            person = {}
            people.append(person)
        elif not line.startswith(" "):
            person = None
        found = re.match(r"^\s+(?:- )?(\w+): (.+)$", line)
        if person is not None and found:
            person[found.group(1)] = found.group(2)
    return people


def personal_chat_id(config: Path) -> str:
    return re.search(r"^personalChat:\n(?:\s+#.*\n)*\s+id: (\S+)", config.read_text(encoding="utf-8"), re.M).group(1)


@pytest.mark.parametrize("instance", demo.INSTANCES, ids=lambda i: i.folder)
def test_every_mock_user_is_on_the_roster_with_the_same_object_id(instance):
    people = roster()
    users = mock_users(demo.HERE / instance.folder / ".m365agentsplayground.yml")
    assert len(users) == 6  # the Playground wants currentUser and exactly 5 users
    for user in users:
        row = people.get(user["aadObjectId"])
        assert row is not None, f"{user['name']}: aadObjectId {user['aadObjectId']} is not in the roster"
        assert (row["display_name"], row["email"]) == (user["name"], user["email"])


def test_the_two_playgrounds_are_two_people_in_two_chats():
    configs = [demo.HERE / i.folder / ".m365agentsplayground.yml" for i in demo.INSTANCES]
    current = [mock_users(c)[0] for c in configs]
    roles = {roster()[user["aadObjectId"]]["role"] for user in current}
    assert roles == {"practice_manager", "service_lead"}
    assert len({personal_chat_id(c) for c in configs}) == 2
    assert len({i.port for i in demo.INSTANCES}) == 2


def test_the_demo_allocations_are_audited_by_the_auditors_page():
    auditor = mock_users(demo.HERE / demo.AUDITOR.folder / ".m365agentsplayground.yml")[0]
    with demo.DEMO_ALLOCATIONS.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert any(row["auditor_email"] == auditor["email"] for row in rows)


@pytest.mark.parametrize(("now", "month"), [
    ("2026-11-26T04:00:00+00:00", "2026-12"),  # this month's 3rd has passed: next month
    ("2026-12-01T10:00:00+00:00", "2026-12"),  # this month's notice is still ahead
    ("2026-12-03T08:59:00+00:00", "2026-12"),
    ("2026-12-03T09:00:00+00:00", "2027-01"),  # the notice moment itself is not ahead
    ("2026-12-31T23:30:00+00:00", "2027-01"),
])
def test_the_demo_month_is_the_first_whose_allocation_notice_is_ahead(now, month):
    at = datetime.fromisoformat(now)
    cal = WorkingCalendar()
    assert demo.demo_month(at, cal) == month
    assert demo.allocation_moment(month, cal) > at.astimezone(UTC)
