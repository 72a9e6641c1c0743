"""Choosing the month's audit sample from the Annex A lists and pairing each case with an auditor
(framework 9.3, "Selection and distribution": "Cases for the monthly audit will be selected by
Quality Assurance Unit, using the Ofsted Annex A case list"; "Every month, managers are required
to complete a minimum of one audit"). Pure: plain values in, a Proposal out; no database, no clock.

The rules, each a setting (capabilities/sampling/config.py) with the framework's default:

- Every active person in an auditing role (`Rules.auditor_roles`, default practice managers; the
  council may name others, all among qa.allocations.AUDITOR_ROLES) gets at least
  `Rules.per_auditor` cases (default 1: 9.3's "minimum of one audit") and at most
  `Rules.max_per_auditor` (default 2). `Rules.size` (default 0: one round) asks for more cases in
  all, spread up to the maximum.
- A case audited in the last `Rules.lookback_months` months (default 12), in the register or the
  imported history, is not chosen; nor is a closed case (a closure date on or before the day).
- An auditor is never the case holder, the case holder's own line manager, nor in the case's team
  (`Rules.separation` TEAM, the default); with AREA, never in the case's service area either
  (qa.reallocation.why_not is the base rule: role, active, case holder, line manager).
- The sample is stratified across (list, service area) in proportion to the eligible cases: each
  stratum's count is its exact share rounded by largest remainder, so within one case of exact.
- A month with a theme draws from the lists the theme maps to (`Rules.theme_lists`); a theme
  mapped to nothing, or to lists with no eligible case, is reported and every list is used.
- Re-audits owed by escalations (an agreed Inadequate grade, re-audited a month later) come first,
  exempt from the twelve-month rule, with the auditor they already have when they have one.
- Draws are random with `seed`: the same cases, people and seed give the same proposal (the input
  is sorted first, so the file's row order does not matter).
- What cannot be satisfied (an auditor left without a case, too few eligible cases) is reported in
  `Proposal.unmet`, one sentence each, and the proposal is still made: never an exception.
"""
from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from qa.allocations import AUDITOR_ROLES
from qa.framework import Role
from qa.reallocation import Candidate, why_not


class Separation(StrEnum):
    """How far an auditor stands from the case: another team (same service area allowed), or another
    service area altogether."""

    TEAM = "team"
    AREA = "area"


@dataclass(frozen=True)
class Rules:
    """The sampling settings (framework 9.3 defaults)."""

    per_auditor: int = 1
    max_per_auditor: int = 2
    size: int = 0  # cases in all; 0: per_auditor for each auditor
    lookback_months: int = 12
    separation: Separation = Separation.TEAM
    auditor_roles: frozenset[str] = frozenset({Role.PRACTICE_MANAGER})
    theme_lists: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # theme (casefolded) -> lists


@dataclass(frozen=True)
class Case:
    """One child's case from the Annex A lists: reference, list ("List 6"), team and service area
    (the area from the roster's team), the case holder when the roster knows them, and their
    line manager; the closure date when the list gives one."""

    case_ref: str
    annex_a_list: str
    team: str
    service_area: str
    case_holder_id: int | None = None
    line_manager_id: int | None = None
    closed_on: date | None = None


@dataclass(frozen=True)
class Auditor:
    """Someone who may audit: roster id, name, role, team, service areas, active."""

    person_id: int
    name: str
    role: str
    team: str
    service_areas: tuple[str, ...]
    active: bool = True


@dataclass(frozen=True)
class Owed:
    """A re-audit owed this month: the case and the auditor already given it (None: to be matched)."""

    case: Case
    auditor_id: int | None = None


@dataclass(frozen=True)
class Pick:
    """One proposed audit: the case, its auditor (None when nobody eligible was left) and whether it
    is a re-audit."""

    case: Case
    auditor_id: int | None
    reaudit: bool = False


