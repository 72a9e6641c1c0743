"""The audit sample (framework 9.3 "Selection and distribution"): the QA unit's month's cases chosen
from the Annex A lists by the rules in qa/sampling.py, read by qa/annex_a.py, kept by storage/sampling.py
until confirmed into the month's allocations."""
from __future__ import annotations

from capabilities.registry import Capability, RetentionRule
from capabilities.sampling.cli import CLI
from qa.retention import AUDIT_RECORDS
from storage.sampling import past_picks, past_proposals

CAPABILITY = Capability(
    name="sampling",
    cli=(CLI,),
    retention=(RetentionRule("sample_picks", AUDIT_RECORDS, past_picks),
               RetentionRule("sample_proposals", AUDIT_RECORDS, past_proposals)),
)
