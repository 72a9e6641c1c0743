"""`make playground`: the bot and Microsoft 365 Agents Playground on a demo council, no Teams needed.

What it does:
1. builds a fresh demo database (var/playground.sqlite3): migrate, import playground/demo-roster.csv
   and playground/demo-allocations.csv for the demo month;
2. serves the bot on it (`python -m bot serve`, port 3978) and two Playground instances pointed at
   it: the auditor's (Daniel Kowalski, practice manager) on 56150 and the service lead's (Sunita
   Rao) on 56151, each started in its own folder so it reads its own .m365agentsplayground.yml;
3. prints the addresses to open; each Enter then moves the clock to the month's next moment
   (`python -m bot tick --now ...`), so the notices of a whole month arrive in a few minutes;
4. stops everything on Ctrl-C (each process by its own pid).

The demo month is the first month whose allocation notice (the 3rd, 09:00) is still ahead: the
served bot also sweeps by the real clock, and a moment already past would run at start-up, before
anyone has opened the Playground, and its notices would go nowhere ("not installed").

The e2e tests (tests/e2e) start the same `Stack` on free ports and a throwaway database.
"""
from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dialogs.card_kit import format_moment, format_month
from qa.audit_calendar import (
    ALLOCATION_NOTICE,
    AUDIT_OVERDUE,
    AUDITOR_REMINDER,
    OVERSIGHT_OVERDUE,
    OVERSIGHT_REMINDER,
    SERVICE_LEAD_DIGEST,
    CycleMoment,
    cycle_moments,
    month_key,
)
from qa.calendar import WorkingCalendar

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "playground"
PLAYGROUND_BIN = ROOT / "tools" / "node_modules" / ".bin" / "agentsplayground"
DEMO_ROSTER = HERE / "demo-roster.csv"
DEMO_ALLOCATIONS = HERE / "demo-allocations.csv"
DEFAULT_DATABASE = ROOT / "var" / "playground.sqlite3"
BOT_PORT = 3978
START_TIMEOUT = 60.0  # seconds for the bot or a Playground to start answering


@dataclass(frozen=True)
class Instance:
    """One Playground: the folder holding its .m365agentsplayground.yml, its port, who it shows."""

    folder: str
    port: int
    who: str

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}/"

    @property
    def service_url(self) -> str:
        # What the bot sees as serviceUrl; replies and proactive messages go here.
        return f"http://localhost:{self.port}/_connector"


AUDITOR = Instance("auditor", 56150, "Daniel Kowalski, practice manager (an auditor)")
SERVICE_LEAD = Instance("service-lead", 56151, "Sunita Rao, service lead (confirms oversight)")
INSTANCES = (AUDITOR, SERVICE_LEAD)
# The QA unit's view (Morgan Ellis), for the escalation e2e step (tests/e2e/test_escalation.py).
QA_UNIT = Instance("qa-unit", 56152, "Morgan Ellis, QA unit (moderates Inadequate grades)")
# A case holder's view (Aisha Rahman), for the case holder's e2e step (tests/e2e/test_case_holder.py).
CASE_HOLDER = Instance("case-holder", 56153, "Aisha Rahman, practitioner (a case holder: told, findings, reflection)")

_MOMENT_WORDS = {
    ALLOCATION_NOTICE: "allocation notices to the auditors",
    AUDITOR_REMINDER: "reminder to auditors with audits not submitted ({label})",
    SERVICE_LEAD_DIGEST: "audits awaiting oversight, to the service lead",
    AUDIT_OVERDUE: "overdue audits, to the auditor and their supervisor",
    OVERSIGHT_REMINDER: "oversight reminder to the service lead ({label})",
    OVERSIGHT_OVERDUE: "oversight overdue, to the service lead and head of service",
}


class StartError(RuntimeError):
    """Something the demo needs did not start; the message says what and where its log is."""


# -- the demo month and its moments ---------------------------------------------------------

def demo_month(now: datetime, cal: WorkingCalendar) -> str:
    """The first month, this one or the next, whose allocation notice is still after `now`."""
    local = cal.local_date(now)
    year, month = local.year, local.month
    for _ in range(2):
        if allocation_moment(month_key(year, month), cal) > now:
            break
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return month_key(year, month)


