"""The month's audit sample as proposed from the Annex A lists (framework 9.3, qa/sampling.py): the
proposal (month, seed, what the rules could not satisfy) and its picks, until the QA unit confirms
it into the month's allocations. Case references only: nothing else of the extract is kept."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class SampleProposal(Base):
    """One month's proposed sample: the seed that drew it (the same file and seed draw it again), the
    file's name, the theme, and the summary shown (counts, and what could not be satisfied: staff
    names and case references only). `confirmed_at` once it became the month's allocations."""

    __tablename__ = "sample_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)
    seed: Mapped[int] = mapped_column(BigInteger)
    source_name: Mapped[str] = mapped_column(String(300))
    theme: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[dict]  # {"unmet": [...], "excluded": {why: n}, "extract": [lines]}
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    proposed_at: Mapped[datetime]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class SamplePick(Base):
    """One proposed audit: the case, where it sits (list, service area, team), its case holder and
    proposed auditor (None when nobody eligible was left), and whether it is a re-audit; or, by
    `state`, an eligible case not drawn, or one the QA unit took out."""

    __tablename__ = "sample_picks"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("sample_proposals.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    case_ref: Mapped[str] = mapped_column(String(50))
    annex_a_list: Mapped[str] = mapped_column(String(100))
    service_area: Mapped[str] = mapped_column(String(200))
    team: Mapped[str] = mapped_column(String(200))
    case_holder_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    auditor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    reaudit: Mapped[bool] = mapped_column(Boolean, default=False)
    # "picked": in the sample; "spare": eligible, not drawn (what a swap may take); "out": swapped
    # out or removed by the QA unit (never drawn again for this proposal).
    state: Mapped[str] = mapped_column(String(10), default="picked", server_default="picked")
