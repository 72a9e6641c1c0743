"""Supervision cards (framework 9.1): the supervisor's morning digest and its one-press recording form,
the supervisee's note and confirmation, the notice to a supervisor's own supervisor, the monthly
compliance figures, the `supervision`, `my supervision` and `away` answers. Pure: views in, JSON out.

Buttons carry ids only: `line` (a `LineKey`), `session_id`, `person_id`. The server looks the rest up
and re-checks who may act on every press. There is no field for what was discussed, anywhere.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dialogs import card_tree
from dialogs.card_kit import (
    action_set,
    attention,
    card,
    container,
    execute,
    facts,
    format_day,
    heading,
    subheading,
    text,
)
from qa.supervision import CASE, GROUP, KINDS, ONE_TO_ONE

Element = dict[str, Any]


class Verb:
    RECORD_OPEN = "supervision.record_open"  # show the recording form on the line pressed
    RECORD = "supervision.record"  # record it
    CONFIRM = "supervision.confirm"  # a supervisor confirms a session the supervisee recorded
    ASYE_FOUR_WEEKLY = "supervision.asye_four_weekly"  # move an ASYE to four-weekly from today
    AWAY = "supervision.away"  # mark someone away
    BOOK = "supervision.booked"  # the line's session is booked for a day (asks the day, then saves it)
    # A service lead's case supervision exemptions on a case line (capabilities/supervision/exemptions.py).
    EXEMPT_OPEN = "supervision.exempt_open"  # show the exemption form in place of the line's buttons
    EXEMPT = "supervision.exempt"  # exempt the case chosen, with the reason typed
    EXEMPT_LIFT_OPEN = "supervision.exempt_lift_open"  # show the form to lift one of the holder's exemptions
    EXEMPT_LIFT = "supervision.exempt_lift"  # lift the exemption of the case chosen


KIND_TITLES = {"one_to_one": "1:1 supervision", "case": "Case supervision", "group": "Group reflective supervision",
               "agreement_review": "Supervision agreement review"}
STANDING_WORDS = {"overdue": "overdue since", "today": "due today", "soon": "due"}
DEFAULT_MINUTES = {"one_to_one": 90, "case": 60, "group": 90, "agreement_review": 30}
MAX_MINUTES = 600


@dataclass(frozen=True)
class LineKey:
    """The key of one digest line: what its buttons carry as `line`, and the stem of its elements' ids.

    "s<supervisee id>-<kind>": a supervisee's 1:1, case supervision or agreement review;
    "t<practice manager id>-group": a team's group supervision;
    "o<supervisee id>-<day>": an observation action plan to review (a line with no button).
    """

    person_id: int  # the supervisee, or the practice manager for a team
    kind: str  # one of qa.supervision.KINDS, or PLAN
    day: date | None = None  # the observation's day, on an action-plan line

    PLAN = "observation_plan"
    _DUE = re.compile(r"^(s|t)([1-9][0-9]{0,9})-(" + "|".join(KINDS) + ")$")
    _PLAN = re.compile(r"^o([1-9][0-9]{0,9})-([0-9]{4}-[0-9]{2}-[0-9]{2})$")

    @classmethod
    def plan(cls, supervisee_id: int, observed_on: date) -> LineKey:
        return cls(supervisee_id, cls.PLAN, observed_on)

    @property
    def team(self) -> bool:
        """A team's group supervision (keyed by its practice manager)."""
        return self.kind == GROUP

    @property
    def recordable(self) -> bool:
        """A due supervision, which its buttons record (not an action-plan line)."""
        return self.kind != self.PLAN

    def __str__(self) -> str:
        if self.kind == self.PLAN:
            return f"o{self.person_id}-{self.day.isoformat() if self.day else ''}"
        return f"{'t' if self.team else 's'}{self.person_id}-{self.kind}"

    @classmethod
    def parse(cls, value: Any) -> LineKey | None:
        """The key a card carried, or None when it is not one (a team key names group supervision only)."""
        if not isinstance(value, str):
            return None
        if m := cls._DUE.match(value):
            if (m.group(1) == "t") != (m.group(3) == GROUP):
                return None
            return cls(int(m.group(2)), m.group(3))
        if m := cls._PLAN.match(value):
            try:
                return cls.plan(int(m.group(1)), date.fromisoformat(m.group(2)))
            except ValueError:
                return None
        return None


def input_id(name: str, line: LineKey) -> str:
    """The id of one of a line's form inputs ("held-s12-one_to_one")."""
    return f"{name}-{line}"