def moments(month: str, cal: WorkingCalendar) -> list[CycleMoment]:
    year, number = (int(part) for part in month.split("-"))
    return cycle_moments(year, number, cal)


def allocation_moment(month: str, cal: WorkingCalendar) -> datetime:
    return next(m.due_at for m in moments(month, cal) if m.kind == ALLOCATION_NOTICE)


def describe(moment: CycleMoment, cal: WorkingCalendar) -> str:
    words = _MOMENT_WORDS[moment.kind].format(label=moment.label.replace("-", " "))
    return f"{format_moment(moment.due_at, cal.tz)}: {words}"


# -- the bot's command line -----------------------------------------------------------------

def bot_env(database_url: str, port: int = BOT_PORT) -> dict[str, str]:
    """The bot's environment: the demo database, and no app credentials even if a .env has some
    (the Playground sends no tokens; a blank variable counts as unset and .env never overrides it)."""
    env = dict(os.environ)
    env.update({"DATABASE_URL": database_url, "PORT": str(port), "MicrosoftAppId": "", "MicrosoftAppPassword": "",
                "QA_ALLOWED_TENANTS": "", "PYTHONUNBUFFERED": "1"})
    return env


def bot_cli(args: Sequence[str], database_url: str) -> str:
    """Run `python -m bot ARGS` on the database; its output, or StartError with what it said."""
    done = subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=bot_env(database_url),
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise StartError(f"python -m bot {' '.join(args)} failed:\n{done.stderr.strip() or done.stdout.strip()}")
    return done.stdout.strip()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def prepare_database(path: Path, month: str) -> str:
    """A fresh demo database at `path` (SQLite): migrated, the demo roster and month imported.
    Fresh each time: the Playground keeps no chat history, so a welcome is only seen on a new chat."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    url = sqlite_url(path)
    bot_cli(["migrate"], url)
    bot_cli(["roster", "import", str(DEMO_ROSTER)], url)
    bot_cli(["allocations", "import", str(DEMO_ALLOCATIONS), "--month", month], url)
    return url


def tick(now: datetime, database_url: str) -> str:
    """`python -m bot tick --now NOW`: the duties due at NOW run and the outbox is delivered."""
    return bot_cli(["tick", "--now", now.astimezone(UTC).isoformat(), "--wait-retries", "10"], database_url)


# -- processes ------------------------------------------------------------------------------

def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As servers do: a port whose old connections linger in TIME_WAIT is free to listen on.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Stack:
    """The bot on `database_url` and a Playground per instance, started and stopped together.

    Each process gets its own session (so Ctrl-C in the terminal reaches this script only, which
    stops them in order) and a log file in `log_dir`.
    """

    def __init__(self, database_url: str, log_dir: Path, *, bot_port: int = BOT_PORT,
                 instances: Sequence[Instance] = INSTANCES) -> None:
        self.database_url = database_url
        self.log_dir = log_dir
        self.bot_port = bot_port
        self.instances = tuple(instances)
        self._processes: list[tuple[str, subprocess.Popen]] = []

    @property
    def bot_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.bot_port}/api/messages"

    def log_path(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def start(self) -> "Stack":
        if not PLAYGROUND_BIN.exists():
            raise StartError(f"{PLAYGROUND_BIN.relative_to(ROOT)} is missing: run `npm ci --prefix tools` first")
        busy = [p for p in (self.bot_port, *(i.port for i in self.instances)) if not port_free(p)]
        if busy:
            raise StartError(f"port(s) {', '.join(map(str, busy))} already in use (another `make playground`?)")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        try:
            bot = self._spawn("bot", [sys.executable, "-m", "bot", "serve"], ROOT,
                              bot_env(self.database_url, self.bot_port))
            self._wait_for_bot(bot)
            for instance in self.instances:
                env = dict(os.environ, TEAMSAPPTESTER_BROWSER="none", BOT_ENDPOINT=self.bot_endpoint)
                # The .bin script runs node itself (#!/usr/bin/env node): this pid is node's.
                process = self._spawn(f"playground-{instance.folder}",
                                      [str(PLAYGROUND_BIN), "-c", "msteams", "-p", str(instance.port), "--dt"],
                                      HERE / instance.folder, env)
                self._wait_for_playground(process, instance)
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self, name: str, argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen:
        log = self.log_path(name).open("w", encoding="utf-8")
        try:
            process = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            log.close()  # the child holds its own copy
        self._processes.append((name, process))
        return process

    def _failed(self, name: str, what: str) -> StartError:
        tail = self.log_path(name).read_text(encoding="utf-8", errors="replace").strip().splitlines()[-15:]
        return StartError(f"{what} (log: {self.log_path(name)})\n" + "\n".join(tail))

    def _wait_for_bot(self, process: subprocess.Popen) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise self._failed("bot", f"the bot exited with code {process.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.bot_port}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise self._failed("bot", f"the bot did not answer on port {self.bot_port} within {START_TIMEOUT:.0f} s")

    def _wait_for_playground(self, process: subprocess.Popen, instance: Instance) -> None:
        name = f"playground-{instance.folder}"
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise self._failed(name, f"the Playground exited with code {process.returncode}")
            found = re.search(r"Listening on (\d+)", self.log_path(name).read_text(encoding="utf-8", errors="replace"))
            if found:
                if int(found.group(1)) != instance.port:
                    # It falls back to a random port when its own is taken; the configs expect ours.
                    raise self._failed(name, f"the Playground took port {found.group(1)}, not {instance.port}")
                return
            time.sleep(0.2)
        raise self._failed(name, f"the Playground did not start on port {instance.port} within {START_TIMEOUT:.0f} s")

    def stop(self) -> None:
        """Stop every process by its pid, the Playgrounds first: SIGTERM, then SIGKILL after 10 s."""
        for _name, process in reversed(self._processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _name, process in reversed(self._processes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        self._processes.clear()

    def exited(self) -> list[str]:
        """Names of processes that stopped on their own."""
        return [name for name, process in self._processes if process.poll() is not None]

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


# -- make playground ------------------------------------------------------------------------

def _play_month(stack: Stack, month: str, cal: WorkingCalendar) -> None:
    """Each Enter runs the month's next moment; at the end (or with no terminal) wait for Ctrl-C."""
    interactive = sys.stdin.isatty()
    if interactive:
        print("Press Enter to move the clock to the next moment of the month (Ctrl-C stops everything):")
        for moment in moments(month, cal):
            input(f"  next: {describe(moment, cal)} ")
            print("    " + tick(moment.due_at, stack.database_url).replace("\n", "\n    "))
            if stack.exited():
                raise StartError(f"stopped on its own: {', '.join(stack.exited())} (logs in {stack.log_dir})")
        print("That was the whole month. Ctrl-C stops everything.")
    while not stack.exited():
        time.sleep(1)
    raise StartError(f"stopped on its own: {', '.join(stack.exited())} (logs in {stack.log_dir})")