@dataclass
class Proposal:
    """What the rules propose for `month` with `seed`: the picks (re-audits first), and what could not
    be satisfied, one sentence each; `excluded` counts the cases left out and why."""

    month: str
    seed: int
    picks: list[Pick]
    unmet: list[str]
    excluded: dict[str, int]
    theme: str = ""
    lists_used: tuple[str, ...] = ()
    spares: list[Case] = field(default_factory=list)  # eligible cases not drawn, in the draw's order

    def per_auditor(self) -> Counter[int]:
        return Counter(p.auditor_id for p in self.picks if p.auditor_id is not None)

    def per_list(self) -> Counter[str]:
        return Counter(p.case.annex_a_list for p in self.picks)

    def per_area(self) -> Counter[str]:
        return Counter(p.case.service_area for p in self.picks)


def months_between(earlier: str, later: str) -> int:
    """Whole months from `earlier` to `later` (YYYY-MM each): "2026-01" to "2026-12" is 11."""
    ey, em = (int(x) for x in earlier.split("-"))
    ly, lm = (int(x) for x in later.split("-"))
    return (ly - ey) * 12 + (lm - em)


def why_not_auditor(auditor: Auditor, case: Case, rules: Rules) -> str | None:
    """Why `auditor` may not audit `case` (a phrase for a person), or None when they may."""
    base = why_not(Candidate(auditor.person_id, auditor.name, auditor.role, auditor.active),
                   case_holder_id=case.case_holder_id, line_manager_id=case.line_manager_id, current_auditor_id=None)
    if base:
        return base
    if auditor.team.casefold() == case.team.casefold():
        return "is in the case's team"
    if rules.separation is Separation.AREA and case.service_area.casefold() in {a.casefold() for a in auditor.service_areas}:
        return "works in the case's service area"
    return None


def shares(sizes: Mapping[tuple[str, str], int], total: int) -> dict[tuple[str, str], int]:
    """`total` spread over strata in proportion to `sizes` by largest remainder (Hamilton): each
    share is its exact quota rounded down or up, never more than its size; ties go in key order."""
    whole = sum(sizes.values())
    if whole == 0 or total <= 0:
        return dict.fromkeys(sizes, 0)
    total = min(total, whole)
    exact = {k: total * n / whole for k, n in sizes.items()}
    out = {k: int(q) for k, q in exact.items()}
    left = total - sum(out.values())
    for k in sorted(sizes, key=lambda k: (-(exact[k] - out[k]), k))[:left]:
        out[k] += 1
    return out


