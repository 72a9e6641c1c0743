"""One registration per capability: what it offers, declared in one place.

A `Capability` lists its card verbs with their handlers, its chat commands, the conversations
(botbuilder dialogs, built in dialogs/) that some of those commands start, its duties, its
outbox kinds with the card each renders, its extra card samples for `cards dump`, its CLI
subcommands, the files it takes when people send them in chat, the Teams events it handles and
what the help card tells each role it does. capabilities/catalogue.py
collects them into one `Registry`, which the Teams edge, the sweep and the CLI read, and
which tests/test_registry.py checks as a whole (every verb on every card has a handler,
every outbox kind a renderer and a sample, every command a place in the help card and in
the manifest).
"""
from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from capabilities.context import Context
from capabilities.duties import Duty
from dialogs import card_tree
from dialogs.conversation import CANCEL_WORDS
from dialogs.payload import Payload
from qa.calendar import WorkingCalendar
from qa.framework import ROLES, Role

_ROLE_ORDER = {role: n for n, role in enumerate(ROLES)}
_ROLE_PLURALS = {
    Role.PRACTITIONER: "practitioners", Role.PRACTICE_MANAGER: "practice managers",
    Role.SERVICE_LEAD: "service leads", Role.HEAD_OF_SERVICE: "heads of service",
    Role.DEPUTY_DIRECTOR: "the deputy director", Role.QA_UNIT: "the QA unit",
    Role.PRINCIPAL_SOCIAL_WORKER: "the principal social worker", Role.IRO: "independent reviewing officers",
    Role.CP_CHAIR: "child protection conference chairs",
}


def role_plural(role: str) -> str:
    """How a sentence names everyone with `role` ("service leads", "the QA unit")."""
    return _ROLE_PLURALS.get(role, role.replace("_", " ") + "s")


def _joined(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]

if TYPE_CHECKING:
    from capabilities.press import Press, Reply
    from capabilities.reach import ReachFactory
    from storage.models import Person

Card = dict[str, Any]
EVERYONE: frozenset[str] = frozenset()  # a command's roles: empty means anyone, on the roster or not
LANES = ("urgent", "normal", "bulk")  # OutboxKind.lane
MENU_LIMIT = 10  # Teams shows at most 10 commands in a bot's command menu per scope (manifest schema)
ANY_FILE = ""  # Registry.intakes' key for the intake that takes any file no other names


class CommandError(Exception):
    """What the user of a CLI command did wrong, said in one or more plain lines."""


def output_file(args: argparse.Namespace, name: str) -> Path:
    """Where a CLI command writes the workbook `name` when no --out is given: the output folder
    (QA_OUTPUT_DIR, default var/out; the CLI sets `args.output_dir`), made if missing."""
    folder = Path(getattr(args, "output_dir", None) or Path("var") / "out")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


class ConfigurationError(ValueError):
    """A capability's own setting (an environment variable) is wrong; one line naming the variable.
    Raised where the capability is built; the CLI says it as bot.settings.SettingsError is said."""


_COVERED: dict[str, OutboxKind] = {}


def covered_kinds() -> frozenset[str]:
    """Every outbox kind declared `covered` so far (all of them once the catalogue is built)."""
    return frozenset(_COVERED)


def covered_kind(name: str) -> OutboxKind | None:
    """The covered outbox kind spelled `name`, or None (not covered, or not built yet)."""
    return _COVERED.get(name)


@dataclass(frozen=True)
class OpenWhile:
    """How a covered notice's work item says whether it is still to do, by its own state (not by
    whether the card still has a button: a refresh or a view button stays after the work is done).
    `field` is the id the card's buttons carry ("audit_id", "alert_id" ...); `still_open(session,
    ids)` returns those of the ids whose item is still open (a query in storage/open_work.py).
    capabilities/cover/open_work.py asks, the one place that decides what is handed over or back."""

    field: str
    still_open: Callable[[Any, frozenset[int]], Awaitable[Iterable[int]]]


