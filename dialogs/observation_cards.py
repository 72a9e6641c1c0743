"""Cards for observations of practice, feedback entries and walking the floor (framework sections
11, 9.4, 14 and 6). Pure builders: view data in, Adaptive Card JSON out. Typed text is shown
literally (card_kit.quote). Buttons carry ids only; a button that starts a conversation about
someone sends its words back as typed text (imBack), as the dialogs' own buttons do.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from dialogs.card_kit import (
    Element,
    action_set,
    attention,
    card,
    container,
    excerpt,
    execute,
    facts,
    format_day,
    format_moment,
    heading,
    quote,
    show_card,
    subheading,
    text,
    text_input,
)

REFLECT = "observation.reflect"
FAMILY_VIEW_NOT_POSSIBLE = "feedback.family-view-not-possible"
NOT_POSSIBLE_TO_ASK = "Not possible to ask"  # an audit's family view that could not be sought
REFLECTION = "reflection"
REFLECTION_MAX = 2000
REASON = "reason"
REASON_MAX = 500
DIGEST_ENTRIES = 12  # the digest card shows the latest entries; the export has them all
DIGEST_EXCERPT = 400  # characters of each entry's words on the digest card
NO_NAMES = "Please write about practice only: no child's or family member's name, date of birth, address, " \
           "phone number or email."



def typed_button(title: str, words: str) -> Element:
    """A button that sends `words` as if typed (imBack): it starts a conversation."""
    return {"type": "Action.Submit", "title": title, "data": {"msteams": {"type": "imBack", "value": words}}}


def _day(d: date | None) -> str:
    return format_day(d) if d else "never"


def polite_message_card(title: str, message: str) -> Element:
    """Why nothing changed (a press by someone who may not act, or on an old copy)."""
    return card([heading(title), text(message)])


# --- observations --------------------------------------------------------------------------

@dataclass(frozen=True)
class ObservationView:
    observation_id: int
    observer_name: str
    supervisee_name: str
    observed_on: date
    area: str
    went_well: str
    to_develop: str
    actions: Sequence[str]
    reflection: str | None = None
    reflected_at: datetime | None = None


def _observation_body(view: ObservationView) -> list[Element]:
    body = [facts([("Observed", view.supervisee_name), ("By", view.observer_name),
                   ("On", format_day(view.observed_on)), ("Area of practice", view.area)]),
            subheading("What went well"), quote(view.went_well),
            subheading("What to develop"), quote(view.to_develop),
            subheading("Action plan (reviewed at the next 1:1 supervision)")]
    body += [quote(f"{n}. {action}") for n, action in enumerate(view.actions, 1)]
    return body


def observation_notice_card(view: ObservationView, error: str | None = None) -> Element:
    """To the supervisee: the observation, and a box for their own reflection."""
    body = [heading("Observation of your practice"), *_observation_body(view),
            subheading("Your reflection"),
            text("Add your own reflection on the observation and the action plan. " + NO_NAMES, subtle=True),
            text_input(REFLECTION, "Your reflection", max_length=REFLECTION_MAX, multiline=True, required=True,
                       error_message="Please write your reflection first.")]
    if error:
        body.append(attention(error))
    return card(body, [execute("Add my reflection", REFLECT, {"observation_id": view.observation_id},
                                inputs="auto", style="positive")])


def observation_record_card(view: ObservationView, tz: tzinfo) -> Element:
    """The observation as recorded, with the reflection when there is one (no buttons)."""
    body = [heading("Observation of practice"), *_observation_body(view)]
    if view.reflection:
        body += [subheading(f"{view.supervisee_name}'s reflection"), quote(view.reflection)]
        if view.reflected_at:
            body.append(text(f"Added {format_moment(view.reflected_at, tz)}", subtle=True))
    return card(body)


@dataclass(frozen=True)
class DueRow:
    person_name: str
    team: str
    last_observed: date | None


def observations_card(manager_name: str, rows: Sequence[DueRow], today: date) -> Element:
    """`observations`: each supervisee's last observation, most overdue first, with `observe`."""
    body = [heading("Observations of your supervisees"),
            text(f"{manager_name}: each supervisee is observed at least once every twelve months. "
                 f"As of {format_day(today)}:", subtle=True)]
    if not rows:
        body.append(text("You have no supervisees on the roster."))
    for row in rows:
        body.append(container([facts([("Name", row.person_name), ("Team", row.team or "-"),
                                       ("Last observed", _day(row.last_observed))]),
                               action_set([typed_button(f"Observe {row.person_name}",
                                                        f"observe {row.person_name}")])], separator=True))
    return card(body)