def propose(month: str, cases: Iterable[Case], auditors: Iterable[Auditor], *, seed: int, rules: Rules = Rules(),
            audited: Mapping[str, str] | None = None, owed: Sequence[Owed] = (), theme: str = "",
            today: date | None = None) -> Proposal:
    """The month's proposal.

    `cases`: the Annex A rows (one per case reference; a reference twice keeps the later list).
    `auditors`: the roster's people who might audit (filtered here by role and active).
    `audited`: {case ref: the latest month it was audited (YYYY-MM)}, register and imported history.
    `owed`: re-audits this month. `theme`: the month's theme ("" none). `today`: closures on or before
    it exclude a case (None: any closure date does). Same arguments and seed, same proposal.
    """
    rng = random.Random(seed)
    audited = audited or {}
    unmet: list[str] = []
    excluded: Counter[str] = Counter()
    people = sorted((a for a in auditors if a.active and a.role in rules.auditor_roles and a.role in AUDITOR_ROLES),
                    key=lambda a: a.person_id)
    by_id = {a.person_id: a for a in people}
    owed_refs = {o.case.case_ref for o in owed}

    unique: dict[str, Case] = {}
    for case in sorted(cases, key=lambda c: (c.case_ref, c.annex_a_list)):
        unique[case.case_ref] = case
    pool: list[Case] = []
    for case in unique.values():
        if case.case_ref in owed_refs:
            continue
        if case.closed_on is not None and (today is None or case.closed_on <= today):
            excluded["closed"] += 1
        elif case.case_ref in audited and 0 <= months_between(audited[case.case_ref], month) <= rules.lookback_months:
            excluded[f"audited in the last {rules.lookback_months} months"] += 1
        elif not case.service_area:
            excluded["team not on the roster"] += 1
        else:
            pool.append(case)

    lists_used: tuple[str, ...] = ()
    if theme:
        wanted = rules.theme_lists.get(theme.casefold(), ())
        fitting = [c for c in pool if _list_key(c.annex_a_list) in {_list_key(x) for x in wanted}]
        if not wanted:
            unmet.append(f"the theme {theme!r} is mapped to no Annex A list (QA_SAMPLE_THEME_LISTS); drawn from every list")
        elif not fitting:
            unmet.append(f"no eligible case is on the lists for the theme {theme!r} ({', '.join(wanted)}); "
                         "drawn from every list")
        else:
            excluded["not on the theme's lists"] += len(pool) - len(fitting)
            pool, lists_used = fitting, tuple(wanted)

    # Re-audits first, with the auditor they have, else matched below.
    load: Counter[int] = Counter()
    picks: list[Pick] = []
    loose_owed: list[Case] = []
    for o in sorted(owed, key=lambda o: o.case.case_ref):
        if o.auditor_id is not None:
            picks.append(Pick(o.case, o.auditor_id, reaudit=True))
            load[o.auditor_id] += 1
        else:
            loose_owed.append(o.case)

    # Slots: each auditor up to per_auditor (first round), then more up to the maximum for `size`.
    first = [a.person_id for a in people for _ in range(max(0, rules.per_auditor - load[a.person_id]))]
    total = max(rules.size, rules.per_auditor * len(people)) - sum(load.values())
    extra: list[int] = []
    room = {a.person_id: rules.max_per_auditor - max(load[a.person_id], rules.per_auditor) for a in people}
    while len(first) + len(extra) < total and any(v > 0 for v in room.values()):
        for pid in sorted(room):
            if room[pid] > 0 and len(first) + len(extra) < total:
                extra.append(pid)
                room[pid] -= 1
    if len(first) + len(extra) < total:
        unmet.append(f"{total} cases were asked for but {len(people)} auditors at most {rules.max_per_auditor} "
                     f"each take {len(first) + len(extra)}")
    for pid, n in sorted(load.items()):
        if n > rules.max_per_auditor:
            unmet.append(f"{_name(by_id, pid)} has {n} re-audits this month, more than the {rules.max_per_auditor} "
                         "a month allows")

    draw_count = max(0, len(first) + len(extra) - len(loose_owed))
    strata: dict[tuple[str, str], list[Case]] = defaultdict(list)
    for case in pool:
        strata[(case.annex_a_list, case.service_area)].append(case)
    for members in strata.values():
        rng.shuffle(members)
    wanted_n = shares({k: len(v) for k, v in strata.items()}, draw_count)
    if draw_count > len(pool):
        unmet.append(f"{draw_count} cases were wanted but only {len(pool)} are eligible")
    drawn: list[tuple[Case, bool]] = [(c, True) for c in loose_owed]
    spare: dict[tuple[str, str], list[Case]] = {}
    for key in sorted(strata):
        members = strata[key]
        drawn += [(c, False) for c in members[:wanted_n[key]]]
        spare[key] = members[wanted_n[key]:]

    slots = first + extra
    match = _match(slots, [c for c, _ in drawn], by_id, rules, rng, first=len(first))
    # An auditor left out of the first round: swap an unmatched drawn case for a spare one of the
    # same stratum they may audit (keeps the proportions), else of any stratum (reported).
    unmatched_cases = [i for i in range(len(drawn)) if i not in match.values()]
    for s in range(len(first)):
        if s in match or not unmatched_cases:
            continue
        auditor = by_id[slots[s]]
        for same_only in (True, False):
            swapped = _swap(auditor, unmatched_cases, drawn, spare, rules, same_only)
            if swapped is not None:
                i, key = swapped
                match[s] = i
                unmatched_cases.remove(i)
                if not same_only:
                    unmet.append(f"a case from {key[0]}, {key[1]} was drawn out of proportion so that "
                                 f"{auditor.name} has a case they may audit")
                break
    chosen = {i: slots[s] for s, i in match.items()}
    for i, (case, reaudit) in enumerate(drawn):
        if i in chosen:
            picks.append(Pick(case, chosen[i], reaudit))
        elif reaudit:
            picks.append(Pick(case, None, True))
            unmet.append(f"re-audit {case.case_ref} has no eligible auditor left")
    covered = {p.auditor_id for p in picks}
    for a in people:
        if a.person_id not in covered:
            unmet.append(f"{a.name} has no case: none left that they may audit")
    order = {c.case_ref: n for n, (c, _) in enumerate(drawn)}
    picks.sort(key=lambda p: (not p.reaudit, order.get(p.case.case_ref, -1), p.case.case_ref))
    # What a swap may take later: the eligible cases not drawn, and drawn ones nobody could audit.
    left = [c for i, (c, reaudit) in enumerate(drawn) if i not in chosen and not reaudit]
    spares = left + [c for key in sorted(spare) for c in spare[key]]
    return Proposal(month, seed, picks, unmet, dict(excluded), theme, lists_used, spares)