# ---------------------------------------------------------------- the digest


@dataclass(frozen=True)
class Line:
    """One line of a digest: something due about one supervisee (or a team).

    `line` is the key the buttons carry; `recordable` lines get "Record supervision". Extra lines from
    other capabilities (observation action plans to review) set `recordable` False and their own text.
    """

    line: LineKey
    kind: str
    due: date | None
    standing: str  # overdue, today, soon; "" for a line that is not a due date
    case_refs: tuple[str, ...] = ()
    asye: bool = False
    recordable: bool = True
    words: str = ""  # the line's text when it is not a due supervision (an extra line)
    short_last: ShortOneToOne | None = None  # on a 1:1 line: the last 1:1 fell short of the standard length
    # On a case supervision line in a digest to the service lead of the case holder's area (framework 9.1:
    # the service lead agrees an exemption): "Exempt a case", and the holder's cases already exempt, each
    # with its Lift button.
    exemptable: bool = False
    exempted: tuple[str, ...] = ()
    button: LineButton | None = None  # an extra line's own one-press button (an ASYE review: "Held today")


@dataclass(frozen=True)
class LineButton:
    """The one button an extra line may carry: another capability's verb and the ids it sends."""

    title: str
    verb: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class ShortOneToOne:
    """The last 1:1 on record was shorter than framework 9.1's standard (one and a half hours)."""

    held_on: date
    minutes: int
    standard_minutes: int


@dataclass(frozen=True)
class Block:
    """The lines about one supervisee (or, for group supervision, one team)."""

    title: str
    lines: tuple[Line, ...]
    subtitle: str = ""


@dataclass(frozen=True)
class DigestView:
    day: date
    blocks: tuple[Block, ...]
    on_behalf_of: str | None = None  # the supervisor whose supervisees these are, when away for long


def line_words(line: Line) -> str:
    if line.words:
        return line.words
    title = KIND_TITLES[line.kind] + (" (ASYE)" if line.asye else "")
    when = f"{STANDING_WORDS.get(line.standing, 'due')} {format_day(line.due)}" if line.due else ""
    cases = ""
    if line.case_refs:
        shown = ", ".join(line.case_refs[:8])
        more = f" and {len(line.case_refs) - 8} more" if len(line.case_refs) > 8 else ""
        cases = f" ({len(line.case_refs)} case{'s' if len(line.case_refs) != 1 else ''}: {shown}{more})"
    short = ""
    if line.short_last is not None:
        last = line.short_last
        short = (f". The last one, on {format_day(last.held_on)}, lasted {last.minutes} minutes: "
                 f"the standard is {last.standard_minutes} minutes")
    return f"{title}: {when}{cases}{short}{exempt_words(line.exempted)}"


def exempt_words(refs: Sequence[str]) -> str:
    """What a case line adds about the holder's exempt cases (". Exempt: CR-1002, CR-1003")."""
    if not refs:
        return ""
    more = f" and {len(refs) - 8} more" if len(refs) > 8 else ""
    return f". Exempt: {', '.join(refs[:8])}{more}"


def no_case_line_words(exempted: Sequence[str]) -> str:
    """A case line on which nothing is due any more (its cases exempted): not counted in the heading."""
    return f"{KIND_TITLES[CASE]}: {NONE_DUE}{exempt_words(exempted)}"


NONE_DUE = "none due now"


def line_buttons(line: Line) -> list[Element]:
    """A due line's buttons: Record supervision; Booked (1:1s, group); on a service lead's case line,
    Exempt a case and, when some of the holder's cases are exempt, Lift an exemption (each opens its form in
    place: a button per line, not a pop-out form per line, keeps a long digest within 28 KB)."""
    buttons = [execute("Record supervision", Verb.RECORD_OPEN, {"line": str(line.line)})]
    if line.kind in BOOKABLE:
        buttons.append(execute("Booked", Verb.BOOK, {"line": str(line.line)}))
    if line.kind == CASE and line.exemptable:
        if line.case_refs:
            buttons.append(execute("Exempt a case", Verb.EXEMPT_OPEN, {"line": str(line.line)}))
        buttons += lift_buttons(line.line, line.exempted)
    return buttons


def lift_buttons(line: LineKey, exempted: Sequence[str]) -> list[Element]:
    """"Lift an exemption" when the holder has cases exempt: it opens `lift_form` in place."""
    return [execute("Lift an exemption", Verb.EXEMPT_LIFT_OPEN, {"line": str(line)})] if exempted else []