class OutboxKind(str):
    """An outbox row's kind (its one spelling, kebab-case) and the card it carries.

    A str, so rows compare and query by it; `card(...)` renders the card from view data
    (the builder in dialogs/), `sample()` renders it from the catalogue's fictional data.
    """

    render: Callable[..., Card]
    sample: Callable[[], Card]
    # How the sender shares Teams' budget (bot/sender.py): "urgent" rows are claimed first (safeguarding
    # alerts), "bulk" rows (broadcasts) get a fair share beside the others, never all of it.
    lane: str
    # Work someone acts on: while they are away or have left it goes to their cover (capabilities/addressing.py).
    covered: bool
    # For a covered kind: how its item says it is still to do (handed over, given back on return).
    # None of them: nothing on the notice is left to do once sent (an information copy).
    open_while: tuple[OpenWhile, ...]

    def __new__(cls, name: str, render: Callable[..., Card], sample: Callable[[], Card],
                lane: str = "normal", *, covered: bool = False,
                open_while: tuple[OpenWhile, ...] = ()) -> OutboxKind:
        if not name or name != name.lower() or "_" in name or " " in name:
            raise ValueError(f"outbox kinds are kebab-case: {name!r}")
        if lane not in LANES:
            raise ValueError(f"an outbox kind's lane is one of {LANES}: {lane!r}")
        kind = super().__new__(cls, name)
        kind.render = render
        kind.sample = sample
        kind.lane = lane
        kind.covered = covered
        if open_while and not covered:
            raise ValueError(f"{name}: only a covered kind says when its item is open")
        kind.open_while = tuple(open_while)
        if covered:
            _COVERED[str(kind)] = kind
        return kind

    def card(self, *args: Any, **kwargs: Any) -> Card:
        return self.render(*args, **kwargs)

    def message(self, *args: Any, summary: str, text: str | None = None, alone: bool = False,
                attachments: tuple[Card, ...] = (), **kwargs: Any) -> Payload:
        """This kind's outbox payload: its card rendered from `args`/`kwargs` (the view), with the
        one-line `summary`. ValueError if the result is not a well-formed payload."""
        return Payload(summary=summary, card=self.render(*args, **kwargs), text=text, alone=alone,
                       attachments=attachments)


@dataclass(frozen=True)
class CardVerb:
    """An Action.Execute (or Action.Submit) verb and the use case that answers it."""

    verb: str
    handle: Callable[[Press], Awaitable[Reply]]
    # Spellings earlier versions put on cards that people may still press (a sent card keeps its
    # verb): each answers as `verb` does.
    former: tuple[str, ...] = ()
    # May be pressed in a team channel (or any chat others read): only a button whose answer names
    # no case and no colleague. Any other pressed there is refused with a line saying to use the
    # personal chat, and changes nothing (bot/teams_bot.py).
    channel: bool = False


@dataclass(frozen=True)
class Said:
    """A typed command, as a use case sees it."""

    ctx: Context
    person: Person | None  # the active roster person behind the chat, if any
    now: datetime
    teams_name: str | None = None
    registry: Registry | None = None
    # Said where others read the answer (a team channel): the answer names nobody.
    shared: bool = False
    # For a command that takes one (ChatCommand.argument): what was typed after its words, as typed
    # (plain text: case and punctuation kept; "" when nothing followed).
    argument: str = ""


@dataclass(frozen=True)
class CommandReply:
    card: Card
    summary: str  # the text fallback and notification line


@dataclass(frozen=True)
class Relation:
    """A relation to other people the roster records (supervising someone, say), which makes a
    command someone's whatever their role: `holds(ctx, person)` says whether it holds for `person`
    (read from the database, so it follows the latest roster); `people` names those it holds for,
    plural, for the sentence said to anyone else ("people who supervise someone on the roster")."""

    name: str
    people: str
    holds: Callable[[Context, "Person"], Awaitable[bool]]


