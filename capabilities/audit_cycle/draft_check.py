"""The draft shared with the case holder for a factual check, before the audit is submitted (framework 9.3:
audits are done "working alongside the case holder"; auditors "hold discussions with the
practitioner/manager"). Optional: offered only when the council sets QA_CASE_HOLDER_DRAFT_CHECK=yes
(config.py); then the auditor's "Draft saved" form carries "Share with <case holder> for a factual check".

- `share_draft`: the auditor (or the QA unit) sends the draft as last saved to the case holder, in their
  personal chat, with a comment box. It may be shared again after changes (each share is a new card).
- `comment_on_draft`: the case holder's comment (free text, screened for identifiers by qa/identifiers.py;
  one per share) is kept with the audit and sent to the auditor.

Nothing here touches the audit's grades or words: the judgement is the auditor's. Who may act is checked
on the server against the sender every time; one transaction each on the kit, with one trail row (lengths
and flags, never the text).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import selectinload

from capabilities.audit_cycle import kinds
from capabilities.audit_cycle.access import may_audit
from capabilities.audit_cycle.case_holder import NOT_FOUND, told
from capabilities.context import Context
from capabilities.kit import NOTHING_CHANGED, Act, Outcome, Status, already, invalid, refuse, unit, use_case
from dialogs import case_holder_cards as ch
from qa.identifiers import first_refusal
from storage.models import Allocation, Audit
from storage.people import active_person

DRAFT_SHARED = "draft_shared_with_case_holder"
DRAFT_COMMENTED = "case_holder_draft_comment"

NOT_OFFERED = f"Sharing the draft with the case holder is not offered by this council. {NOTHING_CHANGED}"
ONLY_AUDITOR = f"Only the auditor allocated this case, or the QA unit, can share its draft. {NOTHING_CHANGED}"
NO_DRAFT = f"There is no saved draft to share yet: press Save draft first. {NOTHING_CHANGED}"
SUBMITTED = ("The audit has been submitted, so the draft can no longer be shared or commented on here; the "
             f"findings come to the case holder after oversight. {NOTHING_CHANGED}")
NO_CASE_HOLDER = ("This case has no case holder on the roster who could check it (or you hold it yourself). "
                  + NOTHING_CHANGED)
NOT_YOURS = f"Only the case holder the draft was shared with can comment on it. {NOTHING_CHANGED}"
_LOADED = (selectinload(Allocation.auditor), selectinload(Allocation.case_holder), selectinload(Allocation.audit))


def draft_view(allocation: Allocation, audit: Audit) -> ch.DraftCheck:
    """Needs `auditor` loaded; the draft as saved, with the comment on its latest share if any."""
    return ch.DraftCheck(audit_id=audit.id, case_ref=allocation.case_ref, auditor_name=allocation.auditor.display_name,
                         shared_at=audit.draft_shared_at, grade=audit.overall_grade or "Not graded yet",
                         key_areas=dict(audit.key_areas or {}), strengths=audit.strengths or "",
                         improvements=audit.improvements or "", comment=audit.case_holder_comment,
                         commented_at=audit.commented_at)


async def _locked(act: Act, allocation_id: int | None) -> Allocation:
    return await act.lock(Allocation, allocation_id, missing=NOT_FOUND, options=_LOADED)


@use_case(Outcome)
async def share_draft(ctx: Context, actor_id: int, allocation_id: int, *, offered: bool, now: datetime,
                      via: str) -> Outcome:
    """Share the draft as last saved with the case holder for a factual check (`offered`: the council's
    QA_CASE_HOLDER_DRAFT_CHECK). A new share clears the comment on the last one (it was about that draft)."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        allocation = await _locked(act, allocation_id)
        if not may_audit(act.actor, allocation):
            refuse(ONLY_AUDITOR)
        if not offered:
            refuse(NOT_OFFERED)
        if allocation.state not in ("allocated", "started"):
            refuse(SUBMITTED)
        audit = allocation.audit
        if audit is None:
            refuse(NO_DRAFT)
        if not told(allocation):
            refuse(NO_CASE_HOLDER)
        again = audit.draft_shared_at is not None
        audit.draft_shared_at, audit.case_holder_comment, audit.commented_at = now, None, None
        view = draft_view(allocation, audit)
        await act.notify(kinds.DRAFT_CHECK, [allocation.case_holder], kinds.DRAFT_CHECK.message(
            view, act.calendar.tz, summary=f"Draft audit of your case {allocation.case_ref}: a factual check"),
            key=f"{kinds.DRAFT_CHECK}:{allocation.id}:{now:%Y%m%dT%H%M%S%f}")
        act.trail("allocation", allocation.id, DRAFT_SHARED, month=allocation.month, again=again,
                  grade=audit.overall_grade)
        return Outcome(Status.DONE, f"Draft shared with {allocation.case_holder.display_name} for a factual check: "
                                    "their comment will come to you here.")


@use_case(Outcome)
async def comment_on_draft(ctx: Context, actor_id: int, audit_id: int, text: str | None, *, now: datetime,
                           via: str) -> Outcome:
    """The case holder's comment on the draft shared with them (once per share; screened for identifiers):
    kept with the audit and sent to the auditor. The audit's grades and words are not touched."""
    async with unit(ctx, actor_id, now=now, via=via) as act:
        audit = await act.get(Audit, audit_id, missing=NOT_FOUND)
        allocation = await _locked(act, audit.allocation_id)
        audit = allocation.audit
        if not (act.actor.active and act.actor.id == allocation.case_holder_id and audit.draft_shared_at):
            refuse(NOT_YOURS)
        if allocation.state not in ("allocated", "started"):
            refuse(SUBMITTED)
        if audit.case_holder_comment is not None:
            already(f"Your comment on this draft is already sent. {NOTHING_CHANGED}",
                    card=ch.draft_check_card(draft_view(allocation, audit), act.calendar.tz))
        typed = text.strip() if isinstance(text, str) else ""
        if not typed:
            invalid("Please write your comment.")
        if refused := first_refusal({"Your comment": typed}):
            invalid(refused)
        if len(typed) > ch.COMMENT_MAX:
            invalid(f"Please keep your comment under {ch.COMMENT_MAX:,} characters.")
        audit.case_holder_comment, audit.commented_at = typed, now
        auditor = await active_person(act.session, allocation.auditor_id)
        if auditor is not None:
            view = ch.DraftComment(case_ref=allocation.case_ref, case_holder_name=act.actor.display_name,
                                   comment=typed, commented_at=now)
            await act.notify(kinds.DRAFT_COMMENT, [auditor], kinds.DRAFT_COMMENT.message(
                view, act.calendar.tz, summary=f"{act.actor.display_name}'s factual check: case {allocation.case_ref}"),
                key=f"{kinds.DRAFT_COMMENT}:{allocation.id}:{audit.draft_shared_at:%Y%m%dT%H%M%S%f}")
        act.trail("allocation", allocation.id, DRAFT_COMMENTED, month=allocation.month, length=len(typed),
                  told=auditor is not None)
        return Outcome(Status.DONE, card=ch.draft_check_card(draft_view(allocation, audit), act.calendar.tz))
