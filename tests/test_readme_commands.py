"""Every command in the README's "Commands" block works as printed: each line is run, in order, as
a separate `python -m bot` process on a fresh database, with fictional files under the names the
README uses. A command may answer with one clear line and exit 1 only where the README's example
names a record this council does not have (a broadcast numbered 7) or the deployment has something
to fix (doctor, on a laptop with no Teams app); anything else, a traceback or a usage error, fails."""
from __future__ import annotations

import csv
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.support.subprocesses import ROOT

pytestmark = pytest.mark.process

# Examples that may refuse in one line (exit 1), and why.
MAY_REFUSE = {
    ("broadcast", "report"): "the README's broadcast 7: this fresh database has one broadcast",
    ("broadcast", "cancel"): "as above",
    ("broadcast", "correct"): "as above",
    ("doctor",): "a laptop's settings: no Teams app id, no chats with the bot",
    ("cycle", "close"): "December's audits are not complete here: it says what would be closed and asks for --yes",
}
NOT_RUN = {("serve",)}  # serves until stopped; tests/test_health.py starts it
DOMAIN = "council.gov.uk"
PEOPLE = [  # email, name, role, team, area, supervisor
    ("quinn", "Quinn Example", "qa_unit", "Quality Assurance Unit", "", ""),
    ("lead", "Lee Example", "service_lead", "Family Help leadership", "Family Help", ""),
    ("pm", "Pam Example", "practice_manager", "Family Help Team 1", "Family Help", "lead"),
    ("pat", "Pat Example", "practitioner", "Family Help Team 1", "Family Help", "pm"),
    ("ana", "Ana Example", "practitioner", "Family Help Team 1", "Family Help", "pm"),  # `calendar attended`'s
]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Commands", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands: list[str] = []
    for line in block.replace("\\\n", " ").splitlines():
        line = line.strip()
        if line.startswith("python -m bot"):
            line = re.sub(r"\s+#.*$", "", line)  # the comment
            line = re.sub(r"\s*\[[^\]]*\]", "", line)  # [--optional parts]
            commands.append(line)
    return commands


def write_files(folder: Path) -> None:
    """The files the README's examples name, with fictional people and cases."""
    def email(key: str) -> str:
        return f"{key}@{DOMAIN}" if key else ""

    with (folder / "staff.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["email", "display_name", "role", "team", "service_area", "supervisor_email",
                         "asye_start_date", "registered", "aad_object_id"])
        for n, (key, name, role, team, area, supervisor) in enumerate(PEOPLE, start=1):
            writer.writerow([email(key), name, role, team, area, email(supervisor), "", "yes",
                             f"00000000-0000-4000-8000-{n:012d}"])

    def workbook(path: Path, rows: list[list[object]]) -> None:
        book = Workbook()
        for row in rows:
            book.active.append(row)
        book.save(path)

    workbook(folder / "dec.xlsx", [
        ["case_ref", "annex_a_list", "service_area", "team", "auditor_email", "case_holder_email", "theme"],
        ["CR-1002", "List 8", "Family Help", "Family Help Team 1", email("pm"), email("pat"), ""]])
    workbook(folder / "history.xlsx", [
        ["supervisee_email", "supervisor_email", "kind", "held_on", "duration_minutes", "case_refs"],
        [email("pat"), email("pm"), "one_to_one", "2026-11-02", 60, ""]])
    workbook(folder / "past-audits.xlsx", [  # the QA unit's register of audits before the bot
        ["month", "case_ref", "service_area", "team", "grade", "auditor_email"],
        ["2026-06", "CR-0901", "Family Help", "Family Help Team 1", "Good", email("pm")]])
    workbook(folder / "annex-a.xlsx", [  # an Annex A list: a title row, then the header
        ["Annex A List 8: Children in Care"],
        ["Child Unique ID", "Date of Birth", "Allocated Team", "Allocated Worker"],
        ["CR-2001", "2015-03-14", "Family Help leadership", ""]])
    with (folder / "caseload.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["case_ref", "case_holder_email", "last_case_supervision_on"],
                                 ["CR-1002", email("pat"), "2026-10-20"]])
    workbook(folder / "calendar.xlsx", [
        ["starts_on", "ends_on", "kind", "title", "audience", "details"],
        ["2027-01-11", "2027-01-15", "practice_week", "Practice week", "everyone", ""]])
    # An audit form definition, as the QA unit would write one (docs/forms/ holds this example).
    (folder / "fostering.json").write_bytes((ROOT / "docs" / "forms" / "fostering.json").read_bytes())
    # The council's own induction plan (`induction check`): the one the bot ships, copied.
    (folder / "ours.json").write_bytes((ROOT / "capabilities" / "workforce" / "induction_plan.json").read_bytes())
    (folder / "notice.md").write_text("Practice week starts on Monday.\n", encoding="utf-8")
    (folder / "fixed.md").write_text("Practice week starts on Tuesday.\n", encoding="utf-8")


def test_the_readme_lists_commands():
    commands = readme_commands()
    assert len(commands) > 20 and commands[0].startswith("python -m bot")


def test_every_readme_command_runs_as_printed_on_a_fresh_database(tmp_path):
    write_files(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("Microsoft", "QA_", "DATABASE_URL"))}
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'qa-bot.sqlite3'}", "PYTHONPATH": str(ROOT),
            "QA_OUTPUT_DIR": str(tmp_path / "var" / "out")}
    failures = []
    for command in readme_commands():
        words = shlex.split(command)[3:]
        key = tuple(w for w in words[:2] if not w.startswith("-"))
        if key[:1] in NOT_RUN:
            continue
        done = subprocess.run([sys.executable, "-m", "bot", *words], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=300, check=False)
        said = done.stderr.strip().splitlines() or [line for line in done.stdout.splitlines() if line.startswith("fix:")]
        refusal = done.returncode == 1 and (key in MAY_REFUSE or key[:1] in MAY_REFUSE) and \
            (len(said) == 1 or key == ("doctor",) and said and not done.stderr)
        if "Traceback" in done.stderr or not (done.returncode == 0 or refusal):
            failures.append(f"{command}: exit {done.returncode}\n{done.stderr[-1500:]}")
    assert failures == []
    assert list((tmp_path / "var" / "out").glob("*.xlsx"))  # report and export wrote into QA_OUTPUT_DIR
    # Nothing written where the commands ran but the files given to them.
    assert {p.name for p in tmp_path.glob("*.xlsx")} == {"dec.xlsx", "past-audits.xlsx", "history.xlsx", "calendar.xlsx",
                                                        "annex-a.xlsx"}
