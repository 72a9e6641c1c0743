"""Reports (framework 9.3): the QA unit's audit register and the monthly, quarterly and annual audit analysis."""