def _list_key(name: str) -> str:
    """"List 6", "list 6 - Children in Need", "6" all read as "6"; other names as written, casefolded."""
    words = name.casefold().replace("-", " ").split()
    if words and words[0] == "list" and len(words) > 1:
        return words[1]
    return words[0] if words and words[0].isdigit() else name.casefold().strip()


def _name(by_id: Mapping[int, Auditor], pid: int) -> str:
    return by_id[pid].name if pid in by_id else f"person {pid}"


def _match(slots: list[int], cases: list[Case], by_id: Mapping[int, Auditor], rules: Rules, rng: random.Random,
           *, first: int) -> dict[int, int]:
    """{slot index: case index}: a maximum matching of auditor slots to cases they may audit
    (Kuhn's augmenting paths, after a greedy pass). First-round slots (`first` of them) are matched
    before the rest, and an augmenting path never unmatches a slot, so as many auditors as possible
    get their first case. Each auditor looks at the cases in one seeded order from their own seeded
    starting point; eligibility is `why_not_auditor`'s (the auditors here are active and in an
    auditing role), worked out when first needed and kept."""
    n = len(cases)
    order = list(range(n))
    rng.shuffle(order)
    begin = {pid: rng.randrange(n) if n else 0 for pid in dict.fromkeys(slots)}
    team = [c.team.casefold() for c in cases]
    area = [c.service_area.casefold() for c in cases]
    own_team = {pid: by_id[pid].team.casefold() for pid in begin}
    own_areas = {pid: frozenset(a.casefold() for a in by_id[pid].service_areas) for pid in begin}
    by_area = rules.separation is Separation.AREA
    cache: dict[tuple[int, int], bool] = {}

    def ok(pid: int, i: int) -> bool:
        key = (pid, i)
        found = cache.get(key)
        if found is None:
            c = cases[i]
            found = (pid != c.case_holder_id and pid != c.line_manager_id and own_team[pid] != team[i]
                     and not (by_area and area[i] in own_areas[pid]))
            cache[key] = found
        return found

    def options(slot: int) -> Iterator[int]:
        pid = slots[slot]
        k = begin[pid]
        for j in range(n):
            i = order[(k + j) % n]
            if ok(pid, i):
                yield i

    owner: dict[int, int] = {}  # case index -> slot index
    matched: set[int] = set()

    def greedy(s: int) -> None:
        for i in options(s):
            if i not in owner:
                owner[i] = s
                matched.add(s)
                return

    def augment(s: int) -> None:
        seen: set[int] = set()
        stack = [(s, options(s))]
        path: list[tuple[int, int]] = []
        while stack:
            slot, choices = stack[-1]
            for i in choices:
                if i in seen:
                    continue
                seen.add(i)
                if i not in owner:
                    owner[i] = slot
                    for prev_slot, prev_i in reversed(path):
                        owner[prev_i] = prev_slot
                    matched.add(s)
                    return
                path.append((slot, i))
                stack.append((owner[i], options(owner[i])))
                break
            else:
                stack.pop()
                if path:
                    path.pop()

    for part in (range(first), range(first, len(slots))):
        for s in part:
            greedy(s)
        for s in part:
            if s not in matched:
                augment(s)
    return {slot: i for i, slot in owner.items()}


def _swap(auditor: Auditor, unmatched: list[int], drawn: list[tuple[Case, bool]],
          spare: dict[tuple[str, str], list[Case]], rules: Rules, same_only: bool) -> tuple[int, tuple[str, str]] | None:
    """Replace an unmatched drawn case (not a re-audit) by a spare one `auditor` may audit: from the
    same stratum when `same_only`, else from any. Returns (index replaced, the spare's stratum)."""
    for i in unmatched:
        case, reaudit = drawn[i]
        if reaudit:
            continue
        home = (case.annex_a_list, case.service_area)
        for key in ([home] if same_only else sorted(spare)):
            for n, other in enumerate(spare.get(key, [])):
                if why_not_auditor(auditor, other, rules) is None:
                    drawn[i] = (other, False)
                    spare[key].pop(n)
                    spare.setdefault(home, []).append(case)
                    return i, key
    return None