@dataclass(frozen=True)
class ChatCommand:
    """A command people type in their personal chat with the bot (or, with `channel`, in a team's)."""

    name: str  # as the help card and the manifest show it
    description: str  # one line, for the help card and the manifest
    words: tuple[str, ...]  # what people type, after bot.teams_bot.command_text (lower case, no punctuation)
    # The use case that answers it; None for a command that starts a conversation (a DialogEntry
    # with this command's name), which the edge begins instead.
    handle: Callable[[Said], Awaitable[CommandReply]] | None
    roles: frozenset[str] = EVERYONE  # who it is for (the help card lists it only for them)
    # Listed in the manifest's command menu (Teams shows at most MENU_LIMIT per scope); every
    # command is on the help card of the roles it is for either way.
    # Teams shows the one menu to everyone, so only a command for every role (and no relation) may be in it.
    in_menu: bool = True
    # May be answered in a team channel (or any chat others read): only a command whose answer names
    # no case and no colleague. Any other typed there is answered in the sender's personal chat,
    # with one line in the channel saying so (a conversation it starts runs there too), or refused
    # in the channel with that line when the bot cannot reach the sender's personal chat.
    channel: bool = False
    # Besides `roles`, only for people this relation holds for (e.g. the roster names them someone's
    # supervisor); None: the role alone decides.
    relation: Relation | None = None
    # What may follow the command's words ("CASE REF"): the rest of the message reaches the handler as
    # Said.argument ("reallocate CR-1002"). "" : the words alone.
    argument: str = ""

    def for_role(self, role: str | None, relations: frozenset[str] = frozenset()) -> bool:
        """Whether someone with `role` (None: not on the roster) for whom `relations` (Relation names)
        hold may use this command."""
        return (not self.roles or role in self.roles) and (self.relation is None or self.relation.name in relations)

    def for_role_everyone(self) -> bool:
        """For every role on the roster, whatever their relations."""
        return self.relation is None and (not self.roles or set(self.roles) >= set(ROLES))

    def for_whom(self) -> str:
        """The one sentence said to someone this command is not for: who it is for."""
        who = [role_plural(role) for role in sorted(self.roles, key=_ROLE_ORDER.get)] if self.roles else []
        if self.roles and set(self.roles) >= set(_ROLE_ORDER):
            who = []  # every role: the roster is what matters
        if self.relation is not None:
            people = self.relation.people
        elif who:
            people = _joined(who)
        else:
            people = "people on the QA roster"
        return f'"{self.name}" is for {people}; "help" shows what I can do for you.'


@dataclass(frozen=True)
class DialogEntry:
    """A conversation a typed command starts: `build(ctx)` makes the botbuilder Dialog (with id
    `dialog_id`), handing it what it needs from the use case, e.g. its save function."""

    command: str  # the registered ChatCommand's name that begins it
    dialog_id: str
    build: Callable[[Context], Any]  # a botbuilder.dialogs.Dialog; built at the edge, not imported here


@dataclass(frozen=True)
class CliCommand:
    """A `python -m bot NAME ...` subcommand: `add` defines its arguments on the parser given,
    `run(args, ctx)` does the work and returns the exit status (CommandError for bad input)."""

    name: str
    help: str
    add: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Context], Awaitable[int]]


@dataclass(frozen=True)
class FileMade:
    """A file made for someone who accepted a file consent card: its name and bytes."""

    name: str
    data: bytes
    file_type: str  # "xlsx"


@dataclass(frozen=True)
class FileOffer:
    """Files a capability offers through Teams' file consent card: the card's context carries
    {"offer": name, ...}; when the person accepts, the edge calls `make(ctx, person, context, now)`,
    which re-checks who may have the file and returns it, or a sentence saying why not."""

    name: str
    make: Callable[[Context, "Person | None", Mapping[str, Any], datetime], Awaitable["FileMade | str"]]


class FetchError(Exception):
    """A file sent in chat could not be fetched; str() says why, for the person who sent it."""


class TooLargeError(FetchError):
    """What a sent file's link gave is larger than the limit the intake asked for."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"what the link gave is larger than {max_bytes // (1024 * 1024)} MB")
        self.max_bytes = max_bytes


@dataclass(frozen=True)
class Fetched:
    """A sent file's bytes, with the content type its host labelled them with (a sign-in page
    comes as "text/html"), as the edge downloaded them."""

    data: bytes
    content_type: str | None


@dataclass(frozen=True)
class SentFile:
    """A file someone sent the bot in chat, not downloaded yet: `fetch(max_bytes)` downloads it at
    the edge (a secure link only, at most `max_bytes`) or raises FetchError saying why not."""

    name: str  # the file's name, without any folder
    file_type: str  # as Teams labels it ("csv", "xlsx"); may be ""
    fetch: Callable[[int], Awaitable[Fetched]]


@dataclass(frozen=True)
class FileUpload:
    """One message carrying files, as a FileIntake sees it."""

    ctx: Context
    person: Person | None  # the active roster person behind the chat, if any
    now: datetime
    text: str | None  # the message's own text, which may say what the files are
    files: tuple[SentFile, ...]  # in the order sent; empty when Teams gave no link to any


@dataclass(frozen=True)
class FileIntake:
    """Files a capability takes when people send them to the bot in chat: `types` are the file
    name suffixes it takes (lower case, no dot); none means any file no other intake names (at
    most one intake may). `handle` answers with a card, or a sentence, and downloads only what it
    decides to read."""

    name: str
    handle: Callable[[FileUpload], Awaitable["CommandReply | str"]]
    types: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ImportRequest:
    """How a file kind's import is asked for, from chat or the command line."""

    now: datetime
    actor_id: int | None  # the roster person importing; None from the command line
    via: str  # for the trail ("teams:file preview", "cli:roster import")
    dry_run: bool = False  # a preview: check and work out what would change, write nothing
    scope: str | None = None  # what the file is for when it says not (a month, YYYY-MM); None: the kind decides
    text: str | None = None  # the message sent with the file in chat, which may name the month
    chosen: str | None = None  # what the sender chose on the preview card (KindReport.scope_choices): untrusted