def _line(line: Line) -> list[Element]:
    color = "Attention" if line.standing == "overdue" else ("Warning" if line.standing == "today" else None)
    out: list[Element] = [text(line_words(line), color=color, spacing="Small")]
    if not line.recordable:
        out[0]["id"] = f"note-{line.line}"  # an extra line, replaced in place once settled (close_note)
        if line.button is not None:  # its button, replaced in place once pressed (close_line)
            out.append({**action_set([execute(line.button.title, line.button.verb, dict(line.button.data))]),
                        "id": f"act-{line.line}"})
    if line.recordable:
        out.append({**action_set(line_buttons(line)), "id": f"act-{line.line}"})
    return out


BOOKABLE = (ONE_TO_ONE, GROUP)  # the meetings a supervisor books (case supervision and reviews go in a 1:1)


def booked_words(day: date) -> str:
    """What a line says once its session is booked."""
    return f"Booked for {format_day(day)}."


def book_form(line: LineKey, today: date, problem: str | None = None) -> Element:
    """The day a line's session is booked for, asked in place of the line's buttons."""
    items: list[Element] = [attention(problem)] if problem else []
    items += [{"type": "Input.Date", "id": input_id("booked", line), "label": "Booked for",
               "value": today.isoformat(), "min": today.isoformat(), "isRequired": True,
               "errorMessage": "Give the day it is booked for."},
              text("Nudges about this wait until that day has passed.", subtle=True, size="Small"),
              action_set([execute("Save", Verb.BOOK, {"line": str(line)}, inputs="auto", style="positive")])]
    return {**container(items, style="emphasis"), "id": f"form-{line}"}


def count_words(day: str, count: int) -> str:
    """The digest's count line: "<day>: N items due within two working days or overdue."."""
    return f"{day}: {count} item{'s' if count != 1 else ''} due within two working days or overdue."


_COUNT = re.compile(r"^(?P<day>.+?): (?P<n>[0-9]+) items? due within two working days or overdue\.(?P<rest>.*)$",
                    re.DOTALL)


def recount(content: Element, delta: int) -> Element:
    """`content` (a digest) with its "N items due" line moved by `delta` (a line no longer due: -1)."""
    if not delta:
        return content
    content = copy.deepcopy(content)
    for node in card_tree.nodes(content):
        m = _COUNT.match(str(node.get("text") or "")) if node.get("type") == "TextBlock" else None
        if m:
            node["text"] = count_words(m.group("day"), max(0, int(m.group("n")) + delta)) + m.group("rest")
            break
    return content


EXEMPT_REASON_MAX = 500  # storage.models.CaseExemption.reason


def exempt_form(line: LineKey, case_refs: Sequence[str], problem: str | None = None) -> Element:
    """A service lead's exemption, asked in place of a case line's buttons: which case (of those due on the
    line) and why (required; no names, dates of birth or addresses: the server screens it)."""
    items: list[Element] = [attention(problem)] if problem else []
    items += [{"type": "Input.ChoiceSet", "id": input_id("exempt_case", line), "label": "Case to exempt",
               "style": "filtered" if len(case_refs) > 8 else "compact", "isRequired": True,
               "errorMessage": "Choose the case.", "choices": [{"title": r, "value": r} for r in case_refs]},
              {"type": "Input.Text", "id": input_id("exempt_reason", line), "label": "Reason", "isMultiline": True,
               "maxLength": EXEMPT_REASON_MAX, "isRequired": True, "errorMessage": "Give the reason.",
               "placeholder": "A few words; no names, dates of birth or addresses"},
              text("Case supervision of this case stops being due every eight weeks until the exemption is "
                   "lifted (framework 9.1).", subtle=True, size="Small"),
              action_set([execute("Exempt", Verb.EXEMPT, {"line": str(line)}, inputs="auto", style="positive")])]
    return {**container(items, style="emphasis"), "id": f"form-{line}"}


def lift_form(line: LineKey, exempted: Sequence[str], problem: str | None = None) -> Element:
    """Which of the holder's exempt cases has case supervision every eight weeks again, asked in place."""
    items: list[Element] = [attention(problem)] if problem else []
    items += [{"type": "Input.ChoiceSet", "id": input_id("lift_case", line), "label": "Exemption to lift",
               "style": "filtered" if len(exempted) > 8 else "compact", "isRequired": True,
               "errorMessage": "Choose the case.", "choices": [{"title": r, "value": r} for r in exempted]},
              action_set([execute("Lift", Verb.EXEMPT_LIFT, {"line": str(line)}, inputs="auto")])]
    return {**container(items, style="emphasis"), "id": f"form-{line}"}