# ------------------------------------------------------------ changing a proposal
# The QA unit may swap, move or remove one case of a proposal, or draw it again (framework 9.3:
# the QA unit selects the cases). Each change keeps the rules above or is refused with the rule it
# would break, naming it for a person; nothing is changed then.


@dataclass(frozen=True)
class Refused:
    """A change the rules do not allow: `rule` names it for a person, as a sentence."""

    rule: str


def _count(picks: Sequence[Pick], auditor_id: int | None) -> int:
    return sum(1 for p in picks if p.auditor_id == auditor_id) if auditor_id is not None else 0


def _find(picks: Sequence[Pick], case_ref: str) -> Pick | Refused:
    for p in picks:
        if p.case.case_ref.casefold() == case_ref.strip().casefold():
            return p
    # What was typed is never repeated: it could be anything, a child's name included.
    return Refused("that case reference is not in this sample (type it as the card or the workbook lists it)")


def _leaves_short(picks: Sequence[Pick], pick: Pick, by_id: Mapping[int, Auditor], rules: Rules) -> Refused | None:
    """Taking `pick` from its auditor would leave them under the month's minimum (9.3)."""
    if pick.auditor_id is None or pick.auditor_id not in by_id:
        return None
    if _count(picks, pick.auditor_id) - 1 < rules.per_auditor:
        return Refused(f"{by_id[pick.auditor_id].name} would have {_count(picks, pick.auditor_id) - 1} cases, fewer than "
                       f"the {rules.per_auditor} every auditor audits each month (QA_SAMPLE_PER_MANAGER)")
    return None


def _auditing(auditors: Iterable[Auditor], rules: Rules) -> dict[int, Auditor]:
    return {a.person_id: a for a in auditors if a.active and a.role in rules.auditor_roles and a.role in AUDITOR_ROLES}


def check_move(picks: Sequence[Pick], case_ref: str, auditor_id: int, auditors: Iterable[Auditor],
               rules: Rules = Rules()) -> Pick | Refused:
    """Moving the case `case_ref` of `picks` to the auditor `auditor_id` (a roster id): the pick it
    becomes, or Refused naming the rule it would break: the auditor must be active and in an auditing
    role (Rules.auditor_roles), may audit the case (why_not_auditor: not its holder, their line manager,
    its team, nor with AREA its service area), must stay at or under Rules.max_per_auditor; and the
    auditor it leaves must keep Rules.per_auditor. Pure."""
    found = _find(picks, case_ref)
    if isinstance(found, Refused):
        return found
    everyone = {a.person_id: a for a in auditors}
    by_id = _auditing(everyone.values(), rules)
    if auditor_id not in by_id:
        who = everyone[auditor_id].name if auditor_id in everyone else "That person"
        return Refused(f"{who} is not someone who audits this month (active, in an auditing role: "
                       f"{', '.join(sorted(r.replace('_', ' ') for r in rules.auditor_roles))})")
    auditor = by_id[auditor_id]
    if found.auditor_id == auditor_id:
        return Refused(f"{found.case.case_ref} is {auditor.name}'s already")
    why = why_not_auditor(auditor, found.case, rules)
    if why:
        return Refused(f"{auditor.name} {why}, so may not audit {found.case.case_ref}")
    if _count(picks, auditor_id) + 1 > rules.max_per_auditor:
        return Refused(f"{auditor.name} would have {_count(picks, auditor_id) + 1} cases, more than the "
                       f"{rules.max_per_auditor} an auditor has in a month (QA_SAMPLE_MAX_PER_AUDITOR)")
    short = _leaves_short(picks, found, by_id, rules)
    return short or Pick(found.case, auditor_id, found.reaudit)