def _stop_on_signal(signum: int, _frame) -> None:
    raise KeyboardInterrupt  # SIGTERM or a closed terminal: stop the children as Ctrl-C does


def main(argv: list[str] | None = None) -> int:
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop_on_signal)
    parser = argparse.ArgumentParser(prog="python -m playground.run", description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, default=DEFAULT_DATABASE, help="SQLite file, rebuilt at each start")
    args = parser.parse_args(argv)

    cal = WorkingCalendar()
    month = demo_month(datetime.now(UTC), cal)
    print(f"Building the demo database {args.database} for {format_month(month)} ...", flush=True)
    try:
        url = prepare_database(args.database, month)
        stack = Stack(url, args.database.parent / "playground-logs").start()
    except StartError as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        print(f"\nThe bot is serving {stack.bot_endpoint} (logs in {stack.log_dir}/). Open:")
        for instance in stack.instances:
            print(f"  {instance.url:<26} {instance.who}")
        print("Each page load installs the app (the first one brings a welcome). Type help in the chat.\n"
              "Open both pages before the first Enter: as in Teams, a notice to someone who has not\n"
              "installed the app is undeliverable. Messages that people's actions cause (the oversight\n"
              "request) wait for working hours (08:00-18:00 on working days) or the next Enter.\n", flush=True)
        _play_month(stack, month, cal)
    except (KeyboardInterrupt, EOFError):  # Ctrl-C, or Ctrl-D at the prompt
        print("\nStopping ...")
        return 0
    except StartError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