def open_lift_form(line: LineKey, exempted: Sequence[str], problem: str | None = None
                   ) -> Callable[[Element, Mapping[str, Any]], Element]:
    """A card_update.rebuild change: the case line's buttons (or its open form) become the lift form."""
    return _in_place(line, lift_form(line, exempted, problem))


def open_exempt_form(line: LineKey, case_refs: Sequence[str], problem: str | None = None
                     ) -> Callable[[Element, Mapping[str, Any]], Element]:
    """A card_update.rebuild change: the case line's buttons (or its open form) become the exemption form."""
    return _in_place(line, exempt_form(line, case_refs, problem))


def show_case_line(key: LineKey, line: Line | None, exempted: Sequence[str], status: str
                   ) -> Callable[[Element, Mapping[str, Any]], Element]:
    """A card_update.rebuild change after an exemption made or lifted on a service lead's digest: the case
    line says what is due now (`line`; None: nothing, every case exempt) and `status`, with its buttons as they
    now stand (Lift an exemption while a case is exempt), and the heading's count follows when the line stops or starts
    being due."""
    def change(content: Element, _ids: Mapping[str, Any]) -> Element:
        new = copy.deepcopy(content)
        for node in card_tree.nodes(new):
            items = node.get("items") if node.get("type") == "Container" else None
            if not isinstance(items, list):
                continue
            at = next((i for i, item in enumerate(items) if isinstance(item, dict)
                       and item.get("id") in (f"act-{key}", f"form-{key}")), None)
            if not at:
                continue
            shown = items[at - 1]
            counted_before = not str(shown.get("text") or "").startswith(no_case_line_words(()))
            shown["text"] = line_words(line) if line is not None else no_case_line_words(exempted)
            if line is None:
                shown.pop("color", None)
            buttons = line_buttons(line) if line is not None else lift_buttons(key, exempted)
            slot: list[Element] = [text(status, color="Good", weight="Bolder", spacing="Small")]
            if buttons:
                slot.append(action_set(buttons))
            items[at] = {**container(slot), "id": f"act-{key}"}
            return recount(new, int(line is not None) - int(counted_before))
        return content
    return change


def supervision_digest_card(view: DigestView) -> Element:
    """A supervisor's morning: per supervisee what is due within two working days, due today and overdue."""
    count = sum(len(b.lines) for b in view.blocks)
    title = "Supervision due" if view.on_behalf_of is None else f"Supervision due for {view.on_behalf_of}'s team"
    body: list[Element] = [heading(title), text(
        count_words(format_day(view.day), count)
        + (f" {view.on_behalf_of} is away, so these come to you." if view.on_behalf_of else ""), subtle=True)]
    for block in view.blocks:
        items: list[Element] = [subheading(block.title)]
        if block.subtitle:
            items.append(text(block.subtitle, subtle=True, spacing="None"))
        for line in block.lines:
            items += _line(line)
        body.append(container(items))
    return card(body)


# ---------------------------------------------------------------- recording


@dataclass(frozen=True)
class RecordForm:
    """The small form a "Record supervision" press opens: date (default today), kind, minutes, due cases."""

    line: LineKey
    who: str  # the supervisee's name, or the team's
    kind: str
    today: date
    kinds: tuple[str, ...] = ("one_to_one", "case", "agreement_review")
    due_cases: tuple[str, ...] = ()
    by_supervisee: bool = False  # the supervisee records that it took place (the supervisor confirms)
    asye_switch: bool = False  # offer "move to four-weekly" (an ASYE on the fortnightly cadence)
    problem: str | None = None  # why the last try was refused
    plans: tuple[date, ...] = ()  # days of observations whose action plan is not reviewed yet


MAX_PLANS = 6  # action-plan toggles on one form (the oldest open plans)


def plan_input(observed_on: date, line: LineKey) -> str:
    """The id of the toggle "Observation action plan of <day> reviewed" on a line's form."""
    return input_id(f"plan{observed_on.isoformat()}", line)


def plan_review_words(observed_on: date) -> str:
    """The digest line about an open observation action plan."""
    return f"Review the observation action plan of {format_day(observed_on)}"


