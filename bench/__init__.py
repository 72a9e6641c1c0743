"""Benchmarks: `python -m bench.<name>`; each writes its figures to docs/performance.md."""