@dataclass(frozen=True)
class KindReport:
    """What importing a file did, or (a preview) would do: counts by what happens, and the things
    by what happens to them (case references, per service area), for the preview card and the CLI."""

    summary: str  # the CLI's lines (the import report's describe())
    counts: tuple[tuple[str, int], ...]  # ("Added", 3), in the order a reader wants them
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()  # ("Children in Need: added", ("CR-1",)), non-empty
    scope: str | None = None  # what the import was for (the month), kept for Confirm
    scope_words: str = ""  # e.g. "December 2026 (the month in your message)"
    sheet: str | None = None  # the workbook sheet read; None for a .csv
    scope_choices: tuple[tuple[str, str], ...] = ()  # (scope, words) the preview card offers, `scope` first chosen
    card: dict | None = None  # after the import: the card to show in place of "Imported" (e.g. with its own buttons)
    urgent: bool = False  # the import queued outbox rows due now (a file consent card): the edge sends them now

    @property
    def changes(self) -> int:
        """How many things the import changes (everything but the unchanged)."""
        return sum(n for label, n in self.counts if not label.lower().startswith(("unchanged", "already", "kept")))


class KindRefused(Exception):  # noqa: N818 - the file was refused, as its import says
    """A file of a kind refused whole by its import's checks (nothing written): `problems` one line
    each (row, column, what to do), exactly as the CLI prints them; str() is the CLI's message."""

    def __init__(self, message: str, problems: list[str], sheet: str | None = None) -> None:
        super().__init__(message)
        self.problems = problems
        self.sheet = sheet


@dataclass(frozen=True)
class FileKind:
    """A kind of file a capability imports, sent in chat or named on the command line: `signature`
    is the set of headings (normalised: lower case, words joined by "_") that tell it from every
    other kind; `run(ctx, source, request)` is the import, the same for the CLI and chat (source: a
    path, or an upload's (bytes, file name)), raising KindRefused. `roles` may import it from chat.
    A kind that is not a table (an audit form definition, .json) is told by its file name's `suffix`
    instead, and has no signature."""

    name: str  # one word or two, kebab-case ("roster", "supervision-history")
    title: str  # as a sentence names it ("the staff roster")
    signature: frozenset[str]
    run: Callable[[Context, Any, ImportRequest], Awaitable[KindReport]]
    roles: frozenset[str] = frozenset({Role.QA_UNIT})
    sheet_words: tuple[str, ...] = ()  # words in the name of the workbook sheet to read ("roster")
    suffix: str = ""  # ".json": a kind told by its file name, not by columns
    # For a file whose header need not be its first row (title rows above it, a sheet per list):
    # recognise(data, file name, limits) says whether the bytes are this kind; asked, off the event
    # loop, only when the first row's headings fit no kind. Reads no more than it needs; keeps nothing.
    recognise: Callable[[bytes, str, Any], bool] | None = None

    def fits(self, headings: Iterable[str]) -> bool:
        """Whether a file with these headings (normalised) is this kind: it has every signature column."""
        return not self.suffix and self.signature <= set(headings)

    def named_by(self, file_name: str) -> bool:
        """Whether a file of this name is this kind (a kind told by its suffix)."""
        return bool(self.suffix) and file_name.lower().endswith(self.suffix)