def plan_reviewed_words(observed_on: date) -> str:
    """The form's tick, and the digest line once a session has reviewed the plan."""
    return f"Observation action plan of {format_day(observed_on)} reviewed"


def record_form(form: RecordForm) -> Element:
    """The form as a Container, to show in place of the line's button (or in a card of its own)."""
    line = form.line
    items: list[Element] = []
    if form.problem:
        items.append(attention(form.problem))
    items.append({"type": "Input.Date", "id": input_id("held", line), "label": "Date held",
                  "value": form.today.isoformat(), "max": form.today.isoformat(), "isRequired": True,
                  "errorMessage": "Give the day it was held."})
    if len(form.kinds) > 1:
        items.append({"type": "Input.ChoiceSet", "id": input_id("kind", line), "label": "Kind", "style": "compact",
                      "value": form.kind, "isRequired": True, "errorMessage": "Choose the kind.",
                      "choices": [{"title": KIND_TITLES[k], "value": k} for k in form.kinds]})
    # Optional: a session recorded without its length counts as "duration not recorded", never as short.
    items.append({"type": "Input.Number", "id": input_id("minutes", line), "label": "Duration in minutes (optional)",
                  "placeholder": f"e.g. {DEFAULT_MINUTES.get(form.kind, 60)}", "min": 1, "max": MAX_MINUTES,
                  "errorMessage": f"Minutes, from 1 to {MAX_MINUTES}, or leave it empty."})
    if form.due_cases:
        items.append({"type": "Input.ChoiceSet", "id": input_id("cases", line), "isMultiSelect": True,
                      "style": "expanded", "label": "Cases discussed (case supervision)",
                      "value": ",".join(form.due_cases),
                      "choices": [{"title": ref, "value": ref} for ref in form.due_cases]})
    for observed_on in form.plans[:MAX_PLANS]:
        items.append({"type": "Input.Toggle", "id": plan_input(observed_on, line),
                      "title": plan_reviewed_words(observed_on), "value": "false",
                      "valueOn": "true", "valueOff": "false"})
    items.append(text("Record the date, kind and length only: no notes about what was discussed.", subtle=True,
                      size="Small"))
    title = "Record that it took place" if form.by_supervisee else "Record"
    actions = [execute(title, Verb.RECORD, {"line": str(line)}, inputs="auto", style="positive")]
    if form.asye_switch:
        actions.append(execute("Move to four-weekly", Verb.ASYE_FOUR_WEEKLY, {"line": str(line)}))
    items.append(action_set(actions))
    return {**container(items, style="emphasis"), "id": f"form-{line}"}


def supervision_record_card(form: RecordForm) -> Element:
    """The recording form as a card of its own (pressed on a card the bot cannot rebuild)."""
    return card([heading(f"Record supervision: {form.who}"), record_form(form)])


def open_form(form: RecordForm) -> Callable[[Element, Mapping[str, Any]], Element]:
    """A card_update.rebuild change: the line's button (or its open form) becomes the form."""
    return _in_place(form.line, record_form(form))


def open_book_form(line: LineKey, today: date, problem: str | None = None
                   ) -> Callable[[Element, Mapping[str, Any]], Element]:
    """A card_update.rebuild change: the line's buttons (or its open form) become "Booked for"."""
    return _in_place(line, book_form(line, today, problem))


def _in_place(line: LineKey, element: Element) -> Callable[[Element, Mapping[str, Any]], Element]:
    def change(content: Element, _ids: Mapping[str, Any]) -> Element:
        for element_id in (f"act-{line}", f"form-{line}"):
            new = card_tree.replace(content, element_id, [element])
            if new is not None:
                return new
        return content
    return change


def close_line(line: LineKey, status: str, color: str = "Good") -> Callable[[Element, Mapping[str, Any]], Element]:
    """A card_update.rebuild change: the line's form (or button) becomes `status` ("Recorded ...")."""
    def change(content: Element, _ids: Mapping[str, Any]) -> Element:
        done = text(status, color=color, weight="Bolder", spacing="Small")
        for element_id in (f"form-{line}", f"act-{line}"):
            new = card_tree.replace(content, element_id, [done])
            if new is not None:
                return new
        return content
    return change


def close_note(line: LineKey, status: str) -> Callable[[Element, Mapping[str, Any]], Element]:
    """A card_update.rebuild change: an extra line's text (one not recordable) becomes `status`."""
    def change(content: Element, _ids: Mapping[str, Any]) -> Element:
        new = card_tree.replace(content, f"note-{line}", [text(status, color="Good", spacing="Small")])
        return content if new is None else new
    return change


