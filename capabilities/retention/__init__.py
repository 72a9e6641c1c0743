"""Retention: records past their period are purged monthly, and on demand (docs/privacy.md)."""