@dataclass(frozen=True)
class InboundEvent:
    """A Teams event activity (type "event") a capability registered, as it sees it."""

    ctx: Context
    name: str
    value: Any  # as Teams sent it: untrusted
    conversation_id: str  # "" when the activity named none
    now: datetime


@dataclass(frozen=True)
class EventHandler:
    """Event activities a capability handles, by name (e.g. Teams' read receipts,
    "application/vnd.microsoft.readReceipt"); nothing is sent back."""

    name: str
    handle: Callable[[InboundEvent], Awaitable[None]]


@dataclass(frozen=True)
class RetentionRule:
    """A table whose records the monthly purge deletes once past the period of `kind` (a kind of
    qa.retention, whose days QA_RETENTION may set). `past(purge, kind)` is the SQL condition on the
    table's rows that are past it (storage/retention.py; `purge` is a storage.retention.Purge)."""

    table: str
    kind: str
    past: Callable[[Any, str], Any]


@dataclass(frozen=True)
class Kept:
    """A table the purge leaves alone, and why (docs/privacy.md section 6)."""

    table: str
    reason: str


@dataclass(frozen=True)
class Capability:
    name: str
    verbs: tuple[CardVerb, ...] = ()
    commands: tuple[ChatCommand, ...] = ()
    # Conversations its commands start (the active one gets each message first; see bot/teams_bot.py).
    dialogs: tuple[DialogEntry, ...] = ()
    # The duties the sweep runs, built for the council's calendar, in the order they run.
    duties: Callable[[WorkingCalendar], list[Duty]] = field(default=lambda _cal: [])
    outbox_kinds: tuple[OutboxKind, ...] = ()
    # Cards the capability makes beyond its outbox kinds (answers to presses, command replies),
    # by file-safe name, for `cards dump` and the card checks.
    samples: Callable[[], dict[str, Card]] = field(default=lambda: {})
    cli: tuple[CliCommand, ...] = ()
    # role -> what the help card says the bot does for that role (only what is built and works).
    help: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Files it sends through Teams' file consent card (bot/file_consent.py answers the consent).
    files: tuple[FileOffer, ...] = ()
    # How long each table it owns is kept: one RetentionRule or Kept per table, applied by the
    # retention capability (tests/test_retention_declared.py: every table has one).
    retention: tuple[RetentionRule | Kept, ...] = ()
    # Reaching people the outbox has no chat for (capabilities/reach.py): given the installer port,
    # the hook the sender asks for their rows (broadcasts install the app through Graph).
    reach: ReachFactory | None = None
    # Files it takes when people send them in chat, by file type (bot/teams_bot.py routes them).
    intakes: tuple[FileIntake, ...] = ()
    # Event activities it handles, by name (read receipts, for example).
    events: tuple[EventHandler, ...] = ()
    # Kinds of file it imports (capabilities/intake previews them in chat; its CLI runs the same import).
    file_kinds: tuple[FileKind, ...] = ()
    # What a person gets when they install the bot, and the answer to a message nothing registered
    # takes: one capability gives each (basics).
    welcome: Callable[[Said], Awaitable[CommandReply]] | None = None
    not_understood: Callable[[Said], Awaitable[CommandReply]] | None = None


class RegistryError(ValueError):
    """Two capabilities claim the same verb, command, word, kind, CLI name, file type, file kind or event."""