def practice_week_card(manager_name: str, week: date, rows: Sequence[DueRow]) -> Element:
    """At the start of a practice week: the supervisees not observed in the last twelve months."""
    body = [heading(f"Practice week from {format_day(week)}"),
            text(f"{manager_name}, practice weeks are the ideal time to observe practice. These supervisees "
                 "have not been observed by you in the last twelve months:", subtle=True)]
    for row in rows:
        body.append(container([facts([("Name", row.person_name), ("Team", row.team or "-"),
                                       ("Last observed", _day(row.last_observed))]),
                               action_set([typed_button(f"Observe {row.person_name}",
                                                        f"observe {row.person_name}")])], separator=True))
    return card(body)


@dataclass(frozen=True)
class CoverageRow:
    service_area: str
    team: str
    observed: int
    people: int


def coverage_card(week: date, rows: Sequence[CoverageRow]) -> Element:
    """At the end of a practice week, for the QA unit: observed in the last twelve months, by team."""
    body = [heading(f"Observation coverage: practice week from {format_day(week)}"),
            text("People observed in the last twelve months, by service area and team.", subtle=True)]
    area = None
    for row in rows:
        if row.service_area != area:
            area = row.service_area
            body.append(subheading(area or "No service area"))
        share = row.observed * 100 // row.people if row.people else 0
        body.append(facts([(row.team or "No team", f"{row.observed} of {row.people} ({share}%)")]))
    if not rows:
        body.append(text("No one on the roster has a supervisor yet."))
    return card(body)


# --- feedback --------------------------------------------------------------------------------

@dataclass(frozen=True)
class FeedbackView:
    entry_id: int
    author_name: str
    source: str
    service_area: str
    team: str
    case_ref: str | None
    how_given: str  # the channel: conversation, letter or email ... ("Not recorded" for entries before it was asked)
    rating: int | None
    said: str
    recorded_at: datetime
    not_possible: bool = False
    kind: str = ""  # complaint, compliment, or comment or suggestion


# Said on every complaint recorded: the bot's record is for learning, not the statutory procedure.
NOT_A_STATUTORY_COMPLAINT = (
    "Recording a complaint here is not making a complaint under the council's statutory complaints "
    "procedure (the Children Act 1989 representations and complaints procedure), and it does not start "
    "one. If the child, young person or family wants to complain, tell them how: through the council's "
    "complaints team (the \"Make a complaint\" page of the council's website, or by phone or letter), and "
    "a child or young person can have an advocate to help them.")


def _feedback_facts(view: FeedbackView, tz: tzinfo) -> Element:
    pairs = [("From", view.source or "-")]
    if view.kind:
        pairs.append(("Kind", view.kind))
    pairs += [("How it was given", view.how_given or "-"), ("Service area", view.service_area), ("Team", view.team)]
    if view.case_ref:
        pairs.append(("Case ref", view.case_ref))
    if view.rating is not None:
        pairs.append(("Rating", f"{view.rating} of 5"))
    pairs += [("Recorded by", view.author_name), ("When", format_moment(view.recorded_at, tz))]
    return facts(pairs)


def feedback_alert_card(view: FeedbackView, tz: tzinfo) -> Element:
    """To the QA unit at once: a complaint or a compliment (framework section 14). A complaint's card
    says plainly that this is not the council's statutory complaints procedure, and how to make one."""
    body = [heading(f"{view.kind or 'Feedback'} recorded"), _feedback_facts(view, tz), subheading("What was said"),
            quote(view.said)]
    if view.kind == "Complaint":
        body.append(text(NOT_A_STATUTORY_COMPLAINT, weight="Bolder"))
    return card(body)


