"""Personal development plan and training needs cards (framework 9.2). Pure: views in, JSON out.

- `pdp_card`: to the manager who recorded an appraisal as held (or typed `pdp <email>`): the council's learning
  topics as a multi-select and a short note of any other learning need, with **Save the plan**. Buttons carry
  ids only (the person's id and the appraisal's month); the server re-checks who may save and screens the note.
- `training_needs_card`: `training needs` for the QA unit and the principal social worker: the learning most
  asked for beside the key areas graded weakest, with **Send me the workbook**.
Nothing here holds what an appraisal said: topic tags and dates.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dialogs.card_kit import card, container, execute, facts, format_day, heading, subheading, text

Element = dict[str, Any]
TOPICS_INPUT = "pdpTopics"
NOTE_INPUT = "pdpNote"
NOTE_MAX = 300  # qa.training_needs.NOTE_MAX (dialogs do not import the rules' thresholds twice: tested equal)
TOP_SHOWN = 10  # topics on the training needs card (the workbook has them all)


class Verb:
    SAVE = "workforce.pdp_save"  # the PDP's topics and note, saved
    SEND_TNA = "workforce.training_needs_send"  # the training needs workbook, offered through the file consent card


@dataclass(frozen=True)
class TopicChoice:
    id: str
    label: str
    group: str = ""


@dataclass(frozen=True)
class PdpView:
    """A PDP form: whose, the appraisal it belongs to, the topics to pick from and what is already chosen."""

    person_id: int
    name: str
    appraisal_on: date
    choices: tuple[TopicChoice, ...]
    chosen: tuple[str, ...] = ()
    note: str | None = None
    message: str | None = None  # a refusal or "saved", shown above the form
    good: bool = False  # the message is a confirmation


def pdp_card(view: PdpView) -> Element:
    """The PDP form (see the module notes)."""
    body: list[Element] = [heading(f"Personal development plan: {view.name}"), text(
        f"Appraisal held {format_day(view.appraisal_on)}. Pick the learning agreed in the plan from the council's "
        "list; the collated needs make the service's training needs analysis. Record the topics only: the plan "
        "itself stays in your records.", subtle=True)]
    if view.message:
        body.append(text(view.message, color="Good" if view.good else "Attention", weight="Bolder"))
    known = {c.id for c in view.choices}
    body.append({"type": "Input.ChoiceSet", "id": TOPICS_INPUT, "isMultiSelect": True, "style": "expanded",
                 "label": "Learning needs",
                 "value": ",".join(t for t in view.chosen if t in known),
                 "choices": [{"title": f"{c.label} ({c.group})" if c.group else c.label, "value": c.id}
                             for c in view.choices]})
    note: Element = {"type": "Input.Text", "id": NOTE_INPUT, "label": "Any other learning need (optional)",
                     "maxLength": NOTE_MAX, "isMultiline": True,
                     "placeholder": "A few words on the learning: no names of children or families"}
    if view.note:
        note["value"] = view.note[:NOTE_MAX]
    body.append(note)
    return card(body, [execute("Save the plan", Verb.SAVE,
                               {"person_id": view.person_id, "month": f"{view.appraisal_on:%Y-%m}"},
                               inputs="auto", style="positive")])


def pdp_saved_words(name: str, labels: list[str], note: bool) -> str:
    """What the card says once saved."""
    what = "; ".join(labels) if labels else "no topics from the list"
    return f"Saved for {name}: {what}{' and another learning need' if note else ''}. You can change it here."


@dataclass(frozen=True)
class NeedLine:
    label: str
    plans: int


@dataclass(frozen=True)
class WeakArea:
    area: str
    good_or_better: int
    judged: int
    learning: tuple[str, ...]  # labels of topics on the list for this key area


@dataclass(frozen=True)
class TrainingNeedsView:
    day: date
    period: str  # the audits' period the key areas are graded over, "September to November 2026"
    plans: int  # current plans counted
    staff: int  # people on the roster with a manager
    asked: tuple[NeedLine, ...]  # the whole service's, most asked first
    weakest: tuple[WeakArea, ...]
    offer_button: bool = True  # False: the workbook comes with the card (the quarterly message's consent card)


def training_needs_card(view: TrainingNeedsView) -> Element:
    """`training needs`: the whole service's learning most asked for, the key areas graded weakest beside it, and
    the workbook (by team, service area and whole service) offered through the file consent card."""
    body: list[Element] = [heading("Training needs analysis"), text(
        f"{format_day(view.day)}: {view.plans} current personal development plan{'s' if view.plans != 1 else ''} "
        f"(appraisals in the last twelve months) of {view.staff} staff with a manager on the roster.", subtle=True)]
    body.append(subheading("Learning most asked for"))
    if view.asked:
        body.append(facts([(line.label, f"{line.plans} plan{'s' if line.plans != 1 else ''}")
                           for line in view.asked[:TOP_SHOWN]]))
        if len(view.asked) > TOP_SHOWN:
            body.append(text(f"And {len(view.asked) - TOP_SHOWN} more topics in the workbook.", subtle=True))
    else:
        body.append(text("No plans recorded yet: managers pick the learning when they record an appraisal as held.",
                         subtle=True))
    body.append(subheading(f"Key areas graded weakest, {view.period}"))
    if view.weakest:
        body += [container([text(f"{w.area}: {round(100 * w.good_or_better / w.judged)}% Good or better "
                                 f"({w.good_or_better} of {w.judged})", weight="Bolder"),
                            text("Learning on the list for it: " + ("; ".join(w.learning) if w.learning
                                                                     else "none"), subtle=True, spacing="None")])
                 for w in view.weakest[:3]]
    else:
        body.append(text("No audits judged the key areas in this period.", subtle=True))
    if not view.offer_button:
        return card([*body, text("The workbook (by team, service area and whole service) follows: press Allow on "
                                 "the file card to save it.", subtle=True)])
    return card(body, [execute("Send me the workbook", Verb.SEND_TNA, {}, style="positive")])


def pdp_notice_card(message: str, title: str = "Personal development plan") -> Element:
    """A workforce command answered without its card (`pdp`, `training needs`, `registration`): how to type it,
    or why not."""
    return card([heading(title), text(message)])