@dataclass(frozen=True)
class RecordedView:
    """A session recorded: who recorded what, and when the next is due."""

    supervisee: str
    supervisor: str
    kind: str
    held_on: date
    minutes: int | None  # None: the duration was not recorded
    next_due: date | None
    case_count: int = 0
    awaiting_confirmation: bool = False
    plans_reviewed: int = 0  # observation action plans this session reviewed


def minutes_words(minutes: int | None) -> str:
    """A session's length as a card says it: "90 minutes", or "duration not recorded"."""
    return "duration not recorded" if minutes is None else f"{minutes} minutes"


def recorded_words(view: RecordedView) -> str:
    what = f"{KIND_TITLES[view.kind]} on {format_day(view.held_on)} ({minutes_words(view.minutes)}"
    what += f", {view.case_count} case{'s' if view.case_count != 1 else ''})" if view.case_count else ")"
    if view.awaiting_confirmation:
        return f"Recorded: {what}; waiting for {view.supervisor} to confirm."
    nxt = f" Next due {format_day(view.next_due)}." if view.next_due else ""
    plans = ""
    if view.plans_reviewed:
        plans = (" Observation action plan reviewed." if view.plans_reviewed == 1
                 else f" {view.plans_reviewed} observation action plans reviewed.")
    return f"Recorded: {what}.{plans}{nxt}"


def supervision_recorded_card(view: RecordedView) -> Element:
    """To the supervisee: their supervisor recorded a session with them."""
    body = [heading("Supervision recorded"),
            text(f"{view.supervisor} recorded your {KIND_TITLES[view.kind].lower()} on {format_day(view.held_on)} "
                 f"({minutes_words(view.minutes)}).")]
    if view.next_due:
        body.append(facts([("Next due", format_day(view.next_due))]))
    return card(body)


@dataclass(frozen=True)
class ConfirmView:
    session_id: int
    supervisee: str
    kind: str
    held_on: date
    minutes: int | None
    case_count: int = 0


def supervision_confirm_card(view: ConfirmView) -> Element:
    """To the supervisor: the supervisee recorded that a session took place; confirm it."""
    pairs = [("Kind", KIND_TITLES[view.kind]), ("Date", format_day(view.held_on)), ("Duration", minutes_words(view.minutes))]
    if view.case_count:
        pairs.append(("Cases", str(view.case_count)))
    return card([heading(f"Confirm supervision: {view.supervisee}"),
                 text(f"{view.supervisee} recorded that this supervision with you took place."), facts(pairs),
                 action_set([execute("Confirm", Verb.CONFIRM, {"session_id": view.session_id}, style="positive")])])


# ---------------------------------------------------------------- supervisee note and escalation


@dataclass(frozen=True)
class ReminderView:
    supervisee_id: int
    supervisor: str
    due: date
    asye: bool = False


def supervision_reminder_card(view: ReminderView) -> Element:
    """To the supervisee, the working day before their 1:1 is due with none recorded."""
    line = LineKey(view.supervisee_id, ONE_TO_ONE)
    return card([
        heading("Your supervision is due"),
        text(f"Your 1:1 supervision{' (ASYE)' if view.asye else ''} with {view.supervisor} is due "
             f"{format_day(view.due)}, and none is recorded since the last one. If it is booked, nothing to do."),
        {**action_set([execute("It took place: record it", Verb.RECORD_OPEN, {"line": str(line)})]), "id": f"act-{line}"},
    ])


@dataclass(frozen=True)
class EscalationView:
    supervisee: str
    supervisor: str
    kind: str
    overdue_since: date
    case_count: int = 0


def supervision_escalation_card(view: EscalationView) -> Element:
    """To a supervisor's own supervisor: a 1:1 or case supervision five working days overdue."""
    what = KIND_TITLES[view.kind].lower()
    if view.case_count:
        what += f" of {view.case_count} case{'s' if view.case_count != 1 else ''}"
    return card([heading(f"Supervision overdue: {view.supervisee}"),
                 text(f"{view.supervisee}'s {what} with {view.supervisor} has been overdue since "
                      f"{format_day(view.overdue_since)}, and none is recorded."),
                 facts([("Supervisee", view.supervisee), ("Supervisor", view.supervisor),
                        ("Overdue since", format_day(view.overdue_since))])])


