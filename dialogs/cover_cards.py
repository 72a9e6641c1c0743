"""Cards for cover (framework section 21: no work waits on someone away or gone).

- `covering`: any notice's card with one line at its top, "Covering for <name> ..." (the copy that
  goes to the cover); `handed_over` the line on the absent person's own copy ("<cover> is covering
  this while you are away"); `without_banner` takes the line off again (work given back on return).
- `return_summary_card`: the morning someone is back, what went to their cover and what was done.
- `who_covers_card`: `who covers`, for the QA unit: everyone away today, their cover, what went to
  them, and a form to change a cover.
- `leaver_work_card`: the QA unit's one card listing a leaver's work moved to their manager.

Pure: views in, card JSON out.
"""
from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from dialogs.card_kit import card, container, execute, facts, format_day, heading, subheading, text, text_input
from dialogs.card_tree import splice
from dialogs.payload import Payload

Element = dict[str, Any]
BANNER_ID = "cover-banner"


class Verb:
    CHANGE = "cover.change"


COVER_WHO, COVER_EMAIL = "cover_who", "cover_email"
MAX_LINES = 40  # a card lists at most this many items; the rest are counted


def _banner(words: str) -> Element:
    box = container([text(words, weight="Bolder", color="Accent")], style="accent")
    box["id"] = BANNER_ID
    return box


def without_banner(content: Element) -> Element:
    """`content` with any cover line taken off (a copy of it)."""
    return splice(content, lambda el: [] if el.get("id") == BANNER_ID else None)


def _with_banner(content: Element, words: str) -> Element:
    bare = without_banner(content)
    body = list(bare.get("body") or [])
    at = 1 if body and body[0].get("style") == "heading" else 0  # under the heading people scan for
    bare["body"] = body[:at] + [_banner(words)] + body[at:]
    return bare


def covering(payload: Payload, name: str, reason: str = "away") -> Payload:
    """The copy of `payload` that goes to the person covering for `name` (away, or left)."""
    words = (f"Covering for {name}, who has left: this is now yours to act on." if reason == "left"
             else f"Covering for {name} while they are away: you may act on this for them.")
    card_ = _with_banner(payload.card, words) if payload.card else None
    return Payload(summary=f"Covering for {name}: {payload.summary}", card=card_, text=payload.text,
                   alone=payload.alone, attachments=payload.attachments)


def handed_over(content: Element, cover_name: str) -> Element:
    """The absent person's own copy, updated in place: who is covering it."""
    return _with_banner(content, f"While you are away, {cover_name} is covering this. You may still act on it.")


def given_back(content: Element) -> Element:
    """A covered notice given back to its person on return (the cover line off)."""
    return without_banner(copy.deepcopy(content))


# -- the return summary ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReturnView:
    name: str
    first: date
    last: date
    went: tuple[tuple[str, str], ...]  # (what, to whom)
    done: tuple[str, ...]  # "Jo Bloggs: oversight confirmed, 9 Dec"
    back: int  # open items sent back with this card


def return_summary_card(view: ReturnView) -> Element:
    """Welcome back: what went to the cover while away, what they did, and what comes back now."""
    body: list[Element] = [heading("Welcome back"),
                           text(f"While you were away ({format_day(view.first)} to {format_day(view.last)}) your work "
                                "went to the people covering for you. Deadlines did not move.", subtle=True)]
    body.append(subheading(f"Sent to your cover ({len(view.went)})"))
    if view.went:
        body.append(facts([(what, to) for what, to in view.went[:MAX_LINES]]))
        if len(view.went) > MAX_LINES:
            body.append(text(f"and {len(view.went) - MAX_LINES} more.", subtle=True))
    else:
        body.append(text("Nothing.", subtle=True))
    body.append(subheading(f"Done for you ({len(view.done)})"))
    body += [text(line, spacing="None") for line in view.done[:MAX_LINES]] or [text("Nothing was decided for you.", subtle=True)]
    if len(view.done) > MAX_LINES:
        body.append(text(f"and {len(view.done) - MAX_LINES} more.", subtle=True))
    body.append(text(f"{view.back} open item(s) come back to you now, each on its own card." if view.back
                     else "Nothing is left open for you.", weight="Bolder"))
    return card(body)


# -- who covers ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AwayLine:
    person_id: int
    name: str
    first: date
    last: date
    cover: str  # the cover's name, or "nobody (stays with them)"
    named: bool  # the cover was named (else their manager)
    routed: tuple[str, ...] = ()  # what went to the cover so far: "oversight-request x2"


@dataclass(frozen=True)
class WhoCoversView:
    today: date
    lines: tuple[AwayLine, ...]
    done: str | None = None
    problem: str | None = None


def who_covers_card(view: WhoCoversView) -> Element:
    """`who covers`: everyone away today with their cover and what went to them; change a cover."""
    body: list[Element] = [heading("Who covers"), text(f"Away on {format_day(view.today)}.", subtle=True)]
    if view.done:
        body.append(text(view.done, color="Good", weight="Bolder"))
    if view.problem:
        body.append(text(view.problem, color="Attention", weight="Bolder"))
    if not view.lines:
        body.append(text("Nobody is away today."))
        return card(body)
    for line in view.lines[:MAX_LINES]:
        pairs = [("Away", f"{format_day(line.first)} to {format_day(line.last)}"),
                 ("Cover", line.cover + ("" if line.named else " (their manager)")),
                 ("Sent to the cover", ", ".join(line.routed) or "nothing yet")]
        body += [subheading(line.name), facts(pairs)]
    if len(view.lines) > MAX_LINES:
        body.append(text(f"and {len(view.lines) - MAX_LINES} more.", subtle=True))
    body += [subheading("Change a cover"),
             {"type": "Input.ChoiceSet", "id": COVER_WHO, "label": "Who is away", "style": "compact", "isRequired": True,
              "errorMessage": "Choose who is away.", "value": str(view.lines[0].person_id),
              "choices": [{"title": ln.name, "value": str(ln.person_id)} for ln in view.lines[:MAX_LINES]]},
             text_input(COVER_EMAIL, "Their cover's email (empty: their manager)", max_length=320)]
    return card(body, [execute("Change cover", Verb.CHANGE, {}, inputs="auto", style="positive")])


# -- a leaver's work -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LeaverLine:
    name: str
    manager: str  # who now has it, or "nobody: no manager on the roster"
    moved: tuple[str, ...]  # what moved


def leaver_work_card(day: date, lines: Sequence[LeaverLine]) -> Element:
    """For the QA unit: the work of people the roster marked as left, moved to their managers."""
    body: list[Element] = [heading("Leavers' work moved"),
                           text(f"The roster marked these people as left ({format_day(day)}). Their open work went "
                                "to their manager; deadlines did not move.", subtle=True)]
    for line in lines[:MAX_LINES]:
        body += [subheading(line.name), facts([("Now with", line.manager),
                                               ("Moved", ", ".join(line.moved) or "no open work")])]
    if len(lines) > MAX_LINES:
        body.append(text(f"and {len(lines) - MAX_LINES} more.", subtle=True))
    return card(body)


def kinds_counted(kinds: Sequence[str]) -> tuple[str, ...]:
    """"oversight-request x2"-style words for a list of notice kinds, in first-seen order."""
    counts: dict[str, int] = {}
    for k in kinds:
        counts[k] = counts.get(k, 0) + 1
    return tuple(k.replace("-", " ") + (f" x{n}" if n > 1 else "") for k, n in counts.items())
