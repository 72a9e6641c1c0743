"""Who owns a safeguarding concern found while auditing (framework 9.3): the ownership part of the
alert card ("I'm taking this", or "Owned by <name> since <time>" and, for the owner, the action
note), the out-of-hours channel's card (the case reference only), the owner's chase and the QA
unit's list. Pure: views in, Adaptive Card 1.5 JSON out."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from dialogs.card_kit import (
    Element,
    action_set,
    attention,
    card,
    container,
    execute,
    facts,
    format_day,
    format_moment,
    heading,
    quote,
    text,
    text_input,
)

NOTE = "safeguarding_note"
NOTE_MAX = 2000


class Verb:
    """Action.Execute verbs these cards send, and the data each carries."""

    CLAIM = "safeguarding.claim"  # concern_id: the presser becomes the owner
    NOTE = "safeguarding.note"    # concern_id + input safeguarding_note: what was done

    ALL = frozenset({CLAIM, NOTE})


@dataclass(frozen=True)
class Ownership:
    """Where a concern's ownership has got to, for its cards."""

    concern_id: int
    owner: str | None = None
    owned_at: datetime | None = None
    note: str | None = None
    noted_at: datetime | None = None
    note_due: datetime | None = None
    unclaimed_sends: int = 0


def ownership_section(view: Ownership, tz: tzinfo, *, mine: bool = False, error: str | None = None) -> list[Element]:
    """The concern card's ownership part: the claim button while nobody owns it; then who owns it
    since when, and for the owner (`mine`) the action-note box until the note is recorded."""
    if view.owner is None or view.owned_at is None:
        out: list[Element] = []
        if view.unclaimed_sends:
            out.append(attention("Nobody has taken this yet." if view.unclaimed_sends == 1
                                 else "Still nobody has taken this."))
        out += [text("Press I'm taking this if you are acting on it: everyone else sent this concern will see "
                     "that you have it."),
                action_set([execute("I'm taking this", Verb.CLAIM, {"concern_id": view.concern_id},
                                    style="positive")])]
        return out + ([attention(error)] if error else [])
    out = [text(f"Owned by {view.owner} since {format_moment(view.owned_at, tz)}", color="Good", weight="Bolder")]
    if view.note is not None and view.noted_at is not None:
        out += [text(f"Action recorded {format_moment(view.noted_at, tz)}:", subtle=True), quote(view.note)]
        if error:
            out.append(attention(error))
    elif not mine:
        if error:
            out.append(attention(error))
    else:
        if view.note_due is not None:
            out.append(text(f"Please record what was done by {format_moment(view.note_due, tz)} (a strategy "
                            "discussion, a MASH referral, the social worker contacted). Case reference only; "
                            "no names."))
        if error:
            out.append(attention(error))
        out += [text_input(NOTE, "What was done", max_length=NOTE_MAX, multiline=True),
                action_set([execute("Record what was done", Verb.NOTE, {"concern_id": view.concern_id},
                                    inputs="auto", style="positive")])]
    return out


def out_of_hours_card(view: Ownership, case_ref: str, raised_at: datetime, tz: tzinfo,
                      problem: str | None = None) -> Element:
    """To the council's out-of-hours channel: the case reference and the claim button, nothing more
    (others read a channel; the owner sees the rest in their personal chat once they claim it).
    `problem`: why the last press changed nothing (it names no one but the owner)."""
    body: list[Element] = [
        container([heading("Safeguarding concern: out-of-hours owner needed"),
                   text(f"A safeguarding concern on case {case_ref} was raised at "
                        f"{format_moment(raised_at, tz)} and needs an out-of-hours owner.")], style="attention")]
    if view.owner is not None and view.owned_at is not None:
        body.append(text(f"Owned by {view.owner} since {format_moment(view.owned_at, tz)}", color="Good",
                         weight="Bolder"))
    else:
        body += [text("Whoever takes it gets the details in their personal chat with the bot."),
                 action_set([execute("I'm taking this", Verb.CLAIM, {"concern_id": view.concern_id},
                                     style="positive")])]
    if problem:
        body.append(attention(problem))
    return card(body)


def note_chase_card(view: Ownership, case_ref: str, tz: tzinfo) -> Element:
    """To the owner once the action note is overdue (sent once)."""
    due = format_moment(view.note_due, tz) if view.note_due else "now"
    return card([heading(f"Action note overdue: case {case_ref}"),
                 text(f"You took the safeguarding concern on case {case_ref}. What was done was due on record by "
                      f"{due}."),
                 *ownership_section(view, tz, mine=True)])


@dataclass(frozen=True)
class ConcernLine:
    """One concern on the QA unit's list."""

    case_ref: str
    raised_at: datetime
    out_of_hours: bool
    owner: str | None
    minutes_to_owner: int | None
    minutes_to_note: int | None  # from ownership to the note


def _minutes(value: int | None) -> str:
    if value is None:
        return "not yet"
    hours, minutes = divmod(value, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def concerns_card(lines: Sequence[ConcernLine], tz: tzinfo) -> Element:
    """To the QA unit (`concerns`): recent safeguarding concerns, with the time each took to get an
    owner and from then to the action note."""
    body: list[Element] = [heading("Safeguarding concerns: ownership")]
    if not lines:
        body.append(text("No safeguarding concerns have been raised in the last 90 days."))
        return card(body)
    for line in lines:
        where = " (out of hours)" if line.out_of_hours else ""
        body.append(container([
            text(f"**Case {line.case_ref}**, raised {format_moment(line.raised_at, tz)}{where}", spacing="None"),
            facts([("Owner", line.owner or "nobody yet"), ("Time to owner", _minutes(line.minutes_to_owner)),
                   ("Time to action note", _minutes(line.minutes_to_note))])], separator=True, spacing="Small"))
    return card(body)


def out_of_hours_summary_card(lines: Sequence[ConcernLine], morning: date, tz: tzinfo) -> Element:
    """To the QA unit and the area's day managers on the first working morning (`morning`) after
    concerns raised out of hours: what the out-of-hours route did with each (who took it, how soon,
    whether the action note is in). `lines` holds the out-of-hours concerns, oldest first."""
    body: list[Element] = [heading(f"Out-of-hours safeguarding concerns: {format_day(morning)}"),
                           text(f"{len(lines)} safeguarding concern{'s' if len(lines) != 1 else ''} raised out of hours "
                                "since the last working day.", subtle=True)]
    for line in lines:
        owner = line.owner or "Unclaimed: nobody has taken it"
        body.append(container([
            text(f"**Case {line.case_ref}**, raised {format_moment(line.raised_at, tz)}", spacing="None"),
            facts([("Owner", owner), ("Time to owner", _minutes(line.minutes_to_owner)),
                   ("Action note", "in" if line.minutes_to_note is not None else "not in yet")])],
            separator=True, spacing="Small", style=None if line.owner else "attention"))
    return card(body)