@dataclass(frozen=True)
class FeedbackDigest:
    month: str  # "December 2026"
    by_source: Mapping[str, int]
    by_area: Mapping[str, int]
    by_rating: Mapping[str, int]
    complaints: int
    compliments: int
    entries: Sequence[FeedbackView] = field(default_factory=tuple)

    @classmethod
    def of(cls, month: str, entries: Sequence[FeedbackView], sources: Sequence[str]) -> FeedbackDigest:
        """The digest of `entries`, every count made from them, so each breakdown adds up to the entries:
        by source (in `sources`' order, then NOT_POSSIBLE_TO_ASK), by service area (sorted), by rating
        (1 to 5 of 5, then "No rating"), and the complaints and compliments among them."""
        by_source = Counter(e.source if e.source and not e.not_possible else NOT_POSSIBLE_TO_ASK for e in entries)
        by_area = Counter(e.service_area or "-" for e in entries)
        by_rating = Counter(f"{e.rating} of 5" if e.rating else "No rating" for e in entries)
        ratings = [*(f"{n} of 5" for n in range(1, 6)), "No rating"]
        return cls(month=month,
                   by_source={s: by_source[s] for s in [*sources, NOT_POSSIBLE_TO_ASK] if by_source[s]},
                   by_area=dict(sorted(by_area.items())),
                   by_rating={k: by_rating[k] for k in ratings if by_rating[k]},
                   complaints=sum(e.kind == "Complaint" for e in entries),
                   compliments=sum(e.kind == "Compliment" for e in entries),
                   entries=tuple(entries))


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def feedback_digest_card(digest: FeedbackDigest, tz: tzinfo) -> Element:
    """Monthly, to the principal social worker and the QA unit (framework 9.4, 14, 6)."""
    body = [heading(f"Feedback in {digest.month}"),
            text(f"{_count(len(digest.entries), 'entry', 'entries')}: {_count(digest.complaints, 'complaint')}, "
                 f"{_count(digest.compliments, 'compliment')}.")]
    for title, counts in (("By source", digest.by_source), ("By service area", digest.by_area),
                          ("By rating", digest.by_rating)):
        if counts:
            body += [subheading(title), facts([(k, str(v)) for k, v in counts.items()])]
    shown = list(digest.entries)[-DIGEST_ENTRIES:]
    if shown:
        body.append(subheading("The entries"))
    for view in shown:
        body.append(container([_feedback_facts(view, tz),
                               quote(excerpt(view.said if not view.not_possible else f"Not possible: {view.said}",
                                             DIGEST_EXCERPT))],
                              separator=True))
    if len(digest.entries) > len(shown) or any(len(v.said) > DIGEST_EXCERPT for v in shown):
        body.append(text(f"{len(shown)} of {len(digest.entries)} shown, shortened.", subtle=True))
    return card(body)


@dataclass(frozen=True)
class FamilyViewOwed:
    allocation_id: int
    case_ref: str
    submitted_on: date


def family_view_buttons(owed: FamilyViewOwed, error: str | None = None) -> list[Element]:
    """Record the family's view (starts `feedback` about this audit), or say it was not possible."""
    reason_body = [text_input(REASON, "Why it was not possible", max_length=REASON_MAX, multiline=True,
                              required=True, error_message="Please say why.")]
    if error:
        reason_body.append(attention(error))
    return [typed_button("Record the family's view", f"feedback audit {owed.allocation_id}"),
            show_card("Not possible", reason_body,
                      [execute("Save", FAMILY_VIEW_NOT_POSSIBLE, {"allocation_id": owed.allocation_id},
                                inputs="auto")])]


def family_view_reminder_card(owed: FamilyViewOwed, error: str | None = None) -> Element:
    """Ten working days after an audit that asked for the family's view, when none is recorded."""
    return card([heading("The family's view is still to record"),
                 text(f"Your audit of {owed.case_ref}, submitted {format_day(owed.submitted_on)}, said the child "
                      "or family should be asked for their views (framework 9.4). Record what they said, or say "
                      "why it was not possible."),
                 action_set(family_view_buttons(owed, error))])


def family_view_done_card(case_ref: str, not_possible: bool) -> Element:
    what = "not possible, with your reason" if not_possible else "recorded"
    return card([heading("The family's view"), text(f"{case_ref}: {what}. Thank you.")])


# --- walking the floor -----------------------------------------------------------------------

@dataclass(frozen=True)
class WalkTeamRow:
    team: str
    walks: int
    themes: Mapping[str, int]
    notes: Sequence[str] = ()


def walk_digest_card(month: str, rows: Sequence[WalkTeamRow]) -> Element:
    """Monthly, to the QA unit: the themes senior managers noted walking the floor, by team."""
    body = [heading(f"Walking the floor in {month}"),
            text("Themes senior managers noted, by team (framework section 11).", subtle=True)]
    for row in rows:
        themes = ", ".join(f"{theme} ({count})" for theme, count in row.themes.items())
        items = [subheading(row.team, separator=False), facts([("Walks", str(row.walks)), ("Themes", themes)])]
        items += [quote(note) for note in row.notes[:10]]
        body.append(container(items, separator=True))
    if not rows:
        body.append(text("No walks were recorded this month."))
    return card(body)