def check_remove(picks: Sequence[Pick], case_ref: str, auditors: Iterable[Auditor], rules: Rules = Rules()) -> Pick | Refused:
    """Removing the case `case_ref` from `picks`: the pick removed, or Refused: a re-audit an
    escalation owes stays (9.3, re-audited a month after an agreed Inadequate grade), and its auditor
    must keep Rules.per_auditor cases. Pure."""
    found = _find(picks, case_ref)
    if isinstance(found, Refused):
        return found
    if found.reaudit:
        return Refused(f"{found.case.case_ref} is a re-audit an escalation owes this month; it stays in the sample")
    return _leaves_short(picks, found, _auditing(auditors, rules), rules) or found


def replacement(picks: Sequence[Pick], case_ref: str, spares: Sequence[Case], auditors: Iterable[Auditor],
                rules: Rules = Rules()) -> tuple[Pick, Case] | Refused:
    """Swapping the case `case_ref` of `picks` for another eligible one: (the pick swapped out, the
    case that takes its place with the same auditor), or Refused. The replacement is the first of
    `spares` (eligible cases not drawn, in the draw's seeded order) on the same Annex A list and in
    the same service area (so each stratum keeps its share) that the auditor may audit
    (why_not_auditor) and that is not in the sample already. A re-audit is not swapped. Pure."""
    found = _find(picks, case_ref)
    if isinstance(found, Refused):
        return found
    if found.reaudit:
        return Refused(f"{found.case.case_ref} is a re-audit an escalation owes this month; it cannot be swapped")
    by_id = {a.person_id: a for a in auditors}
    auditor = by_id.get(found.auditor_id) if found.auditor_id is not None else None
    taken = {p.case.case_ref for p in picks}
    home = (_list_key(found.case.annex_a_list), found.case.service_area.casefold())
    for case in spares:
        if case.case_ref in taken or (_list_key(case.annex_a_list), case.service_area.casefold()) != home:
            continue
        if auditor is not None and why_not_auditor(auditor, case, rules) is not None:
            continue
        return found, case
    whose = f" that {auditor.name} may audit" if auditor is not None else ""
    return Refused(f"no other eligible case on {found.case.annex_a_list} in {found.case.service_area or 'its service area'}"
                   f"{whose} is left (a swap keeps each list and service area's share of the sample)")


def redraw(proposal_month: str, picks: Sequence[Pick], spares: Sequence[Case], auditors: Iterable[Auditor], *,
           seed: int, rules: Rules = Rules(), theme: str = "") -> Proposal:
    """The proposal drawn again with a new `seed` from the same eligible cases: those in the sample
    (but re-audits) and `spares`; the re-audits stay first with their auditors. The exclusions the
    first draw made (closed, audited lately, off the theme's lists) hold, as these cases passed them;
    `theme` is kept for the record only. Pure: the same arguments give the same proposal."""
    owed = [Owed(p.case, p.auditor_id) for p in picks if p.reaudit]
    cases = [p.case for p in picks if not p.reaudit] + list(spares)
    drawn = propose(proposal_month, cases, auditors, seed=seed, rules=rules, owed=owed)
    drawn.theme = theme
    return drawn


_COVERAGE = (" has no case: ", " has no eligible auditor left", " has only ")


def still_unmet(drawn: Sequence[str], picks: Sequence[Pick], auditors: Iterable[Auditor], rules: Rules = Rules()) -> list[str]:
    """What the proposal cannot satisfy now, after changes: the draw's sentences (`drawn`, Proposal.unmet)
    but those about who has a case, which are worked out again from `picks`: each auditor under
    Rules.per_auditor, each re-audit with no auditor. Pure."""
    out = [line for line in drawn if not any(mark in line for mark in _COVERAGE)]
    counts = Counter(p.auditor_id for p in picks if p.auditor_id is not None)
    for p in picks:
        if p.reaudit and p.auditor_id is None:
            out.append(f"re-audit {p.case.case_ref} has no eligible auditor left")
    for a in sorted(_auditing(auditors, rules).values(), key=lambda a: a.person_id):
        if counts[a.person_id] == 0 and rules.per_auditor > 0:
            out.append(f"{a.name} has no case: none left that they may audit")
        elif counts[a.person_id] < rules.per_auditor:
            out.append(f"{a.name} has only {counts[a.person_id]} of the {rules.per_auditor} cases each auditor audits")
    return out