# ---------------------------------------------------------------- commands


@dataclass(frozen=True)
class DueRow:
    kind: str
    due: date | None
    standing: str  # overdue, today, soon, later
    asye: bool = False
    case_count: int = 0


@dataclass(frozen=True)
class PersonDue:
    person_id: int
    name: str
    rows: tuple[DueRow, ...]
    away: bool = False


def _due_text(row: DueRow) -> str:
    if row.due is None:
        return "none due"
    words = {"overdue": "overdue since", "today": "due today", "soon": "due", "later": "next due"}[row.standing]
    cases = f" ({row.case_count} case{'s' if row.case_count != 1 else ''})" if row.case_count else ""
    return f"{words} {format_day(row.due)}{cases}" if row.standing != "today" else f"due today{cases}"


def _person_block(p: PersonDue, recordable: bool) -> Element:
    pairs = [(KIND_TITLES[r.kind] + (" (ASYE)" if r.asye else ""), _due_text(r)) for r in p.rows]
    items: list[Element] = [subheading(p.name + (" (away)" if p.away else "")), facts(pairs)]
    if recordable:
        line = LineKey(p.person_id, ONE_TO_ONE)
        items.append({**action_set([execute("Record supervision", Verb.RECORD_OPEN, {"line": str(line)})]),
                      "id": f"act-{line}"})
    return container(items)


def supervision_overview_card(day: date, people: Sequence[PersonDue]) -> Element:
    """`supervision`: a supervisor's supervisees, each kind's next due date and what is overdue."""
    overdue = sum(1 for p in people for r in p.rows if r.standing == "overdue")
    body: list[Element] = [heading("Your supervisees' supervision"),
                           text(f"{format_day(day)}: {len(people)} supervisee{'s' if len(people) != 1 else ''}, "
                                f"{overdue} overdue item{'s' if overdue != 1 else ''}.", subtle=True)]
    if not people:
        body.append(text("Nobody on the roster names you as their supervisor."))
    body += [_person_block(p, True) for p in people]
    return card(body)


def my_supervision_card(day: date, me: PersonDue | None, supervisor: str | None) -> Element:
    """`my supervision`: a supervisee's own next due dates."""
    body: list[Element] = [heading("Your supervision")]
    if me is None or supervisor is None:
        body.append(text("The roster names no supervisor for you, so the bot keeps no supervision dates for you."))
        return card(body)
    body.append(text(f"{format_day(day)}. Your supervisor: {supervisor}.", subtle=True))
    body.append(_person_block(PersonDue(me.person_id, "Next due", me.rows, me.away), True))
    return card(body)


# ---------------------------------------------------------------- compliance


@dataclass(frozen=True)
class TeamCompliance:
    team: str
    area: str
    supervisees: int
    one_to_one: tuple[int, int]  # (in date, of)
    asye: tuple[int, int]
    case: tuple[int, int]
    agreement: tuple[int, int]
    group_held: bool | tuple[int, int]  # a team's yes/no; a service area's (teams that held one, of)
    # The last 1:1's length against 9.1's standard: (at least the standard, of those whose duration is
    # recorded), and apart, the supervisees whose last 1:1 has no duration recorded (not counted as short).
    full_length: tuple[int, int] = (0, 0)
    length_not_recorded: int = 0
    appraisal: tuple[int, int] | None = None  # annual appraisals in date (framework 9.2), beside supervision


@dataclass(frozen=True)
class ComplianceView:
    month: str  # "2026-12"
    month_words: str  # "December 2026"
    scope: str  # "your teams", "the whole service"
    teams: tuple[TeamCompliance, ...] = field(default_factory=tuple)
    standard_minutes: int = 90  # the 1:1's standard length (framework 9.1: one and a half hours)
    group_only: bool = False  # the Practice Development Team's view: group supervision held, nothing else


def percent(pair: tuple[int, int]) -> str:
    done, of = pair
    return "none due" if of == 0 else f"{round(100 * done / of)}% ({done} of {of})"


def length_words(t: TeamCompliance) -> str:
    """The last 1:1s of the standard length: "75% (3 of 4); 1 duration not recorded"."""
    done, of = t.full_length
    words = "no duration recorded" if of == 0 else f"{round(100 * done / of)}% ({done} of {of})"
    if of and t.length_not_recorded:
        words += f"; {t.length_not_recorded} duration not recorded"
    return words