class Registry:
    def __init__(self, capabilities: Iterable[Capability]) -> None:
        self.capabilities = tuple(capabilities)
        self.verbs: dict[str, CardVerb] = {}
        self.commands: dict[str, ChatCommand] = {}
        self.words: dict[str, ChatCommand] = {}
        self.kinds: dict[str, OutboxKind] = {}
        self.cli: dict[str, CliCommand] = {}
        self.dialogs: dict[str, DialogEntry] = {}  # by dialog id
        self.files: dict[str, FileOffer] = {}  # by offer name
        self.intakes: dict[str, FileIntake] = {}  # by file type; ANY_FILE for the one taking any file
        self.events: dict[str, EventHandler] = {}  # by event name
        self.file_kinds: dict[str, FileKind] = {}  # by name
        signatures: dict[str, FileKind] = {}
        self.welcome: Callable[[Said], Awaitable[CommandReply]] | None = None
        self.not_understood: Callable[[Said], Awaitable[CommandReply]] | None = None
        self._dialog_commands: dict[str, DialogEntry] = {}  # by the command that starts it
        intake_names: dict[str, FileIntake] = {}
        for capability in self.capabilities:
            self._claim_inbound(capability, intake_names)
            for kind in capability.outbox_kinds:
                _claim(self.kinds, str(kind), kind, capability)
            for cli in capability.cli:
                _claim(self.cli, cli.name, cli, capability)
            for offer in capability.files:
                _claim(self.files, offer.name, offer, capability)
            for kind in capability.file_kinds:
                self._claim_file_kind(kind, capability, signatures)
        for capability in self.capabilities:  # once every command is known
            for entry in capability.dialogs:
                _claim(self.dialogs, entry.dialog_id, entry, capability)
                if entry.command not in self.commands:
                    raise RegistryError(f"{capability.name}: dialog {entry.dialog_id!r} starts with "
                                        f"{entry.command!r}, which is not a registered command")
                _claim(self._dialog_commands, entry.command, entry, capability)
        self._check_commands()

    def _claim_inbound(self, capability: Capability, intake_names: dict[str, FileIntake]) -> None:
        """What reaches the capability from Teams: verbs (and their former spellings), commands and
        their words, file intakes by type, events by name, the welcome and the not-understood answer."""
        for verb in capability.verbs:
            for name in (verb.verb, *verb.former):
                _claim(self.verbs, name, verb, capability)
        for command in capability.commands:
            _claim(self.commands, command.name, command, capability)
            for word in (command.name, *command.words):
                _claim(self.words, word, command, capability)
        for intake in capability.intakes:
            _claim(intake_names, intake.name, intake, capability)
            for file_type in intake.types or {ANY_FILE}:
                if file_type != ANY_FILE and (not file_type.isalnum() or file_type != file_type.lower()):
                    raise RegistryError(f"{capability.name}: file types are lower-case suffixes without "
                                        f"the dot: {file_type!r}")
                _claim(self.intakes, file_type, intake, capability)
        for handler in capability.events:
            _claim(self.events, handler.name, handler, capability)
        for role in ("welcome", "not_understood"):
            if getattr(capability, role) is not None:
                if getattr(self, role) is not None:
                    raise RegistryError(f"{capability.name}: {role} is already given by another capability")
                setattr(self, role, getattr(capability, role))

    def _claim_file_kind(self, kind: FileKind, capability: Capability, signatures: dict[str, FileKind]) -> None:
        """A kind's name once; its signature not empty, and not another kind's: two kinds with one
        signature could never be told apart by their columns."""
        if not kind.signature and not kind.suffix:
            raise RegistryError(f"{capability.name}: file kind {kind.name!r} has no signature columns")
        _claim(self.file_kinds, kind.name, kind, capability)
        signature = f"suffix {kind.suffix}" if kind.suffix else ",".join(sorted(kind.signature))
        if signature in signatures:
            raise RegistryError(f"{capability.name}: file kind {kind.name!r} has the signature of "
                                f"{signatures[signature].name!r} ({signature})")
        signatures[signature] = kind

    def _check_commands(self) -> None:
        for command in self.commands.values():
            if command.handle is None and command.name not in self._dialog_commands:
                raise RegistryError(f"command {command.name!r} has neither a handler nor a dialog")
            if command.handle is not None and command.name in self._dialog_commands:
                raise RegistryError(f"command {command.name!r} has both a handler and a dialog")
        for command in self.commands.values():
            if command.in_menu and not command.for_role_everyone():
                raise RegistryError(f"command {command.name!r} is not for everyone, but Teams shows its menu to "
                                    "everyone: set in_menu=False (the help card lists it for those it is for)")
        menu = self.menu()
        if len(menu) > MENU_LIMIT:
            raise RegistryError(f"{len(menu)} commands are in the menu; Teams shows at most {MENU_LIMIT}: "
                                "set in_menu=False on the least used")
        clash = set(CANCEL_WORDS) & self.words.keys()
        if clash:
            raise RegistryError(f"{sorted(clash)} leave a conversation: no command may use them")

    def duties(self, calendar: WorkingCalendar) -> list[Duty]:
        """Every capability's duties, in registration order (the sweep runs them in this order)."""
        return [duty for capability in self.capabilities for duty in capability.duties(calendar)]

    def menu(self) -> list[ChatCommand]:
        """The commands the manifest's personal command menu lists, in registration order."""
        return [c for c in self.commands.values() if c.in_menu]

    def command_for(self, words: str) -> ChatCommand | None:
        return self.words.get(words)

    def command_with_argument(self, words: str) -> tuple[ChatCommand, str] | None:
        """For typed `words` that begin with a word of a command taking an argument and go on
        ("reallocate cr 1002"): that command and the word it was called by; the longest word wins."""
        found = None
        for word, command in self.words.items():
            if command.argument and words.startswith(word + " ") and (found is None or len(word) > len(found[1])):
                found = (command, word)
        return found

    def intake_for(self, file_name: str) -> FileIntake | None:
        """The intake that takes a file with this name: the one naming its type, else the one
        taking any file; None when no capability takes it."""
        suffix = PurePath(file_name).suffix.lower().lstrip(".")
        return self.intakes.get(suffix) if suffix in self.intakes else self.intakes.get(ANY_FILE)

    def dialog_for(self, command_name: str) -> DialogEntry | None:
        """The conversation the command named `command_name` starts, if it starts one."""
        return self._dialog_commands.get(command_name)

    def dialog_with_argument(self, words: str) -> tuple[DialogEntry, str] | None:
        """For typed `words` that begin with a word of a command starting a conversation and go on
        ("observe sam patel"): that conversation and the rest ("sam patel"); the longest word wins."""
        found = None
        for word, command in self.words.items():
            entry = self._dialog_commands.get(command.name)
            if entry is not None and words.startswith(word + " ") and (found is None or len(word) > len(found[0])):
                found = (word, entry)
        return (found[1], words[len(found[0]) + 1:]) if found else None

    def commands_for(self, role: str | None, relations: frozenset[str] = frozenset()) -> list[ChatCommand]:
        """The commands someone with `role` (None: not on the roster) for whom `relations` hold can
        use, in registration order."""
        return [c for c in self.commands.values() if c.for_role(role, relations)]

    def relations(self) -> dict[str, Relation]:
        """Every Relation a command names, by name."""
        return {c.relation.name: c.relation for c in self.commands.values() if c.relation is not None}

    async def relations_of(self, ctx: Context, person: Person | None) -> frozenset[str]:
        """The names of the relations that hold for `person` (none for someone not on the roster)."""
        if person is None:
            return frozenset()
        return frozenset([name for name, relation in self.relations().items() if await relation.holds(ctx, person)])

    async def may_use(self, command: ChatCommand, ctx: Context, person: Person | None) -> bool:
        """Whether `person` (None: not on the roster) may use `command`: the edge asks before running it,
        and answers `command.for_whom()` instead when not. Asked of the sender on every command; the
        database is read only for the command's own relation, and only when the role allows it (a
        command for everyone, or one the role refuses, is decided by the role alone)."""
        role = person.role if person else None
        if command.relation is None or person is None or not command.for_role(role, frozenset([command.relation.name])):
            return command.for_role(role)  # no relation can hold, or none is needed, or the role refuses
        return await self.relations()[command.relation.name].holds(ctx, person)

    def help_lines(self, role: str | None) -> list[str]:
        return [line for capability in self.capabilities for line in capability.help.get(role or "", ())]

    def samples(self) -> dict[str, Card]:
        """Every capability's extra cards and one sample per outbox kind ("kind_<kind>")."""
        cards: dict[str, Card] = {}
        for capability in self.capabilities:
            for name, card in capability.samples().items():
                if name in cards:
                    raise RegistryError(f"card sample {name!r} registered twice")
                cards[name] = card
        for kind in self.kinds.values():
            cards[f"kind_{kind.replace('-', '_')}"] = kind.sample()
        return cards


def _claim(table: dict[str, Any], key: str, value: Any, capability: Capability) -> None:
    if key in table:
        raise RegistryError(f"{capability.name}: {key!r} is already registered")
    table[key] = value


def verbs_on(card: Any) -> Iterator[str]:
    """Every verb a card's buttons send: Action.Execute verbs, and Action.Submit data.verb."""
    for node in card_tree.nodes(card):
        if node.get("type") == "Action.Execute" and isinstance(node.get("verb"), str):
            yield node["verb"]
        if node.get("type") == "Action.Submit" and isinstance(node.get("data"), dict) \
                and isinstance(node["data"].get("verb"), str):
            yield node["data"]["verb"]
