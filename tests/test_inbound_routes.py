"""Every inbound activity goes through the registry: files to the FileIntake registered for their
type, events to the EventHandler registered for their name, each claimed once; and the edges
import no capability, only the catalogue and the registry's types (the import-linter contract)."""
from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path

import pytest
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, Attachment, ChannelAccount, ConversationAccount

import capabilities
from bot.file_download import FILE_DOWNLOAD_INFO
from bot.teams_bot import NO_INTAKE, QaBot
from capabilities.catalogue import registry
from capabilities.registry import (
    Capability,
    CommandReply,
    EventHandler,
    FileIntake,
    FileUpload,
    InboundEvent,
    Registry,
    RegistryError,
    Said,
)
from tests.support import activities as act

ROOT = Path(__file__).resolve().parents[1]
EDGE_MAY_IMPORT = {"catalogue", "registry", "press", "context", "duties", "reach",
                   "files"}  # the registry's types and ports (files: what follows a file consent, bot/file_consent.py)
EDGE_CONTRACT = "The edges (bot, scheduler) import no capability, only the catalogue and the registry's types and ports"


def owner(reg: Registry, found) -> str:
    return next(c.name for c in reg.capabilities if found in (*c.intakes, *c.events))


def test_the_allocation_list_takes_any_file_sent_in_chat():
    reg = registry()
    for name in ("december.csv", "allocations-2027-01.XLSX", "notes.pdf", "no suffix", ""):
        intake = reg.intake_for(name)
        assert intake is not None and intake.name == "files in chat", name
    assert owner(reg, reg.intake_for("december.csv")) == "intake"


def test_read_receipts_belong_to_broadcasts():
    reg = registry()
    handler = reg.events["application/vnd.microsoft.readReceipt"]
    assert owner(reg, handler) == "broadcasts"
    assert set(reg.events) == {"application/vnd.microsoft.readReceipt"}


def test_every_file_type_and_event_is_registered_once():
    reg = registry()
    intakes = [i for c in reg.capabilities for i in c.intakes]
    events = [e for c in reg.capabilities for e in c.events]
    assert intakes and events
    assert len({i.name for i in intakes}) == len(intakes)
    assert sorted(e.name for e in events) == sorted(reg.events)
    assert sorted(t for i in intakes for t in (i.types or {""})) == sorted(reg.intakes)
    assert reg.welcome is not None and reg.not_understood is not None


async def _answer(_upload: FileUpload) -> str:
    return "taken"


async def _ignore(_event: InboundEvent) -> None:
    return None


async def _reply(_said: Said) -> CommandReply:
    return CommandReply({}, "")


@pytest.mark.parametrize("first, second", [
    (Capability("a", events=(EventHandler("x", _ignore),)), Capability("b", events=(EventHandler("x", _ignore),))),
    (Capability("a", intakes=(FileIntake("any", _answer),)), Capability("b", intakes=(FileIntake("all", _answer),))),
    (Capability("a", intakes=(FileIntake("csv", _answer, frozenset({"csv"})),)),
     Capability("b", intakes=(FileIntake("list", _answer, frozenset({"csv", "xlsx"})),))),
    (Capability("a", intakes=(FileIntake("list", _answer, frozenset({"csv"})),)),
     Capability("b", intakes=(FileIntake("list", _answer, frozenset({"xlsx"})),))),
    (Capability("a", welcome=_reply), Capability("b", welcome=_reply)),
    (Capability("a", not_understood=_reply), Capability("b", not_understood=_reply)),
])
def test_two_capabilities_cannot_claim_one_file_type_event_or_answer(first, second):
    with pytest.raises(RegistryError):
        Registry([first, second])


@pytest.mark.parametrize("file_type", [".csv", "CSV", "tar.gz"])
def test_file_types_are_lower_case_suffixes_without_the_dot(file_type):
    with pytest.raises(RegistryError):
        Registry([Capability("a", intakes=(FileIntake("list", _answer, frozenset({file_type})),))])


def test_a_file_goes_to_the_intake_naming_its_type_else_to_the_one_taking_any():
    csv = FileIntake("csv", _answer, frozenset({"csv"}))
    anything = FileIntake("any", _answer)
    reg = Registry([Capability("a", intakes=(csv,)), Capability("b", intakes=(anything,))])
    assert reg.intake_for("list.CSV") is csv
    assert reg.intake_for("list.xlsx") is anything
    assert Registry([Capability("a", intakes=(csv,))]).intake_for("list.xlsx") is None


# -- at the edge: QaBot with a registry of its own ----------------------------------------------

@pytest.fixture
async def routed(services, fake_connector):
    seen: list = []

    async def take(upload: FileUpload) -> str:
        seen.append(("file", [f.name for f in upload.files], upload.text))
        return "took it"

    async def on_event(event: InboundEvent) -> None:
        seen.append(("event", event.name, event.value, event.conversation_id))

    reg = Registry([Capability("test", intakes=(FileIntake("notes", take, frozenset({"txt"})),),
                               events=(EventHandler("test/ping", on_event),), not_understood=_reply)])
    template = Activity(
        channel_id="msteams", service_url=fake_connector.url,
        from_property=ChannelAccount(id=act.user_id("ann"), name="Ann", aad_object_id="aad-ann"),
        recipient=ChannelAccount(id=act.BOT_ID, name=act.BOT_NAME),
        conversation=ConversationAccount(id=act.personal_conversation_id("ann"), conversation_type="personal"),
        channel_data={"tenant": {"id": "tenant-1"}},
    )
    yield TestAdapter(QaBot(services, reg).on_turn, template), seen
    await services.connector.close()


def file_message(name: str) -> Activity:
    return Activity(type="message", text="here it is", attachments=[Attachment(
        content_type=FILE_DOWNLOAD_INFO, name=name,
        content={"downloadUrl": f"https://files.example.org/{name}", "fileType": name.rsplit(".", 1)[-1]})])


async def test_a_file_reaches_the_intake_registered_for_its_type_unopened(routed):
    adapter, seen = routed
    await adapter.send(file_message("notes.txt"))
    assert adapter.get_next_activity().text == "took it"
    assert seen == [("file", ["notes.txt"], "here it is")]

    await adapter.send(file_message("notes.pdf"))  # no capability takes a .pdf
    assert adapter.get_next_activity().text == NO_INTAKE
    assert len(seen) == 1


async def test_an_event_reaches_its_registered_handler_and_others_are_ignored(routed):
    adapter, seen = routed
    await adapter.send(Activity(type="event", name="test/ping", value={"n": 1}))
    await adapter.send(Activity(type="event", name="test/unknown", value={"n": 2}))
    assert seen == [("event", "test/ping", {"n": 1}, act.personal_conversation_id("ann"))]
    assert adapter.get_next_activity() is None


# -- the import-linter contract --------------------------------------------------------------

def test_the_edge_contract_names_every_capability():
    """A new capability (module or package under capabilities/) is added to the contract's list,
    so the edges cannot import it; only the registry's types stay importable."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    [contract] = [c for c in contracts if c["name"] == EDGE_CONTRACT]
    assert contract["type"] == "forbidden" and set(contract["source_modules"]) == {"bot", "scheduler"}
    children = {m.name for m in pkgutil.iter_modules(capabilities.__path__)}
    assert EDGE_MAY_IMPORT <= children
    assert set(contract["forbidden_modules"]) == {f"capabilities.{name}" for name in children - EDGE_MAY_IMPORT}
