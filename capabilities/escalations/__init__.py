"""Escalations (framework 9.3 "Inadequate or Requires Improvement cases", "Moderation and Management
oversight"): the QA unit moderates every audit submitted graded Inadequate; an agreed Inadequate
grade opens an urgent review by the area's head of service and service lead, who owe the QA unit
updates in 3 working days and in one week."""
