"""Chat basics every user has: `help` (what the bot does for your role, and what you can type,
both from the registry), `whoami` (who the bot takes you to be, from the roster), the welcome on
install and the help card for a message nothing registered takes."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.context import Context
from capabilities.press import Press, Reply
from capabilities.registry import EVERYONE, Capability, CardVerb, ChatCommand, CommandReply, Registry, Said
from dialogs.common_cards import (
    Profile,
    help_card,
    help_summary,
    welcome_card,
    welcome_summary,
    whoami_card,
    whoami_summary,
)
from qa.framework import ROLES
from storage import conversations as chats
from storage.models import Person

HELP = "help"
WHOAMI = "whoami"


def roster_profile(person: Person, supervisor: Person | None) -> Profile:
    """Who the roster says `person` is, with their supervisor's name (or email, if not on the roster)."""
    return Profile(name=person.display_name, role=person.role, team=person.team,
                   service_areas=person.service_areas,
                   supervisor_name=supervisor.display_name if supervisor else person.supervisor_email)


async def profile_and_qa_contact(ctx: Context, person: Person | None) -> tuple[Profile | None, str | None]:
    """`person`'s Profile (None: not on the roster) and the QA unit's contact's name, read in one
    statement (storage.conversations.supervisor_and_qa_contact): a whoami or welcome card names both."""
    async with ctx.db.sessions.one_statement() as session:
        supervisor, contact = await chats.supervisor_and_qa_contact(session, person.supervisor_email if person else None)
    return (roster_profile(person, supervisor) if person else None), (contact.display_name if contact else None)


async def qa_contact_name(session: AsyncSession) -> str | None:
    contact = await chats.qa_unit_contact(session)
    return contact.display_name if contact else None


def help_for(registry: Registry, role: str | None, *, not_understood: bool = False,
             qa_contact: str | None = None, relations: frozenset[str] = frozenset()) -> CommandReply:
    """The help card for `role` (None: not on the roster) for whom `relations` (Relation names, such as
    "supervisor") hold: only the commands registered for them."""
    commands = [(c.name, c.description) for c in registry.commands_for(role, relations)]
    card = help_card(role, lines=registry.help_lines(role), commands=commands, not_understood=not_understood,
                     qa_contact=qa_contact)
    return CommandReply(card, help_summary(role, not_understood=not_understood))


async def help_reply(ctx: Context, registry: Registry, person: Person | None, *,
                     not_understood: bool = False, shared: bool = False) -> CommandReply:
    """The help card for `person` (None: not on the roster): their role's, with the commands their
    relations on the roster give them, naming the QA unit's contact (read from the roster), except
    where others read it (`shared`: a team channel), where it names nobody and lists the commands of
    the role alone."""
    qa_contact = None
    if not shared:
        async with ctx.db.sessions.one_statement() as session:
            qa_contact = await qa_contact_name(session)
    relations = frozenset() if shared else await registry.relations_of(ctx, person)
    return help_for(registry, person.role if person else None, not_understood=not_understood,
                    qa_contact=qa_contact, relations=relations)


async def show_help(said: Said) -> CommandReply:
    assert said.registry is not None, "the edge passes the registry with every command"
    return await help_reply(said.ctx, said.registry, said.person, shared=said.shared)


async def show_whoami(said: Said) -> CommandReply:
    profile, qa_contact = await profile_and_qa_contact(said.ctx, said.person)
    return CommandReply(whoami_card(profile, teams_name=said.teams_name, qa_contact=qa_contact),
                        whoami_summary(profile, teams_name=said.teams_name))


async def welcome(said: Said) -> CommandReply:
    """The card a person gets once when they install the bot: who the roster says they are."""
    profile, qa_contact = await profile_and_qa_contact(said.ctx, said.person)
    return CommandReply(welcome_card(profile, qa_contact=qa_contact), welcome_summary(profile, qa_contact=qa_contact))


async def not_understood(said: Said) -> CommandReply:
    """The help card, saying the message was not understood."""
    assert said.registry is not None, "the edge passes the registry with every message"
    return await help_reply(said.ctx, said.registry, said.person, not_understood=True, shared=said.shared)


def capability(registry_of: Callable[[], Registry]) -> Capability:
    """Chat basics; `registry_of()` gives the whole registry (help lists every capability's commands)."""

    async def who(press: Press) -> Person | None:
        # Help and whoami answer anyone: a chat not yet linked is matched by Entra object id.
        if press.actor is not None or not press.aad_object_id:
            return press.actor
        async with press.ctx.db.sessions() as session:
            return await chats.roster_person_for(session, aad_object_id=press.aad_object_id, email=None)

    async def help_button(press: Press) -> Reply:
        return Reply(card=(await help_reply(press.ctx, registry_of(), await who(press))).card)

    async def whoami_button(press: Press) -> Reply:
        said = Said(press.ctx, await who(press), press.now, teams_name=press.teams_name)
        return Reply(card=(await show_whoami(said)).card)

    def samples() -> dict:
        registry = registry_of()
        cards = {f"help_{role}": help_for(registry, role, qa_contact="Quinn Example").card for role in ROLES}
        cards["help_not_on_roster_registered"] = help_for(registry, None, not_understood=True).card
        return cards

    return Capability(
        name="basics",
        verbs=(CardVerb("basics.help", help_button, former=(HELP,), channel=True),
               CardVerb("basics.whoami", whoami_button, former=(WHOAMI,))),
        commands=(
            ChatCommand(HELP, "what I can do for you", ("", "menu", "commands", "hi", "hello", "start"), show_help,
                        EVERYONE, channel=True),
            ChatCommand(WHOAMI, "who I take you to be: role, team, service area, supervisor", ("who am i", "me"),
                        show_whoami, EVERYONE),
        ),
        samples=samples,
        welcome=welcome,
        not_understood=not_understood,
    )