def group_words(t: TeamCompliance) -> str:
    return percent(t.group_held) if isinstance(t.group_held, tuple) else "yes" if t.group_held else "no"


def compliance_pairs(t: TeamCompliance, standard_minutes: int = 90, group_only: bool = False
                     ) -> list[tuple[str, str]]:
    """A team's figures as (title, value) pairs; `group_only`: group supervision held alone."""
    if group_only:
        return [("Group supervision held", group_words(t))]
    return [("Supervisees", str(t.supervisees)), ("1:1 in date", percent(t.one_to_one)),
            (f"Last 1:1 of {standard_minutes} minutes or more", length_words(t)),
            ("ASYE in date", percent(t.asye)), ("Case supervision in date", percent(t.case)),
            ("Agreements in date", percent(t.agreement)), ("Group supervision held", group_words(t))] + (
        [("Appraisals in date", percent(t.appraisal))] if t.appraisal is not None else [])


def supervision_compliance_card(view: ComplianceView) -> Element:
    """The month's supervision compliance per team: to each service lead for their teams, to the QA unit and
    the principal social worker for the whole service."""
    title = "Group supervision" if view.group_only else "Supervision compliance"
    body: list[Element] = [heading(f"{title}: {view.month_words}"),
                           text(f"At the end of {view.month_words}, for {view.scope}: {len(view.teams)} "
                                f"team{'s' if len(view.teams) != 1 else ''}.", subtle=True)]
    if view.group_only:
        body.append(text("Each team's group reflective supervision, monthly (framework 9.1), for the Practice "
                         "Development Team, who monitor it.", subtle=True, spacing="None"))
    area = None
    for t in view.teams:
        items: list[Element] = []
        if t.area != area:
            area = t.area
            items.append(subheading(t.area or "No service area"))
        items += [text(t.team, weight="Bolder", spacing="Small"),
                  facts(compliance_pairs(t, view.standard_minutes, view.group_only))]
        body.append(container(items))
    if not view.teams:
        body.append(text("No team has supervisees on the roster."))
    return card(body)


# ---------------------------------------------------------------- away


@dataclass(frozen=True)
class AwayView:
    people: tuple[tuple[int, str], ...]  # (person id, name): the asker first, then their supervisees
    today: date
    current: tuple[str, ...] = ()  # "Ana Diaz: 14 December to 31 December" lines already recorded
    problem: str | None = None
    done: str | None = None


AWAY_WHO, AWAY_FROM, AWAY_TO, AWAY_COVER = "away_who", "away_from", "away_to", "away_cover"


def supervision_away_card(view: AwayView) -> Element:
    """`away`: mark yourself or a supervisee away (from, to; no reason is asked or kept)."""
    body: list[Element] = [heading("Away from supervision"),
                           text("While someone is away, supervision nudges about them wait until they are back, and "
                                "their work (oversight, urgent reviews, alerts, remedial plans, moderation) goes to "
                                "their cover. No reason is asked or kept.", subtle=True)]
    if view.done:
        body.append(text(view.done, color="Good", weight="Bolder"))
    if view.problem:
        body.append(attention(view.problem))
    if view.current:
        body.append(subheading("Recorded"))
        body += [text(line, spacing="None") for line in view.current]
    body += [
        {"type": "Input.ChoiceSet", "id": AWAY_WHO, "label": "Who", "style": "compact", "isRequired": True,
         "errorMessage": "Choose who is away.", "value": str(view.people[0][0]), "choices": [{"title": n, "value": str(i)} for i, n in view.people]},
        {"type": "Input.Date", "id": AWAY_FROM, "label": "From", "value": view.today.isoformat(), "isRequired": True,
         "errorMessage": "Give the first day away."},
        {"type": "Input.Date", "id": AWAY_TO, "label": "To (the last day away)", "min": view.today.isoformat(),
         "isRequired": True, "errorMessage": "Give the last day away."},
        {"type": "Input.Text", "id": AWAY_COVER, "label": "Cover: their email (empty: their own manager)",
         "maxLength": 320, "style": "Email"},
    ]
    return card(body, [execute("Mark away", Verb.AWAY, {"person_id": view.people[0][0]}, inputs="auto",
                                style="positive")])


def supervision_notice_card(title: str, message: str, *, good: bool = False) -> Element:
    """A short answer: a heading and one line (a command for someone it is not for; a session recorded
    on a card the bot cannot rebuild)."""
    return card([heading(title), text(message, color="Good" if good else None, weight="Bolder" if good else None)])
